package dev.berth.network;

import dev.berth.api.BerthException;
import dev.berth.api.Json;
import dev.berth.proc.Command;
import dev.berth.proc.ProcessRunner;
import dev.berth.proc.Result;
import dev.berth.state.Layout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A CNI network: a plugin list (bridge + host-local IPAM + portmap + tuning; podman's default
 * without firewall, as berth writes the masquerade and forward rules itself, once per bridge:
 * {@link ServiceRules#network}) kept as {@code <root>/networks/<name>.conflist}, and the ADD and
 * DEL calls that attach a pod's network namespace to it.
 */
public final class CniNetwork {
    public static final String DEFAULT = "berth";
    static final Path CNI_PATH = Path.of("/usr/lib/cni");

    private final Map<String, Object> config;
    private final ProcessRunner processes;
    /** The root this network belongs to, as marked on its bridge. */
    private final String owner;

    private CniNetwork(Map<String, Object> config, ProcessRunner processes, String owner) {
        this.config = config;
        this.processes = processes;
        this.owner = owner;
    }

    /** A port published on the host (CNI's portMappings). */
    public record PortMapping(int hostPort, int containerPort, String protocol, String hostIP) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("hostPort", hostPort);
            m.put("containerPort", containerPort);
            m.put("protocol", protocol.toLowerCase(java.util.Locale.ROOT));
            if (hostIP != null && !hostIP.isEmpty()) {
                m.put("hostIP", hostIP);
            }
            return m;
        }
    }

    /**
     * What a network is made of: its bridge, the pods' subnet and its gateway (the bridge's
     * address), and the range Service virtual IPs come from (null: 10.96.0.0/16).
     */
    public record Definition(String name, String bridge, String subnet, String gateway, String serviceSubnet) {}

    /** Writes a network's plugin list (see {@link #conflist}) atomically as {@code <name>.conflist}. */
    public static void write(Path networksDir, Path ipamDir, Definition d) throws IOException {
        Map<String, Object> list = conflist(d.name(), d.bridge(), d.subnet(), d.gateway(), ipamDir);
        if (d.serviceSubnet() != null) {
            list.put("berth.serviceSubnet", d.serviceSubnet());
        }
        write(networksDir, list);
    }

    /** The plugin list of a new network: a bridge with its own subnet (its masquerade is berth's rule, not the plugin's). */
    private static Map<String, Object> conflist(String name, String bridge, String subnet, String gateway, Path ipamDir) {
        Map<String, Object> ipam = new LinkedHashMap<>();
        ipam.put("type", "host-local");
        ipam.put("ranges", List.of(List.of(Map.of("subnet", subnet, "gateway", gateway))));
        ipam.put("routes", List.of(Map.of("dst", "0.0.0.0/0")));
        ipam.put("dataDir", ipamDir.toString());
        Map<String, Object> bridgePlugin = new LinkedHashMap<>();
        bridgePlugin.put("type", "bridge");
        bridgePlugin.put("bridge", bridge);
        bridgePlugin.put("isGateway", true);
        bridgePlugin.put("ipMasq", false);
        bridgePlugin.put("hairpinMode", true);
        bridgePlugin.put("ipam", ipam);
        Map<String, Object> portmap = new LinkedHashMap<>();
        portmap.put("type", "portmap");
        portmap.put("capabilities", Map.of("portMappings", true));
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("cniVersion", "1.0.0");
        list.put("name", name);
        list.put("plugins", List.of(bridgePlugin, portmap, Map.of("type", "tuning")));
        return list;
    }

    /**
     * The default network of a root. {@code /var/lib/berth} gets bridge berth0 on 10.89.0.0/16
     * (Services 10.96.0.0/16); any other root a bridge and two /24s of its own (pods in
     * 10.90.N.0/24, Services in 10.91.N.0/24, N from a hash of the root's path, the first clear of
     * the host's addresses), so that two roots never share a bridge, addresses or leases.
     */
    static Map<String, Object> defaultConflist(Path root, Path ipamDir) {
        if (root.equals(Layout.DEFAULT_ROOT)) {
            Map<String, Object> list = conflist(DEFAULT, "berth0", "10.89.0.0/16", "10.89.0.1", ipamDir);
            list.put("berth.serviceSubnet", "10.96.0.0/16");
            return list;
        }
        String hash = dev.berth.api.Canonical.hash(root.toString());
        int start = Integer.parseInt(hash.substring(0, 2), 16);
        for (int i = 0; i < 256; i++) {
            int n = (start + i) % 256;
            Cidr pods = Cidr.parse("10.90." + n + ".0/24");
            if (HostAddresses.overlapping(pods, null) == null) {
                Map<String, Object> list = conflist(DEFAULT, "berth-" + hash.substring(0, 8), pods.toString(), pods.host(1), ipamDir);
                list.put("berth.serviceSubnet", "10.91." + n + ".0/24");
                return list;
            }
        }
        throw new BerthException(BerthException.Kind.HOST, "no free subnet in 10.90.0.0/16 for the default network of " + root
                + "; write " + root.resolve("networks").resolve(DEFAULT + ".conflist") + " with a subnet of your choice");
    }

    /** Loads a network's plugin list; the default network is created on first use (see {@link #defaultConflist}). */
    public static CniNetwork load(Path networksDir, Path ipamDir, String name, ProcessRunner processes) {
        Path file = networksDir.resolve(name + ".conflist");
        try {
            if (!Files.exists(file)) {
                if (!name.equals(DEFAULT)) {
                    throw new BerthException(BerthException.Kind.NOT_FOUND, "no network \"" + name + "\" (" + file + ")");
                }
                write(networksDir, defaultConflist(networksDir.getParent(), ipamDir));
            }
            return new CniNetwork(Json.parseObject(Files.readString(file)), processes, networksDir.getParent().toString());
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot read network " + name + ": " + e.getMessage(), e);
        }
    }

    /** Writes a plugin list atomically as {@code <name>.conflist}. */
    private static void write(Path networksDir, Map<String, Object> conflist) throws IOException {
        Files.createDirectories(networksDir);
        Path file = networksDir.resolve(conflist.get("name") + ".conflist");
        // a name of its own: the pods of one play make the default network from several threads at once
        Path tmp = networksDir.resolve("." + conflist.get("name") + "-" + java.util.UUID.randomUUID() + ".tmp");
        Files.writeString(tmp, Json.write(conflist));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The plugin list as JSON text, as its file has it. */
    public String configJson() {
        return Json.write(config);
    }

    public String name() {
        return Json.string(config, "name");
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> plugins() {
        return (List<Map<String, Object>>) (List<?>) Json.array(config, "plugins");
    }

    /** The bridge's subnet, e.g. {@code 10.89.0.0/16}. */
    public String subnet() {
        Map<String, Object> ipam = Json.object(plugins().get(0), "ipam");
        return Json.string((Map<String, Object>) ((List<?>) ((List<?>) ipam.get("ranges")).get(0)).get(0), "subnet");
    }

    /** The range Service virtual IPs come from: {@code berth.serviceSubnet} in the conflist, else 10.96.0.0/16. */
    public String serviceSubnet() {
        String s = Json.string(config, "berth.serviceSubnet");
        return s == null ? "10.96.0.0/16" : s;
    }

    public String bridge() {
        return Json.string(plugins().get(0), "bridge");
    }

    /** Attaches a network namespace: each plugin's ADD in order, the last result returned (keep it for {@link #del}). */
    public CniResult add(String id, Path netns, String pod, List<PortMapping> ports) {
        String owner = bridgeOwner();
        if (owner != null && !owner.equals(this.owner)) {
            throw new BerthException(BerthException.Kind.HOST, "pod " + pod + ": bridge " + bridge() + " of network " + name()
                    + " belongs to berth root " + owner + "; two roots cannot share a bridge (their addresses would collide): give"
                    + " this network another bridge");
        }
        String clash = HostAddresses.overlapping(Cidr.parse(subnet()), bridge());
        if (clash != null) {
            throw new BerthException(BerthException.Kind.HOST, "pod " + pod + ": network " + name() + " (bridge " + bridge() + ", "
                    + subnet() + ") overlaps " + clash + " on this host, another berth root's or the host's own network; give this root"
                    + " a network of its own (berth network create --subnet …, then annotation berth.dev/network)");
        }
        CniResult result = null;
        for (Map<String, Object> plugin : plugins(ports)) {
            result = call("ADD", plugin, id, netns, pod, ports, result);
        }
        if (owner == null) {
            // the bridge is new: mark it as this root's, in the interface's alias, for other roots to see
            processes.run(Command.of("ip", "link", "set", "dev", bridge(), "alias", "berth:" + this.owner).withTimeout(Duration.ofSeconds(10)));
        }
        return result;
    }

    /**
     * The plugins that have something to do: portmap without port mappings and tuning without
     * settings do nothing (a process each, for every pod), so they are not run.
     */
    private List<Map<String, Object>> plugins(List<PortMapping> ports) {
        return plugins().stream().filter(p -> switch (String.valueOf(p.get("type"))) {
            case "portmap" -> !ports.isEmpty();
            case "tuning" -> p.size() > 1;
            default -> true;
        }).toList();
    }

    /** Detaches: each plugin's DEL in reverse order, given the ADD result; what is already gone is no error. */
    public void del(String id, Path netns, String pod, List<PortMapping> ports, CniResult addResult) {
        List<Map<String, Object>> plugins = new ArrayList<>(plugins(ports));
        java.util.Collections.reverse(plugins);
        List<String> errors = new ArrayList<>();
        for (Map<String, Object> plugin : plugins) {
            try {
                call("DEL", plugin, id, Files.exists(netns) ? netns : null, pod, ports, addResult);
            } catch (BerthException e) {
                errors.add(e.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            throw new BerthException(BerthException.Kind.HOST, String.join("; ", errors));
        }
    }

    private CniResult call(String command, Map<String, Object> plugin, String id, Path netns, String pod,
            List<PortMapping> ports, CniResult prevResult) {
        Map<String, Object> conf = new LinkedHashMap<>(plugin);
        conf.put("cniVersion", config.get("cniVersion"));
        conf.put("name", name());
        if (prevResult != null) {
            conf.put("prevResult", prevResult.json());
        }
        if (Json.object(plugin, "capabilities").containsKey("portMappings")) {
            conf.put("runtimeConfig", Map.of("portMappings", ports.stream().map(PortMapping::json).toList()));
        }
        String type = Json.string(plugin, "type");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", id);
        env.put("CNI_NETNS", netns == null ? "" : netns.toString());
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAME=" + pod);
        env.put("CNI_PATH", CNI_PATH.toString());
        Command c = Command.of(CNI_PATH.resolve(type).toString()).withEnv(env)
                .withStdin(Json.write(conf).getBytes(StandardCharsets.UTF_8)).withTimeout(Duration.ofSeconds(30));
        Result r = processes.run(c);
        if (r.exitCode() != 0) {
            String msg = r.stdoutText().isBlank() ? r.stderr() : r.stdoutText();
            try {
                Map<String, Object> error = Json.parseObject(msg);
                msg = Json.string(error, "msg") + (error.get("details") == null ? "" : ": " + error.get("details"));
            } catch (IllegalArgumentException notJson) {
                // keep the text as it came
            }
            throw new BerthException(BerthException.Kind.HOST, "CNI " + type + " " + command + " for pod " + pod + " failed: " + msg.strip());
        }
        if (command.equals("DEL") || r.stdoutText().isBlank()) {
            return prevResult;
        }
        return CniResult.parse(Json.parseObject(r.stdoutText()));
    }

    /**
     * An ADD result rebuilt from host-local's lease files (named by address, holding the container
     * ID), or null when the attachment got no address.
     */
    public CniResult resultFromLease(Path ipamDir, String id, Path netns) {
        Path leases = ipamDir.resolve(name());
        if (!Files.isDirectory(leases)) {
            return null;
        }
        try (java.util.stream.Stream<Path> files = Files.list(leases)) {
            for (Path f : files.toList()) {
                String address = f.getFileName().toString();
                if (!address.matches("\\d+\\.\\d+\\.\\d+\\.\\d+") || !Files.readString(f).startsWith(id)) {
                    continue;
                }
                return new CniResult(Json.string(config, "cniVersion"), List.of(new CniResult.Interface("eth0", null, netns.toString())),
                        List.of(new CniResult.Ip(address + "/" + subnet().split("/")[1], null, 0)), List.of(), null);
            }
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot read the leases of network " + name() + ": " + e.getMessage(), e);
        }
        return null;
    }

    /** The berth root that made the bridge, from its alias; null when the bridge does not exist or carries no mark. */
    private String bridgeOwner() {
        try {
            String alias = Files.readString(Path.of("/sys/class/net", bridge(), "ifalias")).strip();
            return alias.startsWith("berth:") ? alias.substring("berth:".length()) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Whether no interface is attached to the bridge (or there is no bridge): a bridge another
     * root or a pod still uses keeps its ports.
     */
    public boolean bridgeUnused() {
        Path ports = Path.of("/sys/class/net", bridge(), "brif");
        try (java.util.stream.Stream<Path> attached = Files.list(ports)) {
            return attached.findAny().isEmpty();
        } catch (IOException e) {
            return true; // no such bridge
        }
    }

    /**
     * Deletes the bridge, which the CNI plugin leaves behind; one already gone is no error. The
     * caller holds the network's lock and knows it is unused and no pod of its root is on it.
     */
    public void removeBridge() {
        if (bridgeExists()) {
            processes.run(Command.of("ip", "link", "del", bridge()).withTimeout(Duration.ofSeconds(10)));
        }
    }

    /** Whether the bridge exists (a pod's ADD makes it). */
    public boolean bridgeExists() {
        return Files.exists(Path.of("/sys/class/net", bridge()));
    }
}
