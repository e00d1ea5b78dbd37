package dev.berth.plan;

import dev.berth.api.StartCondition;

/**
 * "{@code to} may start once {@code from} is {@code condition}", with why.
 *
 * @param reason      a sentence quoting what caused the edge, e.g.
 *                    {@code args mention "localhost:8080"; container "web" declares containerPort 8080}
 * @param service     for an edge inferred from a Service mention, the Service's name (else null):
 *                    readiness then also means the Service answers on {@code servicePort}
 */
public record Edge(Node from, Node to, StartCondition condition, Kind kind, String reason, String service, int servicePort) {

    public Edge(Node from, Node to, StartCondition condition, Kind kind, String reason) {
        this(from, to, condition, kind, reason, null, 0);
    }

    /** Why an edge exists, in order of precedence (DESIGN.md, "The dependency graph"). */
    public enum Kind {
        SANDBOX,
        INIT,
        OBJECT,
        DECLARED,
        INFERRED;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
