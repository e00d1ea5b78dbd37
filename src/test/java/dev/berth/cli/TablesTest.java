package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TablesTest {
    @Test
    void sizesHaveThreeSignificantDigitsAsPodmansDo() {
        assertThat(Tables.size(0)).isEqualTo("0 B");
        assertThat(Tables.size(999)).isEqualTo("999 B");
        assertThat(Tables.size(1500)).isEqualTo("1.5 kB");
        assertThat(Tables.size(703_000)).isEqualTo("703 kB");
        assertThat(Tables.size(2_123_456)).isEqualTo("2.12 MB");
        assertThat(Tables.size(2_100_000)).isEqualTo("2.1 MB");
        assertThat(Tables.size(999_999)).isEqualTo("1 MB");
        assertThat(Tables.size(12_345_678_901L)).isEqualTo("12.3 GB");
    }

    @Test
    void lessThanASecondIsSaidAsPodmanSaysIt() {
        assertThat(Tables.ago(Instant.now())).isEqualTo("Less than a second");
        assertThat(Tables.ago(Instant.now().minusSeconds(5))).isEqualTo("5 seconds");
    }

    @Test
    void aCellWithNewlinesStaysOnItsRow() {
        String table = Tables.render(java.util.List.of("COMMAND", "NAMES"), java.util.List.of(java.util.List.of("sh -c echo a\necho\tb\r\n", "multi")));
        assertThat(table.lines()).hasSize(2);
        assertThat(table.lines().toList().get(1)).matches("sh -c echo a echo b +multi");
    }
}
