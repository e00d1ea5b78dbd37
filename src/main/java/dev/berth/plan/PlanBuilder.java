package dev.berth.plan;

import dev.berth.api.ContainerPort;
import dev.berth.api.ContainerSpec;
import dev.berth.api.DeclaredDependency;
import dev.berth.api.ManifestException;
import dev.berth.api.Manifests;
import dev.berth.api.ObjectRef;
import dev.berth.api.ObjectSpec;
import dev.berth.api.PodSpec;
import dev.berth.api.Readiness;
import dev.berth.api.ServiceSpec;
import dev.berth.api.StartCondition;
import dev.berth.api.Volume;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jgrapht.Graph;
import org.jgrapht.graph.SimpleDirectedGraph;
import org.jgrapht.traverse.TopologicalOrderIterator;

/**
 * Builds the {@link Plan} of a set of manifests: the five kinds of edge of DESIGN.md, added in
 * order of precedence, one edge at most between two nodes (the first added wins).
 */
public final class PlanBuilder {

    /** @param infer whether to infer dependencies from {@code host:port} mentions ({@code --no-infer} turns it off) */
    public record Options(boolean infer) {}

    private final Manifests manifests;
    private final Options options;
    private final Graph<Node, Edge> graph = new SimpleDirectedGraph<>(Edge.class);
    private final Map<Node, Integer> insertion = new HashMap<>();
    private final Map<Node, String> readiness = new HashMap<>();
    private final Set<Node> runToCompletion = new HashSet<>();
    private final List<String> problems = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    private PlanBuilder(Manifests manifests, Options options) {
        this.manifests = manifests;
        this.options = options;
    }

    /**
     * @throws ManifestException when a declared dependency names nothing, or the dependencies
     *                           form a cycle (the message lists every edge of it, with its reason)
     */
    public static Plan build(Manifests manifests, Options options) {
        return new PlanBuilder(manifests, options).build();
    }

    private Plan build() {
        for (ObjectSpec o : manifests.objects()) {
            add(Node.object(o.kind(), o.name()));
        }
        for (PodSpec pod : manifests.pods()) {
            add(Node.sandbox(pod.name()));
            for (ContainerSpec c : pod.allContainers()) {
                Node n = Node.container(pod.name(), c.name());
                add(n);
                readiness.put(n, Readiness.of(pod, c).describe());
                if (pod.initContainers().contains(c) && !c.isSidecar()) {
                    runToCompletion.add(n);
                }
            }
        }
        for (PodSpec pod : manifests.pods()) {
            sandboxAndInitEdges(pod);
        }
        for (PodSpec pod : manifests.pods()) {
            objectEdges(pod);
        }
        for (PodSpec pod : manifests.pods()) {
            declaredEdges(pod);
        }
        if (!problems.isEmpty()) {
            throw new ManifestException(problems);
        }
        Cycles.find(graph).ifPresent(cycle -> {
            throw new ManifestException(List.of(Cycles.describe(cycle)));
        });
        if (options.infer()) {
            for (PodSpec pod : manifests.pods()) {
                if (pod.infer()) {
                    inferredEdges(pod);
                }
            }
        }
        List<Node> order = new ArrayList<>();
        new TopologicalOrderIterator<>(graph, Comparator.comparingInt(insertion::get)).forEachRemaining(order::add);
        return new Plan(graph, order, readiness, runToCompletion, warnings);
    }

    private void add(Node n) {
        graph.addVertex(n);
        insertion.putIfAbsent(n, insertion.size());
    }

    /** Adds the edge unless the two nodes are already linked; returns whether it was added. */
    private boolean link(Node from, Node to, StartCondition condition, Edge.Kind kind, String reason) {
        if (from.equals(to) || graph.containsEdge(from, to)) {
            return false;
        }
        return graph.addEdge(from, to, new Edge(from, to, condition, kind, reason));
    }

    private void sandboxAndInitEdges(PodSpec pod) {
        Node sandbox = Node.sandbox(pod.name());
        for (ContainerSpec c : pod.allContainers()) {
            link(sandbox, Node.container(pod.name(), c.name()), StartCondition.READY, Edge.Kind.SANDBOX,
                    "container runs in pod \"" + pod.name() + "\"'s sandbox");
        }
        ContainerSpec previous = null;
        for (ContainerSpec init : pod.initContainers()) {
            if (previous != null) {
                initEdge(pod, previous, init);
            }
            previous = init;
        }
        if (previous != null) {
            for (ContainerSpec app : pod.containers()) {
                initEdge(pod, previous, app);
            }
        }
    }

    private void initEdge(PodSpec pod, ContainerSpec before, ContainerSpec after) {
        String what = pod.initContainers().contains(after) ? "init containers run in order" : "app containers start after the init containers";
        if (before.isSidecar()) {
            link(Node.container(pod.name(), before.name()), Node.container(pod.name(), after.name()), StartCondition.STARTED,
                    Edge.Kind.INIT, what + "; \"" + before.name() + "\" is a native sidecar (restartPolicy: Always), done once started"
                            + (before.startupProbe() != null ? " and its startupProbe passed" : ""));
        } else {
            link(Node.container(pod.name(), before.name()), Node.container(pod.name(), after.name()), StartCondition.COMPLETED,
                    Edge.Kind.INIT, what + "; \"" + before.name() + "\" must exit 0 first");
        }
    }

    private void objectEdges(PodSpec pod) {
        Set<String> mounted = new HashSet<>();
        for (ContainerSpec c : pod.allContainers()) {
            c.volumeMounts().forEach(m -> mounted.add(m.name()));
            for (ObjectRef r : c.references(pod.volumes())) {
                if (manifests.object(r.kind(), r.name()).isPresent()) {
                    link(Node.object(r.kind(), r.name()), Node.container(pod.name(), c.name()), StartCondition.CREATED,
                            Edge.Kind.OBJECT, r.via() + " uses " + r.kind().kubernetesName() + " \"" + r.name() + "\"");
                }
            }
        }
        for (Volume v : pod.volumes()) {
            ObjectRef r = v.reference();
            if (r != null && !mounted.contains(v.name()) && manifests.object(r.kind(), r.name()).isPresent()) {
                link(Node.object(r.kind(), r.name()), Node.sandbox(pod.name()), StartCondition.CREATED, Edge.Kind.OBJECT,
                        "pod volume " + v.name() + " uses " + r.kind().kubernetesName() + " \"" + r.name() + "\"");
            }
        }
    }

    private void declaredEdges(PodSpec pod) {
        for (DeclaredDependency d : pod.dependsOn()) {
            List<ContainerSpec> waiting = d.container() != null
                    ? List.of(pod.container(d.container()).orElseThrow())
                    : entryContainers(pod);
            List<Node> targets = resolve(pod, d);
            String reason = "declared by " + d.annotation() + ": \"" + d.target() + "\" at " + d.source();
            for (ContainerSpec w : waiting) {
                for (Node t : targets) {
                    link(t, Node.container(pod.name(), w.name()), d.condition(), Edge.Kind.DECLARED, reason);
                }
            }
        }
    }

    /** The containers a pod-wide declaration holds back: the first init container and every app container. */
    private static List<ContainerSpec> entryContainers(PodSpec pod) {
        List<ContainerSpec> entry = new ArrayList<>();
        if (!pod.initContainers().isEmpty()) {
            entry.add(pod.initContainers().get(0));
        }
        entry.addAll(pod.containers());
        return entry;
    }

    /** The container nodes a declared target names; records a problem when it names nothing. */
    private List<Node> resolve(PodSpec pod, DeclaredDependency d) {
        String target = d.target();
        int slash = target.indexOf('/');
        if (slash < 0 && pod.container(target).isPresent()) {
            return List.of(Node.container(pod.name(), target));
        }
        String podName = slash < 0 ? target : target.substring(0, slash);
        List<PodSpec> pods = podsNamed(podName);
        if (pods.isEmpty()) {
            problems.add(d.where() + ": unknown target \"" + target + "\": "
                    + (slash < 0 ? "no container \"" + target + "\" in pod \"" + pod.name() + "\", and " : "")
                    + "no pod or workload \"" + podName + "\" in the given manifests");
            return List.of();
        }
        if (pods.stream().anyMatch(p -> p.name().equals(pod.name()))) {
            problems.add(d.where() + ": target \"" + target + "\" is this pod itself; name a container of it instead");
            return List.of();
        }
        List<Node> nodes = new ArrayList<>();
        for (PodSpec p : pods) {
            if (slash < 0) {
                p.containers().forEach(c -> nodes.add(Node.container(p.name(), c.name())));
            } else {
                String container = target.substring(slash + 1);
                if (p.container(container).isEmpty()) {
                    problems.add(d.where() + ": unknown target \"" + target + "\": no container \"" + container + "\" in pod \"" + p.name() + "\"");
                    return List.of();
                }
                nodes.add(Node.container(p.name(), container));
            }
        }
        return nodes;
    }

    /** A pod by name, or every pod of the Deployment, DaemonSet or Job of that name. */
    private List<PodSpec> podsNamed(String name) {
        List<PodSpec> pods = manifests.pod(name).map(List::of).orElse(List.of());
        if (!pods.isEmpty()) {
            return pods;
        }
        return manifests.pods().stream().filter(p -> p.owner() != null && p.owner().name().equals(name)).toList();
    }

    private void inferredEdges(PodSpec pod) {
        Map<Integer, ContainerSpec> portOwners = new LinkedHashMap<>();
        for (ContainerSpec c : pod.allContainers()) {
            for (ContainerPort p : c.ports()) {
                portOwners.putIfAbsent(p.containerPort(), c);
            }
        }
        for (ContainerSpec c : pod.allContainers()) {
            Node waiting = Node.container(pod.name(), c.name());
            for (Mentions.Mention m : Mentions.of(c)) {
                if (m.isLocal()) {
                    ContainerSpec owner = portOwners.get(m.port());
                    if (owner != null && owner != c) {
                        inferred(Node.container(pod.name(), owner.name()), waiting, m.where() + " \"" + m.text()
                                + "\"; container \"" + owner.name() + "\" declares containerPort " + m.port(), null, 0);
                    }
                } else {
                    for (ServiceSpec s : manifests.services()) {
                        if (names(s, m.host(), pod.namespace()) && s.ports().stream().anyMatch(p -> p.port() == m.port())) {
                            for (PodSpec selected : manifests.pods()) {
                                if (selected != pod && s.selects(selected.labels())) {
                                    for (ContainerSpec target : selected.containers()) {
                                        inferred(Node.container(selected.name(), target.name()), waiting, m.where() + " \""
                                                + m.text() + "\"; Service \"" + s.name() + "\" port " + m.port()
                                                + " selects pod \"" + selected.name() + "\"", s.name(), m.port());
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** Whether {@code host} is one of a Service's DNS names as seen from a pod in {@code namespace}. */
    private static boolean names(ServiceSpec s, String host, String namespace) {
        String ns = s.namespace();
        return (host.equals(s.name()) && ns.equals(namespace))
                || host.equals(s.name() + "." + ns)
                || host.equals(s.name() + "." + ns + ".svc")
                || host.equals(s.name() + "." + ns + ".svc.cluster.local");
    }

    /** Adds an inferred edge unless it would close a cycle: inference is a guess, and a guess must not block a play. */
    private void inferred(Node from, Node to, String reason, String service, int port) {
        if (graph.containsEdge(from, to) || from.equals(to)) {
            return;
        }
        if (Cycles.reachable(graph, to, from)) {
            warnings.add("not inferring that " + to + " waits for " + from + " (" + reason + "): it would close a cycle");
            return;
        }
        if (!from.equals(to) && !graph.containsEdge(from, to)) {
            graph.addEdge(from, to, new Edge(from, to, StartCondition.READY, Edge.Kind.INFERRED, reason, service, port));
        }
    }
}
