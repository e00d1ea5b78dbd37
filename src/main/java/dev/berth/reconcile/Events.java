package dev.berth.reconcile;

import dev.berth.state.StateStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What happens to pods and containers, recorded in the state for {@code berth events} (as podman
 * events and {@code kubectl get events} show them): created, started, ready, unready, died (exit
 * code), restarting (the back-off), liveness-failed, startup-failed, deadline-exceeded, killed, hook-failed,
 * completed, failed, removed. A writer thread stores them in batches (one transaction every
 * 200 ms at most), so a play of many pods pays no write per event and no caller waits on SQLite.
 */
public final class Events implements AutoCloseable {
    private static final StateStore.Event STOP = new StateStore.Event(0, Instant.EPOCH, "", null, "", "");

    private final StateStore state;
    private final LinkedBlockingQueue<StateStore.Event> queue = new LinkedBlockingQueue<>();
    private final Thread writer;

    public Events(StateStore state) {
        this.state = state;
        this.writer = new Thread(this::write, "events");
        writer.setDaemon(true);
        writer.start();
    }

    /** Records an event of a pod ({@code container} null), of one of its containers, or of a container of no pod ({@code pod} null). */
    public void record(String pod, String container, String type, String message) {
        String object = container == null ? "Pod/" + pod : pod == null ? "Container/" + container : "Container/" + pod + "/" + container;
        queue.add(new StateStore.Event(0, Instant.now(), object, pod, type, message == null ? "" : message));
    }

    /** The event a play's or a down's progress line stands for, if any: {@code Pod/P} and {@code Container/P/C} nodes only. */
    public Consumer<PlayEvent> fromPlay() {
        return e -> {
            String[] parts = e.node().split("/");
            if (parts.length < 2 || !(parts[0].equals("Pod") || parts[0].equals("Container"))) {
                return;
            }
            String container = parts[0].equals("Container") && parts.length == 3 ? parts[2] : null;
            String type = switch (e.state()) {
                case "ready" -> container == null ? "created" : "ready";
                case "running" -> "started";
                case "exited" -> "died";
                case "restarting", "completed", "failed", "removed", "hook-failed" -> e.state();
                case "killing" -> "killed";
                default -> null;
            };
            if (type == null) {
                return;
            }
            if (type.equals("killed")) {
                record(parts[1], container, failedProbe(e.detail()), e.detail());
            }
            record(parts[1], container, type, e.detail());
        };
    }

    /** What led to a kill: {@code liveness-failed}, {@code startup-failed} or {@code deadline-exceeded} (a Job's). */
    static String failedProbe(String why) {
        return why.startsWith("livenessProbe") ? "liveness-failed" : why.startsWith("startupProbe") ? "startup-failed" : "deadline-exceeded";
    }

    private void write() {
        List<StateStore.Event> batch = new ArrayList<>();
        try {
            while (true) {
                StateStore.Event first = queue.take();
                batch.add(first);
                TimeUnit.MILLISECONDS.sleep(first == STOP ? 0 : 200); // let a burst gather
                queue.drainTo(batch);
                boolean stop = batch.remove(STOP);
                try {
                    state.addEvents(batch);
                } catch (RuntimeException e) {
                    // events are a record of what happened, never a reason for it to fail
                }
                batch.clear();
                if (stop) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stores what is pending and stops the writer. */
    @Override
    public void close() {
        queue.add(STOP);
        try {
            writer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
