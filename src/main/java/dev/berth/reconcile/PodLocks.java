package dev.berth.reconcile;

import dev.berth.api.Manifests;
import dev.berth.api.PodSpec;
import dev.berth.engine.Berth;
import dev.berth.state.Locks;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The locks of every pod of some manifests, taken in name order (so two commands over
 * overlapping sets of pods cannot deadlock) and held while a play or a down changes them:
 * the same file played twice at once runs one play after the other, while plays of files that
 * share no pod go on side by side.
 */
final class PodLocks implements AutoCloseable {
    private final List<Locks.Held> held;

    private PodLocks(List<Locks.Held> held) {
        this.held = held;
    }

    static PodLocks take(Berth berth, Manifests manifests, Consumer<PlayEvent> events) {
        return take(berth, manifests.pods().stream().map(PodSpec::name).toList(), events);
    }

    static PodLocks take(Berth berth, List<String> pods, Consumer<PlayEvent> events) {
        List<Locks.Held> held = new ArrayList<>();
        try {
            for (String pod : pods.stream().sorted().distinct().toList()) {
                held.add(berth.locks().pod(pod, who -> events.accept(new PlayEvent(Instant.now(), "Pod/" + pod, "waiting",
                        "for another berth command that is changing this pod (" + who + ") to finish"))));
            }
        } catch (RuntimeException e) {
            new PodLocks(held).close();
            throw e;
        }
        return new PodLocks(held);
    }

    @Override
    public void close() {
        for (int i = held.size() - 1; i >= 0; i--) {
            held.get(i).close();
        }
    }
}
