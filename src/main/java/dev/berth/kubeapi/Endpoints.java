package dev.berth.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A Service's Endpoints and EndpointSlice as its controllers write them: the pods its selector
 * picks, ready ones as addresses and the others as not ready, with the ports the Service's
 * targetPorts name (a number, or a container port's name in the pod).
 */
final class Endpoints {
    private Endpoints() {}

    /** The Endpoints of a Service with a selector, or null for one without (its Endpoints are its author's). */
    static ObjectNode endpoints(ObjectNode service, List<ObjectNode> pods) {
        if (!service.path("spec").has("selector")) {
            return null;
        }
        ObjectNode e = base(service, "v1", "Endpoints", service.path("metadata").path("name").asText());
        ArrayNode subsets = e.putArray("subsets");
        ObjectNode subset = Objects.F.objectNode();
        for (ObjectNode pod : selected(service, pods)) {
            String ip = pod.path("status").path("podIP").asText("");
            ObjectNode address = Objects.F.objectNode().put("ip", ip).put("nodeName", pod.path("spec").path("nodeName").asText());
            address.set("targetRef", ref(pod));
            subset.withArray(Workloads.ready(pod) ? "addresses" : "notReadyAddresses").add(address);
        }
        if (!subset.isEmpty()) {
            ArrayNode ports = subset.putArray("ports");
            for (JsonNode p : service.path("spec").path("ports")) {
                ObjectNode port = ports.addObject().put("port", targetPort(p, selected(service, pods))).put("protocol", p.path("protocol").asText("TCP"));
                if (p.has("name")) {
                    port.put("name", p.path("name").asText());
                }
            }
            subsets.add(subset);
        }
        return e;
    }

    /** The EndpointSlice of a Service with a selector ({@code SERVICE-berth}), or null. */
    static ObjectNode slice(ObjectNode service, List<ObjectNode> pods) {
        if (!service.path("spec").has("selector")) {
            return null;
        }
        String name = service.path("metadata").path("name").asText();
        ObjectNode s = base(service, "discovery.k8s.io/v1", "EndpointSlice", name + "-berth");
        s.with("metadata").with("labels").put("kubernetes.io/service-name", name).put("endpointslice.kubernetes.io/managed-by", "berth");
        s.put("addressType", "IPv4");
        ArrayNode endpoints = s.putArray("endpoints");
        List<ObjectNode> selected = selected(service, pods);
        for (ObjectNode pod : selected) {
            ObjectNode e = endpoints.addObject();
            e.putArray("addresses").add(pod.path("status").path("podIP").asText(""));
            boolean ready = Workloads.ready(pod);
            e.putObject("conditions").put("ready", ready).put("serving", ready).put("terminating", pod.path("metadata").has("deletionTimestamp"));
            e.set("targetRef", ref(pod));
            e.put("nodeName", pod.path("spec").path("nodeName").asText());
        }
        ArrayNode ports = s.putArray("ports");
        for (JsonNode p : service.path("spec").path("ports")) {
            ObjectNode port = ports.addObject().put("port", targetPort(p, selected)).put("protocol", p.path("protocol").asText("TCP"));
            if (p.has("name")) {
                port.put("name", p.path("name").asText());
            }
        }
        return s;
    }

    private static ObjectNode base(ObjectNode service, String apiVersion, String kind, String name) {
        ObjectNode o = Objects.F.objectNode().put("apiVersion", apiVersion).put("kind", kind);
        ObjectNode meta = o.putObject("metadata").put("name", name).put("namespace", service.path("metadata").path("namespace").asText());
        if (service.path("metadata").has("labels")) {
            meta.set("labels", service.path("metadata").path("labels").deepCopy());
        }
        meta.putObject("annotations").put(ApiReconcile.MADE_BY, "the Kubernetes API");
        meta.putArray("ownerReferences").addObject().put("apiVersion", "v1").put("kind", "Service").put("name", service.path("metadata").path("name").asText())
                .put("uid", service.path("metadata").path("uid").asText()).put("controller", true).put("blockOwnerDeletion", true);
        return o;
    }

    /** The pods of the Service's namespace its selector picks that have an address. */
    private static List<ObjectNode> selected(ObjectNode service, List<ObjectNode> pods) {
        String ns = service.path("metadata").path("namespace").asText();
        JsonNode selector = service.path("spec").path("selector");
        return pods.stream().filter(p -> p.path("metadata").path("namespace").asText().equals(ns) && p.path("status").has("podIP"))
                .filter(p -> {
                    JsonNode labels = p.path("metadata").path("labels");
                    var it = selector.fields();
                    while (it.hasNext()) {
                        var f = it.next();
                        if (!f.getValue().equals(labels.get(f.getKey()))) {
                            return false;
                        }
                    }
                    return true;
                }).toList();
    }

    private static ObjectNode ref(ObjectNode pod) {
        return Objects.F.objectNode().put("kind", "Pod").put("namespace", pod.path("metadata").path("namespace").asText())
                .put("name", pod.path("metadata").path("name").asText()).put("uid", pod.path("metadata").path("uid").asText());
    }

    /** A port's targetPort as a number: given, or the named port of the first selected pod that has it, else the Service's port. */
    private static int targetPort(JsonNode port, List<ObjectNode> pods) {
        JsonNode target = port.path("targetPort");
        if (target.canConvertToInt()) {
            return target.asInt();
        }
        for (ObjectNode pod : pods) {
            for (JsonNode c : pod.path("spec").path("containers")) {
                for (JsonNode p : c.path("ports")) {
                    if (p.path("name").asText().equals(target.asText())) {
                        return p.path("containerPort").asInt();
                    }
                }
            }
        }
        return port.path("port").asInt();
    }
}
