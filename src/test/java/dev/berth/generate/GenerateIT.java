package dev.berth.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.Json;
import dev.berth.api.Manifests;
import dev.berth.testing.BerthRoot;
import dev.berth.testing.BerthRoot.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The round-trip law through real pods: normalise(generate(play(x))) == normalise(x), and playing the output changes nothing. */
class GenerateIT {
    BerthRoot b;

    @BeforeEach
    void setUp() {
        b = new BerthRoot().withSampleImage();
    }

    @AfterEach
    void tearDown() {
        b.close(); // removes every pod and container, and whatever a berth that no longer works left behind
    }

    @ParameterizedTest
    @ValueSource(strings = {"demo.yaml", "init-chain.yaml", "sidecar.yaml", "service-link.yaml", "deployment-configmap.yaml",
            "config-and-volumes.yaml", "security-and-resources.yaml"})
    void generatedYamlIsWhatWasPlayedAndReplaysUnchanged(String name) throws Exception {
        String manifest = Path.of("manifests", name).toAbsolutePath().toString();
        b.berth("kube", "play", "-q", manifest);
        List<String> pods = ((List<?>) Json.parse(b.berth("pod", "ps", "--format", "json").ok().out())).stream()
                .map(p -> (String) ((Map<?, ?>) p).get("Name")).toList();
        String[] args = new String[pods.size() + 2];
        args[0] = "kube";
        args[1] = "generate";
        for (int i = 0; i < pods.size(); i++) {
            args[i + 2] = pods.get(i);
        }
        String yaml = b.berth(args).ok().out();
        Manifests original = RoundTripTest.read(Files.readString(Path.of(manifest)));
        assertThat(RoundTripTest.canonical(RoundTripTest.read(yaml).pods())).as(yaml).isEqualTo(RoundTripTest.canonical(original.pods()));
        assertThat(b.berth(args).ok().out()).isEqualTo(yaml);
        Path generated = Files.writeString(b.dir.resolve("generated.yaml"), yaml);
        Run replay = b.berth("kube", "play", "--allow-missing-refs", generated.toString());
        for (String pod : pods) {
            assertThat(replay.out()).contains("pod " + pod + ": unchanged");
        }
        b.berth("kube", "down", "--volumes", "--timeout", "1", manifest).ok();
    }

    @Test
    void aStandaloneContainerComesBackAsAOneContainerPodAndFilesAreNotOverwritten() throws Exception {
        b.berth("run", "-d", "--name", "solo", "-e", "MODE=demo", "-w", "/tmp", BerthRoot.IMAGE, "sleep", "1000").ok();
        String yaml = b.berth("kube", "generate", "solo").ok().out();
        assertThat(yaml).contains("kind: Pod").contains("name: solo").contains("- sleep\n").contains("name: MODE")
                .contains("workingDir: /tmp").doesNotContain("PATH");
        Path out = b.dir.resolve("solo.yaml");
        b.berth("kube", "generate", "-f", out.toString(), "solo").ok();
        assertThat(out).hasContent(yaml.strip());
        Run refused = b.berth("kube", "generate", "-f", out.toString(), "solo");
        assertThat(refused.code()).isEqualTo(125);
        assertThat(refused.err()).contains("exists; use --force to overwrite it");
        b.berth("kube", "generate", "--force", "-f", out.toString(), "solo").ok();
    }
}
