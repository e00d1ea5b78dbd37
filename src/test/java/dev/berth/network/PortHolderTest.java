package dev.berth.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** Naming the process that holds a hostPort, from /proc as ss does. */
class PortHolderTest {
    @Test
    void onlyListeningSocketsOfThePortCount() {
        String table = """
                  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
                   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0
                   1: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 4343 1 0000000000000000 20 4 30 10 -1
                   2: 00000000:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4444 1 0000000000000000 100 0 0 10 0
                """;
        assertThat(PortHolder.listening(table, 8080)).containsExactly("4242");
        assertThat(PortHolder.listening(table, 8081)).containsExactly("4444");
        assertThat(PortHolder.listening(table, 8082)).isEmpty();
    }

    @Test
    void aPortThisProcessListensOnNamesThisProcess() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThat(PortHolder.of(s.getLocalPort())).isEqualTo("java (pid " + ProcessHandle.current().pid() + ")");
        }
        assertThat(PortHolder.of(1)).isNull();
    }
}
