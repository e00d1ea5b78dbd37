package dev.berth.network;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.Manifests;
import dev.berth.api.PodSpec;
import dev.berth.proc.Command;
import dev.berth.proc.ProcessRunner;
import dev.berth.proc.Result;
import dev.berth.state.Layout;
import dev.berth.state.Locks;
import dev.berth.state.StateStore;
import dev.berth.testing.Yaml;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The owner of Services over a real state store and a fake iptables: what it writes, and when it writes nothing. */
class ServicesTest {
    @TempDir
    Path dir;

    /** The iptables-restore inputs the Services wrote; every other iptables call answers "fine". */
    final List<String> restores = new ArrayList<>();
    StateStore state;
    Services services;
    CniNetwork network;
    Manifests app;

    @BeforeEach
    void setUp() throws Exception {
        Layout layout = new Layout(dir.resolve("root"), dir.resolve("run"));
        state = StateStore.open(layout);
        ProcessRunner iptables = new ProcessRunner() {
            @Override
            public Result run(Command command) {
                if (command.argv().get(0).equals("iptables-restore")) {
                    restores.add(new String(command.stdin(), StandardCharsets.UTF_8));
                }
                return new Result(0, new byte[0], "");
            }

            @Override
            public int stream(Command command, OutputStream out, OutputStream err) {
                return run(command).exitCode();
            }
        };
        services = new Services(iptables, layout.root().toString(), state, new Locks(dir.resolve("locks")));
        CniNetwork.write(dir.resolve("networks"), dir.resolve("ipam"), new CniNetwork.Definition("berth", "bt0", "10.89.7.0/24", "10.89.7.1", null));
        network = CniNetwork.load(dir.resolve("networks"), dir.resolve("ipam"), "berth", iptables);
        app = new Yaml(dir).read("""
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec:
                  selector: {app: web}
                  ports: [{port: 80, targetPort: http}]
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: web-1, labels: {app: web}}
                spec:
                  containers: [{name: c, image: busybox, ports: [{name: http, containerPort: 8080}]}]
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: web-2, labels: {app: web}}
                spec:
                  containers: [{name: c, image: busybox, ports: [{name: http, containerPort: 8080}]}]
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: other, labels: {app: db}}
                spec:
                  containers: [{name: c, image: busybox, ports: [{name: http, containerPort: 5432}]}]
                """);
        services.allocate(app.services(), network);
        restores.clear();
    }

    @AfterEach
    void tearDown() {
        state.close();
    }

    PodSpec pod(String name) {
        return app.pod(name).orElseThrow();
    }

    List<Services.Serving> serving(String... pods) {
        List<Services.Serving> list = new ArrayList<>();
        for (int i = 0; i < pods.length; i++) {
            list.add(new Services.Serving(pod(pods[i]), "10.89.7." + (10 + i)));
        }
        return list;
    }

    @Test
    void aServiceGetsAVirtualIpInItsRangeKeptAcrossPlays() {
        String vip = state.services().get(0).ip();
        assertThat(vip).startsWith("10.96.");
        services.allocate(app.services(), network);
        assertThat(state.services()).singleElement().extracting(StateStore.ServiceRecord::ip).isEqualTo(vip);
    }

    @Test
    void theRulesForwardToTheSelectedServingPodsOnTheirNamedPortInOneRestore() {
        services.update(() -> serving("web-1", "web-2", "other"), network);
        assertThat(restores).hasSize(1);
        assertThat(restores.get(0)).contains("10.89.7.10:8080", "10.89.7.11:8080").doesNotContain("10.89.7.12").doesNotContain(":5432");
        assertThat(restores.get(0)).endsWith("COMMIT\n");
        assertThat(services.forwards(state.services(), "web", 80)).isTrue();
    }

    @Test
    void anUpdateThatChangesNothingWritesNothing() {
        services.update(() -> serving("web-1"), network);
        services.update(() -> serving("web-1"), network);
        assertThat(restores).hasSize(1);
    }

    @Test
    void aPodLeavingIsOneRestoreThatRemovesTheOldRulesAndAddsTheNewTogether() {
        services.update(() -> serving("web-1", "web-2"), network);
        services.update(() -> serving("web-2"), network);
        assertThat(restores).hasSize(2);
        String change = restores.get(1);
        assertThat(change).as("old and new in one transaction: never a moment without a rule").contains("-D ").contains("-A ");
    }

    @Test
    void aServiceWithNoServingPodForwardsNowhere() {
        services.update(List::of, network);
        assertThat(services.forwards(state.services(), "web", 80)).isFalse();
        assertThat(services.forwards(state.services(), "not-a-service", 80)).as("not berth's to judge").isTrue();
    }

    @Test
    void removingAServiceRemovesItsRulesAndItsRecord() {
        services.update(() -> serving("web-1"), network);
        services.remove(Set.of("web"));
        assertThat(state.services()).isEmpty();
        assertThat(restores.get(restores.size() - 1)).contains("-D ").doesNotContain("-A ");
    }

    @Test
    void aNumericTargetPortIsUsedAsItIs() {
        PodSpec p = pod("web-1");
        var port = new dev.berth.api.ServiceSpec.Port("", 80, dev.berth.api.PortRef.of(9090), "TCP", 0);
        assertThat(Services.targetPort(p, port)).isEqualTo(9090);
    }
}
