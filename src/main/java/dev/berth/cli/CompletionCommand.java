package dev.berth.cli;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth completion bash|zsh}: the shell completion script of every command and option, as picocli writes it. */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = "Print a shell completion script for berth's commands, options and the names of containers, pods and images (bash; zsh through its bashcompinit).",
        footer = {"", "Examples:", "  berth completion bash > ~/.local/share/bash-completion/completions/berth",
            "  source <(berth completion bash)   # this shell only (zsh: completion zsh)"})
final class CompletionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SHELL", description = "bash or zsh.")
    String shell;

    @Override
    public Integer call() {
        if (!shell.equals("bash") && !shell.equals("zsh")) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "completion for bash or zsh, not " + shell);
        }
        // the whole tree, not the one command this run was given
        String script = picocli.AutoComplete.bash("berth", Main.commandLine(new BerthCommand(java.io.InputStream.nullInputStream()), new String[0]));
        for (Map.Entry<String, String> names : NAMES.entrySet()) {
            // the marker candidate becomes the names berth has when the user presses tab
            script = script.replace("(\"" + names.getKey() + "\")", "($(\"${COMP_WORDS[0]}\" " + names.getValue() + " 2>/dev/null))");
        }
        spec.commandLine().getOut().print(shell.equals("zsh") ? "autoload -U +X bashcompinit && bashcompinit\n" + script : script);
        return Main.OK;
    }

    /** Each marker, and the berth command whose output completes it. */
    static final Map<String, String> NAMES = Map.of(
            "@containers@", "ps -a --format '{{.Names}}'",
            "@pods@", "pod ps -q",
            "@images@", "image ls --format '{{.Repository}}:{{.Tag}}'",
            "@pods-and-containers@", "ps -a --format '{{.Names}}'; \"${COMP_WORDS[0]}\" pod ps -q");

    /** The completion candidates of a positional parameter: a marker the script replaces with a berth command (see {@link #NAMES}). */
    abstract static class Marker implements Iterable<String> {
        private final String marker;

        Marker(String marker) {
            this.marker = marker;
        }

        @Override
        public java.util.Iterator<String> iterator() {
            return List.of(marker).iterator();
        }
    }

    static final class Containers extends Marker {
        Containers() {
            super("@containers@");
        }
    }

    static final class Pods extends Marker {
        Pods() {
            super("@pods@");
        }
    }

    static final class Images extends Marker {
        Images() {
            super("@images@");
        }
    }

    static final class PodsAndContainers extends Marker {
        PodsAndContainers() {
            super("@pods-and-containers@");
        }
    }
}
