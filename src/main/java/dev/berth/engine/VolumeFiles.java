package dev.berth.engine;

import dev.berth.api.BerthException;
import dev.berth.api.ObjectKind;
import dev.berth.api.PodSpec;
import dev.berth.api.Volume;
import dev.berth.sys.Linux;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/** Makes the content of one pod volume on the host, as the kubelet would. */
final class VolumeFiles {
    /** Kubernetes' defaultMode for ConfigMap, Secret and downward API files: a container running as any user reads them. */
    static final int DEFAULT_MODE = 0644;

    private VolumeFiles() {}

    static void prepare(PodSpec pod, Volume v, Path dir, BiFunction<ObjectKind, String, Optional<Map<String, String>>> objects) throws IOException {
        Volume.Source s = v.source();
        if (s instanceof Volume.EmptyDir e) {
            Files.createDirectories(dir);
            Files.setAttribute(dir, "unix:mode", 0777, LinkOption.NOFOLLOW_LINKS); // as the kubelet makes it
            if ("Memory".equals(e.medium()) && !mounted(dir)) {
                Linux.mount("tmpfs", dir, "tmpfs", 0, "mode=1777" + (e.sizeLimit() == null ? "" : ",size=" + dev.berth.api.Quantities.ceilLong(e.sizeLimit())));
            }
        } else if (s instanceof Volume.ConfigMap c) {
            Map<String, String> data = objects.apply(ObjectKind.CONFIG_MAP, c.name()).orElse(Map.of());
            writeFiles(dir, data, c.items(), c.defaultMode() == null ? DEFAULT_MODE : c.defaultMode());
        } else if (s instanceof Volume.Secret sec) {
            Files.createDirectories(dir);
            if (!mounted(dir)) {
                Linux.mount("tmpfs", dir, "tmpfs", 0, "mode=0755,size=1m");
            }
            Map<String, String> data = objects.apply(ObjectKind.SECRET, sec.secretName()).orElse(Map.of());
            writeFiles(dir, data, sec.items(), sec.defaultMode() == null ? DEFAULT_MODE : sec.defaultMode());
        } else if (s instanceof Volume.DownwardApi d) {
            Map<String, String> data = new LinkedHashMap<>();
            for (Volume.Item item : d.items()) {
                data.put(item.path(), downward(pod, item.key()));
            }
            List<Volume.Item> asIs = d.items().stream().map(i -> new Volume.Item(i.path(), i.path(), i.mode())).toList();
            writeFiles(dir, data, asIs, d.defaultMode() == null ? DEFAULT_MODE : d.defaultMode());
        } else if (s instanceof Volume.PersistentVolumeClaim) {
            Files.createDirectories(dir);
        } else if (s instanceof Volume.HostPath h) {
            hostPath(pod, v, h);
        }
    }

    private static boolean mounted(Path dir) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mounts")).stream().anyMatch(l -> l.split(" ")[1].equals(dir.toString()));
    }

    private static void writeFiles(Path dir, Map<String, String> data, List<Volume.Item> items, int defaultMode) throws IOException {
        Files.createDirectories(dir);
        Map<String, Integer> modes = new LinkedHashMap<>();
        Map<String, String> files = new LinkedHashMap<>();
        if (items.isEmpty()) {
            data.forEach((k, value) -> {
                files.put(k, value);
                modes.put(k, defaultMode);
            });
        } else {
            for (Volume.Item i : items) {
                if (data.containsKey(i.key())) {
                    files.put(i.path(), data.get(i.key()));
                    modes.put(i.path(), i.mode() == null ? defaultMode : i.mode());
                }
            }
        }
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path file = dir.resolve(f.getKey()).normalize();
            if (!file.startsWith(dir)) {
                throw new BerthException(BerthException.Kind.INVALID_INPUT, "volume file " + f.getKey() + " leads outside its volume");
            }
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(file);
            Files.writeString(file, f.getValue(), StandardCharsets.UTF_8);
            int mode = modes.get(f.getKey());
            Files.setAttribute(file, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
        }
    }

    static String downward(PodSpec pod, String field) {
        return switch (field) {
            case "metadata.name" -> pod.name();
            case "metadata.namespace" -> pod.namespace();
            case "metadata.labels" -> lines(pod.labels());
            case "metadata.annotations" -> lines(pod.annotations());
            default -> "";
        };
    }

    private static String lines(Map<String, String> map) {
        StringBuilder s = new StringBuilder();
        new java.util.TreeMap<>(map).forEach((k, v) -> s.append(k).append("=\"").append(v.replace("\"", "\\\"")).append("\"\n"));
        return s.toString();
    }

    /** Kubernetes' hostPath types: create what the *OrCreate types ask for, check what the others name. */
    private static void hostPath(PodSpec pod, Volume v, Volume.HostPath h) throws IOException {
        Path p = Path.of(h.path());
        String problem = switch (h.type() == null ? "" : h.type()) {
            case "", "DirectoryOrCreate" -> {
                if (h.type() != null && h.type().equals("DirectoryOrCreate") && !Files.exists(p)) {
                    Files.createDirectories(p);
                }
                yield null;
            }
            case "Directory" -> Files.isDirectory(p) ? null : "is not a directory";
            case "FileOrCreate" -> {
                if (!Files.exists(p)) {
                    Files.createDirectories(p.getParent());
                    Files.createFile(p);
                }
                yield Files.isRegularFile(p) ? null : "is not a file";
            }
            case "File" -> Files.isRegularFile(p) ? null : "is not a file";
            case "Socket", "CharDevice", "BlockDevice" -> Files.exists(p) && !Files.isRegularFile(p) && !Files.isDirectory(p) ? null : "is not a " + h.type();
            default -> "has an unknown type " + h.type();
        };
        if (problem != null) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "pod " + pod.name() + ": hostPath volume " + v.name() + ": " + h.path() + " " + problem);
        }
    }

    /** fsGroup: the volume's files belong to the group, directories setgid and group-writable, as the kubelet does. */
    static void ownByGroup(Path dir, int gid) throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.toList()) {
                Files.setAttribute(p, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.setAttribute(p, "unix:mode", mode | 02070, LinkOption.NOFOLLOW_LINKS);
                } else if ((mode & 0400) != 0) {
                    Files.setAttribute(p, "unix:mode", mode | 0040, LinkOption.NOFOLLOW_LINKS);
                }
            }
        }
    }
}
