package dev.berth.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth completion bash|zsh}: the shell completion script of every command and option, as picocli writes it. */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = "Print a shell completion script for berth's commands and options (bash; zsh through its bashcompinit).",
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
        spec.commandLine().getOut().print(shell.equals("zsh") ? "autoload -U +X bashcompinit && bashcompinit\n" + script : script);
        return Main.OK;
    }
}
