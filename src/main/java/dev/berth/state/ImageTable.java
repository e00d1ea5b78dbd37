package dev.berth.state;

import dev.berth.api.Json;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Images: their IDs, configs, layers and names. */
final class ImageTable {
    private final Database db;

    ImageTable(Database db) {
        this.db = db;
    }

    /** Adds an image (or finds it already there) and points each name at it, taking names from other images. */
    public void putImage(ImageRecord image) {
        db.inTransaction(() -> {
            try (PreparedStatement p = db.prepareStatement(
                    "INSERT OR IGNORE INTO images (id, config, diff_ids, size, created) VALUES (?, ?, ?, ?, ?)")) {
                p.setString(1, image.id());
                p.setString(2, image.config());
                p.setString(3, Json.write(image.diffIds()));
                p.setLong(4, image.size());
                p.setString(5, image.created().toString());
                p.executeUpdate();
            }
            for (String name : image.names()) {
                try (PreparedStatement p = db.prepareStatement("INSERT OR REPLACE INTO image_names (name, image_id) VALUES (?, ?)")) {
                    p.setString(1, name);
                    p.setString(2, image.id());
                    p.executeUpdate();
                }
            }
            return null;
        });
    }

    public List<ImageRecord> images() {
        return db.read(() -> {
            List<ImageRecord> images = new ArrayList<>();
            try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT id, config, diff_ids, size, created FROM images ORDER BY created DESC, id")) {
                while (rs.next()) {
                    images.add(image(rs));
                }
            }
            return images;
        });
    }

    public Optional<ImageRecord> imageByName(String name) {
        return db.read(() -> {
            try (PreparedStatement p = db.prepareStatement(
                    "SELECT i.id, i.config, i.diff_ids, i.size, i.created FROM images i JOIN image_names n ON n.image_id = i.id WHERE n.name = ?")) {
                p.setString(1, name);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? Optional.of(image(rs)) : Optional.empty();
                }
            }
        });
    }

    /** Images whose ID starts with {@code prefix}. */
    public List<ImageRecord> imagesByIdPrefix(String prefix) {
        return db.read(() -> {
            List<ImageRecord> images = new ArrayList<>();
            try (PreparedStatement p = db.prepareStatement("SELECT id, config, diff_ids, size, created FROM images WHERE substr(id, 1, ?) = ?")) {
                p.setInt(1, prefix.length());
                p.setString(2, prefix);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        images.add(image(rs));
                    }
                }
            }
            return images;
        });
    }

    private ImageRecord image(ResultSet rs) throws SQLException {
        String id = rs.getString(1);
        List<String> names = new ArrayList<>();
        try (PreparedStatement p = db.prepareStatement("SELECT name FROM image_names WHERE image_id = ? ORDER BY name")) {
            p.setString(1, id);
            try (ResultSet n = p.executeQuery()) {
                while (n.next()) {
                    names.add(n.getString(1));
                }
            }
        }
        @SuppressWarnings("unchecked")
        List<String> diffIds = (List<String>) Json.parse(rs.getString(3));
        return new ImageRecord(id, names, rs.getString(2), diffIds, rs.getLong(4), Database.instant(rs.getString(5)));
    }

    /** Removes one name; returns the number of names the image still has. */
    public int untagImage(String imageId, String name) {
        return db.inTransaction(() -> {
            try (PreparedStatement p = db.prepareStatement("DELETE FROM image_names WHERE name = ? AND image_id = ?")) {
                p.setString(1, name);
                p.setString(2, imageId);
                p.executeUpdate();
            }
            try (PreparedStatement p = db.prepareStatement("SELECT count(*) FROM image_names WHERE image_id = ?")) {
                p.setString(1, imageId);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.getInt(1);
                }
            }
        });
    }

    /** Removes an image record; the caller has checked no container uses it. */
    public void removeImage(String imageId) {
        db.inTransaction(() -> {
            try (PreparedStatement p = db.prepareStatement("DELETE FROM images WHERE id = ?")) {
                p.setString(1, imageId);
                p.executeUpdate();
            }
            return null;
        });
    }

    /** The diff IDs of layers some image still uses. */
    public List<String> diffIdsInUse() {
        List<String> all = new ArrayList<>();
        images().forEach(i -> all.addAll(i.diffIds()));
        return all;
    }
}
