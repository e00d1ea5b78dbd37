package dev.berth.reconcile;

import java.time.Instant;

/**
 * Something that happened to a node of the plan during {@code kube play} or {@code kube down}.
 *
 * @param node   the plan node's ID ({@code Pod/web}, {@code Container/web/client})
 * @param state  what it is now: waiting, creating, starting, running, started, ready, completed,
 *               exited, restarting, failed, blocked, unchanged, replacing, stopping, removed, absent
 * @param detail what it waits for, what the probe saw, why it failed
 */
public record PlayEvent(Instant at, String node, String state, String detail) {}
