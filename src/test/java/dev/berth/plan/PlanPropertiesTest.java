package dev.berth.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.ManifestException;
import dev.berth.api.Manifests;
import dev.berth.manifest.ManifestReader;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** For random pods and declared dependencies: the start order respects every edge, and cycles are real. */
class PlanPropertiesTest {

    /** One declared dependency: container {@code (pod, container)} waits for {@code (targetPod, targetContainer)}. */
    record Dep(int pod, int container, int targetPod, int targetContainer) {}

    record Scenario(List<Integer> containersPerPod, List<Dep> deps) {
        String yaml() {
            StringBuilder s = new StringBuilder();
            for (int p = 0; p < containersPerPod.size(); p++) {
                s.append("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p").append(p).append("\n  annotations:\n    x: y\n");
                Map<Integer, List<String>> byContainer = new HashMap<>();
                for (Dep d : deps) {
                    if (d.pod() == p) {
                        byContainer.computeIfAbsent(d.container(), k -> new ArrayList<>()).add("p" + d.targetPod() + "/c" + d.targetContainer());
                    }
                }
                byContainer.forEach((c, targets) ->
                        s.append("    berth.dev/depends-on.c").append(c).append(": \"").append(String.join(", ", targets)).append("\"\n"));
                s.append("spec:\n  containers:\n");
                for (int c = 0; c < containersPerPod.get(p); c++) {
                    s.append("    - {name: c").append(c).append(", image: busybox}\n");
                }
                s.append("---\n");
            }
            return s.toString();
        }

        /** waiting container id → the container ids it waits for. */
        Map<String, Set<String>> waits() {
            Map<String, Set<String>> waits = new HashMap<>();
            for (Dep d : deps) {
                if (d.pod() == d.targetPod()) {
                    // a target naming another pod's container; same-pod targets are generated as other pods only
                    continue;
                }
                waits.computeIfAbsent(id(d.pod(), d.container()), k -> new HashSet<>()).add(id(d.targetPod(), d.targetContainer()));
            }
            return waits;
        }

        boolean hasCycle() {
            Map<String, Set<String>> waits = waits();
            Map<String, Integer> state = new HashMap<>();
            for (String start : waits.keySet()) {
                if (cycleFrom(start, waits, state)) {
                    return true;
                }
            }
            return false;
        }

        private static boolean cycleFrom(String n, Map<String, Set<String>> waits, Map<String, Integer> state) {
            Integer s = state.get(n);
            if (s != null) {
                return s == 1;
            }
            state.put(n, 1);
            for (String next : waits.getOrDefault(n, Set.of())) {
                if (cycleFrom(next, waits, state)) {
                    return true;
                }
            }
            state.put(n, 2);
            return false;
        }
    }

    static String id(int pod, int container) {
        return "Container/p" + pod + "/c" + container;
    }

    @Provide
    Arbitrary<Scenario> scenarios() {
        return Arbitraries.integers().between(1, 3).list().ofMinSize(2).ofMaxSize(7).flatMap(sizes -> {
            Arbitrary<Dep> dep = Arbitraries.integers().between(0, sizes.size() - 1).flatMap(p ->
                    Arbitraries.integers().between(0, sizes.size() - 1).filter(t -> !t.equals(p)).flatMap(t ->
                            Combinators.combine(
                                    Arbitraries.integers().between(0, sizes.get(p) - 1),
                                    Arbitraries.integers().between(0, sizes.get(t) - 1))
                                    .as((c, tc) -> new Dep(p, c, t, tc))));
            return dep.list().ofMaxSize(12).map(deps -> new Scenario(sizes, deps));
        });
    }

    static Manifests read(String yaml) {
        return new ManifestReader(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
                .read(List.of("-"), ManifestReader.Options.DEFAULT);
    }

    @Property(tries = 300)
    void startOrderRespectsEveryEdgeOrACycleIsReported(@ForAll("scenarios") Scenario scenario) {
        Manifests manifests = read(scenario.yaml());
        Plan plan;
        try {
            plan = PlanBuilder.build(manifests, new PlanBuilder.Options(true));
        } catch (ManifestException e) {
            assertThat(scenario.hasCycle()).as("reported a cycle where there is none: %s", e.getMessage()).isTrue();
            assertRealCycle(e.getMessage(), scenario.waits());
            return;
        }
        assertThat(scenario.hasCycle()).as("missed a cycle").isFalse();
        Map<String, Integer> position = new HashMap<>();
        for (int i = 0; i < plan.startOrder().size(); i++) {
            position.put(plan.startOrder().get(i).id(), i);
        }
        assertThat(position).hasSize(manifests.pods().size() + scenario.containersPerPod().stream().mapToInt(i -> i).sum());
        for (Edge e : plan.edges()) {
            assertThat(position.get(e.from().id())).as("%s before %s", e.from(), e.to()).isLessThan(position.get(e.to().id()));
        }
        scenario.waits().forEach((waiting, targets) -> targets.forEach(t ->
                assertThat(position.get(t)).as("%s before %s", t, waiting).isLessThan(position.get(waiting))));
        List<String> stop = plan.stopOrder().stream().map(Node::id).toList();
        for (Edge e : plan.edges()) {
            assertThat(stop.indexOf(e.to().id())).as("%s stops before %s", e.to(), e.from()).isLessThan(stop.indexOf(e.from().id()));
        }
    }

    /** The first line names the cycle as {@code A → B → … → A}; each step must be a real "B waits for A". */
    private static void assertRealCycle(String message, Map<String, Set<String>> waits) {
        String first = message.lines().findFirst().orElseThrow();
        assertThat(first).startsWith("dependency cycle: ");
        List<String> nodes = List.of(first.substring("dependency cycle: ".length()).split(" → "));
        assertThat(nodes.get(0)).isEqualTo(nodes.get(nodes.size() - 1));
        assertThat(nodes.size()).isGreaterThan(2);
        for (int i = 0; i + 1 < nodes.size(); i++) {
            assertThat(waits.getOrDefault(nodes.get(i + 1), Set.of())).as("%s waits for %s", nodes.get(i + 1), nodes.get(i))
                    .contains(nodes.get(i));
        }
        assertThat(message.lines().count()).isEqualTo(nodes.size());
    }

    @Property(tries = 200)
    void anyGraphWithACycleIsReportedAsOne(@ForAll("cyclic") List<int[]> edges) {
        org.jgrapht.Graph<Node, Edge> graph = new org.jgrapht.graph.SimpleDirectedGraph<>(Edge.class);
        for (int[] e : edges) {
            Node from = Node.container("p", "c" + e[0]);
            Node to = Node.container("p", "c" + e[1]);
            graph.addVertex(from);
            graph.addVertex(to);
            if (!graph.containsEdge(from, to)) {
                graph.addEdge(from, to, new Edge(from, to, dev.berth.api.StartCondition.READY, Edge.Kind.DECLARED, "test"));
            }
        }
        List<Edge> cycle = Cycles.find(graph).orElseThrow(() -> new AssertionError("no cycle found in " + graph));
        for (int i = 0; i < cycle.size(); i++) {
            assertThat(graph.containsEdge(cycle.get(i))).isTrue();
            assertThat(cycle.get(i).to()).isEqualTo(cycle.get((i + 1) % cycle.size()).from());
        }
        Deque<Node> seen = new ArrayDeque<>();
        cycle.forEach(e -> seen.add(e.from()));
        assertThat(new HashSet<>(seen)).hasSameSizeAs(seen);
    }

    /** Random edges among 2..8 nodes plus one cycle through some of them. */
    @Provide
    Arbitrary<List<int[]>> cyclic() {
        return Arbitraries.integers().between(2, 8).flatMap(n -> {
            Arbitrary<int[]> edge = Combinators.combine(Arbitraries.integers().between(0, n - 1), Arbitraries.integers().between(0, n - 1))
                    .filter((a, b) -> !a.equals(b)).as((a, b) -> new int[] {a, b});
            Arbitrary<List<Integer>> ring = Arbitraries.integers().between(0, n - 1).list().ofMinSize(2).ofMaxSize(n).uniqueElements();
            return Combinators.combine(edge.list().ofMaxSize(10), ring).as((random, r) -> {
                List<int[]> all = new ArrayList<>(random);
                for (int i = 0; i < r.size(); i++) {
                    all.add(new int[] {r.get(i), r.get((i + 1) % r.size())});
                }
                return all;
            });
        });
    }
}
