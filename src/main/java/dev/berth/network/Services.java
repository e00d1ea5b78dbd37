package dev.berth.network;

import dev.berth.api.BerthException;
import dev.berth.api.Canonical;
import dev.berth.api.ContainerPort;
import dev.berth.api.ContainerSpec;
import dev.berth.api.Json;
import dev.berth.api.PodSpec;
import dev.berth.api.ServiceSpec;
import dev.berth.proc.ProcessRunner;
import dev.berth.state.Locks;
import dev.berth.state.StateStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * The one owner of Services: their virtual IPs, their endpoints (computed here from the pods
 * that serve, as the caller read them from the state) and their iptables rules, each change of
 * a Service's rules made in one {@code iptables-restore} under the root's Services lock and
 * recorded with them, so that a client never meets a Service with no rule between two sets.
 * A play, the supervisor, a down and a reconcile all come here.
 */
public final class Services {
    /** A pod that may serve: running, its app containers all ready, at {@code ip}. */
    public record Serving(PodSpec pod, String ip) {}

    private final ServiceRules rules;
    private final StateStore state;
    private final Locks locks;

    public Services(ProcessRunner processes, String root, StateStore state, Locks locks) {
        this.rules = new ServiceRules(processes, root);
        this.state = state;
        this.locks = locks;
    }

    /**
     * Gives each Service a virtual IP (kept across plays), with no endpoints yet, and puts the
     * root's Service range behind its guard (nothing sent there leaves the host).
     */
    public void allocate(List<ServiceSpec> specs, CniNetwork network) {
        if (specs.isEmpty()) {
            return;
        }
        try (Locks.Held held = locks.services()) {
            for (ServiceSpec s : specs) {
                var existing = state.services().stream().filter(r -> r.name().equals(s.name())).findFirst();
                if (existing.isEmpty()) {
                    state.insertService(new StateStore.ServiceRecord(s.name(), s.namespace(), freeVip(network, s.name()), "[]", Canonical.json(s)));
                } else if (!Canonical.json(s).equals(existing.get().spec())) {
                    state.setServiceSpec(s.name(), Canonical.json(s)); // its rules follow at the next update
                }
            }
            rules.guardOn(network.serviceSubnet());
        }
    }

    private String freeVip(CniNetwork network, String name) {
        Cidr range = Cidr.parse(network.serviceSubnet());
        long usable = range.size() - 2;
        List<String> used = state.services().stream().map(StateStore.ServiceRecord::ip).toList();
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
     * Rewrites the rules of every Service over the pods that serve and that it selects; a
     * Service whose rules come out the same is not touched. {@code serving} is read under the
     * lock: two updates in a row write the rules of the later reading, never of the earlier.
     */
    public void update(Supplier<List<Serving>> reading, CniNetwork network) {
        try (Locks.Held held = locks.services()) {
            List<Serving> serving = reading.get();
            for (StateStore.ServiceRecord record : state.services()) {
                if (record.spec() != null) {
                    update(record, Canonical.read(Json.parse(record.spec()), ServiceSpec.class), network, serving);
                }
            }
        }
    }

    private void update(StateStore.ServiceRecord record, ServiceSpec s, CniNetwork network, List<Serving> serving) {
        List<ServiceRules.Port> ports = new ArrayList<>();
        for (ServiceSpec.Port p : s.ports()) {
            List<ServiceRules.Endpoint> endpoints = new ArrayList<>();
            for (Serving pod : serving) {
                Integer target = targetPort(pod.pod(), p);
                if (s.selects(pod.pod().labels()) && pod.ip() != null && target != null) {
                    endpoints.add(new ServiceRules.Endpoint(pod.ip(), target));
                }
            }
            int nodePort = p.nodePort() > 0 || !s.type().equals("ClusterIP") ? nodePort(s, p) : 0;
            ports.add(new ServiceRules.Port(p.port(), p.protocol(), nodePort, endpoints));
        }
        List<List<String>> fresh = rules.rules(s.namespace() + "/" + s.name(), record.ip(), network.subnet(), ports);
        String json = ServiceRules.toJson(fresh);
        if (!json.equals(record.rules())) {
            rules.replace(ServiceRules.fromJson(record.rules()), fresh); // one iptables-restore: old and new never both missing
            state.setServiceRules(s.name(), json);
        }
    }

    /**
     * Writes again the rules of every Service (and the guard) that are no longer all in the
     * kernel's tables: someone flushed them, a firewall was reloaded. Returns the Services repaired.
     */
    public List<String> repair(CniNetwork network) {
        List<String> repaired = new ArrayList<>();
        if (state.services().isEmpty()) {
            return repaired;
        }
        try (Locks.Held held = locks.services()) {
            rules.guardOn(network.serviceSubnet());
            for (StateStore.ServiceRecord r : state.services()) {
                if (rules.restore(ServiceRules.fromJson(r.rules()))) {
                    repaired.add(r.name());
                }
            }
        }
        return repaired;
    }

    /**
     * Whether a Service port forwards to a serving pod: its rules, as last read, have an
     * endpoint. Checked on the rules rather than by connecting, so nothing is sent before they exist.
     */
    public boolean forwards(List<StateStore.ServiceRecord> services, String service, int port) {
        return services.stream().filter(r -> r.name().equals(service)).findFirst()
                .map(r -> rules.forwards(ServiceRules.fromJson(r.rules()), r.namespace() + "/" + r.name(), port))
                .orElse(true);
    }

    /** Removes the named Services: their rules, then their records. */
    public void remove(Collection<String> names) {
        if (names.isEmpty()) {
            return;
        }
        try (Locks.Held held = locks.services()) {
            for (StateStore.ServiceRecord r : state.services()) {
                if (names.contains(r.name())) {
                    rules.remove(ServiceRules.fromJson(r.rules()));
                    state.deleteService(r.name());
                }
            }
        }
    }

    /**
     * After a down: the guard of the root's Service range goes once neither a Service nor a pod is
     * left (a pod still running may send to the address of a Service that is gone, and that must
     * not leave the host either).
     */
    public void releaseGuardIfUnused(CniNetwork network) {
        try (Locks.Held held = locks.services()) {
            if (state.services().isEmpty() && state.pods().isEmpty()) {
                rules.guardOff(network.serviceSubnet());
            }
        }
    }

    private static int nodePort(ServiceSpec s, ServiceSpec.Port p) {
        return p.nodePort() > 0 ? p.nodePort() : 30000 + Math.floorMod((s.name() + ":" + p.port()).hashCode(), 2768);
    }

    /** The container port a Service port forwards to in one pod (a named targetPort looked up in its containers). */
    public static Integer targetPort(PodSpec pod, ServiceSpec.Port p) {
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
}
