package dev.berth.engine;

import dev.berth.runtime.OciRuntime;
import java.util.Locale;

/**
 * A container's state as berth sees it: its record checked against conmon's exit file and the
 * runtime. Shown in podman's words ({@link #word}: {@code running}, {@code exited}, …).
 */
public enum ContainerState {
    /** Its record is written and its bundle being made (or a crash left it so). */
    CREATING,
    /** Created by the runtime, its process waiting for {@code start}. */
    CREATED,
    RUNNING,
    PAUSED,
    /** The runtime says its process is gone, and conmon wrote no exit code. */
    STOPPED,
    /** conmon wrote its exit code. */
    EXITED,
    /** Being removed (or a crash left it so: {@code rm -f} finishes it). */
    REMOVING,
    /** The runtime has no such container, and no exit was recorded. */
    UNKNOWN;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    static ContainerState of(OciRuntime.Status status) {
        return switch (status) {
            case CREATING -> CREATING;
            case CREATED -> CREATED;
            case RUNNING -> RUNNING;
            case PAUSED -> PAUSED;
            case STOPPED -> STOPPED;
        };
    }
}
