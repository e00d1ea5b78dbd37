package dev.berth.api;

import java.util.List;

/** What "ready" means for one container (DESIGN.md, "Ready"), in order of precedence. */
public sealed interface Readiness {

    String describe();

    /** The readinessProbe passed ({@code startup} false), else the startupProbe passed ({@code startup} true). */
    record ByProbe(Probe probe, boolean startup) implements Readiness {
        @Override
        public String describe() {
            return (startup ? "startupProbe " : "readinessProbe ") + probe.action().describe() + " passes";
        }
    }

    /** Each declared TCP containerPort accepts a connection. */
    record PortsOpen(List<Integer> ports) implements Readiness {
        public PortsOpen {
            ports = List.copyOf(ports);
        }

        @Override
        public String describe() {
            return "TCP " + (ports.size() == 1 ? "port " : "ports ")
                    + String.join(", ", ports.stream().map(String::valueOf).toList()) + (ports.size() == 1 ? " accepts" : " accept") + " connections (implicit)";
        }
    }

    /** The container is running. */
    record Running() implements Readiness {
        @Override
        public String describe() {
            return "running";
        }
    }

    static Readiness of(PodSpec pod, ContainerSpec c) {
        if (c.readinessProbe() != null) {
            return new ByProbe(c.readinessProbe(), false);
        }
        if (c.startupProbe() != null) {
            return new ByProbe(c.startupProbe(), true);
        }
        List<Integer> tcp = c.ports().stream().filter(p -> p.protocol().equals("TCP")).map(ContainerPort::containerPort).toList();
        if (pod.implicitReadiness() && !tcp.isEmpty()) {
            return new PortsOpen(tcp);
        }
        return new Running();
    }
}
