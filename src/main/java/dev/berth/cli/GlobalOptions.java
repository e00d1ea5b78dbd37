package dev.berth.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** Options every command takes (DESIGN.md, "Commands"). */
final class GlobalOptions {
    enum Format { text, json }

    enum LogLevel { error, warn, info, debug }

    @Option(names = "--root", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "Where images, volumes and state live (default: /var/lib/berth as root, else $XDG_DATA_HOME/berth or ~/.local/share/berth).")
    String root;

    @Option(names = "--runroot", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "Where runtime files live: bundles, logs, netns files (default: /run/berth as root, else $XDG_RUNTIME_DIR/berth or /tmp/berth-UID).")
    String runroot;

    @Option(names = "--runtime", scope = ScopeType.INHERIT, paramLabel = "runc|crun",
            description = "OCI runtime to use (default: the first that works on this host).")
    String runtime;

    @Option(names = "--log-level", scope = ScopeType.INHERIT, paramLabel = "LEVEL", defaultValue = "warn",
            description = "error, warn, info or debug (debug also prints stack traces).")
    LogLevel logLevel = LogLevel.warn;

    @Option(names = "--format", scope = ScopeType.INHERIT, paramLabel = "FORMAT", defaultValue = "text",
            description = "Output format: text or json.")
    Format format = Format.text;

    boolean debug() {
        return logLevel == LogLevel.debug;
    }
}
