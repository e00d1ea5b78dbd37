package dev.berth.api;

/**
 * The workload (Deployment, DaemonSet, Job) a pod was made from, and the pod's index in it.
 *
 * @param parallelism  for a Job: how many of its pods may run at once (else 0)
 * @param backoffLimit for a Job: how many failed runs it allows before it fails (else 0)
 */
public record Owner(String kind, String name, int index, int parallelism, int backoffLimit) {
    public Owner(String kind, String name, int index) {
        this(kind, name, index, 0, 0);
    }
}
