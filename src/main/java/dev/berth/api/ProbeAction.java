package dev.berth.api;

import java.util.List;
import java.util.Map;

/** What a probe does: the one handler a Kubernetes probe names. */
public sealed interface ProbeAction {

    /** A short human description, e.g. {@code httpGet :8080/healthz}. */
    String describe();

    record Exec(List<String> command) implements ProbeAction {
        public Exec {
            command = List.copyOf(command);
        }

        @Override
        public String describe() {
            return "exec " + String.join(" ", command);
        }
    }

    record TcpSocket(PortRef port, String host) implements ProbeAction {
        @Override
        public String describe() {
            return "tcpSocket " + (host == null ? "" : host) + ":" + port;
        }
    }

    record HttpGet(PortRef port, String path, String host, String scheme, Map<String, String> headers)
            implements ProbeAction {
        public HttpGet {
            path = path == null ? "/" : path;
            scheme = scheme == null ? "HTTP" : scheme;
            headers = Map.copyOf(headers);
        }

        @Override
        public String describe() {
            return "httpGet " + (host == null ? "" : host) + ":" + port + path;
        }
    }

    record Grpc(int port, String service) implements ProbeAction {
        @Override
        public String describe() {
            return "grpc :" + port + (service == null ? "" : " " + service);
        }
    }
}
