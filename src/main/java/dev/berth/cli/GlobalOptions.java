package dev.berth.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** Options every command takes (DESIGN.md, "Commands"). */
final class GlobalOptions {
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
            description = "Output format: text, json, or a Go template as podman's for ps, inspect, image ls and pod ps"
                    + " ('{{.Names}} {{.Status}}', 'table {{.ID}}\\t{{.Names}}', '{{json .}}').")
    String format = "text";

    /** Whether the output is JSON; a --format that is neither text, json nor a template is refused here. */
    boolean json() {
        if (!format.equals("text") && !format.equals("json") && !Template.isTemplate(format)) {
            throw new dev.berth.api.BerthException(dev.berth.api.BerthException.Kind.INVALID_INPUT,
                    "--format " + format + ": give text, json or a template such as '{{.Names}}'");
        }
        return format.equals("json");
    }

    /** The --format template, or null for text and json. */
    Template template() {
        return json() || format.equals("text") || format.equals("table") ? null : Template.parse(format); // "table" alone: the usual table
    }

    boolean debug() {
        return logLevel == LogLevel.debug;
    }
}
