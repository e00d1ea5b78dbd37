package dev.berth.api;

/**
 * How a Deployment replaces its pods when its template changes ({@code spec.strategy},
 * {@code minReadySeconds}, {@code progressDeadlineSeconds}), as Kubernetes defines it.
 *
 * @param type           {@code RollingUpdate} or {@code Recreate}
 * @param maxSurge       pods above the replicas a roll may add: a number or a percentage (rounded up)
 * @param maxUnavailable pods below the replicas a roll may take away: a number or a percentage (rounded down)
 */
public record Rollout(String type, String maxSurge, String maxUnavailable, int minReadySeconds, int progressDeadlineSeconds) {
    public static final Rollout DEFAULT = new Rollout("RollingUpdate", "25%", "25%", 0, 600);

    public boolean recreate() {
        return type.equals("Recreate");
    }

    /** How many pods above {@code replicas} a roll may add. */
    public int surge(int replicas) {
        return scaled(maxSurge, replicas, true);
    }

    /** How many pods below {@code replicas} a roll may take away; at least one when no surge is allowed, as Kubernetes requires. */
    public int unavailable(int replicas) {
        int n = scaled(maxUnavailable, replicas, false);
        return n == 0 && surge(replicas) == 0 ? 1 : n;
    }

    private static int scaled(String value, int replicas, boolean up) {
        if (!value.endsWith("%")) {
            return Integer.parseInt(value);
        }
        long percent = Long.parseLong(value.substring(0, value.length() - 1));
        return (int) (up ? (percent * replicas + 99) / 100 : percent * replicas / 100);
    }

    /** Whether {@code value} is a non-negative number or percentage. */
    public static boolean valid(String value) {
        return value.matches("[0-9]{1,6}%?");
    }
}
