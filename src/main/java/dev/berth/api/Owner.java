package dev.berth.api;

/**
 * The workload (Deployment, DaemonSet, Job) a pod was made from, and the pod's index in it.
 *
 * @param parallelism  for a Job: how many of its pods may run at once (else 0)
 * @param backoffLimit for a Job: how many failed runs it allows before it fails (else 0)
 * @param activeDeadlineSeconds for a Job: how long it may run from its first start before it fails (0: no limit)
 * @param rollout for a Deployment: how a changed template replaces its pods (else null)
 * @param podManagementPolicy for a StatefulSet whose pods start together: {@code Parallel} (else null: OrderedReady)
 */
public record Owner(String kind, String name, int index, int parallelism, int backoffLimit, int activeDeadlineSeconds, Rollout rollout,
        String podManagementPolicy) {
    public Owner(String kind, String name, int index) {
        this(kind, name, index, 0, 0, 0, null, null);
    }

    public boolean isJob() {
        return kind.equals("Job");
    }

    /** The same owner for another replica. */
    public Owner withIndex(int newIndex) {
        return new Owner(kind, name, newIndex, parallelism, backoffLimit, activeDeadlineSeconds, rollout, podManagementPolicy);
    }
}
