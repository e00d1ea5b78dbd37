package dev.berth.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure rules of container creation. */
class ContainerEngineTest {
    static final List<String> ENTRYPOINT = List.of("/entry");
    static final List<String> CMD = List.of("serve", "--port", "80");

    @Test
    void commandAndArgsFollowKubernetes() {
        assertThat(ContainerEngine.processArgs(ENTRYPOINT, CMD, null, null)).containsExactly("/entry", "serve", "--port", "80");
        assertThat(ContainerEngine.processArgs(ENTRYPOINT, CMD, null, List.of("x"))).containsExactly("/entry", "x");
        assertThat(ContainerEngine.processArgs(ENTRYPOINT, CMD, List.of("sh"), null)).containsExactly("sh");
        assertThat(ContainerEngine.processArgs(ENTRYPOINT, CMD, List.of("sh"), List.of("-c", "true"))).containsExactly("sh", "-c", "true");
        assertThat(ContainerEngine.processArgs(List.of(), List.of(), null, null)).isEmpty();
    }

    @Test
    void givenEnvironmentOverridesTheImagesAndDefaultsAreAdded() {
        assertThat(ContainerEngine.environment(List.of("PATH=/bin", "A=1"), List.of("A=2", "B=x=y"), "h", "/home/app"))
                .containsExactly("PATH=/bin", "A=2", "B=x=y", "HOSTNAME=h", "HOME=/home/app");
    }
}
