package dev.berth.api;

import java.util.List;
import java.util.Map;

/** A Service from the manifests: the pods it selects and the ports it offers. */
public record ServiceSpec(
        String name, String namespace, String type, Map<String, String> selector, List<Port> ports, Source source) {

    public ServiceSpec {
        selector = Map.copyOf(selector);
        ports = List.copyOf(ports);
    }

    /** One {@code ports[]} entry; {@code targetPort} defaults to {@code port}. */
    public record Port(String name, int port, PortRef targetPort, String protocol, int nodePort) {}

    /** Whether the Service selects a pod with these labels (an empty selector selects nothing, as in Kubernetes). */
    public boolean selects(Map<String, String> podLabels) {
        return !selector.isEmpty() && podLabels.entrySet().containsAll(selector.entrySet());
    }
}
