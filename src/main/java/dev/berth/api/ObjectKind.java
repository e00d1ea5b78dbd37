package dev.berth.api;

/** The kinds of object, besides pods, that containers reference and that must exist before they start. */
public enum ObjectKind {
    CONFIG_MAP("ConfigMap"),
    SECRET("Secret"),
    PERSISTENT_VOLUME_CLAIM("PersistentVolumeClaim");

    private final String kubernetesName;

    ObjectKind(String kubernetesName) {
        this.kubernetesName = kubernetesName;
    }

    /** The name Kubernetes uses in {@code kind:}. */
    public String kubernetesName() {
        return kubernetesName;
    }
}
