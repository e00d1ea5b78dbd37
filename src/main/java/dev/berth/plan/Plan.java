package dev.berth.plan;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jgrapht.Graph;

/**
 * The dependency graph of a set of manifests, acyclic by construction: the order to start things
 * in, and for each node what it waits for and why.
 */
public final class Plan {
    private final Graph<Node, Edge> graph;
    private final List<Node> startOrder;
    private final Map<Node, Integer> position = new HashMap<>();
    private final Map<Node, String> readiness;
    private final Set<Node> runToCompletion;
    private final List<String> warnings;

    Plan(Graph<Node, Edge> graph, List<Node> startOrder, Map<Node, String> readiness, Set<Node> runToCompletion,
            List<String> warnings) {
        this.graph = graph;
        this.startOrder = List.copyOf(startOrder);
        this.readiness = Map.copyOf(readiness);
        this.runToCompletion = Set.copyOf(runToCompletion);
        this.warnings = List.copyOf(warnings);
        for (int i = 0; i < startOrder.size(); i++) {
            position.put(startOrder.get(i), i);
        }
    }

    /** Every node in an order that respects every edge; ties keep manifest order. */
    public List<Node> startOrder() {
        return startOrder;
    }

    /**
     * The order to stop things in: dependents before what they depend on, so app containers in
     * reverse, then native sidecars in reverse spec order, then sandboxes. Objects and init
     * containers that run to completion are left out.
     */
    public List<Node> stopOrder() {
        List<Node> order = new ArrayList<>();
        for (Node n : startOrder) {
            if (n.kind() == Node.Kind.POD || (n.kind() == Node.Kind.CONTAINER && !runToCompletion.contains(n))) {
                order.add(n);
            }
        }
        Collections.reverse(order);
        return order;
    }

    /** The edges into a node, in start order of what they come from: what the node waits for. */
    public List<Edge> waitsFor(Node node) {
        return graph.incomingEdgesOf(node).stream().sorted(Comparator.comparingInt(e -> position.get(e.from()))).toList();
    }

    /** Every edge, grouped by the node that waits, in start order. */
    public List<Edge> edges() {
        List<Edge> edges = new ArrayList<>();
        for (Node n : startOrder) {
            edges.addAll(waitsFor(n));
        }
        return edges;
    }

    /** What "ready" means for a container node, e.g. {@code readinessProbe httpGet :8080/ passes}. */
    public String readiness(Node container) {
        return readiness.get(container);
    }

    /** Notes for the user, e.g. inferred dependencies dropped because they would close a cycle. */
    public List<String> warnings() {
        return warnings;
    }
}
