package dev.berth.cli;

import dev.berth.api.Disposition;
import dev.berth.api.Json;
import dev.berth.plan.Edge;
import dev.berth.plan.Node;
import dev.berth.plan.Plan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A plan shown as text (start order, one line per node, then what becomes of each object of the
 * manifests), JSON (see schemas/plan.schema.json) or Graphviz dot.
 */
final class PlanRendering {
    private PlanRendering() {}

    static String text(Plan plan, List<Disposition> objects) {
        StringBuilder s = new StringBuilder();
        int width = plan.startOrder().stream().mapToInt(n -> n.id().length()).max().orElse(0);
        int step = 1;
        int digits = String.valueOf(plan.startOrder().size()).length();
        for (Node n : plan.startOrder()) {
            s.append(String.format("%" + digits + "d. %-" + width + "s", step++, n.id()));
            List<String> waits = new ArrayList<>();
            for (Edge e : plan.waitsFor(n)) {
                waits.add(e.from().id() + " " + e.condition().label()
                        + (e.kind() == Edge.Kind.SANDBOX ? "" : " (" + e.kind().label() + ": " + e.reason() + ")"));
            }
            if (!waits.isEmpty()) {
                s.append("  waits for ").append(String.join("; ", waits));
            }
            if (n.kind() == Node.Kind.CONTAINER) {
                s.append(waits.isEmpty() ? "  " : "; ").append("ready when ").append(plan.readiness(n));
            }
            s.setLength(s.toString().stripTrailing().length());
            s.append('\n');
        }
        if (!objects.isEmpty()) {
            s.append(s.length() == 0 ? "" : "\n").append("objects:\n");
            int idWidth = objects.stream().mapToInt(d -> d.id().length()).max().orElse(0);
            for (Disposition d : objects) {
                s.append(String.format("  %-" + idWidth + "s  %s: %s", d.id(), d.fate().label(), d.detail()));
                s.append(d.pods().isEmpty() || d.kind().equals("Pod") ? "" : " (" + String.join(", ", d.pods()) + ")").append('\n');
            }
        }
        return s.toString();
    }

    static String json(Plan plan, List<Disposition> objects) {
        List<Object> nodes = new ArrayList<>();
        for (Node n : plan.startOrder()) {
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("id", n.id());
            node.put("kind", n.kind().label());
            node.put("pod", n.pod());
            node.put("container", n.container());
            if (n.kind() == Node.Kind.CONTAINER) {
                node.put("readiness", plan.readiness(n));
            }
            nodes.add(node);
        }
        List<Object> edges = new ArrayList<>();
        for (Edge e : plan.edges()) {
            Map<String, Object> edge = new LinkedHashMap<>();
            edge.put("from", e.from().id());
            edge.put("to", e.to().id());
            edge.put("condition", e.condition().label());
            edge.put("kind", e.kind().label());
            edge.put("reason", e.reason());
            edges.add(edge);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("nodes", nodes);
        root.put("edges", edges);
        List<Object> dispositions = new ArrayList<>();
        for (Disposition d : objects) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("kind", d.kind());
            o.put("name", d.name());
            o.put("namespace", d.namespace());
            o.put("fate", d.fate().label());
            o.put("detail", d.detail());
            o.put("pods", d.pods());
            o.put("source", d.source().toString());
            dispositions.add(o);
        }
        root.put("objects", dispositions);
        if (!plan.warnings().isEmpty()) {
            root.put("warnings", plan.warnings());
        }
        return Json.write(root) + "\n";
    }

    static String dot(Plan plan, List<Disposition> objects) {
        StringBuilder s = new StringBuilder("digraph berth {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n");
        for (Node n : plan.startOrder()) {
            String label = switch (n.kind()) {
                case POD -> "pod " + n.pod() + "\n(sandbox)";
                case CONTAINER -> n.pod() + "/" + n.container();
                default -> n.kind().label() + "\n" + n.name();
            };
            String shape = switch (n.kind()) {
                case POD -> ", shape=box3d, style=solid";
                case CONTAINER -> "";
                default -> ", shape=note, style=solid";
            };
            s.append("  ").append(quote(n.id())).append(" [label=").append(quote(label)).append(shape).append("];\n");
        }
        for (Edge e : plan.edges()) {
            String label = e.condition().label() + " (" + e.kind().label() + ")"
                    + (e.kind() == Edge.Kind.SANDBOX ? "" : "\n" + wrap(e.reason(), 40));
            s.append("  ").append(quote(e.from().id())).append(" -> ").append(quote(e.to().id()))
                    .append(" [label=").append(quote(label)).append(e.kind() == Edge.Kind.INFERRED ? ", style=dashed" : "")
                    .append("];\n");
        }
        // workloads own their pods; objects not applied stand apart, greyed
        java.util.Set<String> nodes = new java.util.HashSet<>();
        plan.startOrder().forEach(n -> nodes.add(n.id()));
        for (Disposition d : objects) {
            if (nodes.contains(d.id())) {
                continue;
            }
            String style = d.fate() == Disposition.Fate.NOT_APPLIED ? ", style=\"dashed\", color=gray50, fontcolor=gray50" : ", style=solid";
            s.append("  ").append(quote(d.id())).append(" [label=").append(quote(d.kind() + " " + d.name() + "\n" + d.fate().label()
                    + ": " + wrap(d.detail(), 40))).append(", shape=folder").append(style).append("];\n");
            for (String pod : d.pods()) {
                s.append("  ").append(quote(d.id())).append(" -> ").append(quote("Pod/" + pod)).append(" [style=dotted, arrowhead=none];\n");
            }
        }
        return s.append("}\n").toString();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    private static String wrap(String text, int width) {
        StringBuilder s = new StringBuilder();
        int line = 0;
        for (String word : text.split(" ")) {
            if (line > 0 && line + word.length() > width) {
                s.append('\n');
                line = 0;
            } else if (line > 0) {
                s.append(' ');
                line++;
            }
            s.append(word);
            line += word.length();
        }
        return s.toString();
    }
}
