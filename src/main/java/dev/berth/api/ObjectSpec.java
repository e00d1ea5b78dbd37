package dev.berth.api;

import java.util.Map;

/**
 * A ConfigMap, Secret or PersistentVolumeClaim from the manifests.
 *
 * @param data keys and values of a ConfigMap or Secret (Secret values decoded); for a claim, its
 *             {@code storage} request when given
 */
public record ObjectSpec(ObjectKind kind, String name, String namespace, Map<String, String> data, Source source) {
    public ObjectSpec {
        data = Map.copyOf(data);
    }

    /** Never shows values: a Secret's would leak into logs and messages. */
    @Override
    public String toString() {
        return kind.kubernetesName() + "/" + name + " keys=" + data.keySet() + " (" + source + ")";
    }
}
