package dev.berth.sys;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LinuxTest {
    /** A rootless berth's uid_map: 0 is the user (1000), 1… its subordinate ids from 100000. */
    static final String USER_MAP = "         0       1000          1\n         1     100000      65536\n";

    @Test
    void anIdInsideAUserNamespaceIsMappedToTheHostsId() {
        assertThat(Linux.hostId(USER_MAP, 0)).isEqualTo(1000);
        assertThat(Linux.hostId(USER_MAP, 1)).isEqualTo(100000);
        assertThat(Linux.hostId(USER_MAP, 33)).isEqualTo(100032);
        assertThat(Linux.hostId(USER_MAP, 65536)).isEqualTo(165535);
        assertThat(Linux.hostId(USER_MAP, 65537)).as("beyond the range: unmapped").isEqualTo(-1);
    }

    @Test
    void theHostsOwnNamespaceMapsEveryIdToItself() {
        String initial = "         0          0 4294967295\n";
        assertThat(Linux.hostId(initial, 0)).isZero();
        assertThat(Linux.hostId(initial, 1000)).isEqualTo(1000);
    }
}
