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
import dev.berth.network.Cidr;
import dev.berth.network.CniNetwork;
import dev.berth.network.PortHolder;
import dev.berth.network.ServiceRules;
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
 * Services (a virtual IP each, iptables rules over their ready pods), and names (each pod's
 * /etc/hosts lists the other pods and every Service under its DNS forms).
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
    private final ServiceRules rules;

    Networking(Berth berth, Manifests manifests, List<Publish> publishes) {
        this.berth = berth;
        this.manifests = manifests;
        this.publishes = publishes;
        this.rules = new ServiceRules(berth.processes(), berth.layout().root().toString());
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

    /**
     * Gives each Service of the manifests a virtual IP (kept across plays), with no endpoints
     * yet, and puts the root's Service range behind its guard (nothing sent there leaves the host).
     */
    void allocateServices() {
        if (manifests.services().isEmpty()) {
            return;
        }
        CniNetwork network = berth.network().network(null);
        try (Locks.Held held = berth.locks().services()) {
            for (ServiceSpec s : manifests.services()) {
                var existing = berth.state().services().stream().filter(r -> r.name().equals(s.name())).findFirst();
                if (existing.isEmpty()) {
                    berth.state().insertService(new StateStore.ServiceRecord(s.name(), s.namespace(), freeVip(network, s.name()), "[]", Canonical.json(s)));
                } else if (!Canonical.json(s).equals(existing.get().spec())) {
                    berth.state().setServiceSpec(s.name(), Canonical.json(s)); // its rules follow at the next update of the endpoints
                }
            }
            rules.guardOn(network.serviceSubnet());
        }
    }

    private String freeVip(CniNetwork network, String name) {
        Cidr range = Cidr.parse(network.serviceSubnet());
        long usable = range.size() - 2;
        List<String> used = berth.state().services().stream().map(StateStore.ServiceRecord::ip).toList();
        long start = Math.floorMod(name.hashCode(), Math.max(1, usable));
        for (long i = 0; i < usable; i++) {
            String vip = range.host((start + i) % usable + 1);
            if (!used.contains(vip)) {
                return vip;
            }
        }
        throw new BerthException(BerthException.Kind.HOST, "no free address left in the service range " + range);
    }

    /**
     * Rewrites the rules of every Service over the running pods it selects whose app containers
     * are all recorded ready and running: the same answer for a play, the supervisor and whoever
     * comes next, since it is read from the state, not from one command's memory.
     */
    static void updateEndpoints(Berth berth) {
        if (berth.state().services().isEmpty()) {
            return;
        }
        try (Locks.Held held = berth.locks().services()) {
            Set<String> ready = berth.state().readyContainers();
            Map<String, String> ids = new java.util.HashMap<>();
            berth.state().containers().forEach(c -> ids.put(c.name(), c.id()));
            List<PodSpec> readyPods = new ArrayList<>();
            for (PodRecord p : berth.state().pods()) {
                PodSpec pod = Canonical.read(Json.parse(p.spec()), PodSpec.class);
                boolean allReady = p.status() == PodRecord.Status.RUNNING && pod.containers().stream().map(c -> ids.get(new ContainerName(pod.name(), c.name()).full()))
                        .allMatch(id -> id != null && ready.contains(id) && berth.containers().exitCode(id) == null);
                if (allReady) {
                    readyPods.add(pod);
                }
            }
            CniNetwork network = berth.network().network(null);
            ServiceRules rules = new ServiceRules(berth.processes(), berth.layout().root().toString());
            for (StateStore.ServiceRecord record : berth.state().services()) {
                if (record.spec() != null) {
                    updateEndpoints(berth, rules, record, Canonical.read(Json.parse(record.spec()), ServiceSpec.class), network, readyPods);
                }
            }
        }
    }

    private static void updateEndpoints(Berth berth, ServiceRules rules, StateStore.ServiceRecord record, ServiceSpec s, CniNetwork network,
            List<PodSpec> readyPods) {
        List<ServiceRules.Port> ports = new ArrayList<>();
        for (ServiceSpec.Port p : s.ports()) {
            List<ServiceRules.Endpoint> endpoints = new ArrayList<>();
            for (PodSpec pod : readyPods) {
                String ip = berth.network().address(pod.name());
                Integer target = targetPort(pod, p);
                if (s.selects(pod.labels()) && ip != null && target != null) {
                    endpoints.add(new ServiceRules.Endpoint(ip, target));
                }
            }
            int nodePort = p.nodePort() > 0 || !s.type().equals("ClusterIP") ? nodePort(s, p) : 0;
            ports.add(new ServiceRules.Port(p.port(), p.protocol(), nodePort, endpoints));
        }
        List<List<String>> fresh = rules.rules(s.namespace() + "/" + s.name(), record.ip(), network.subnet(), ports);
        String json = ServiceRules.toJson(fresh);
        if (!json.equals(record.rules())) {
            rules.replace(ServiceRules.fromJson(record.rules()), fresh);
            berth.state().setServiceRules(s.name(), json);
        }
    }

    /**
     * Writes again the rules of every Service (and the guard) that are no longer all in the
     * kernel's tables: someone flushed them, a firewall was reloaded. Returns the Services repaired.
     */
    static List<String> repairRules(Berth berth) {
        List<String> repaired = new ArrayList<>();
        if (berth.state().services().isEmpty()) {
            return repaired;
        }
        ServiceRules rules = new ServiceRules(berth.processes(), berth.layout().root().toString());
        try (Locks.Held held = berth.locks().services()) {
            rules.guardOn(berth.network().network(null).serviceSubnet());
            for (StateStore.ServiceRecord r : berth.state().services()) {
                if (rules.restore(ServiceRules.fromJson(r.rules()))) {
                    repaired.add(r.name());
                }
            }
        }
        return repaired;
    }

    /**
     * Whether a Service port forwards to a ready pod: its rules, as applied, have an endpoint.
     * Checked on the rules rather than by connecting, so nothing is sent before they exist.
     */
    static boolean forwards(Berth berth, List<StateStore.ServiceRecord> services, String service, int port) {
        return services.stream().filter(r -> r.name().equals(service)).findFirst()
                .map(r -> new ServiceRules(berth.processes(), berth.layout().root().toString())
                        .forwards(ServiceRules.fromJson(r.rules()), r.namespace() + "/" + r.name(), port))
                .orElse(true);
    }

    private static int nodePort(ServiceSpec s, ServiceSpec.Port p) {
        return p.nodePort() > 0 ? p.nodePort() : 30000 + Math.floorMod((s.name() + ":" + p.port()).hashCode(), 2768);
    }

    /** The container port a Service port forwards to in one pod (a named targetPort looked up in its containers). */
    static Integer targetPort(PodSpec pod, ServiceSpec.Port p) {
        if (!p.targetPort().isNamed()) {
            return p.targetPort().number();
        }
        for (ContainerSpec c : pod.allContainers()) {
            for (ContainerPort cp : c.ports()) {
                if (p.targetPort().name().equals(cp.name())) {
                    return cp.containerPort();
                }
            }
        }
        return null;
    }

    /** Removes the Services of the manifests: their rules, then their records. */
    static void removeServices(Berth berth, Manifests manifests) {
        if (manifests.services().isEmpty()) {
            return;
        }
        ServiceRules rules = new ServiceRules(berth.processes(), berth.layout().root().toString());
        try (Locks.Held held = berth.locks().services()) {
            for (StateStore.ServiceRecord r : berth.state().services()) {
                if (manifests.services().stream().anyMatch(s -> s.name().equals(r.name()))) {
                    rules.remove(ServiceRules.fromJson(r.rules()));
                    berth.state().deleteService(r.name());
                }
            }
        }
    }

    /**
     * After a down: the guard of the root's Service range goes once neither a Service nor a pod is
     * left (a pod still running may send to the address of a Service that is gone, and that must
     * not leave the host either).
     */
    static void releaseGuardIfUnused(Berth berth) {
        try (Locks.Held held = berth.locks().services()) {
            if (berth.state().services().isEmpty() && berth.state().pods().isEmpty()) {
                new ServiceRules(berth.processes(), berth.layout().root().toString()).guardOff(berth.network().network(null).serviceSubnet());
            }
        }
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
