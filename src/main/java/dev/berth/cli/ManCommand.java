package dev.berth.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code berth man}: manual pages (roff) made from the same model as {@code --help}: berth(1),
 * berth-ps(1), berth-pod-stop(1)… one per command, printed or written to a directory.
 */
@Command(name = "man", mixinStandardHelpOptions = true,
        description = "Print the manual page of berth or of a command (roff, for man), or write every page to a directory.",
        footer = {"", "Examples:", "  berth man ps | man -l -", "  berth man --dir /usr/local/share/man/man1 && man berth-pod-stop"})
final class ManCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", description = "Write berth.1 and a page per command (berth-ps.1…) here.")
    Path dir;

    @Parameters(arity = "0..*", paramLabel = "COMMAND", description = "The command's words (pod stop); none: berth itself.")
    List<String> words = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        CommandLine root = Main.commandLine(new BerthCommand(java.io.InputStream.nullInputStream()), new String[0]);
        if (dir != null) {
            Files.createDirectories(dir);
            List<CommandLine> all = new ArrayList<>();
            collect(root, all);
            for (CommandLine c : all) {
                Files.writeString(dir.resolve(page(c.getCommandSpec()) + ".1"), render(c.getCommandSpec()));
                spec.commandLine().getOut().println(dir.resolve(page(c.getCommandSpec()) + ".1"));
            }
            return Main.OK;
        }
        CommandLine c = root;
        for (String w : words) {
            c = c.getSubcommands().get(w);
            if (c == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "no command \"" + String.join(" ", words) + "\"; berth --help lists them");
            }
        }
        spec.commandLine().getOut().print(render(c.getCommandSpec()));
        return Main.OK;
    }

    private static void collect(CommandLine c, List<CommandLine> all) {
        all.add(c);
        c.getSubcommands().values().stream().distinct().forEach(s -> collect(s, all));
    }

    /** berth-pod-stop for {@code berth pod stop}. */
    static String page(CommandSpec c) {
        return c.qualifiedName("-");
    }

    static String render(CommandSpec c) {
        StringBuilder s = new StringBuilder();
        String version = c.root().version().length > 0 ? c.root().version()[0] : "berth";
        s.append(".TH \"").append(page(c).toUpperCase(java.util.Locale.ROOT)).append("\" 1 \"\" \"").append(escape(version))
                .append("\" \"berth Manual\"\n");
        String[] description = c.usageMessage().description();
        s.append(".SH NAME\n").append(page(c)).append(" \\- ").append(escape(firstSentence(String.join(" ", description)))).append('\n');
        s.append(".SH SYNOPSIS\n.B ").append(c.qualifiedName()).append('\n');
        s.append(c.options().stream().anyMatch(o -> !o.inherited()) ? "[OPTIONS]" : "");
        for (PositionalParamSpec p : c.positionalParameters()) {
            s.append(' ').append(escape(p.paramLabel())).append(p.arity().max() > 1 ? "..." : "");
        }
        s.append(c.subcommands().isEmpty() ? "" : " COMMAND").append('\n');
        s.append(".SH DESCRIPTION\n").append(escape(String.join(" ", description))).append('\n');
        if (!c.positionalParameters().isEmpty()) {
            s.append(".SH ARGUMENTS\n");
            for (PositionalParamSpec p : c.positionalParameters()) {
                s.append(".TP\n.I ").append(escape(p.paramLabel())).append('\n').append(escape(String.join(" ", p.description()))).append('\n');
            }
        }
        List<OptionSpec> own = c.options().stream().filter(o -> !o.inherited() && !o.hidden()).toList();
        if (!own.isEmpty()) {
            s.append(".SH OPTIONS\n");
            for (OptionSpec o : own) {
                s.append(".TP\n.B ").append(escape(String.join(", ", o.names())));
                s.append(o.typeInfo().isBoolean() ? "" : " " + escape(o.paramLabel())).append('\n');
                s.append(escape(String.join(" ", o.description()))).append('\n');
            }
        }
        if (!c.subcommands().isEmpty()) {
            s.append(".SH COMMANDS\n");
            c.subcommands().forEach((name, sub) -> {
                if (name.equals(sub.getCommandSpec().name())) {
                    s.append(".TP\n.B ").append(name).append('\n')
                            .append(escape(firstSentence(String.join(" ", sub.getCommandSpec().usageMessage().description())))).append('\n');
                }
            });
        }
        if (!c.usageMessage().exitCodeList().isEmpty()) {
            s.append(".SH EXIT STATUS\n");
            c.usageMessage().exitCodeList().forEach((code, meaning) -> s.append(".TP\n.B ").append(code.strip()).append('\n')
                    .append(escape(meaning)).append('\n'));
        }
        String footer = String.join("\n", c.usageMessage().footer()).strip();
        if (!footer.isEmpty()) {
            s.append(".SH NOTES\n.nf\n").append(escape(footer)).append("\n.fi\n");
        }
        s.append(".SH SEE ALSO\n").append(c.parent() == null ? "podman(1), kubectl(1)" : "berth(1)").append('\n');
        return s.toString();
    }

    private static String firstSentence(String text) {
        int end = text.indexOf(". ");
        return (end < 0 ? text : text.substring(0, end + 1)).strip();
    }

    /** Text as roff reads it: backslashes doubled, a leading dot or quote kept from being a request. */
    static String escape(String text) {
        return text.replace("\\", "\\e").replace("-", "\\-").replaceAll("(?m)^([.'])", "\\\\&$1");
    }
}
