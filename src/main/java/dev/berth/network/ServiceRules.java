package dev.berth.network;

import dev.berth.api.BerthException;
import dev.berth.api.Json;
import dev.berth.proc.Command;
import dev.berth.proc.ProcessRunner;
import dev.berth.proc.Result;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A Service's forwarding rules, as kube-proxy's iptables mode writes them: per Service port a
 * chain that DNATs to one ready endpoint chosen at random (the statistic match), jumps to it
 * from OUTPUT and PREROUTING for the virtual IP (and the nodePort), and a masquerade so replies
 * between pods on one bridge come back through the host. The rules are returned as argv lists,
 * kept in the state, and removed from them.
 */
public final class ServiceRules {
    /** One endpoint: a ready pod's address and the port its container listens on. */
    public record Endpoint(String ip, int port) {}

    /** One Service port: where it listens and where it forwards. */
    public record Port(int port, String protocol, int nodePort, List<Endpoint> endpoints) {}

    private final ProcessRunner processes;
    private final String owner;

    /** @param owner what makes chain names unique to one berth root (e.g. the root's path) */
    public ServiceRules(ProcessRunner processes, String owner) {
        this.processes = processes;
        this.owner = owner;
    }

    /** The rules for a Service, as the {@code -A}/{@code -N} argv lists (without {@code iptables}). */
    public List<List<String>> rules(String service, String vip, String subnet, List<Port> ports) {
        List<List<String>> rules = new ArrayList<>();
        for (Port p : ports) {
            String chain = chain(service, p.port());
            String proto = p.protocol().toLowerCase(java.util.Locale.ROOT);
            rules.add(List.of("-t", "nat", "-N", chain));
            List<Endpoint> eps = p.endpoints();
            for (int i = 0; i < eps.size(); i++) {
                List<String> r = new ArrayList<>(List.of("-t", "nat", "-A", chain, "-p", proto));
                if (i < eps.size() - 1) {
                    r.addAll(List.of("-m", "statistic", "--mode", "random", "--probability", String.format(java.util.Locale.ROOT, "%.5f", 1.0 / (eps.size() - i))));
                }
                r.addAll(List.of("-j", "DNAT", "--to-destination", eps.get(i).ip() + ":" + eps.get(i).port()));
                rules.add(r);
            }
            for (String hook : List.of("OUTPUT", "PREROUTING")) {
                rules.add(List.of("-t", "nat", "-A", hook, "-d", vip + "/32", "-p", proto, "--dport", Integer.toString(p.port()),
                        "-m", "comment", "--comment", chain, "-j", chain));
                if (p.nodePort() > 0) {
                    rules.add(List.of("-t", "nat", "-A", hook, "-m", "addrtype", "--dst-type", "LOCAL", "-p", proto, "--dport",
                            Integer.toString(p.nodePort()), "-m", "comment", "--comment", chain, "-j", chain));
                }
            }
            rules.add(List.of("-t", "nat", "-A", "POSTROUTING", "-s", subnet, "-d", subnet, "-m", "conntrack", "--ctstate", "DNAT",
                    "-m", "comment", "--comment", chain, "-j", "MASQUERADE"));
        }
        return rules;
    }

    String chain(String service, int port) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] h = md.digest((owner + "\0" + service + "\0" + port).getBytes(StandardCharsets.UTF_8));
            return "BERTH-" + HexFormat.of().formatHex(h).substring(0, 16).toUpperCase(java.util.Locale.ROOT);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Applies rules; on failure removes what was applied and throws. */
    public void apply(List<List<String>> rules) {
        List<List<String>> done = new ArrayList<>();
        for (List<String> r : rules) {
            Result result = iptables(r);
            if (result.exitCode() != 0) {
                remove(done);
                throw new BerthException(BerthException.Kind.HOST, "iptables " + String.join(" ", r) + ": " + result.stderr().strip());
            }
            done.add(r);
        }
    }

    /** Removes rules applied earlier: each {@code -A} deleted, then each chain flushed and deleted. What is gone is skipped. */
    public void remove(List<List<String>> rules) {
        List<String> chains = new ArrayList<>();
        for (List<String> r : rules) {
            if (r.get(2).equals("-N")) {
                chains.add(r.get(3));
            } else if (!chains.contains(r.get(3))) {
                List<String> delete = new ArrayList<>(r);
                delete.set(2, "-D");
                iptables(delete);
            }
        }
        for (String chain : chains) {
            iptables(List.of("-t", "nat", "-F", chain));
            iptables(List.of("-t", "nat", "-X", chain));
        }
    }

    public static String toJson(List<List<String>> rules) {
        return Json.write(rules);
    }

    public static List<List<String>> fromJson(String json) {
        List<List<String>> rules = new ArrayList<>();
        for (Object r : (List<?>) Json.parse(json)) {
            rules.add(((List<?>) r).stream().map(String::valueOf).toList());
        }
        return rules;
    }

    private Result iptables(List<String> args) {
        List<String> argv = new ArrayList<>(List.of("iptables", "-w"));
        argv.addAll(args);
        return processes.run(Command.of(argv).withTimeout(Duration.ofSeconds(30)));
    }
}
