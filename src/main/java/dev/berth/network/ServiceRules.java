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
 * berth's iptables rules. A Service's forwarding rules, as kube-proxy's iptables mode writes
 * them: per Service port a chain that DNATs to one ready endpoint chosen at random (the
 * statistic match), jumps to it from OUTPUT and PREROUTING for the virtual IP (and the
 * nodePort), and a masquerade so replies between pods on one bridge come back through the host.
 * A network's rules: masquerade and FORWARD accepts for its whole subnet, once per bridge. The
 * rules are argv lists, applied in one {@code iptables-restore} each change, kept in the state,
 * and removed from them.
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

    /**
     * A network's rules, written once for its bridge where the bridge plugin's {@code ipMasq} and
     * the firewall plugin would write rules per pod (18 iptables processes each): what pods send
     * off the subnet is masqueraded (multicast aside, as the bridge plugin does), and FORWARD
     * accepts what they send and the replies to them; what the host sends them from its loopback
     * (a NodePort on 127.0.0.1, which needs the bridge's {@code route_localnet}) is masqueraded
     * too. What they send to the Service range is left to the guard, whichever of the two was
     * inserted first.
     */
    public List<List<String>> network(String bridge, String subnet, String serviceSubnet) {
        String chain = chain("network " + bridge, 0);
        return List.of(
                List.of("-t", "nat", "-N", chain),
                List.of("-t", "nat", "-A", chain, "-d", subnet, "-j", "RETURN"),
                List.of("-t", "nat", "-A", chain, "-d", "224.0.0.0/4", "-j", "RETURN"),
                List.of("-t", "nat", "-A", chain, "-j", "MASQUERADE"),
                List.of("-t", "nat", "-A", "POSTROUTING", "-s", subnet, "-m", "comment", "--comment", chain, "-j", chain),
                // a NodePort asked on 127.0.0.1 reaches a pod from the host's loopback: the pod answers the bridge's address
                List.of("-t", "nat", "-A", "POSTROUTING", "-s", "127.0.0.0/8", "-d", subnet, "-m", "comment", "--comment", chain,
                        "-j", "MASQUERADE"),
                List.of("-t", "filter", "-I", "FORWARD", "1", "-s", subnet, "!", "-d", serviceSubnet, "-m", "comment", "--comment", chain,
                        "-j", "ACCEPT"),
                List.of("-t", "filter", "-I", "FORWARD", "1", "-d", subnet, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED",
                        "-m", "comment", "--comment", chain, "-j", "ACCEPT"));
    }

    /**
     * The rules that keep a root's Service addresses on the host: anything sent to the Service
     * range that no Service rule translated (an empty Service, a port no Service has) is
     * rejected at once, as kube-proxy does, instead of following the default route off the host.
     * The nat rules translate first, so a Service with a ready endpoint is not affected.
     */
    List<List<String>> guard(String serviceSubnet) {
        String comment = "BERTH-GUARD-" + chain("guard", 0).substring("BERTH-".length());
        List<List<String>> rules = new ArrayList<>();
        for (String hook : List.of("OUTPUT", "FORWARD")) {
            rules.add(List.of("-t", "filter", "-I", hook, "1", "-d", serviceSubnet, "-m", "comment", "--comment", comment,
                    "-j", "REJECT", "--reject-with", "icmp-port-unreachable"));
        }
        return rules;
    }

    /** Puts the guard of a Service range in place, unless it is. */
    public void guardOn(String serviceSubnet) {
        List<List<String>> guard = guard(serviceSubnet);
        if (!present(guard)) {
            apply(guard);
        }
    }

    /** Takes the guard of a Service range away, if it is there. */
    public void guardOff(String serviceSubnet) {
        List<List<String>> guard = guard(serviceSubnet);
        if (present(guard)) {
            remove(guard);
        }
    }

    private boolean present(List<List<String>> rules) {
        return rules.stream().filter(r -> !r.get(2).equals("-N")).allMatch(r -> iptables(withAction(r, "-C")).exitCode() == 0);
    }

    /** Applies rules again when some of them are gone (flushed by hand, a firewall reloaded); returns whether it had to. */
    public boolean restore(List<List<String>> rules) {
        if (rules.isEmpty() || present(rules)) {
            return false;
        }
        replace(rules, rules);
        return true;
    }

    /** Whether the rules of a Service port send it anywhere: only then does a client reach a ready pod through it. */
    public boolean forwards(List<List<String>> rules, String service, int port) {
        String chain = chain(service, port);
        return rules.stream().anyMatch(r -> r.get(2).equals("-A") && r.get(3).equals(chain) && r.contains("DNAT"));
    }

    public void apply(List<List<String>> rules) {
        replace(List.of(), rules);
    }

    public void remove(List<List<String>> rules) {
        replace(rules, List.of());
    }

    /**
     * Replaces rules applied earlier by new ones in one {@code iptables-restore --noflush}
     * transaction: all or nothing, one process for the whole change. When the old rules are not
     * all there (berth was killed half-way, someone flushed the tables), what is left of them is
     * deleted rule by rule and the new ones applied on their own; a failure to apply those is
     * reported.
     */
    public void replace(List<List<String>> old, List<List<String>> fresh) {
        if (old.isEmpty() && fresh.isEmpty()) {
            return;
        }
        Result r = restore(restoreInput(old, fresh));
        if (r.exitCode() == 0) {
            return;
        }
        if (old.isEmpty()) {
            throw new BerthException(BerthException.Kind.HOST, "iptables-restore: " + r.stderr().strip());
        }
        removeEach(old);
        Result again = restore(restoreInput(List.of(), fresh));
        if (again.exitCode() != 0) {
            throw new BerthException(BerthException.Kind.HOST, "iptables-restore: " + again.stderr().strip());
        }
    }

    /** The input of {@code iptables-restore --noflush} that removes {@code old} and adds {@code fresh}. */
    static String restoreInput(List<List<String>> old, List<List<String>> fresh) {
        java.util.Map<String, StringBuilder> tables = new java.util.TreeMap<>();
        java.util.function.Function<List<String>, StringBuilder> table = r -> tables.computeIfAbsent(r.get(1), t -> new StringBuilder());
        List<String> freshChains = fresh.stream().filter(r -> r.get(2).equals("-N")).map(r -> r.get(3)).toList();
        for (List<String> r : fresh) {
            if (r.get(2).equals("-N")) {
                table.apply(r).append(':').append(r.get(3)).append(" - [0:0]\n"); // created, or flushed when it exists
            }
        }
        List<String> oldChains = old.stream().filter(r -> r.get(2).equals("-N")).map(r -> r.get(3)).toList();
        for (List<String> r : old) {
            if (!r.get(2).equals("-N") && !oldChains.contains(r.get(3))) {
                table.apply(r).append(line(withAction(r, "-D"))).append('\n');
            }
        }
        for (List<String> r : old) {
            if (r.get(2).equals("-N") && !freshChains.contains(r.get(3))) {
                table.apply(r).append("-F ").append(r.get(3)).append("\n-X ").append(r.get(3)).append('\n');
            }
        }
        for (List<String> r : fresh) {
            if (!r.get(2).equals("-N")) {
                table.apply(r).append(line(r)).append('\n');
            }
        }
        StringBuilder input = new StringBuilder();
        tables.forEach((name, rules) -> input.append('*').append(name).append('\n').append(rules).append("COMMIT\n"));
        return input.toString();
    }

    /** A rule without its table, as a line of iptables-restore input. */
    private static String line(List<String> rule) {
        return String.join(" ", rule.subList(2, rule.size()).stream()
                .map(a -> a.matches("[-A-Za-z0-9_./:=,!]+") ? a : "\"" + a.replace("\"", "\\\"") + "\"").toList());
    }

    /** The same rule with another action: {@code -A C …} or {@code -I C 1 …} as {@code -D C …} or {@code -C C …}. */
    private static List<String> withAction(List<String> rule, String action) {
        List<String> r = new ArrayList<>(rule);
        if (r.get(2).equals("-I") && r.get(4).matches("\\d+")) {
            r.remove(4);
        }
        r.set(2, action);
        return r;
    }

    /** Deletes rules one by one (each {@code -A} and {@code -I}, then each chain); what is gone is skipped. */
    private void removeEach(List<List<String>> rules) {
        List<String> chains = new ArrayList<>();
        for (List<String> r : rules) {
            if (r.get(2).equals("-N")) {
                chains.add(r.get(3));
            } else if (!chains.contains(r.get(3))) {
                iptables(withAction(r, "-D"));
            }
        }
        for (String chain : chains) {
            iptables(List.of("-t", "nat", "-F", chain));
            iptables(List.of("-t", "nat", "-X", chain));
        }
    }

    private Result restore(String input) {
        return processes.run(Command.of("iptables-restore", "-w", "--noflush").withStdin(input.getBytes(StandardCharsets.UTF_8))
                .withTimeout(Duration.ofSeconds(30)));
    }

    /**
     * Removes every Service rule that sends a virtual IP of {@code serviceSubnet} somewhere, found
     * in the live tables rather than in berth's state (for a repair, when the state is lost):
     * the jumps to each such chain, the chain, the masquerade named after it, and the guard.
     * Returns the chains removed.
     */
    public List<String> removeWithin(String serviceSubnet) {
        Cidr range = Cidr.parse(serviceSubnet);
        Result save = processes.run(Command.of("iptables-save", "-t", "nat").withTimeout(Duration.ofSeconds(30)));
        List<String> lines = save.stdoutText().lines().filter(l -> l.startsWith("-A ")).toList();
        java.util.Set<String> chains = new java.util.TreeSet<>();
        java.util.regex.Pattern jump = java.util.regex.Pattern.compile("^-A (?:OUTPUT|PREROUTING) -d ([0-9.]+)/32 .*-j (BERTH-[0-9A-F]{16})$");
        for (String line : lines) {
            java.util.regex.Matcher m = jump.matcher(line);
            if (m.matches() && range.contains(m.group(1))) {
                chains.add(m.group(2));
            }
        }
        StringBuilder input = new StringBuilder("*nat\n");
        for (String line : lines) {
            String[] words = line.split(" ");
            boolean ours = chains.contains(words[1]) || chains.stream().anyMatch(c -> line.endsWith("--comment " + c + " -j " + c)
                    || line.contains("--comment " + c + " -j MASQUERADE"));
            if (ours && !chains.contains(words[1])) {
                input.append("-D").append(line.substring(2)).append('\n');
            }
        }
        chains.forEach(c -> input.append("-F ").append(c).append("\n-X ").append(c).append('\n'));
        input.append("COMMIT\n");
        if (!chains.isEmpty()) {
            Result r = restore(input.toString());
            if (r.exitCode() != 0) {
                throw new BerthException(BerthException.Kind.HOST, "iptables-restore: " + r.stderr().strip());
            }
        }
        guardOff(serviceSubnet);
        return List.copyOf(chains);
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
