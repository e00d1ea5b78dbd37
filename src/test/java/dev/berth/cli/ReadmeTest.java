package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The README's shell blocks against berth's command line: every berth command in them is one
 * berth reads (its command, options and arguments), so a renamed or removed option fails here.
 * ReadmeIT runs them.
 */
class ReadmeTest {
    /** The lines of the README's {@code ```sh} blocks. */
    static List<String> shellLines() throws IOException {
        List<String> lines = new ArrayList<>();
        boolean in = false;
        for (String line : Files.readAllLines(Path.of("README.md"))) {
            if (line.startsWith("```")) {
                in = !in && line.equals("```sh");
            } else if (in) {
                lines.add(line);
            }
        }
        return lines;
    }

    /** The berth commands of a shell line: split at ;, && and |, $(…) taken out, the comment dropped; each without "./berth". */
    static List<String> berthCommands(String line) {
        String code = line.replaceAll("\\s+#.*$", "").replaceFirst("^\\$ ", "");
        List<String> commands = new ArrayList<>();
        Matcher sub = Pattern.compile("\\$\\(([^)]*)\\)").matcher(code);
        while (sub.find()) {
            commands.addAll(berthCommands(sub.group(1)));
        }
        code = sub.replaceAll("ID");
        for (String part : code.split(";|&&|\\|")) {
            String p = part.strip().replaceFirst("\\s*[<>].*$", "");
            if (p.startsWith("./berth ") || p.startsWith("berth ")) {
                commands.add(p.substring(p.indexOf("berth ") + 6));
            }
        }
        return commands;
    }

    /** A documented synopsis made into a command line: [optional] parts kept, placeholders given values. */
    static List<String> argv(String command) {
        String filled = command.replaceAll("\\[([^]]*)\\]", "$1").replace("<digest>", "0".repeat(64))
                .replaceAll("\\bN\\b", "1").replaceAll("\\bTIME\\b", "10m").replaceAll("\\bIMAGE\\b", "localhost/berth-busybox");
        return PodmanCompatIT.argv(filled.replace('"', '\''));
    }

    @Test
    void everyBerthCommandOfTheReadmeIsOneBerthReads() throws IOException {
        List<String> commands = new ArrayList<>();
        for (String line : shellLines()) {
            commands.addAll(berthCommands(line));
        }
        assertThat(commands).hasSizeGreaterThan(40);
        List<String> refused = new ArrayList<>();
        for (String command : commands) {
            String[] args = Main.withAliases(argv(command).toArray(String[]::new));
            try {
                CommandLine.ParseResult parsed = Main.commandLine(new BerthCommand(InputStream.nullInputStream()), args).parseArgs(args);
                if (!parsed.hasSubcommand() && !parsed.isUsageHelpRequested()) {
                    refused.add(command + ": names no command");
                }
            } catch (CommandLine.ParameterException e) {
                refused.add(command + ": " + e.getMessage());
            }
        }
        assertThat(refused).as("README commands berth does not read").isEmpty();
    }

    @Test
    void commandsAreFoundInLinesAsAShellSplitsThem() {
        assertThat(berthCommands("./berth rm -f $(./berth ps -aq); ./berth rm -af          # -q IDs")).containsExactly("ps -aq", "rm -f ID", "rm -af");
        assertThat(berthCommands("echo hi | ./berth exec -i sleeper cat")).containsExactly("exec -i sleeper cat");
        assertThat(berthCommands("$ berth kube play x.yaml && curl http://localhost:8088/")).containsExactly("kube play x.yaml");
        assertThat(berthCommands("./berth login -u alice --password-stdin registry.example.com < pw")).containsExactly("login -u alice --password-stdin registry.example.com");
        assertThat(argv("logs [-f] [-n N] [--until TIME] sleeper")).containsExactly("logs", "-f", "-n", "1", "--until", "10m", "sleeper");
    }
}
