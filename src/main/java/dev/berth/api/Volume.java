package dev.berth.api;

import java.util.List;

/** One {@code volumes[]} entry of a pod: a name and where its content comes from. */
public record Volume(String name, Volume.Source source) {

    /** The object this volume takes its content from, or null for volumes that need none. */
    public ObjectRef reference() {
        String via = "volume " + name;
        if (source instanceof ConfigMap c) {
            return new ObjectRef(ObjectKind.CONFIG_MAP, c.name(), c.optional(), via);
        } else if (source instanceof Secret s) {
            return new ObjectRef(ObjectKind.SECRET, s.secretName(), s.optional(), via);
        } else if (source instanceof PersistentVolumeClaim p) {
            return new ObjectRef(ObjectKind.PERSISTENT_VOLUME_CLAIM, p.claimName(), false, via);
        }
        return null;
    }

    /** The volume's source; only the kinds berth supports. */
    public sealed interface Source {}

    /** A file a ConfigMap, Secret or downward API volume projects: {@code key} (or field) → {@code path}. */
    public record Item(String key, String path, Integer mode) {}

    public record EmptyDir(String medium, String sizeLimit) implements Source {}

    public record HostPath(String path, String type) implements Source {}

    public record ConfigMap(String name, List<Item> items, Integer defaultMode, boolean optional) implements Source {
        public ConfigMap {
            items = List.copyOf(items);
        }
    }

    public record Secret(String secretName, List<Item> items, Integer defaultMode, boolean optional)
            implements Source {
        public Secret {
            items = List.copyOf(items);
        }
    }

    /**
     * @param hostPath the path of the hostPath or local PersistentVolume the claim is bound to,
     *                 or null: the claim's own named volume
     */
    public record PersistentVolumeClaim(String claimName, boolean readOnly, String hostPath) implements Source {
        public PersistentVolumeClaim(String claimName, boolean readOnly) {
            this(claimName, readOnly, null);
        }
    }

    /** Downward API items: {@code key} holds the field path (e.g. {@code metadata.labels}). */
    public record DownwardApi(List<Item> items, Integer defaultMode) implements Source {
        public DownwardApi {
            items = List.copyOf(items);
        }
    }
}
