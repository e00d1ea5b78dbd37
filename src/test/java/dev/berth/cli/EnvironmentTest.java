package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.api.BerthException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvironmentTest {
    @TempDir
    Path dir;

    @Test
    void filesThenFlagsAndANameAlonePassesTheHostsValue() throws Exception {
        Path file = Files.writeString(dir.resolve("app.env"), "# settings\nA=1\n\n  B=two words  \nFROM_HOST\nNOT_SET\n");
        assertThat(ContainerCommands.environment(List.of(file), List.of("C=3", "ALSO_FROM_HOST", "A=override"),
                Map.of("FROM_HOST", "h", "ALSO_FROM_HOST", "h2")))
                .containsExactly("A=1", "B=two words", "FROM_HOST=h", "C=3", "ALSO_FROM_HOST=h2", "A=override");
    }

    @Test
    void aMissingFileIsNamed() {
        assertThatThrownBy(() -> ContainerCommands.environment(List.of(dir.resolve("none.env")), List.of(), Map.of()))
                .isInstanceOf(BerthException.class).hasMessageContaining("--env-file").hasMessageContaining("none.env");
    }
}
