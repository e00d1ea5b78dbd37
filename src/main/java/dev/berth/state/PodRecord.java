package dev.berth.state;

import java.time.Instant;

/**
 * A pod berth created from a manifest.
 *
 * @param specHash the hash of the desired spec it was created from, to tell unchanged pods from changed ones
 * @param spec     the desired spec as canonical JSON
 * @param infraId  the infra container holding its namespaces (null until created)
 * @param netns    the network namespace file, or null for {@code hostNetwork}
 */
public record PodRecord(String name, String namespace, String specHash, String spec, String infraId, String netns,
        Status status, Instant created) {

    /** How far berth got: a pod still CREATING after berth died is cleaned by {@code kube down} like any other. */
    /** REMOVING from the first step of a removal: a removal cut short leaves the pod shown as Terminating. */
    /** STOPPED: {@code pod stop} stopped its containers, which stay (the supervisor leaves them be) until {@code pod start}. */
    public enum Status { CREATING, RUNNING, STOPPED, REMOVING }
}
