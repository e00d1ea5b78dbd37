package dev.berth.cli;

import dev.berth.api.BerthException;
import dev.berth.api.ManifestException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** berth's entry point: parses the command line, runs one command, and maps its outcome to an exit code. */
public final class Main {
    /** Exit codes, in one place (podman's where they overlap). */
    static final int OK = 0;
    /** podman's exit code for rm, stop, kill… when a named container does not exist and nothing else failed. */
    static final int MISSING = 1;
    /** podman's exit code for its own errors: bad input, a bad command line, the host or berth failing. */
    static final int FAILED = 125;

    private Main() {}

    public static void main(String[] given) {
        String[] args = withAliases(given);
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        int code;
        try {
            dev.berth.state.Layout user = userNamespaceLayout(args);
            code = user != null ? dev.berth.engine.UserNamespace.run(user, ownCommandLine(args), err::println) : run(out, err, System.in, args);
        } catch (BerthException e) {
            err.println("Error: " + e.getMessage());
            code = FAILED;
        }
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Commands an ordinary user runs where they are: they read no store and start nothing. */
    private static final java.util.Set<String> OUTSIDE = java.util.Set.of("berth system check", "berth kube plan", "berth login",
            "berth logout", "berth help", "berth completion", "berth man");

    /**
     * The root and runroot of this command line when it runs again inside the user's namespaces
     * (see {@code engine/UserNamespace}): an ordinary user's command that uses the store; null
     * otherwise. Help, version and a command line picocli refuses are answered here.
     */
    private static dev.berth.state.Layout userNamespaceLayout(String[] args) {
        if (dev.berth.sys.Linux.isRoot()) {
            return null;
        }
        BerthCommand root = new BerthCommand(InputStream.nullInputStream());
        try {
            CommandLine.ParseResult parsed = commandLine(root, args).parseArgs(args);
            for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
                if (p.isUsageHelpRequested() || p.isVersionHelpRequested() || p.subcommand() == null
                        && (OUTSIDE.contains(p.commandSpec().qualifiedName()) || p == parsed)) {
                    return null;
                }
            }
            return Engines.layout(root.global);
        } catch (CommandLine.ParameterException e) {
            return null;
        }
    }

    /** The words podman users type for berth's commands: {@code images}, {@code container ls}, {@code rmi}… */
    static final Map<String, List<String>> ALIASES = Map.of("images", List.of("image", "ls"), "rmi", List.of("image", "rm"),
            "pull", List.of("image", "pull"), "version", List.of("--version"), "info", List.of("system", "check"));

    /** {@code container COMMAND} as podman has it: the same commands, {@code ls} and {@code list} being {@code ps}. */
    static final Map<String, String> CONTAINER = Map.of("ls", "ps", "list", "ps");

    /** The arguments with an alias for a command (see {@link #ALIASES}, {@link #CONTAINER}) replaced by what it stands for. */
    static String[] withAliases(String[] args) {
        if (java.util.Arrays.stream(args).noneMatch(a -> ALIASES.containsKey(a) || a.equals("container"))) {
            return args; // no parser built for nothing
        }
        int at = commandIndex(new CommandLine(new BerthCommand(InputStream.nullInputStream())), args);
        if (at < 0) {
            return args;
        }
        List<String> words = new ArrayList<>(List.of(args));
        String word = words.get(at);
        if (ALIASES.containsKey(word)) {
            words.remove(at);
            words.addAll(at, ALIASES.get(word));
        } else if (word.equals("container") && at + 1 < words.size()) {
            words.remove(at);
            words.set(at, CONTAINER.getOrDefault(words.get(at), words.get(at)));
        }
        return words.toArray(String[]::new);
    }

    /**
     * berth's command line parser for these arguments, configured as every run uses it. Only the
     * command the arguments name is added (picocli building the model of every command took ~0.15 s
     * of each start); all of them when they name none, for help, suggestions and errors.
     */
    static CommandLine commandLine(BerthCommand root, String[] args) {
        CommandLine cli = new CommandLine(root).setCaseInsensitiveEnumValuesAllowed(true);
        String word = commandWord(cli, args);
        boolean named = word != null && BerthCommand.COMMANDS.stream().anyMatch(c -> names(c).contains(word));
        for (Class<?> c : BerthCommand.COMMANDS) {
            if (!named || names(c).contains(word)) {
                cli.addSubcommand(c);
            }
        }
        cli.getSubcommands().values().stream().distinct().forEach(Main::globalOptionsOnce);
        for (String positionalTail : List.of("run", "exec")) {
            CommandLine sub = cli.getSubcommands().get(positionalTail);
            if (sub != null) {
                sub.setStopAtPositional(true);
            }
        }
        return cli;
    }

    /**
     * A command's help as podman's: {@code berth pod stop [OPTIONS] POD...}, and its own options
     * only; the global ones (--root, --format…), which every command takes, are listed once, in
     * {@code berth --help}.
     */
    private static void globalOptionsOnce(CommandLine command) {
        command.getCommandSpec().usageMessage().abbreviateSynopsis(true);
        command.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST, help -> help.optionListExcludingGroups(
                help.commandSpec().options().stream().filter(o -> !o.inherited()).toList())
                + "  Global options (--root, --runroot, --runtime, --format, --log-level): see berth --help.\n");
        command.getSubcommands().values().stream().distinct().forEach(Main::globalOptionsOnce);
    }

    /** The first argument that is neither a global option nor its value: the command's name, or null. */
    private static String commandWord(CommandLine cli, String[] args) {
        int at = commandIndex(cli, args);
        return at < 0 ? null : args[at];
    }

    private static int commandIndex(CommandLine cli, String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("-")) {
                return i;
            }
            CommandLine.Model.OptionSpec option = cli.getCommandSpec().findOption(args[i]);
            if (option != null && !option.typeInfo().isBoolean() && !args[i].contains("=")) {
                i++;
            }
        }
        return -1;
    }

    private static List<String> names(Class<?> command) {
        CommandLine.Command c = command.getAnnotation(CommandLine.Command.class);
        List<String> names = new java.util.ArrayList<>(List.of(c.aliases()));
        names.add(c.name());
        return names;
    }

    /** How this JVM was started, to start it again: from /proc, else the java binary, class path and main class. */
    private static List<String> ownCommandLine(String[] args) {
        ProcessHandle.Info info = ProcessHandle.current().info();
        List<String> line = new java.util.ArrayList<>();
        if (info.command().isPresent() && info.arguments().isPresent()) {
            line.add(info.command().get());
            line.addAll(List.of(info.arguments().get()));
        } else {
            line.addAll(List.of(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), Main.class.getName()));
            line.addAll(List.of(args));
        }
        return line;
    }

    /** Runs one command line with the given streams; tests call this directly. */
    public static int run(PrintWriter out, PrintWriter err, InputStream in, String... given) {
        String[] args = withAliases(given);
        BerthCommand root = new BerthCommand(in);
        CommandLine cli = commandLine(root, args)
                .setOut(out)
                .setErr(err)
                .setExecutionExceptionHandler((e, commandLine, parseResult) -> report(e, commandLine, root.global));
        cli.setParameterExceptionHandler((e, a) -> {
            err.println("Error: " + e.getMessage());
            // "Did you mean: ps?" for a mistyped command, "Possible solutions: --all" for an option
            if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, err)) {
                suggestCommand(e, err);
            }
            err.println("Run '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
            return FAILED;
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /**
     * A mistyped command picocli found nothing close to ({@code rnu}): the commands one edit away
     * (a transposition counts as one), or two for longer words, as podman suggests them.
     */
    private static void suggestCommand(CommandLine.ParameterException e, PrintWriter err) {
        if (!(e instanceof CommandLine.UnmatchedArgumentException u) || u.getUnmatched().isEmpty()) {
            return;
        }
        String typed = u.getUnmatched().get(0);
        CommandLine at = e.getCommandLine();
        if (typed.startsWith("-") || at.getSubcommands().isEmpty()) {
            return;
        }
        List<String> close = at.getSubcommands().keySet().stream()
                .filter(name -> dev.berth.api.EditDistance.of(typed, name) <= (typed.length() > 4 ? 2 : 1)).sorted().toList();
        if (!close.isEmpty()) {
            err.println("Did you mean: " + String.join(" or ", close.stream().map(c -> at.getCommandSpec().qualifiedName() + " " + c).toList()) + "?");
        }
    }

    private static int report(Exception e, CommandLine commandLine, GlobalOptions global) {
        PrintWriter err = commandLine.getErr();
        if (global.debug()) {
            e.printStackTrace(err);
        }
        if (e instanceof ManifestException m) {
            m.problems().forEach(err::println);
            err.println("Error: " + (m.problems().size() == 1 ? "1 problem" : m.problems().size() + " problems") + " in the manifests");
            return FAILED;
        }
        if (e instanceof BerthException b) {
            err.println("Error: " + b.getMessage());
            return FAILED;
        }
        err.println("Error: internal error: " + e + (global.debug() ? "" : " (run with --log-level debug for details)"));
        return FAILED;
    }
}
