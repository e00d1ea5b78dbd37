package dev.berth.reconcile;

import dev.berth.api.BerthException;
import dev.berth.api.Canonical;
import dev.berth.api.Json;
import dev.berth.api.ContainerPort;
import dev.berth.api.ContainerName;
import dev.berth.api.ContainerSpec;
import dev.berth.api.Manifests;
import dev.berth.api.PodSpec;
import dev.berth.api.ServiceSpec;
import dev.berth.engine.Berth;
import dev.berth.engine.UserNamespace;
import dev.berth.state.Locks;
import dev.berth.network.CniNetwork;
import dev.berth.network.PortHolder;
import dev.berth.network.Services;
import dev.berth.state.PodRecord;
import dev.berth.state.StateStore;
import dev.berth.sys.Linux;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cluster network a play gives its pods: hostPorts (checked before anything starts),
 * Services (whose owner is {@link Services}: here only which pods serve is read from the state),
 * and names (each pod's /etc/hosts lists the other pods and every Service under its DNS forms).
 *
 * <p>Names go through /etc/hosts rather than a DNS responder: nothing has to keep running
 * after play returns (berth has no daemon), and the files are rewritten in place as pods and
 * Services come and go. The cost: no search-domain expansion beyond the forms written.
 */
final class Networking {
    /** {@code --publish [ip:]hostPort:containerPort}. */
    record Publish(String hostIP, int hostPort, int containerPort) {
        static Publish parse(String text) {
            String[] parts = text.split(":");
            try {
                if (parts.length == 2) {
                    return new Publish(null, Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
                }
                if (parts.length == 3) {
                    return new Publish(parts[0], Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
                }
            } catch (NumberFormatException e) {
                // fall through
            }
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "--publish " + text + ": expected [ip:]hostPort:containerPort");
        }
    }

    private final Berth berth;
    private final Manifests manifests;
    private final List<Publish> publishes;

    Networking(Berth berth, Manifests manifests, List<Publish> publishes) {
        this.berth = berth;
        this.manifests = manifests;
        this.publishes = publishes;
    }

    /** The ports a pod publishes: its containers' hostPorts, and --publish for the containerPorts it declares. */
    List<CniNetwork.PortMapping> portMappings(PodSpec pod) {
        List<CniNetwork.PortMapping> mappings = new ArrayList<>();
        if (pod.hostNetwork()) {
            return mappings;
        }
        for (ContainerSpec c : pod.allContainers()) {
            for (ContainerPort p : c.ports()) {
                if (p.hostPort() > 0) {
                    mappings.add(new CniNetwork.PortMapping(p.hostPort(), p.containerPort(), p.protocol(), p.hostIP()));
                }
                for (Publish pub : publishes) {
                    if (pub.containerPort() == p.containerPort()) {
                        mappings.add(new CniNetwork.PortMapping(pub.hostPort(), p.containerPort(), p.protocol(), pub.hostIP()));
                    }
                }
            }
        }
        return mappings;
    }

    /**
     * Refuses, before anything starts, a hostPort that another pod or a process on the host holds.
     * Pods of these manifests that already run give theirs up (they are replaced) unless unchanged.
     */
    void checkHostPorts(Set<String> unchanged) {
        Map<String, String> taken = new LinkedHashMap<>(berth.network().hostPortsInUse());
        taken.values().removeIf(pod -> manifests.pod(pod).isPresent());
        for (PodSpec pod : manifests.pods()) {
            if (unchanged.contains(pod.name())) {
                portMappings(pod).forEach(m -> taken.putIfAbsent(m.hostPort() + "/" + m.protocol(), pod.name()));
            }
        }
        List<String> problems = new ArrayList<>();
        for (PodSpec pod : manifests.pods()) {
            if (unchanged.contains(pod.name())) {
                continue;
            }
            for (CniNetwork.PortMapping m : portMappings(pod)) {
                String key = m.hostPort() + "/" + m.protocol();
                String holder = taken.putIfAbsent(key, pod.name());
                String process = holder == null ? PortHolder.holding(m) : null;
                if (Linux.inUserNamespace() && m.hostPort() < UNPRIVILEGED_PORT_START) {
                    problems.add("pod " + pod.name() + ": hostPort " + key + " is below " + UNPRIVILEGED_PORT_START + ", which only root may"
                            + " publish (net.ipv4.ip_unprivileged_port_start); use a higher port, or as root: sysctl -w"
                            + " net.ipv4.ip_unprivileged_port_start=" + m.hostPort());
                } else if (holder != null && !holder.equals(pod.name())) {
                    problems.add("pod " + pod.name() + ": hostPort " + key + " is already taken by pod " + holder);
                } else if (process != null) {
                    problems.add("pod " + pod.name() + ": hostPort " + key + " is already taken by " + process + " on this host");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "nothing was started: " + String.join("; ", problems));
        }
    }

    /** The first port an ordinary user may listen on, on the host (told by {@code engine/UserNamespace}: the user's network namespace has a value of its own). */
    private static final int UNPRIVILEGED_PORT_START = Integer.getInteger(UserNamespace.UNPRIVILEGED_PORT_START, 1024);

    /** Gives each Service of the manifests a virtual IP and its guard ({@link Services#allocate}). */
    void allocateServices() {
        services(berth).allocate(manifests.services(), berth.network().network(null));
    }

    /** The owner of the root's Services. */
    static Services services(Berth berth) {
        return new Services(berth.processes(), berth.layout().root().toString(), berth.state(), berth.locks());
    }

    /**
     * Rewrites the rules of every Service over the running pods whose app containers are all
     * recorded ready and running: the same answer for a play, the supervisor and whoever comes
     * next, since it is read from the state, not from one command's memory.
     */
    static void updateEndpoints(Berth berth) {
        if (berth.state().services().isEmpty()) {
            return;
        }
        services(berth).update(() -> serving(berth), berth.network().network(null));
    }

    /** The running pods whose app containers are all recorded ready and running, with their addresses. */
    private static List<Services.Serving> serving(Berth berth) {
        Set<String> ready = berth.state().readyContainers();
        Map<String, String> ids = new java.util.HashMap<>();
        berth.state().containers().forEach(c -> ids.put(c.name(), c.id()));
        List<Services.Serving> serving = new ArrayList<>();
        for (PodRecord p : berth.state().pods()) {
            PodSpec pod = Canonical.read(Json.parse(p.spec()), PodSpec.class);
            boolean allReady = p.status() == PodRecord.Status.RUNNING && pod.containers().stream().map(c -> ids.get(new ContainerName(pod.name(), c.name()).full()))
                    .allMatch(id -> id != null && ready.contains(id) && berth.containers().exitCode(id) == null);
            if (allReady) {
                serving.add(new Services.Serving(pod, berth.network().address(pod.name())));
            }
        }
        return serving;
    }

    static List<String> repairRules(Berth berth) {
        return services(berth).repair(berth.network().network(null));
    }

    static boolean forwards(Berth berth, List<StateStore.ServiceRecord> services, String service, int port) {
        return services(berth).forwards(services, service, port);
    }

    /** Removes the Services of the manifests: their rules, then their records. */
    static void removeServices(Berth berth, Manifests manifests) {
        services(berth).remove(manifests.services().stream().map(ServiceSpec::name).toList());
    }

    static void releaseGuardIfUnused(Berth berth) {
        services(berth).releaseGuardIfUnused(berth.network().network(null));
    }

    /** Every pod's /etc/hosts: the other pods by hostname and name, and each Service under its DNS forms. */
    void refreshHosts() {
        refreshHosts(null);
    }

    /** The /etc/hosts of one pod, or of every pod when {@code only} is null. */
    void refreshHosts(String only) {
        try (Locks.Held held = berth.locks().hosts()) {
            refreshHostsLocked(only);
        }
    }

    /**
     * A pod's names in the others' /etc/hosts: its hostname and name and, with a subdomain (a
     * StatefulSet's serviceName), {@code HOSTNAME.SUBDOMAIN} and its longer DNS forms.
     */
    private List<String> podNames(String pod, String hostname) {
        List<String> all = new ArrayList<>(hostname.equals(pod) ? List.of(pod) : List.of(hostname, pod));
        manifests.pod(pod).filter(s -> s.subdomain() != null).ifPresent(s -> {
            String fqdn = hostname + "." + s.subdomain();
            all.addAll(List.of(fqdn, fqdn + "." + s.namespace(), fqdn + "." + s.namespace() + ".svc", fqdn + "." + s.namespace() + ".svc.cluster.local"));
        });
        return all;
    }

    private void refreshHostsLocked(String only) {
        Map<String, List<String>> names = new LinkedHashMap<>();
        for (StateStore.ServiceRecord s : berth.state().services()) {
            String ns = s.namespace();
            names.put(s.ip(), List.of(s.name(), s.name() + "." + ns, s.name() + "." + ns + ".svc", s.name() + "." + ns + ".svc.cluster.local"));
        }
        Map<String, String> ips = new LinkedHashMap<>();
        Map<String, String> hostnames = new LinkedHashMap<>();
        for (var p : berth.pods().list()) {
            String ip = berth.network().address(p.name());
            if (ip != null) {
                ips.put(p.name(), ip);
                String hostname = manifests.pod(p.name()).map(s -> s.hostname() != null ? s.hostname() : s.name()).orElse(p.name());
                hostnames.put(p.name(), hostname);
            }
        }
        for (var p : berth.pods().list()) {
            if (only != null && !only.equals(p.name())) {
                continue;
            }
            // Services first: a name that is both a Service and a pod means the Service, as in a cluster
            Map<String, List<String>> others = new LinkedHashMap<>(names);
            ips.forEach((pod, ip) -> {
                if (!pod.equals(p.name())) {
                    others.put(ip, podNames(pod, hostnames.get(pod)));
                }
            });
            String hostname = manifests.pod(p.name()).map(s -> s.hostname() != null ? s.hostname() : s.name()).orElse(p.name());
            try {
                berth.network().writeHosts(p.name(), hostname, ips.get(p.name()), others);
            } catch (BerthException e) {
                // a pod being removed meanwhile has no hosts file to write
            }
        }
    }
}
