package dev.berth.engine;

import dev.berth.api.BerthException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Resolves {@code user[:group]} (names or numbers) against an image's /etc/passwd and /etc/group. */
final class Users {
    /** The resolved identity, and the home directory when the passwd file names one. */
    record Identity(int uid, int gid, List<Integer> additionalGids, String home) {}

    private Users() {}

    static Identity resolve(Path rootfs, String spec) {
        String user = spec == null || spec.isEmpty() ? "0" : spec;
        String group = null;
        int colon = user.indexOf(':');
        if (colon >= 0) {
            group = user.substring(colon + 1);
            user = user.substring(0, colon);
        }
        List<String[]> passwd = read(rootfs.resolve("etc/passwd"));
        List<String[]> groups = read(rootfs.resolve("etc/group"));
        String[] entry = null;
        for (String[] p : passwd) {
            if (p.length >= 4 && (p[0].equals(user) || p[2].equals(user))) {
                entry = p;
                break;
            }
        }
        int uid;
        int gid;
        if (entry != null) {
            uid = Integer.parseInt(entry[2]);
            gid = Integer.parseInt(entry[3]);
        } else if (user.matches("\\d+")) {
            uid = Integer.parseInt(user);
            gid = 0;
        } else {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "user \"" + user + "\" is not in the image's /etc/passwd; give a number instead");
        }
        if (group != null) {
            gid = groupId(groups, group);
        }
        List<Integer> additional = new ArrayList<>();
        if (entry != null) {
            for (String[] g : groups) {
                if (g.length >= 4 && List.of(g[3].split(",")).contains(entry[0])) {
                    int id = Integer.parseInt(g[2]);
                    if (id != gid && !additional.contains(id)) {
                        additional.add(id);
                    }
                }
            }
        }
        return new Identity(uid, gid, additional, entry != null && entry.length >= 6 ? entry[5] : null);
    }

    private static int groupId(List<String[]> groups, String group) {
        for (String[] g : groups) {
            if (g.length >= 3 && (g[0].equals(group) || g[2].equals(group))) {
                return Integer.parseInt(g[2]);
            }
        }
        if (group.matches("\\d+")) {
            return Integer.parseInt(group);
        }
        throw new BerthException(BerthException.Kind.INVALID_INPUT, "group \"" + group + "\" is not in the image's /etc/group; give a number instead");
    }

    private static List<String[]> read(Path file) {
        List<String[]> entries = new ArrayList<>();
        try {
            // the image's own file only: a symlink could point at the host's
            if (Files.isRegularFile(file) && file.toRealPath().startsWith(file.getParent().getParent().toRealPath())) {
                for (String line : Files.readAllLines(file)) {
                    if (!line.isBlank() && !line.startsWith("#")) {
                        entries.add(line.split(":", -1));
                    }
                }
            }
        } catch (IOException e) {
            // an unreadable passwd file is like none: numbers still work
        }
        return entries;
    }
}
