package dev.berth.cli;

import dev.berth.api.BerthException;
import dev.berth.api.ManifestException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import picocli.CommandLine;

/** berth's entry point: parses the command line, runs one command, and maps its outcome to an exit code. */
public final class Main {
    /** Exit codes, in one place (podman's where they overlap). */
    static final int OK = 0;
    static final int INVALID = 1;
    static final int USAGE = 2;
    static final int FAILED = 125;

    private Main() {}

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        int code = run(out, err, System.in, args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs one command line with the given streams; tests call this directly. */
    public static int run(PrintWriter out, PrintWriter err, InputStream in, String... args) {
        BerthCommand root = new BerthCommand(in);
        CommandLine cli = new CommandLine(root)
                .setOut(out)
                .setErr(err)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((e, commandLine, parseResult) -> report(e, commandLine, root.global));
        for (String positionalTail : List.of("run", "exec")) {
            cli.getSubcommands().get(positionalTail).setStopAtPositional(true);
        }
        cli.setParameterExceptionHandler((e, a) -> {
            err.println("Error: " + e.getMessage());
            err.println("Run '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
            return USAGE;
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    private static int report(Exception e, CommandLine commandLine, GlobalOptions global) {
        PrintWriter err = commandLine.getErr();
        if (global.debug()) {
            e.printStackTrace(err);
        }
        if (e instanceof ManifestException m) {
            m.problems().forEach(err::println);
            err.println("Error: " + (m.problems().size() == 1 ? "1 problem" : m.problems().size() + " problems") + " in the manifests");
            return INVALID;
        }
        if (e instanceof BerthException b) {
            err.println("Error: " + b.getMessage());
            return switch (b.kind()) {
                case INVALID_INPUT, NOT_FOUND -> INVALID;
                case HOST, FAILED -> FAILED;
            };
        }
        err.println("Error: internal error: " + e + (global.debug() ? "" : " (run with --log-level debug for details)"));
        return FAILED;
    }
}
