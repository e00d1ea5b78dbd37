package dev.berth.api;

/**
 * An error berth reports to the user. The message is one or more sentences meant to be read as
 * they are; the kind decides the exit code.
 */
public class BerthException extends RuntimeException {

    /** What went wrong, which decides the exit code (see the CLI's exit code mapper). */
    public enum Kind {
        /** Manifests that do not validate, or a plan that cannot be built (a cycle). */
        INVALID_INPUT,
        /** A named object (pod, container, image) does not exist. */
        NOT_FOUND,
        /** The host lacks something, or a system call or external command failed. */
        HOST,
        /** Anything else berth could not do. */
        FAILED
    }

    private final Kind kind;

    public BerthException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public BerthException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
