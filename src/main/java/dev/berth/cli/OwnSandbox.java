package dev.berth.cli;

import dev.berth.api.BerthException;
import dev.berth.api.Canonical;
import dev.berth.api.PodSpec;
import dev.berth.engine.Berth;
import dev.berth.engine.PodEngine;
import dev.berth.engine.Sandbox;
import dev.berth.manifest.ManifestReader;
import dev.berth.network.CniNetwork;
import dev.berth.network.PortHolder;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The sandbox of a container that {@code run -p} (or {@code --network bridge}) puts on the pod
 * network, as podman puts a container on its default network: a pod record of the container's
 * own name (its one member has that name, which no pod's container has: theirs are
 * POD-CONTAINER), with its network namespace attached to the bridge and the ports published.
 * Listings of pods leave it out; removing the container removes it.
 */
final class OwnSandbox {
    private OwnSandbox() {}

    /** {@code -p [ip:]hostPort:containerPort[/tcp|udp]} as podman reads it. */
    static CniNetwork.PortMapping port(String given) {
        String[] protoSplit = given.split("/", -1);
        String protocol = protoSplit.length == 2 ? protoSplit[1].toUpperCase(java.util.Locale.ROOT) : "TCP";
        String[] f = protoSplit[0].split(":", -1);
        if (protoSplit.length > 2 || !protocol.matches("TCP|UDP") || f.length < 2 || f.length > 3
                || !f[f.length - 1].matches("[0-9]{1,5}") || !f[f.length - 2].matches("[0-9]{1,5}")) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "-p " + given + ": give [ip:]hostPort:containerPort[/tcp|udp]");
        }
        int host = Integer.parseInt(f[f.length - 2]);
        int container = Integer.parseInt(f[f.length - 1]);
        if (host < 1 || host > 65535 || container < 1 || container > 65535) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "-p " + given + ": ports go from 1 to 65535");
        }
        return new CniNetwork.PortMapping(host, container, protocol, f.length == 3 && !f[0].isEmpty() ? f[0] : null);
    }

    /** Makes the sandbox of container {@code name} with these ports, refused before anything is made when a port is taken. */
    static Sandbox create(Berth berth, String name, String image, List<CniNetwork.PortMapping> ports) {
        Map<String, String> taken = berth.network().hostPortsInUse();
        for (CniNetwork.PortMapping m : ports) {
            String key = m.hostPort() + "/" + m.protocol();
            if (taken.containsKey(key)) {
                throw new BerthException(BerthException.Kind.INVALID_INPUT, "-p: port " + key + " is already taken by pod " + taken.get(key));
            }
            String process = PortHolder.holding(m);
            if (process != null) {
                throw new BerthException(BerthException.Kind.INVALID_INPUT, "-p: port " + key + " is already taken by " + process + " on this host");
            }
        }
        if (berth.state().pod(name).isPresent()) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "the name \"" + name + "\" is already a pod's; choose another with --name");
        }
        PodSpec pod = spec(name, image, ports);
        return berth.pods().createSandbox(new PodEngine.SandboxSpec(name, pod.namespace(), name, false, Sandbox.Kind.NAMESPACE_FILES, false, Canonical.hash(pod),
                Canonical.json(pod), null, ports));
    }

    /** The pod spec recorded for the sandbox, read as any manifest is: the container, its ports; Never, so no supervisor watches it. */
    private static PodSpec spec(String name, String image, List<CniNetwork.PortMapping> ports) {
        StringBuilder yaml = new StringBuilder("apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\nspec:\n  restartPolicy: Never\n  containers:\n"
                + "    - name: main\n      image: \"" + image.replace("\"", "") + "\"\n" + (ports.isEmpty() ? "" : "      ports:\n"));
        for (CniNetwork.PortMapping m : ports) {
            yaml.append("        - {containerPort: ").append(m.containerPort()).append(", hostPort: ").append(m.hostPort())
                    .append(", protocol: ").append(m.protocol()).append(m.hostIP() == null ? "" : ", hostIP: \"" + m.hostIP() + "\"").append("}\n");
        }
        ManifestReader reader = new ManifestReader(new ByteArrayInputStream(yaml.toString().getBytes(StandardCharsets.UTF_8)));
        return reader.read(List.of("-"), ManifestReader.Options.DEFAULT).pods().get(0);
    }

    /** The ports of {@code -p}, each read. */
    static List<CniNetwork.PortMapping> ports(List<String> given) {
        List<CniNetwork.PortMapping> ports = new ArrayList<>();
        given.forEach(p -> ports.add(port(p)));
        return ports;
    }
}
