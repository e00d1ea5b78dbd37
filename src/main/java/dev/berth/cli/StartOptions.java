package dev.berth.cli;

import picocli.CommandLine.Option;

/** How pods are started, shared by {@code kube play} and {@code reconcile}. */
final class StartOptions {
    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120",
            description = "How long a container may take to become ready, or a container may wait (default 120).")
    int timeout;

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "6", description = "Sandboxes and containers created at once (default 6).")
    int parallel;

    @Option(names = "--no-infer", description = "Do not infer dependencies from localhost:PORT and SERVICE:PORT mentions.")
    boolean noInfer;

    /** Refuses values that would make a play wait for nothing or start nothing. */
    void check() {
        if (timeout < 1 || parallel < 1) {
            throw new dev.berth.api.BerthException(dev.berth.api.BerthException.Kind.INVALID_INPUT,
                    "--timeout and --parallel must be at least 1 (got " + timeout + " and " + parallel + ")");
        }
    }
}
