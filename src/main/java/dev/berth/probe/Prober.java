package dev.berth.probe;

import dev.berth.api.PortRef;
import dev.berth.api.ProbeAction;
import dev.berth.engine.ContainerEngine;
import dev.berth.sys.Linux;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs probes. exec probes run in the container; tcpSocket and httpGet run from berth itself,
 * inside the pod's network namespace, on a thread that entered it with {@code setns}, so the
 * image needs neither curl nor nc.
 */
public final class Prober implements AutoCloseable {
    private final ContainerEngine containers;
    /** One thread per network namespace (or the host's, for null), living inside it. */
    private final Map<Path, ExecutorService> netnsThreads = new ConcurrentHashMap<>();
    private static final Path HOST = Path.of("/");

    public Prober(ContainerEngine containers) {
        this.containers = containers;
    }

    /**
     * One probe attempt.
     *
     * @param netns     the pod's network namespace file, or null for the host's network
     * @param container the container's ID, for exec probes
     * @param ports     the container's named ports, for probes that name one
     */
    public ProbeResult probe(ProbeAction action, Path netns, String container, Map<String, Integer> ports, Duration timeout) {
        if (action instanceof ProbeAction.Exec exec) {
            ContainerEngine.ExecResult r = containers.execCaptured(container, exec.command(), timeout);
            String out = r.output().strip();
            String shown = out.length() > 200 ? out.substring(0, 200) + "…" : out;
            if (r.exitCode() == null) {
                return ProbeResult.failed("exec " + String.join(" ", exec.command()) + ": " + shown);
            }
            return r.exitCode() == 0 ? ProbeResult.ok("exec exited 0")
                    : ProbeResult.failed("exec " + String.join(" ", exec.command()) + " exited " + r.exitCode() + (shown.isEmpty() ? "" : ": " + shown));
        }
        if (action instanceof ProbeAction.TcpSocket tcp) {
            return inNetns(netns, timeout, () -> tcp(host(tcp.host()), port(tcp.port(), ports), timeout));
        }
        if (action instanceof ProbeAction.HttpGet http) {
            return inNetns(netns, timeout, () -> http(http, port(http.port(), ports), timeout));
        }
        ProbeAction.Grpc grpc = (ProbeAction.Grpc) action;
        // a gRPC health check needs HTTP/2; until then, a grpc probe passes when its port accepts connections
        return inNetns(netns, timeout, () -> tcp("127.0.0.1", grpc.port(), timeout));
    }

    /** A container's named ports, for probes that name one. */
    public static Map<String, Integer> namedPorts(dev.berth.api.ContainerSpec c) {
        Map<String, Integer> ports = new java.util.HashMap<>();
        for (dev.berth.api.ContainerPort p : c.ports()) {
            if (p.name() != null) {
                ports.put(p.name(), p.containerPort());
            }
        }
        return ports;
    }

    /** One check of what "ready" means for a container: its probe, its TCP ports accepting connections, or running. */
    public ProbeResult readiness(dev.berth.api.Readiness r, Path netns, String container, Map<String, Integer> ports) {
        if (r instanceof dev.berth.api.Readiness.ByProbe byProbe) {
            dev.berth.api.Probe p = byProbe.probe();
            return probe(p.action(), netns, container, ports, Duration.ofSeconds(p.timeoutSeconds()));
        }
        if (r instanceof dev.berth.api.Readiness.PortsOpen open) {
            return portsOpen(open.ports(), netns, Duration.ofSeconds(1));
        }
        return ProbeResult.ok("running");
    }

    /** Whether each port accepts a TCP connection (implicit readiness). */
    public ProbeResult portsOpen(List<Integer> ports, Path netns, Duration timeout) {
        return inNetns(netns, timeout, () -> {
            for (int port : ports) {
                ProbeResult r = tcp("127.0.0.1", port, timeout);
                if (!r.success()) {
                    return r;
                }
            }
            return ProbeResult.ok("ports " + ports + " accept connections");
        });
    }

    /** Whether {@code host:port} accepts a TCP connection from inside {@code netns} (null: the host's network). */
    public ProbeResult tcp(String host, int port, Path netns, Duration timeout) {
        return inNetns(netns, timeout, () -> tcp(host, port, timeout));
    }

    private static String host(String host) {
        return host == null || host.isEmpty() ? "127.0.0.1" : host;
    }

    private static int port(PortRef ref, Map<String, Integer> ports) {
        return ref.isNamed() ? ports.getOrDefault(ref.name(), 0) : ref.number();
    }

    private interface Attempt {
        ProbeResult run() throws IOException;
    }

    private ProbeResult inNetns(Path netns, Duration timeout, Attempt attempt) {
        ExecutorService thread = netnsThreads.computeIfAbsent(netns == null ? HOST : netns, key -> Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(() -> {
                if (!key.equals(HOST)) {
                    Linux.enterNetns(key);
                }
                r.run();
            }, "probe-" + key.getFileName());
            t.setDaemon(true);
            return t;
        }));
        Future<ProbeResult> f = thread.submit(attempt::run);
        try {
            return f.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            return ProbeResult.failed("timed out after " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            return ProbeResult.failed(e.getCause() == null ? String.valueOf(e) : e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ProbeResult.failed("interrupted");
        }
    }

    private static ProbeResult tcp(String host, int port, Duration timeout) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            return ProbeResult.ok("tcp " + host + ":" + port + " accepted");
        } catch (ConnectException e) {
            return ProbeResult.failed("tcp " + host + ":" + port + ": connection refused");
        } catch (SocketTimeoutException e) {
            return ProbeResult.failed("tcp " + host + ":" + port + ": no answer within " + timeout.toMillis() + " ms");
        } catch (IOException e) {
            return ProbeResult.failed("tcp " + host + ":" + port + ": " + e.getMessage());
        }
    }

    private static ProbeResult http(ProbeAction.HttpGet http, int port, Duration timeout) throws IOException {
        String host = host(http.host());
        String what = "http GET " + host + ":" + port + http.path();
        if (http.scheme().equals("HTTPS")) {
            // Kubernetes does not verify certificates for probes; berth checks the port accepts connections
            ProbeResult r = tcp(host, port, timeout);
            return r.success() ? ProbeResult.ok(what + " (https: port open)") : r;
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            s.setSoTimeout((int) timeout.toMillis());
            StringBuilder request = new StringBuilder("GET " + http.path() + " HTTP/1.1\r\nHost: " + host + ":" + port
                    + "\r\nUser-Agent: berth-probe\r\nAccept: */*\r\nConnection: close\r\n");
            http.headers().forEach((k, v) -> request.append(k).append(": ").append(v).append("\r\n"));
            OutputStream out = s.getOutputStream();
            out.write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder status = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n' && status.length() < 200) {
                status.append((char) c);
            }
            String[] parts = status.toString().strip().split(" ");
            if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
                return ProbeResult.failed(what + ": not an HTTP answer");
            }
            int code = Integer.parseInt(parts[1]);
            return code >= 200 && code < 400 ? ProbeResult.ok(what + " → " + code) : ProbeResult.failed(what + " → " + code);
        } catch (ConnectException e) {
            return ProbeResult.failed(what + ": connection refused");
        } catch (SocketTimeoutException e) {
            return ProbeResult.failed(what + ": no answer within " + timeout.toMillis() + " ms");
        } catch (NumberFormatException e) {
            return ProbeResult.failed(what + ": not an HTTP answer");
        }
    }

    @Override
    public void close() {
        netnsThreads.values().forEach(ExecutorService::shutdownNow);
    }
}
