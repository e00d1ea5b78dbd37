package dev.berth.kubeapi;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A CronJob's schedule as Kubernetes reads it (the standard five fields: minute, hour, day of
 * month, month, day of week; lists, ranges, steps, {@code *} and {@code ?}, month and day names,
 * and {@code @hourly}, {@code @daily}…; day of month and day of week either matching when both are
 * restricted), in a time zone. Pure.
 */
final class CronSchedule {
    private static final Map<String, String> MACROS = Map.of("@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *", "@monthly", "0 0 1 * *",
            "@weekly", "0 0 * * 0", "@daily", "0 0 * * *", "@midnight", "0 0 * * *", "@hourly", "0 * * * *");
    private static final List<String> MONTHS = List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec");
    private static final List<String> DAYS = List.of("sun", "mon", "tue", "wed", "thu", "fri", "sat");

    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet days;
    private final BitSet months;
    private final BitSet weekdays;
    private final boolean anyDay;
    private final boolean anyWeekday;

    private CronSchedule(String[] f) {
        minutes = field(f[0], 0, 59, List.of(), "minute");
        hours = field(f[1], 0, 23, List.of(), "hour");
        days = field(f[2], 1, 31, List.of(), "day of month");
        months = field(f[3], 1, 12, MONTHS, "month");
        weekdays = field(f[4].replace("7", "0"), 0, 6, DAYS, "day of week");
        anyDay = f[2].equals("*") || f[2].equals("?");
        anyWeekday = f[4].equals("*") || f[4].equals("?");
    }

    /** Reads a schedule; an invalid one is an {@link IllegalArgumentException} saying which field. */
    static CronSchedule parse(String schedule) {
        String s = schedule.strip();
        if (s.startsWith("TZ=") || s.startsWith("CRON_TZ=")) {
            throw new IllegalArgumentException("TZ and CRON_TZ are not allowed in the schedule: use spec.timeZone");
        }
        s = MACROS.getOrDefault(s.toLowerCase(Locale.ROOT), s);
        String[] fields = s.split("\\s+");
        if (fields.length != 5) {
            throw new IllegalArgumentException("expected exactly 5 fields, found " + fields.length + ": " + schedule);
        }
        return new CronSchedule(fields);
    }

    private static BitSet field(String text, int min, int max, List<String> names, String what) {
        BitSet set = new BitSet(max + 1);
        for (String part : text.toLowerCase(Locale.ROOT).split(",")) {
            int step = 1;
            String range = part;
            int slash = part.indexOf('/');
            if (slash >= 0) {
                step = number(part.substring(slash + 1), 1, max, names, what);
                range = part.substring(0, slash);
            }
            int from;
            int to;
            if (range.equals("*") || range.equals("?")) {
                from = min;
                to = max;
            } else if (range.contains("-")) {
                from = number(range.substring(0, range.indexOf('-')), min, max, names, what);
                to = number(range.substring(range.indexOf('-') + 1), min, max, names, what);
            } else {
                from = number(range, min, max, names, what);
                to = slash >= 0 ? max : from;
            }
            if (from > to) {
                throw new IllegalArgumentException(what + ": " + part + ": the start of a range is after its end");
            }
            for (int v = from; v <= to; v += step) {
                set.set(v);
            }
        }
        return set;
    }

    private static int number(String word, int min, int max, List<String> names, String what) {
        int i = names.indexOf(word);
        if (i >= 0) {
            return i + min;
        }
        try {
            int v = Integer.parseInt(word);
            if (v < min || v > max) {
                throw new IllegalArgumentException(what + ": " + v + " is outside " + min + "-" + max);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + ": \"" + word + "\" is not a number" + (names.isEmpty() ? "" : " or a name"));
        }
    }

    /** The first time after {@code after} (to the minute) that the schedule names, in {@code zone}. */
    Instant next(Instant after, ZoneId zone) {
        ZonedDateTime t = after.atZone(zone).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        ZonedDateTime limit = t.plusYears(5);
        while (t.isBefore(limit)) {
            if (!months.get(t.getMonthValue())) {
                t = t.plusMonths(1).withDayOfMonth(1).withHour(0).withMinute(0);
            } else if (!dayMatches(t)) {
                t = t.plusDays(1).withHour(0).withMinute(0);
            } else if (!hours.get(t.getHour())) {
                t = t.plusHours(1).withMinute(0);
            } else if (!minutes.get(t.getMinute())) {
                t = t.plusMinutes(1);
            } else {
                return t.toInstant();
            }
        }
        return null; // never (Feb 30th)
    }

    /** The last time at or before {@code now} and after {@code since} that the schedule names, or null. */
    Instant lastBetween(Instant since, Instant now, ZoneId zone) {
        Instant last = null;
        for (Instant t = next(since, zone); t != null && !t.isAfter(now); t = next(t, zone)) {
            last = t;
        }
        return last;
    }

    private boolean dayMatches(ZonedDateTime t) {
        boolean day = days.get(t.getDayOfMonth());
        boolean weekday = weekdays.get(t.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : t.getDayOfWeek().getValue());
        if (anyDay || anyWeekday) {
            return day && weekday;
        }
        return day || weekday; // both restricted: either, as cron has it
    }
}
