package dev.berth.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceRulesTest {
    final ServiceRules rules = new ServiceRules(new dev.berth.proc.ProcessRunner() {
        @Override
        public dev.berth.proc.Result run(dev.berth.proc.Command command) {
            throw new AssertionError("no process in a unit test: " + command.display());
        }

        @Override
        public int stream(dev.berth.proc.Command command, java.io.OutputStream out, java.io.OutputStream err) {
            throw new AssertionError("no process in a unit test: " + command.display());
        }
    }, "/tmp/root");

    @Test
    void oneTransactionReplacesAServicesRulesAndKeepsItsChain() {
        List<List<String>> old = rules.rules("default/api", "10.96.0.5", "10.89.0.0/16",
                List.of(new ServiceRules.Port(80, "TCP", 0, List.of(new ServiceRules.Endpoint("10.89.0.2", 8080)))));
        List<List<String>> fresh = rules.rules("default/api", "10.96.0.5", "10.89.0.0/16",
                List.of(new ServiceRules.Port(80, "TCP", 0, List.of(new ServiceRules.Endpoint("10.89.0.2", 8080),
                        new ServiceRules.Endpoint("10.89.0.3", 8080)))));
        String chain = old.get(0).get(3);
        String input = ServiceRules.restoreInput(old, fresh);
        assertThat(input).startsWith("*nat\n:" + chain + " - [0:0]\n").endsWith("COMMIT\n");
        // the chain is flushed by its declaration, never deleted, and its jumps are replaced
        assertThat(input).doesNotContain("-X " + chain).contains("-D OUTPUT -d 10.96.0.5/32").contains("-A OUTPUT -d 10.96.0.5/32")
                .contains("-m statistic --mode random --probability 0.50000 -j DNAT --to-destination 10.89.0.2:8080")
                .contains("-A " + chain + " -p tcp -j DNAT --to-destination 10.89.0.3:8080");
        assertThat(input.indexOf("-D OUTPUT")).isLessThan(input.indexOf("-A OUTPUT"));
    }

    @Test
    void removalDeletesJumpsBeforeTheChain() {
        List<List<String>> old = rules.rules("default/api", "10.96.0.5", "10.89.0.0/16", List.of(new ServiceRules.Port(80, "TCP", 30080, List.of())));
        String chain = old.get(0).get(3);
        String input = ServiceRules.restoreInput(old, List.of());
        assertThat(input).doesNotContain(":" + chain).contains("-D PREROUTING -m addrtype --dst-type LOCAL -p tcp --dport 30080");
        assertThat(input.indexOf("-D PREROUTING")).isLessThan(input.indexOf("-X " + chain));
    }

    @Test
    void theGuardRejectsTheWholeRangeFirstInOutputAndForward() {
        List<List<String>> guard = rules.guard("10.96.0.0/16");
        String input = ServiceRules.restoreInput(List.of(), guard);
        assertThat(input).startsWith("*filter\n").contains("-I OUTPUT 1 -d 10.96.0.0/16").contains("-I FORWARD 1 -d 10.96.0.0/16")
                .contains("-j REJECT");
        assertThat(ServiceRules.restoreInput(guard, List.of())).contains("-D OUTPUT -d 10.96.0.0/16").doesNotContain("-D OUTPUT 1");
    }

    @Test
    void forwardsOnlyWithAnEndpoint() {
        List<List<String>> none = rules.rules("default/api", "10.96.0.5", "10.89.0.0/16", List.of(new ServiceRules.Port(80, "TCP", 0, List.of())));
        List<List<String>> one = rules.rules("default/api", "10.96.0.5", "10.89.0.0/16",
                List.of(new ServiceRules.Port(80, "TCP", 0, List.of(new ServiceRules.Endpoint("10.89.0.2", 8080)))));
        assertThat(rules.forwards(none, "default/api", 80)).isFalse();
        assertThat(rules.forwards(one, "default/api", 80)).isTrue();
        assertThat(rules.forwards(one, "default/api", 81)).isFalse();
    }

    @Test
    void aNetworksRulesMasqueradeWhatLeavesItsSubnetAndGoInOneTransactionPerTable() {
        List<List<String>> network = rules.network("berth0", "10.89.0.0/16", "10.96.0.0/16");
        String chain = network.get(0).get(3);
        String input = ServiceRules.restoreInput(List.of(), network);
        assertThat(input).startsWith("*filter\n").contains("\nCOMMIT\n*nat\n:" + chain + " - [0:0]\n")
                .contains("-A " + chain + " -d 10.89.0.0/16 -j RETURN\n-A " + chain + " -d 224.0.0.0/4 -j RETURN\n-A " + chain + " -j MASQUERADE\n")
                .contains("-A POSTROUTING -s 10.89.0.0/16 -m comment --comment " + chain + " -j " + chain)
                .contains("-A POSTROUTING -s 127.0.0.0/8 -d 10.89.0.0/16 -m comment --comment " + chain + " -j MASQUERADE")
                .contains("-I FORWARD 1 -s 10.89.0.0/16 ! -d 10.96.0.0/16 -m comment") // "!" as a word, not quoted
                .contains("-I FORWARD 1 -d 10.89.0.0/16 -m conntrack --ctstate RELATED,ESTABLISHED");
        assertThat(ServiceRules.restoreInput(network, List.of())).contains("-D FORWARD -s 10.89.0.0/16 ! -d 10.96.0.0/16")
                .contains("-D POSTROUTING -s 10.89.0.0/16").contains("-F " + chain + "\n-X " + chain);
        assertThat(rules.network("berth1", "10.89.0.0/16", "10.96.0.0/16").get(0).get(3)).isNotEqualTo(chain);
    }
}
