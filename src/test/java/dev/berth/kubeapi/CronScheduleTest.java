package dev.berth.kubeapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** CronJob schedules as Kubernetes reads them. */
class CronScheduleTest {
    static final ZoneId UTC = ZoneOffset.UTC;

    static Instant next(String schedule, String after) {
        return CronSchedule.parse(schedule).next(Instant.parse(after), UTC);
    }

    @Test
    void fieldsListsRangesStepsAndNames() {
        assertThat(next("* * * * *", "2026-12-08T10:00:30Z")).isEqualTo("2026-12-08T10:01:00Z");
        assertThat(next("*/15 * * * *", "2026-12-08T10:01:00Z")).isEqualTo("2026-12-08T10:15:00Z");
        assertThat(next("5,35 9-17 * * mon-fri", "2026-12-11T17:40:00Z")).as("Friday evening → Monday 9:05").isEqualTo("2026-12-14T09:05:00Z");
        assertThat(next("0 0 1 jan *", "2026-12-08T00:00:00Z")).isEqualTo("2027-01-01T00:00:00Z");
        assertThat(next("@hourly", "2026-12-08T10:59:59Z")).isEqualTo("2026-12-08T11:00:00Z");
        assertThat(next("@daily", "2026-12-08T10:00:00Z")).isEqualTo("2026-12-09T00:00:00Z");
        assertThat(next("0 12 * * 7", "2026-12-08T00:00:00Z")).as("7 is Sunday").isEqualTo("2026-12-13T12:00:00Z");
        assertThat(next("0 0 13 * fri", "2026-12-08T00:00:00Z")).as("both restricted: either matches").isEqualTo("2026-12-11T00:00:00Z");
        assertThat(next("0 0 30 2 *", "2026-12-08T00:00:00Z")).as("never").isNull();
    }

    @Test
    void inATimeZone() {
        assertThat(CronSchedule.parse("0 9 * * *").next(Instant.parse("2026-12-08T00:00:00Z"), ZoneId.of("Europe/Berlin")))
                .isEqualTo("2026-12-08T08:00:00Z");
    }

    @Test
    void theLatestMissedTimeOnly() {
        assertThat(CronSchedule.parse("*/10 * * * *").lastBetween(Instant.parse("2026-12-08T10:00:00Z"), Instant.parse("2026-12-08T10:35:00Z"), UTC))
                .isEqualTo("2026-12-08T10:30:00Z");
        assertThat(CronSchedule.parse("0 * * * *").lastBetween(Instant.parse("2026-12-08T10:00:00Z"), Instant.parse("2026-12-08T10:35:00Z"), UTC))
                .isNull();
    }

    @Test
    void badSchedulesSayWhichField() {
        assertThatThrownBy(() -> CronSchedule.parse("61 * * * *")).hasMessageContaining("minute: 61 is outside 0-59");
        assertThatThrownBy(() -> CronSchedule.parse("* * * *")).hasMessageContaining("expected exactly 5 fields");
        assertThatThrownBy(() -> CronSchedule.parse("* * * foo *")).hasMessageContaining("month: \"foo\"");
        assertThatThrownBy(() -> CronSchedule.parse("CRON_TZ=UTC * * * * *")).hasMessageContaining("spec.timeZone");
    }
}
