package dev.berth.state;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The event log (berth events), bounded to the newest entries. */
final class EventTable {
    private final Database db;

    EventTable(Database db) {
        this.db = db;
    }

    /** How many events are kept; older ones go as new ones come. */
    static final int EVENTS_KEPT = 10_000;

    /** Records events, in one transaction; the oldest beyond {@link #EVENTS_KEPT} are dropped. */
    public void addEvents(List<StateStore.Event> events) {
        if (events.isEmpty()) {
            return;
        }
        db.inTransaction(() -> {
            try (PreparedStatement p = db.prepareStatement("INSERT INTO events (time, object, pod, type, message) VALUES (?, ?, ?, ?, ?)")) {
                for (StateStore.Event e : events) {
                    p.setString(1, e.time().toString());
                    p.setString(2, e.object());
                    p.setString(3, e.pod());
                    p.setString(4, e.type());
                    p.setString(5, e.message());
                    p.addBatch();
                }
                p.executeBatch();
            }
            try (Statement s = db.createStatement()) {
                s.executeUpdate("DELETE FROM events WHERE id <= (SELECT max(id) FROM events) - " + EVENTS_KEPT);
            }
            return null;
        });
    }

    /** The events after {@code afterId}, at or after {@code since} (null: any time), of {@code pod} (null: all), oldest first. */
    public List<StateStore.Event> events(long afterId, Instant since, String pod) {
        return db.read(() -> {
            List<StateStore.Event> list = new ArrayList<>();
            try (PreparedStatement p = db.prepareStatement("SELECT id, time, object, pod, type, message FROM events WHERE id > ?"
                    + " AND (? IS NULL OR pod = ?) ORDER BY id")) {
                p.setLong(1, afterId);
                p.setString(2, pod);
                p.setString(3, pod);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        StateStore.Event e = new StateStore.Event(rs.getLong(1), Database.instant(rs.getString(2)), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6));
                        if (since == null || !e.time().isBefore(since)) { // times as text do not sort (fractions of varying length)
                            list.add(e);
                        }
                    }
                }
            }
            // in time order: play, the supervisor and other commands store theirs in batches, not in the order they happened
            list.sort(java.util.Comparator.comparing(StateStore.Event::time).thenComparingLong(StateStore.Event::id));
            return list;
        });
    }
}
