package dev.berth.cli;

import java.io.InputStream;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The root command: global options and the list of commands ({@link #COMMANDS}, added by {@code Main.commandLine}). */
@Command(name = "berth",
        mixinStandardHelpOptions = true,
        versionProvider = BerthCommand.Version.class,
        description = "Runs Kubernetes manifests on this machine, without a cluster and without a daemon.",
        synopsisSubcommandLabel = "COMMAND",
        exitCodeListHeading = "%nExit codes (as podman's):%n",
        exitCodeList = {"0:success", "1:rm, stop, kill, start, restart: a named container does not exist (nothing else failed)",
            "125:berth's own error: bad input, a bad command line, a failed play, the host",
            "126:run, exec: the command cannot be executed", "127:run, exec: the command is not found",
            "other:run, exec: the command's own exit code"},
        footer = {"", "Examples:", "  berth kube plan manifests/demo.yaml", "  berth run --rm localhost/berth-busybox echo hello"})
final class BerthCommand implements Runnable {
    /** Every command, in the order help lists them. */
    static final List<Class<?>> COMMANDS = List.of(KubeCommand.class, ContainerCommands.Run.class, ContainerCommands.Ps.class,
            ContainerCommands.Logs.class, ContainerCommands.Exec.class, ContainerCommands.Start.class, ContainerCommands.Stop.class,
            ContainerCommands.Restart.class, ContainerCommands.Kill.class,
            ContainerCommands.Rm.class, ContainerCommands.Inspect.class, PodCommands.class, JobCommands.class, ImageCommands.class,
            NetworkCommands.class, VolumeCommands.class, SystemCommands.class, EventsCommand.class, ReconcileCommand.class, ApiCommands.class,
            LoginCommands.Login.class, LoginCommands.Logout.class, CompletionCommand.class, ManCommand.class);

    @Mixin
    GlobalOptions global = new GlobalOptions();

    @Spec
    CommandSpec spec;

    final InputStream stdin;

    BerthCommand(InputStream stdin) {
        this.stdin = stdin;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The version from the jar's manifest ({@code dev} when run from classes). */
    static final class Version implements picocli.CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = BerthCommand.class.getPackage().getImplementationVersion();
            return new String[] {"berth version " + (v == null ? "dev" : v)};
        }
    }
}
