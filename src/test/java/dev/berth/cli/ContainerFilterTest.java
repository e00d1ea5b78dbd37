package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.api.BerthException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainerFilterTest {
    static final ContainerFilter.Fields WEB = new ContainerFilter.Fields("4f2a9c0d11aa", "demo-web", "running", "demo", Map.of("app", "demo"),
            "localhost/berth-busybox:latest", "9be3f1c2aa00");
    static final ContainerFilter.Fields SLEEPER = new ContainerFilter.Fields("77c1d2e3f4a5", "sleeper", "exited", null, Map.of(),
            "docker.io/library/redis:7", "0d1e2f3a4b5c");

    static boolean matches(ContainerFilter.Fields c, String... filters) {
        return new ContainerFilter(List.of(filters)).matches(c);
    }

    @Test
    void eachKeyAsPodmanReadsIt() {
        assertThat(matches(WEB, "name=web")).isTrue();
        assertThat(matches(WEB, "name=^web")).isFalse();
        assertThat(matches(WEB, "id=4f2a")).isTrue();
        assertThat(matches(SLEEPER, "status=exited")).isTrue();
        assertThat(matches(WEB, "status=exited")).isFalse();
        assertThat(matches(WEB, "pod=demo")).isTrue();
        assertThat(matches(SLEEPER, "pod=demo")).isFalse();
        assertThat(matches(WEB, "label=app")).isTrue();
        assertThat(matches(WEB, "label=app=demo")).isTrue();
        assertThat(matches(WEB, "label=app=other")).isFalse();
        for (String image : List.of("localhost/berth-busybox:latest", "localhost/berth-busybox", "berth-busybox", "9be3", "sha256:9be3")) {
            assertThat(matches(WEB, "ancestor=" + image)).as(image).isTrue();
        }
        assertThat(matches(SLEEPER, "ancestor=redis:7")).isTrue();
        assertThat(matches(SLEEPER, "ancestor=redis")).isFalse(); // redis means redis:latest
    }

    @Test
    void theSameKeyTwiceMatchesEitherDifferentKeysAll() {
        assertThat(matches(SLEEPER, "status=running", "status=exited")).isTrue();
        assertThat(matches(SLEEPER, "status=exited", "name=web")).isFalse();
        assertThat(matches(WEB)).isTrue();
    }

    @Test
    void anUnknownKeyOrABadExpressionIsRefusedWithTheKeys() {
        assertThatThrownBy(() -> new ContainerFilter(List.of("colour=red"))).isInstanceOf(BerthException.class)
                .hasMessageContaining("name, id, status, pod, label, ancestor");
        assertThatThrownBy(() -> new ContainerFilter(List.of("status"))).isInstanceOf(BerthException.class);
        assertThatThrownBy(() -> new ContainerFilter(List.of("name=[a"))).isInstanceOf(BerthException.class)
                .hasMessageContaining("not a regular expression");
    }
}
