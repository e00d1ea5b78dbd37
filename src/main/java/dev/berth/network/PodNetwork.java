package dev.berth.network;

import dev.berth.api.BerthException;
import dev.berth.api.Canonical;
import dev.berth.proc.Command;
import dev.berth.proc.ProcessRunner;
import dev.berth.runtime.HostComponents;
import dev.berth.state.Layout;
import dev.berth.state.Locks;
import dev.berth.state.PodRecord;
import dev.berth.state.StateStore;
import dev.berth.sys.Linux;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one owner of a pod's host network state: its network namespace file, its CNI attachment
 * (recorded as an {@link Attachment}), the bridge it leaves behind, and its /etc/hosts. It takes
 * the network's lock where a change must not interleave with another berth's.
 */
public final class PodNetwork {
    private final Layout layout;
    private final StateStore state;
    private final Locks locks;
    private final ProcessRunner processes;

    public PodNetwork(Layout layout, StateStore state, Locks locks, ProcessRunner processes) {
        this.layout = layout;
        this.state = state;
        this.locks = locks;
        this.processes = processes;
    }

    /** A network of the root by name (null: the default one, made on first use). */
    public CniNetwork network(String name) {
        return CniNetwork.load(layout.networks(), layout.ipam(), name == null ? CniNetwork.DEFAULT : name, processes);
    }

    /** The CNI container ID of a pod: unique per berth root, so two roots' pods never share iptables chains. */
    private String cniId(String pod) {
        return "berth-" + Canonical.hash(List.of(layout.root().toString(), pod)).substring(0, 24);
    }

    /**
     * Makes the pod's network namespace (a file under the runroot, loopback up) and attaches it to
     * a network: the attachment is recorded under the network's lock before CNI ADD, so that a
     * down removing the network's last pod sees this one, and completed with ADD's result.
     */
    public Attachment attach(String pod, String networkName, List<CniNetwork.PortMapping> ports) {
        Path netns = layout.netns(pod);
        createNetns(netns);
        CniNetwork network = network(networkName);
        Attachment attachment = new Attachment(network.name(), cniId(pod), ports, null);
        boolean newBridge;
        try (Locks.Held held = locks.network(network.name())) {
            state.setPodNetwork(pod, attachment.toJson());
            newBridge = !network.bridgeExists(); // from here on a down sees this pod and keeps bridge and rules
        }
        attachment = attachment.withResult(network.add(attachment.id(), netns, pod, cniPorts(ports)));
        state.setPodNetwork(pod, attachment.toJson());
        if (newBridge) {
            try (Locks.Held held = locks.network(network.name())) {
                rules().restore(networkRules(network)); // once per bridge, not per pod; a second first pod finds them
                routeLocalnet(network.bridge());
            }
        }
        if (Linux.inUserNamespace() && !ports.isEmpty()) {
            hostForwards().add(pod, ports);
        }
        return attachment;
    }

    /**
     * The mappings portmap gets: as given for root; for an ordinary user without their host
     * address, which slirp4netns binds on the host (see {@link HostForwards}), as the traffic it
     * forwards arrives at its own address in the user's network namespace.
     */
    private static List<CniNetwork.PortMapping> cniPorts(List<CniNetwork.PortMapping> ports) {
        if (!Linux.inUserNamespace()) {
            return ports;
        }
        return ports.stream().map(m -> new CniNetwork.PortMapping(m.hostPort(), m.containerPort(), m.protocol(), null)).toList();
    }

    /**
     * Where a server of this root listens to be reached from the host's loopback: 127.0.0.1 as
     * root; for an ordinary user also slirp4netns's address in the user's network namespace, where
     * {@link #publishLoopback} sends the host's port.
     */
    public List<String> loopbackAddresses() {
        return Linux.inUserNamespace() ? List.of("127.0.0.1", HostForwards.GUEST_ADDRESS) : List.of("127.0.0.1");
    }

    /** Makes a port this root listens on reachable on the host's 127.0.0.1 (for an ordinary user, through slirp4netns; for root it is). */
    public void publishLoopback(int port) {
        if (Linux.inUserNamespace()) {
            hostForwards().remove(List.of(new CniNetwork.PortMapping(port, port, "TCP", "127.0.0.1")));
            hostForwards().addLoopback(port);
        }
    }

    private HostForwards hostForwards() {
        return new HostForwards(layout.slirp4netnsSocket());
    }

    /** A new network namespace, kept by a bind mount on {@code file}, with loopback up. */
    private void createNetns(Path file) {
        try {
            Files.createDirectories(file.getParent());
            if (!Files.exists(file)) {
                Files.createFile(file);
            }
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot make " + file + ": " + e.getMessage(), e);
        }
        Path unshare = HostComponents.find("unshare");
        Path ip = HostComponents.find("ip");
        if (unshare == null || ip == null) {
            throw new BerthException(BerthException.Kind.HOST, "pods need unshare (util-linux) and ip (iproute2); install them: apt-get install -y util-linux iproute2");
        }
        processes.check(Command.of(unshare.toString(), "--net=" + file, ip.toString(), "link", "set", "lo", "up").withTimeout(Duration.ofSeconds(10)));
    }

    /**
     * Undoes what {@link #attach} did: CNI DEL with the recorded attachment (its result rebuilt
     * from the IPAM lease when berth died before recording it, so that the plugins that need the
     * address still remove their rules), the bridge with the network's last pod, the namespace
     * file. What is already gone is skipped.
     */
    public void detach(String pod) {
        Path netns = layout.netns(pod);
        Optional<Attachment> recorded = attachment(pod);
        if (recorded.isPresent()) {
            Attachment a = recorded.get();
            CniNetwork network = network(a.network());
            CniResult result = a.result() != null ? a.result() : network.resultFromLease(layout.ipam(), a.id(), netns);
            if (Linux.inUserNamespace()) {
                hostForwards().remove(a.ports());
            }
            network.del(a.id(), netns, pod, cniPorts(a.ports()), result);
            forget(pod, network);
        }
        removeNetns(netns);
    }

    /**
     * Detaches a pod the state has no record of (what a repair finds), from every network of the
     * root that holds a lease for it; portmap gets a placeholder mapping so that it runs and
     * removes its chains, which it finds by the container ID. Returns whether there was any.
     */
    public boolean detachOrphan(String pod) {
        Path netns = layout.netns(pod);
        boolean found = Files.exists(netns);
        for (CniNetwork n : new Networks(layout.networks(), layout.ipam(), processes).list()) {
            CniResult result = n.resultFromLease(layout.ipam(), cniId(pod), netns);
            if (result != null) {
                n.del(cniId(pod), netns, pod, List.of(new CniNetwork.PortMapping(1, 1, "TCP", null)), result);
                forget(pod, n);
                found = true;
            }
        }
        removeNetns(netns);
        return found;
    }

    /**
     * Forgets a pod's attachment, after removing the bridge's rules and the bridge (which the CNI
     * plugin leaves behind) when no pod of the root is left on it. The attachment is forgotten
     * last, so that a berth killed half-way leaves it for the next detach to finish.
     */
    private void forget(String pod, CniNetwork network) {
        try (Locks.Held held = locks.network(network.name())) {
            if (state.podsOnNetwork(network.name(), pod) == 0 && network.bridgeUnused()) {
                rules().remove(networkRules(network));
                network.removeBridge();
            }
            state.setPodNetwork(pod, null);
        }
    }

    /** Lets packets from the host's 127.0.0.1 be routed to the bridge (a NodePort asked on localhost), as kube-proxy does. */
    private static void routeLocalnet(String bridge) {
        try {
            Files.writeString(Path.of("/proc/sys/net/ipv4/conf", bridge, "route_localnet"), "1");
        } catch (IOException e) {
            // a NodePort on 127.0.0.1 then times out; on the host's other addresses it works
        }
    }

    private ServiceRules rules() {
        return new ServiceRules(processes, layout.root().toString());
    }

    private List<List<String>> networkRules(CniNetwork network) {
        return rules().network(network.bridge(), network.subnet(), network.serviceSubnet());
    }

    private static void removeNetns(Path netns) {
        Linux.unmount(netns, Linux.MNT_DETACH);
        try {
            Files.deleteIfExists(netns);
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot remove " + netns + ": " + e.getMessage(), e);
        }
    }

    public Optional<Attachment> attachment(String pod) {
        return state.podNetwork(pod).map(Attachment::parse);
    }

    /** The pod's IPv4 address, or null when it has none (host network, or not attached). */
    public String address(String pod) {
        return attachment(pod).map(Attachment::address).orElse(null);
    }

    /** The host's address on the pod's network, or null. */
    public String gateway(String pod) {
        return attachment(pod).map(Attachment::gateway).orElse(null);
    }

    /** The hostPorts pods hold, as {@code port/protocol → pod}. */
    public Map<String, String> hostPortsInUse() {
        Map<String, String> used = new LinkedHashMap<>();
        for (PodRecord p : state.pods()) {
            attachment(p.name()).ifPresent(a -> a.ports().forEach(m -> used.put(m.hostPort() + "/" + m.protocol(), p.name())));
        }
        return used;
    }

    /**
     * Rewrites a pod's /etc/hosts in place: its containers bind-mount the file, so a new file
     * renamed over it would not reach them. The new text is written over the old one before the
     * file is cut to its length, so a reader never finds it empty; callers hold the hosts lock,
     * so there is one writer at a time.
     */
    public void writeHosts(String pod, String hostname, String ip, Map<String, List<String>> others) {
        StringBuilder s = new StringBuilder("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
        others.forEach((address, names) -> s.append(address).append('\t').append(String.join(" ", names)).append('\n'));
        s.append(ip == null ? "127.0.1.1" : ip).append('\t').append(hostname).append('\n');
        try (FileChannel f = FileChannel.open(layout.pod(pod).resolve("hosts"), StandardOpenOption.WRITE)) {
            byte[] text = s.toString().getBytes(StandardCharsets.UTF_8);
            f.write(ByteBuffer.wrap(text), 0);
            f.truncate(text.length);
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot write /etc/hosts of pod " + pod + ": " + e.getMessage(), e);
        }
    }
}
