package dev.berth.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.state.Layout;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pure parts of running without root: subordinate ranges, kernel versions, a user's default paths. */
class RootlessTest {
    @Test
    void aUsersFirstRangeIsFoundByNameOrUid() {
        String subuid = """
                root:100000:65536
                alice:165536:65536
                # a comment and a broken line
                bob:x:10
                1001:231072:1000
                alice:300000:65536
                """;
        assertThat(Rootless.range(subuid, "alice", 1000)).isEqualTo(new Rootless.Range(165536, 65536));
        assertThat(Rootless.range(subuid, "carol", 1001)).isEqualTo(new Rootless.Range(231072, 1000));
        assertThat(Rootless.range(subuid, "bob", 1002)).isNull();
        assertThat(Rootless.range("", "alice", 1000)).isNull();
    }

    @Test
    void kernelReleasesCompareByMajorThenMinor() {
        assertThat(Rootless.kernelAtLeast("6.1.0-28-amd64", 5, 11)).isTrue();
        assertThat(Rootless.kernelAtLeast("5.11.0", 5, 11)).isTrue();
        assertThat(Rootless.kernelAtLeast("5.10.209-1", 5, 11)).isFalse();
        assertThat(Rootless.kernelAtLeast("4.19.0", 5, 11)).isFalse();
        assertThat(Rootless.kernelAtLeast("", 5, 11)).isFalse();
    }

    @Test
    void aUserGetsStorageUnderXdgDirectoriesAndRootTheSystemOnes() {
        assertThat(Layout.defaults(0, Map.of("XDG_DATA_HOME", "/home/a/.data"), "/root"))
                .isEqualTo(new Layout(Path.of("/var/lib/berth"), Path.of("/run/berth")));
        assertThat(Layout.defaults(1000, Map.of("XDG_DATA_HOME", "/home/a/.data", "XDG_RUNTIME_DIR", "/run/user/1000"), "/home/a"))
                .isEqualTo(new Layout(Path.of("/home/a/.data/berth"), Path.of("/run/user/1000/berth")));
        assertThat(Layout.defaults(1000, Map.of("XDG_DATA_HOME", "relative"), "/home/a"))
                .isEqualTo(new Layout(Path.of("/home/a/.local/share/berth"), Path.of("/tmp/berth-1000")));
    }
}
