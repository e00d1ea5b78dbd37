package dev.berth.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code berth kube …}: Kubernetes manifests in and out. */
@Command(name = "kube",
        mixinStandardHelpOptions = true,
        description = "Work with Kubernetes manifests.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {KubePlanCommand.class, KubePlayCommand.class, KubeDownCommand.class},
        footer = {"", "Example:", "  berth kube plan manifests/"})
final class KubeCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
