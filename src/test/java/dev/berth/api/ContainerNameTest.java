package dev.berth.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ContainerNameTest {
    @Test
    void aPodsContainerIsJoinedAndCutInOnePlace() {
        ContainerName n = new ContainerName("web-0", "httpd");
        assertThat(n.full()).isEqualTo("web-0-httpd");
        assertThat(ContainerName.own("web-0", n.full())).isEqualTo("httpd");
        assertThat(ContainerName.own("web-0", "sleeper")).as("not one of the pod's").isEqualTo("sleeper");
        assertThat(ContainerName.own(null, "sleeper")).isEqualTo("sleeper");
        assertThatThrownBy(() -> new ContainerName("web-0", "")).isInstanceOf(IllegalArgumentException.class);
    }
}
