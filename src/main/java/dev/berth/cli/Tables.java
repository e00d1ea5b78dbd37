package dev.berth.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Column-aligned text tables and the human durations podman prints. */
final class Tables {
    private Tables() {}

    static String render(List<String> header, List<List<String>> cells) {
        List<List<String>> rows = cells.stream().map(r -> r.stream().map(Tables::oneLine).toList()).toList();
        int[] width = new int[header.size()];
        for (int i = 0; i < header.size(); i++) {
            width[i] = header.get(i).length();
            for (List<String> r : rows) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        StringBuilder s = new StringBuilder();
        line(s, header, width);
        rows.forEach(r -> line(s, r, width));
        return s.toString();
    }

    private static void line(StringBuilder s, List<String> cells, int[] width) {
        StringBuilder l = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            l.append(String.format("%-" + (width[i] + 2) + "s", cells.get(i)));
        }
        s.append(l.toString().stripTrailing()).append('\n');
    }

    /** A cell on one line, as podman prints it: newlines, tabs and other control characters become spaces. */
    static String oneLine(String cell) {
        return cell == null ? "" : cell.replaceAll("\\p{Cntrl}", " ");
    }

    /** {@code 5 seconds}, {@code 3 minutes}, {@code 2 hours}, {@code 4 days}. */
    static String ago(Instant then) {
        if (then == null) {
            return "";
        }
        long s = Math.max(0, Duration.between(then, Instant.now()).getSeconds());
        if (s == 0) {
            return "Less than a second"; // as podman says it
        }
        if (s < 60) {
            return s + (s == 1 ? " second" : " seconds");
        }
        if (s < 3600) {
            return s / 60 + (s / 60 == 1 ? " minute" : " minutes");
        }
        if (s < 86400) {
            return s / 3600 + (s / 3600 == 1 ? " hour" : " hours");
        }
        return s / 86400 + (s / 86400 == 1 ? " day" : " days");
    }

    /** A size as podman shows it: three significant digits, in B, kB, MB or GB ({@code 703 kB}, {@code 2.1 MB}). */
    static String size(long bytes) {
        String[] units = {"B", "kB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = 0;
        while (value >= 999.5 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        java.math.BigDecimal rounded = new java.math.BigDecimal(value).round(new java.math.MathContext(3)).stripTrailingZeros();
        return rounded.toPlainString() + " " + units[unit];
    }
}
