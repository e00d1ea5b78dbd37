package dev.berth.network;

import dev.berth.api.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a CNI ADD returns (the spec's "Success" result), the fields berth or a later plugin uses:
 * kept with a pod's attachment and handed back as {@code prevResult} to the next plugin and to DEL.
 */
public record CniResult(String cniVersion, List<Interface> interfaces, List<Ip> ips, List<Route> routes, Dns dns) {
    public CniResult {
        interfaces = List.copyOf(interfaces);
        ips = List.copyOf(ips);
        routes = List.copyOf(routes);
    }

    /** An interface a plugin made; {@code sandbox} is the netns path for one inside the pod, else null. */
    public record Interface(String name, String mac, String sandbox) {}

    /** An address in CIDR form ({@code 10.88.0.5/16}), its gateway or null, and the index of its interface or null. */
    public record Ip(String address, String gateway, Integer iface) {}

    public record Route(String dst, String gw) {}

    public record Dns(List<String> nameservers, String domain, List<String> search, List<String> options) {}

    /** The pod's first IPv4 address, without its prefix length, or null. */
    public String address() {
        return ips.stream().map(Ip::address).filter(a -> a != null && a.contains(".")).findFirst()
                .map(a -> a.substring(0, a.indexOf('/'))).orElse(null);
    }

    /** The gateway of the pod's first IPv4 address that has one (the host's address on the pod's network), or null. */
    public String gateway() {
        return ips.stream().filter(ip -> ip.address() != null && ip.address().contains(".") && ip.gateway() != null)
                .map(Ip::gateway).findFirst().orElse(null);
    }

    static CniResult parse(Map<String, Object> json) {
        List<Interface> interfaces = new ArrayList<>();
        for (Object o : Json.array(json, "interfaces")) {
            Map<String, Object> m = asObject(o);
            interfaces.add(new Interface(Json.string(m, "name"), Json.string(m, "mac"), Json.string(m, "sandbox")));
        }
        List<Ip> ips = new ArrayList<>();
        for (Object o : Json.array(json, "ips")) {
            Map<String, Object> m = asObject(o);
            ips.add(new Ip(Json.string(m, "address"), Json.string(m, "gateway"), m.get("interface") instanceof Number n ? n.intValue() : null));
        }
        List<Route> routes = new ArrayList<>();
        for (Object o : Json.array(json, "routes")) {
            Map<String, Object> m = asObject(o);
            routes.add(new Route(Json.string(m, "dst"), Json.string(m, "gw")));
        }
        Map<String, Object> d = Json.object(json, "dns");
        Dns dns = d.isEmpty() ? null : new Dns(Json.strings(d, "nameservers"), Json.string(d, "domain"), Json.strings(d, "search"),
                Json.strings(d, "options"));
        return new CniResult(Json.string(json, "cniVersion"), interfaces, ips, routes, dns);
    }

    /** As the CNI spec writes it, absent fields left out. */
    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "cniVersion", cniVersion);
        m.put("interfaces", interfaces.stream().map(i -> {
            Map<String, Object> o = new LinkedHashMap<>();
            put(o, "name", i.name());
            put(o, "mac", i.mac());
            put(o, "sandbox", i.sandbox());
            return o;
        }).toList());
        m.put("ips", ips.stream().map(ip -> {
            Map<String, Object> o = new LinkedHashMap<>();
            put(o, "interface", ip.iface());
            put(o, "address", ip.address());
            put(o, "gateway", ip.gateway());
            return o;
        }).toList());
        if (!routes.isEmpty()) {
            m.put("routes", routes.stream().map(r -> {
                Map<String, Object> o = new LinkedHashMap<>();
                put(o, "dst", r.dst());
                put(o, "gw", r.gw());
                return o;
            }).toList());
        }
        if (dns != null) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("nameservers", dns.nameservers());
            put(o, "domain", dns.domain());
            o.put("search", dns.search());
            o.put("options", dns.options());
            m.put("dns", o);
        }
        return m;
    }

    private static void put(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asObject(Object o) {
        return o instanceof Map ? (Map<String, Object>) o : Map.of();
    }
}
