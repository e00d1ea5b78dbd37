package dev.berth.network;

import dev.berth.api.BerthException;
import dev.berth.api.Json;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An ordinary user's hostPorts: slirp4netns, which connects the user's network namespace to the
 * host, listens on the host's port and sends what comes to 10.0.2.100 (its address inside), where
 * portmap's rules take it on to the pod as they do for root. Asked through slirp4netns's API
 * socket, one JSON request per connection.
 */
final class HostForwards {
    private final Path socket;

    HostForwards(Path socket) {
        this.socket = socket;
    }

    /** Publishes each mapping on the host; a port another process holds fails with what slirp4netns says. */
    void add(String pod, List<CniNetwork.PortMapping> ports) {
        if (!Files.exists(socket)) {
            throw new BerthException(BerthException.Kind.HOST, "pod " + pod + ": publishing hostPorts without root needs slirp4netns"
                    + " and a /dev/net/tun this user may open (berth system check says what is missing)");
        }
        for (CniNetwork.PortMapping m : ports) {
            Map<String, Object> args = new LinkedHashMap<>();
            args.put("proto", m.protocol().toLowerCase(Locale.ROOT));
            args.put("host_addr", m.hostIP() == null || m.hostIP().isEmpty() ? "0.0.0.0" : m.hostIP());
            args.put("host_port", m.hostPort());
            args.put("guest_port", m.hostPort());
            Map<String, Object> answer = ask("add_hostfwd", args);
            if (answer.containsKey("error")) {
                throw new BerthException(BerthException.Kind.HOST, "pod " + pod + ": cannot publish hostPort " + m.hostPort() + "/" + m.protocol()
                        + " on the host: " + Json.string(Json.object(answer, "error"), "desc") + " (is another process using it?)");
            }
        }
    }

    /** The address inside the user's network namespace where slirp4netns delivers what it forwards. */
    static final String GUEST_ADDRESS = "10.0.2.100";

    /**
     * Forwards the host's {@code 127.0.0.1:port} to the same port at {@link #GUEST_ADDRESS} (the
     * Kubernetes API of a user's berth, which listens inside the user's namespaces).
     */
    void addLoopback(int port) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("proto", "tcp");
        args.put("host_addr", "127.0.0.1");
        args.put("host_port", port);
        args.put("guest_addr", GUEST_ADDRESS);
        args.put("guest_port", port);
        Map<String, Object> answer = ask("add_hostfwd", args);
        if (answer.containsKey("error")) {
            throw new BerthException(BerthException.Kind.HOST, "cannot forward 127.0.0.1:" + port + " on the host to the API: "
                    + Json.string(Json.object(answer, "error"), "desc") + " (is another process using it?)");
        }
    }

    /** Withdraws each mapping's forward; one already gone (or slirp4netns with it) is no error. */
    void remove(List<CniNetwork.PortMapping> ports) {
        if (ports.isEmpty() || !Files.exists(socket)) {
            return;
        }
        Map<String, Object> listed;
        try {
            listed = ask("list_hostfwd", Map.of());
        } catch (BerthException gone) {
            return; // slirp4netns ended, and its forwards with it
        }
        for (Object o : Json.array(Json.object(listed, "return"), "entries")) {
            Map<?, ?> entry = (Map<?, ?>) o;
            boolean ours = ports.stream().anyMatch(m -> String.valueOf(entry.get("host_port")).equals(Integer.toString(m.hostPort()))
                    && String.valueOf(entry.get("proto")).equalsIgnoreCase(m.protocol()));
            if (ours) {
                ask("remove_hostfwd", Map.of("id", entry.get("id")));
            }
        }
    }

    private Map<String, Object> ask(String execute, Map<String, Object> arguments) {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            c.write(ByteBuffer.wrap(Json.write(Map.of("execute", execute, "arguments", arguments)).getBytes(StandardCharsets.UTF_8)));
            c.shutdownOutput();
            return Json.parseObject(new String(java.nio.channels.Channels.newInputStream(c).readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException | IllegalArgumentException e) {
            throw new BerthException(BerthException.Kind.HOST, "slirp4netns (" + socket + ") did not answer " + execute + ": " + e.getMessage(), e);
        }
    }
}
