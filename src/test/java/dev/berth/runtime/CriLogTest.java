package dev.berth.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CriLogTest {
    @TempDir
    Path dir;

    @Test
    void joinsPartialChunksPerStreamAndReadsOnlyWhatIsNew() throws Exception {
        Path f = dir.resolve("ctr.log");
        Files.writeString(f, "2026-11-29T06:06:50.277691712+00:00 stdout P hello \n"
                + "2026-11-29T06:06:50.277691713+00:00 stderr F oops\n"
                + "2026-11-29T06:06:50.277691714+00:00 stdout F world\n"
                + "2026-11-29T06:06:50.277691715+00:00 stdout F \n"
                + "2026-11-29T06:06:50.2776917");
        CriLog log = new CriLog(f);
        assertThat(log.readNew()).containsExactly(
                new CriLog.Line("2026-11-29T06:06:50.277691713+00:00", true, "oops"),
                new CriLog.Line("2026-11-29T06:06:50.277691714+00:00", false, "hello world"),
                new CriLog.Line("2026-11-29T06:06:50.277691715+00:00", false, ""));
        Files.writeString(f, "16+00:00 stdout F last\n", StandardOpenOption.APPEND);
        assertThat(log.readNew()).containsExactly(new CriLog.Line("2026-11-29T06:06:50.277691716+00:00", false, "last"));
        assertThat(log.readNew()).isEmpty();
    }
}
