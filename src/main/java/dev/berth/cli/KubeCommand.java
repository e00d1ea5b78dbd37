package dev.berth.cli;

import picocli.CommandLine.Command;

/** {@code berth kube …}: Kubernetes manifests in and out. */
@Command(name = "kube",
        mixinStandardHelpOptions = true,
        description = "Work with Kubernetes manifests.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {KubePlanCommand.class, KubePlayCommand.class, KubeDownCommand.class, KubeGenerateCommand.class},
        footer = {"", "Example:", "  berth kube plan manifests/"})
final class KubeCommand extends GroupCommand {
}
