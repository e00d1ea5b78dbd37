package dev.berth.api;

/**
 * A pod's container as berth names it on the host: {@code <pod>-<container>} in {@code ps},
 * {@code logs} and the state, as podman does, while manifests and generated YAML keep the
 * container's own name. The one place the two are joined and cut apart.
 */
public record ContainerName(String pod, String container) {
    public ContainerName {
        if (pod == null || pod.isEmpty() || container == null || container.isEmpty()) {
            throw new IllegalArgumentException("a pod's container needs both names, got " + pod + "/" + container);
        }
    }

    /** The name on the host: {@code web-0-httpd}. */
    public String full() {
        return pod + "-" + container;
    }

    /** The container's own name from its name on the host, in pod {@code pod}; the full name when it is not one of the pod's. */
    public static String own(String pod, String full) {
        return pod != null && full.startsWith(pod + "-") ? full.substring(pod.length() + 1) : full;
    }

    @Override
    public String toString() {
        return full();
    }
}
