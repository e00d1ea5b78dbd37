package dev.berth.plan;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jgrapht.Graph;

/** Finding and describing cycles of the dependency graph. */
final class Cycles {
    private Cycles() {}

    /** One cycle of the graph as its edges in order (each edge's {@code to} is the next one's {@code from}), if any. */
    static Optional<List<Edge>> find(Graph<Node, Edge> graph) {
        Map<Node, Integer> state = new HashMap<>(); // absent: unseen; 1: on the current path; 2: done
        for (Node start : graph.vertexSet()) {
            if (state.containsKey(start)) {
                continue;
            }
            Deque<Edge> path = new ArrayDeque<>();
            Optional<List<Edge>> cycle = visit(graph, start, state, path);
            if (cycle.isPresent()) {
                return cycle;
            }
        }
        return Optional.empty();
    }

    private static Optional<List<Edge>> visit(Graph<Node, Edge> graph, Node node, Map<Node, Integer> state, Deque<Edge> path) {
        state.put(node, 1);
        for (Edge e : graph.outgoingEdgesOf(node)) {
            Integer s = state.get(e.to());
            if (s == null) {
                path.addLast(e);
                Optional<List<Edge>> cycle = visit(graph, e.to(), state, path);
                if (cycle.isPresent()) {
                    return cycle;
                }
                path.removeLast();
            } else if (s == 1) {
                List<Edge> cycle = new ArrayList<>();
                boolean in = false;
                for (Edge p : path) {
                    in |= p.from().equals(e.to());
                    if (in) {
                        cycle.add(p);
                    }
                }
                cycle.add(e);
                return Optional.of(cycle);
            }
        }
        state.put(node, 2);
        return Optional.empty();
    }

    /** Whether a path leads from {@code from} to {@code to}. */
    static boolean reachable(Graph<Node, Edge> graph, Node from, Node to) {
        Set<Node> seen = new HashSet<>();
        Deque<Node> todo = new ArrayDeque<>(List.of(from));
        while (!todo.isEmpty()) {
            Node n = todo.pop();
            if (n.equals(to)) {
                return true;
            }
            if (seen.add(n)) {
                graph.outgoingEdgesOf(n).forEach(e -> todo.push(e.to()));
            }
        }
        return false;
    }

    static String describe(List<Edge> cycle) {
        StringBuilder s = new StringBuilder("dependency cycle: ");
        for (Edge e : cycle) {
            s.append(e.from()).append(" → ");
        }
        s.append(cycle.get(0).from());
        for (Edge e : cycle) {
            s.append("\n  ").append(e.to()).append(" waits for ").append(e.from()).append(" (")
                    .append(e.condition().label()).append(", ").append(e.kind().label()).append("): ").append(e.reason());
        }
        return s.toString();
    }
}
