package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The input of an attached container: what is sent, and the detach keys. */
class AttachedTest {
    static final byte[] CTRL_P_Q = {0x10, 0x11};

    /** Feeds the chunks as separate reads; returns what was sent, then "|end" or "|detached". */
    static String copy(byte[] keys, String... chunks) {
        List<byte[]> reads = new ArrayList<>();
        for (String c : chunks) {
            reads.add(c.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        }
        InputStream in = new InputStream() {
            int next;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b) {
                if (next == reads.size()) {
                    return -1;
                }
                byte[] r = reads.get(next++);
                System.arraycopy(r, 0, b, 0, r.length);
                return r.length;
            }
        };
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        StringBuilder how = new StringBuilder();
        boolean detached = Attached.copyInput(in, keys, (b, n) -> {
            sent.write(b, 0, n);
            return true;
        }, () -> how.append("|end"), () -> how.append("|detached"));
        assertThat(detached).isEqualTo(how.toString().equals("|detached"));
        return sent.toString(java.nio.charset.StandardCharsets.ISO_8859_1) + how;
    }

    @Test
    void inputIsSentAndItsEndClosesTheContainersStdin() {
        assertThat(copy(CTRL_P_Q, "echo hi\n", "exit\n")).isEqualTo("echo hi\nexit\n|end");
    }

    @Test
    void theDetachKeysInARowDetachEvenAcrossReadsAndAreNotSent() {
        assertThat(copy(CTRL_P_Q, "ls\u0010\u0011", "never read")).isEqualTo("ls|detached");
        assertThat(copy(CTRL_P_Q, "ls\u0010", "\u0011")).isEqualTo("ls|detached");
    }

    @Test
    void aFirstKeyNotFollowedByTheSecondIsSentAfterAll() {
        assertThat(copy(CTRL_P_Q, "a\u0010", "b")).isEqualTo("a\u0010b|end");
        assertThat(copy(CTRL_P_Q, "\u0010\u0010\u0011")).isEqualTo("\u0010|detached");
        assertThat(copy(new byte[0], "\u0010\u0011")).isEqualTo("\u0010\u0011|end");
    }
}
