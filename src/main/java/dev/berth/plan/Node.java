package dev.berth.plan;

import dev.berth.api.ObjectKind;

/**
 * A node of the plan: a pod's sandbox, a container, or an object containers need.
 *
 * @param pod       the pod, for sandbox and container nodes; null for objects
 * @param container the container, for container nodes; null otherwise
 * @param name      the object's name, for object nodes; null otherwise
 */
public record Node(Kind kind, String pod, String container, String name) {

    public enum Kind {
        POD("Pod"),
        CONTAINER("Container"),
        CONFIG_MAP("ConfigMap"),
        SECRET("Secret"),
        PERSISTENT_VOLUME_CLAIM("PersistentVolumeClaim");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        static Kind of(ObjectKind kind) {
            return switch (kind) {
                case CONFIG_MAP -> CONFIG_MAP;
                case SECRET -> SECRET;
                case PERSISTENT_VOLUME_CLAIM -> PERSISTENT_VOLUME_CLAIM;
            };
        }
    }

    public static Node sandbox(String pod) {
        return new Node(Kind.POD, pod, null, null);
    }

    public static Node container(String pod, String container) {
        return new Node(Kind.CONTAINER, pod, container, null);
    }

    public static Node object(ObjectKind kind, String name) {
        return new Node(Kind.of(kind), null, null, name);
    }

    /** {@code Pod/<pod>}, {@code Container/<pod>/<container>} or {@code <Kind>/<name>}. */
    public String id() {
        return switch (kind) {
            case POD -> "Pod/" + pod;
            case CONTAINER -> "Container/" + pod + "/" + container;
            default -> kind.label() + "/" + name;
        };
    }

    @Override
    public String toString() {
        return id();
    }
}
