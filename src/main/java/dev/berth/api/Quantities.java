package dev.berth.api;

import java.math.BigDecimal;
import java.util.Map;

/** Kubernetes resource quantities: {@code 128Mi}, {@code 1G}, {@code 500m}, {@code 0.5}. */
public final class Quantities {
    private static final Map<String, BigDecimal> SUFFIXES = Map.ofEntries(
            Map.entry("Ki", BigDecimal.valueOf(1L << 10)), Map.entry("Mi", BigDecimal.valueOf(1L << 20)),
            Map.entry("Gi", BigDecimal.valueOf(1L << 30)), Map.entry("Ti", BigDecimal.valueOf(1L << 40)),
            Map.entry("Pi", BigDecimal.valueOf(1L << 50)), Map.entry("Ei", BigDecimal.valueOf(1L << 60)),
            Map.entry("P", new BigDecimal("1e15")), Map.entry("E", new BigDecimal("1e18")),
            Map.entry("n", new BigDecimal("1e-9")), Map.entry("u", new BigDecimal("1e-6")),
            Map.entry("k", BigDecimal.valueOf(1000L)), Map.entry("M", BigDecimal.valueOf(1000_000L)),
            Map.entry("G", BigDecimal.valueOf(1000_000_000L)), Map.entry("T", BigDecimal.valueOf(1000_000_000_000L)),
            Map.entry("m", new BigDecimal("0.001")));

    private Quantities() {}

    /** The quantity as a number (bytes for memory, cores for CPU). */
    public static BigDecimal parse(String quantity) {
        String q = quantity.strip();
        for (String suffix : new String[] {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "k", "M", "G", "T", "P", "E", "n", "u", "m"}) {
            if (q.endsWith(suffix)) {
                return new BigDecimal(q.substring(0, q.length() - suffix.length())).multiply(SUFFIXES.get(suffix));
            }
        }
        return new BigDecimal(q);
    }

    /** The quantity as a whole number, rounded up (bytes for a tmpfs size). */
    public static long ceilLong(String quantity) {
        return parse(quantity).setScale(0, java.math.RoundingMode.CEILING).longValueExact();
    }
}
