package dev.berth.kubeapi;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * The documents a client reads to learn what the server serves: {@code /version}, {@code /api},
 * {@code /apis}, each group and group version with its resources (verbs, short names,
 * categories, subresources), and the aggregated form client-go asks for first
 * ({@code Accept: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList}).
 */
final class Discovery {
    /** The Kubernetes version berth's API answers as: within one minor version of kubectl 1.33 and 1.35, and of fabric8's model. */
    static final String MAJOR = "1";
    static final String MINOR = "34";
    static final String AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private final Resources resources;

    Discovery(Resources resources) {
        this.resources = resources;
    }

    static ObjectNode version() {
        ObjectNode v = F.objectNode();
        v.put("major", MAJOR).put("minor", MINOR).put("gitVersion", "v" + MAJOR + "." + MINOR + ".0+berth")
                .put("gitCommit", "berth").put("gitTreeState", "clean").put("buildDate", "2026-01-01T00:00:00Z")
                .put("goVersion", "java" + Runtime.version().feature()).put("compiler", "berth").put("platform", "linux/amd64");
        return v;
    }

    /** {@code /api}: the core group's versions. */
    ObjectNode coreVersions(int port) {
        ObjectNode d = F.objectNode().put("kind", "APIVersions");
        d.putArray("versions").add("v1");
        d.putArray("serverAddressByClientCIDRs").addObject().put("clientCIDR", "0.0.0.0/0").put("serverAddress", "127.0.0.1:" + port);
        return d;
    }

    /** {@code /apis}: every named group. */
    ObjectNode groups() {
        ObjectNode d = F.objectNode().put("kind", "APIGroupList").put("apiVersion", "v1");
        ArrayNode groups = d.putArray("groups");
        resources.groups().forEach((group, versions) -> {
            if (!group.isEmpty()) {
                groups.add(group(group, versions));
            }
        });
        return d;
    }

    ObjectNode group(String group, List<String> versions) {
        ObjectNode g = F.objectNode().put("kind", "APIGroup").put("apiVersion", "v1").put("name", group);
        ArrayNode list = g.putArray("versions");
        for (String v : versions) {
            list.addObject().put("groupVersion", group + "/" + v).put("version", v);
        }
        g.putObject("preferredVersion").put("groupVersion", group + "/" + versions.get(0)).put("version", versions.get(0));
        return g;
    }

    /** {@code /api/v1}, {@code /apis/GROUP/VERSION}: the resources of a group version and their subresources. */
    ObjectNode resourceList(String group, String version) {
        ObjectNode d = F.objectNode().put("kind", "APIResourceList").put("apiVersion", "v1")
                .put("groupVersion", group.isEmpty() ? version : group + "/" + version);
        ArrayNode list = d.putArray("resources");
        for (Resource r : resources.all()) {
            if (r.group().equals(group) && r.version().equals(version)) {
                list.add(resource(r, false));
                for (String sub : r.subresources()) {
                    list.add(subresource(r, sub, false));
                }
            }
        }
        return d;
    }

    private static ObjectNode resource(Resource r, boolean aggregated) {
        ObjectNode o = F.objectNode();
        o.put(aggregated ? "resource" : "name", r.plural()).put("singularName", r.singular());
        if (aggregated) {
            o.put("scope", r.namespaced() ? "Namespaced" : "Cluster");
            o.putObject("responseKind").put("group", r.group()).put("version", r.version()).put("kind", r.kind());
        } else {
            o.put("namespaced", r.namespaced()).put("kind", r.kind());
        }
        strings(o.putArray("verbs"), r.verbs());
        if (!r.shortNames().isEmpty()) {
            strings(o.putArray("shortNames"), r.shortNames());
        }
        if (!r.categories().isEmpty()) {
            strings(o.putArray("categories"), r.categories());
        }
        return o;
    }

    /** A subresource: {@code pods/log}, {@code deployments/scale}; the kind and verbs are those of the real server. */
    private static ObjectNode subresource(Resource r, String sub, boolean aggregated) {
        ObjectNode o = F.objectNode();
        String kind = switch (sub) {
            case "scale" -> "Scale";
            case "exec" -> "PodExecOptions";
            case "attach" -> "PodAttachOptions";
            case "portforward" -> "PodPortForwardOptions";
            case "proxy" -> r.kind().equals("Pod") ? "PodProxyOptions" : r.kind() + "ProxyOptions";
            case "token" -> "TokenRequest";
            default -> r.kind();
        };
        String group = sub.equals("scale") ? "autoscaling" : sub.equals("token") ? "authentication.k8s.io" : "";
        String version = "v1";
        List<String> verbs = switch (sub) {
            case "log" -> List.of("get");
            case "exec", "attach", "portforward" -> List.of("create", "get");
            case "token" -> List.of("create");
            case "finalize" -> List.of("update");
            case "proxy" -> List.of("create", "delete", "get", "patch", "update");
            default -> List.of("get", "patch", "update");
        };
        if (aggregated) {
            o.put("subresource", sub);
            o.putObject("responseKind").put("group", group).put("version", group.isEmpty() ? r.version() : version).put("kind", kind);
        } else {
            o.put("name", r.plural() + "/" + sub).put("singularName", "").put("namespaced", r.namespaced()).put("kind", kind);
            if (!group.isEmpty()) {
                o.put("group", group).put("version", version);
            }
        }
        strings(o.putArray("verbs"), verbs);
        return o;
    }

    /** The aggregated document of {@code /api} (core) or {@code /apis} (the named groups). */
    ObjectNode aggregated(boolean core) {
        ObjectNode d = F.objectNode().put("kind", "APIGroupDiscoveryList").put("apiVersion", "apidiscovery.k8s.io/v2");
        d.putObject("metadata");
        ArrayNode items = d.putArray("items");
        for (Map.Entry<String, List<String>> g : resources.groups().entrySet()) {
            if (g.getKey().isEmpty() != core) {
                continue;
            }
            ObjectNode item = items.addObject();
            item.putObject("metadata").put("name", g.getKey());
            ArrayNode versions = item.putArray("versions");
            for (String v : g.getValue()) {
                ObjectNode version = versions.addObject().put("version", v).put("freshness", "Current");
                ArrayNode list = version.putArray("resources");
                for (Resource r : resources.all()) {
                    if (r.group().equals(g.getKey()) && r.version().equals(v)) {
                        ObjectNode o = resource(r, true);
                        if (!r.subresources().isEmpty()) {
                            ArrayNode subs = o.putArray("subresources");
                            r.subresources().forEach(s -> subs.add(subresource(r, s, true)));
                        }
                        list.add(o);
                    }
                }
            }
        }
        return d;
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }
}
