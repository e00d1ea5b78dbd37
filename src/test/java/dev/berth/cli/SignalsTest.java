package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.api.BerthException;
import org.junit.jupiter.api.Test;

class SignalsTest {
    @Test
    void aSignalByNameWithOrWithoutSigOrByNumber() {
        assertThat(ContainerCommands.signal("term")).isEqualTo("TERM");
        assertThat(ContainerCommands.signal("SIGHUP")).isEqualTo("HUP");
        assertThat(ContainerCommands.signal("9")).isEqualTo("9");
        assertThat(ContainerCommands.signal("64")).isEqualTo("64");
    }

    @Test
    void anUnknownSignalIsRefusedWithTheList() {
        for (String bad : new String[] {"FOO", "0", "65", "-1", "SIG"}) {
            assertThatThrownBy(() -> ContainerCommands.signal(bad)).as(bad).isInstanceOf(BerthException.class)
                    .hasMessageContaining("unknown signal").hasMessageContaining("HUP INT QUIT");
        }
    }
}
