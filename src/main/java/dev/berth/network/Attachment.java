package dev.berth.network;

import dev.berth.api.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pod's attachment to a CNI network, as kept in the state: recorded before CNI ADD (so that a
 * crash during ADD still leaves what DEL needs) and completed with ADD's result after.
 *
 * @param result ADD's result, or null while ADD has not returned
 */
public record Attachment(String network, String id, List<CniNetwork.PortMapping> ports, CniResult result) {
    public Attachment {
        ports = List.copyOf(ports);
    }

    public Attachment withResult(CniResult addResult) {
        return new Attachment(network, id, ports, addResult);
    }

    /** The pod's IPv4 address, or null before ADD returned. */
    public String address() {
        return result == null ? null : result.address();
    }

    /** The host's address on the pod's network, or null. */
    public String gateway() {
        return result == null ? null : result.gateway();
    }

    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("network", network);
        m.put("id", id);
        m.put("ports", ports.stream().map(p -> List.of(p.hostPort(), p.containerPort(), p.protocol(), p.hostIP() == null ? "" : p.hostIP())).toList());
        m.put("result", result == null ? null : result.json());
        return Json.write(m);
    }

    @SuppressWarnings("unchecked")
    public static Attachment parse(String json) {
        Map<String, Object> m = Json.parseObject(json);
        List<CniNetwork.PortMapping> ports = new ArrayList<>();
        for (Object p : Json.array(m, "ports")) {
            List<?> l = (List<?>) p;
            ports.add(new CniNetwork.PortMapping(((Number) l.get(0)).intValue(), ((Number) l.get(1)).intValue(), (String) l.get(2),
                    "".equals(l.get(3)) ? null : (String) l.get(3)));
        }
        Object result = m.get("result");
        return new Attachment(Json.string(m, "network"), Json.string(m, "id"), ports, result instanceof Map ? CniResult.parse((Map<String, Object>) result) : null);
    }
}
