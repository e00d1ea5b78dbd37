package dev.berth.reconcile;

import java.time.Duration;

/**
 * @param timeout     how long a container may take to become ready, and a node may wait, before play gives up on it
 * @param replace     replace pods even when their spec is unchanged
 * @param parallelism how many sandboxes and containers are created at once
 * @param publish     {@code [ip:]hostPort:containerPort} ports to publish for the pods declaring the containerPort
 * @param logs        how much of each container's log is kept, for pods without log annotations of their own
 * @param backoffMax  the cap of the crash-loop back-off (Kubernetes': 60 s)
 * @param registries  where images are pulled from, and with which credentials
 * @param byHand      a user's {@code kube play}, not a reconcile's: it plays anew a pod (not a Job's)
 *                    whose container failed for good (a reconcile keeps it, as Kubernetes keeps a
 *                    failed pod), removes the pods of its workloads beyond their replicas now (as
 *                    {@code kubectl apply} scales them down), and refuses pods a reconcile owns
 * @param adopt       with {@code byHand}: take pods a reconcile owns from it instead of refusing
 * @param infra       give every pod play creates an infra container (see {@link dev.berth.engine.Sandbox.Kind})
 */
public record PlayOptions(Duration timeout, boolean replace, int parallelism, java.util.List<String> publish, dev.berth.api.LogLimits logs,
        Duration backoffMax, dev.berth.image.Registries registries, boolean byHand, boolean adopt,
        boolean infra) {}
