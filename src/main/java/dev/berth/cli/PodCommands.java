package dev.berth.cli;

import dev.berth.api.Json;
import dev.berth.engine.Berth;
import dev.berth.reconcile.PodStatus;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth pod …}. */
@Command(name = "pod", mixinStandardHelpOptions = true, description = "Manage pods.", synopsisSubcommandLabel = "COMMAND",
        subcommands = {PodCommands.Ps.class, PodCommands.Inspect.class, PodCommands.Stop.class, PodCommands.Start.class, PodCommands.Restart.class,
                PodCommands.Rm.class},
        footer = {"", "Example:", "  berth pod ps"})
final class PodCommands extends GroupCommand {

    /** A pod as {@code pod ps --format json} and {@code pod inspect} show it, in podman's PascalCase. */
    static Map<String, Object> json(PodStatus p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Name", p.name());
        m.put("Status", p.status());
        m.put("Phase", p.phase().word());
        if (p.reason() != null) {
            m.put("Reason", p.reason());
        }
        m.put("Ready", p.ready() + "/" + p.total());
        m.put("Created", p.created().toString());
        if (p.infraId() != null) {
            m.put("InfraContainerID", p.infraId());
        }
        m.put("Conditions", p.conditions());
        List<Object> containers = new ArrayList<>();
        for (PodStatus.ContainerStatus c : p.containers()) {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("Name", c.name());
            cm.put("Init", c.init());
            cm.put("State", c.shown());
            cm.put("ExitCode", c.exitCode());
            cm.put("Ready", c.ready());
            cm.put("LastProbe", c.lastProbe());
            cm.put("RestartCount", c.restarts());
            if (c.lastState() != null) {
                Map<String, Object> terminated = new LinkedHashMap<>();
                terminated.put("ExitCode", c.lastState().exitCode());
                terminated.put("Reason", c.lastState().reason());
                terminated.put("FinishedAt", c.lastState().finishedAt().toString());
                cm.put("LastState", Map.of("Terminated", terminated));
            }
            containers.add(cm);
        }
        m.put("Containers", containers);
        return m;
    }

    @Command(name = "ps", aliases = "ls", mixinStandardHelpOptions = true, description = "List pods: phase, ready containers, age.",
            footer = {"", "Examples:", "  berth pod ps", "  berth pod ps --format json", "  berth pod rm -f $(berth pod ps -q)"})
    static final class Ps extends BerthCall {
        @Option(names = {"-q", "--quiet"}, description = "Print only the pods' names.")
        boolean quiet;

        @Override
        Integer call(Berth berth) {
            if (quiet) { // no status to work out: the names are enough
                berth.pods().list().stream().filter(p -> !berth.pods().ownedByContainer(p.name())).forEach(p -> out().println(p.name()));
                return Main.OK;
            }
            List<PodStatus> pods = PodStatus.all(berth);
            PrintWriter out = out();
            if (jsonFormat()) {
                out.println(Json.write(pods.stream().map(PodCommands::json).toList()));
                return Main.OK;
            }
            Template template = global().template();
            if (template != null) {
                out.print(template.lines(pods.stream().map(PodCommands::json).toList()));
                return Main.OK;
            }
            List<List<String>> rows = new ArrayList<>();
            for (PodStatus p : pods) {
                rows.add(List.of(p.name(), p.status(), p.ready() + "/" + p.total(), Integer.toString(p.restarts()),
                        String.join(",", p.containers().stream().map(PodStatus.ContainerStatus::name).toList()), Tables.ago(p.created())));
            }
            out.print(Tables.render(List.of("NAME", "STATUS", "READY", "RESTARTS", "CONTAINERS", "AGE"), rows));
            return Main.OK;
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Show a pod as JSON: phase, conditions (Initialized, ContainersReady, Ready), each container's state and readiness.",
            footer = {"", "Example:", "  berth pod inspect demo"})
    static final class Inspect extends BerthCall {
        @Option(names = "-f", paramLabel = "TEMPLATE", description = "Print this Go template of each pod ('{{.Phase}}'), as --format does.")
        String template;

        @Parameters(arity = "1..*", paramLabel = "POD", completionCandidates = CompletionCommand.Pods.class, description = "Pods by name.")
        List<String> pods;

        @Override
        Integer call(Berth berth) {
            List<PodStatus> all = PodStatus.all(berth);
            List<Object> shown = new ArrayList<>();
            for (String name : pods) {
                PodStatus p = all.stream().filter(s -> s.name().equals(name)).findFirst()
                        .orElseThrow(() -> new dev.berth.api.BerthException(dev.berth.api.BerthException.Kind.NOT_FOUND, "no pod \"" + name + "\""));
                shown.add(json(p));
            }
            ContainerCommands.printInspected(this, template, shown);
            return Main.OK;
        }
    }

    /** The pods stop and restart act on, and how long their containers get before SIGKILL. */
    static final class Stopping {
        @Option(names = {"-t", "--time"}, paramLabel = "SECONDS", description = "Seconds before SIGKILL (default: each pod's terminationGracePeriodSeconds).")
        Integer seconds;

        @Parameters(arity = "1..*", paramLabel = "POD", completionCandidates = CompletionCommand.Pods.class, description = "Pods by name.")
        List<String> pods;

        /** Stops one pod's containers; -t is checked first. */
        void stop(CommandSpec spec, Berth berth, String pod) {
            if (seconds != null && seconds < 0) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--time must be 0 or more, got " + seconds);
            }
            dev.berth.reconcile.PodControl.stop(berth, pod, seconds == null ? null : java.time.Duration.ofSeconds(seconds), waiting(spec, pod));
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = {"Stop pods' containers in the reverse of their start order.",
                    "preStop hooks, SIGTERM, SIGKILL after the grace period; the containers stay, with their sandbox, until pod start or"
                    + " kube down. The supervisor does not restart them."},
            footer = {"", "Examples:", "  berth pod stop demo", "  berth pod stop -t 2 demo"})
    static final class Stop implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        Stopping stopping;

        @Override
        public Integer call() {
            return ContainerCommands.eachName(spec, stopping.pods, (berth, pod) -> stopping.stop(spec, berth, pod));
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = {"Start pods' stopped containers again, in their start order.",
                    "The same containers (writable layers and logs kept), each after those it depends on are ready, postStart hooks run;"
                    + " the supervisor watches them again. Init containers are not run again."},
            footer = {"", "Example:", "  berth pod start demo"})
    static final class Start implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "POD", completionCandidates = CompletionCommand.Pods.class, description = "Pods by name.")
        List<String> pods;

        @Override
        public Integer call() {
            return startPods(spec, pods, (berth, pod) -> {});
        }
    }

    @Command(name = "restart", mixinStandardHelpOptions = true,
            description = "Stop pods' containers, then start them again (pod stop, then pod start).",
            footer = {"", "Example:", "  berth pod restart -t 2 demo"})
    static final class Restart implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        Stopping stopping;

        @Override
        public Integer call() {
            return startPods(spec, stopping.pods, (berth, pod) -> stopping.stop(spec, berth, pod));
        }
    }

    /** Starts each pod (after {@code first}, for restart), then the supervisor when one has containers to watch. */
    private static int startPods(CommandSpec spec, List<String> pods, ContainerCommands.PerName first) {
        java.util.concurrent.atomic.AtomicBoolean watched = new java.util.concurrent.atomic.AtomicBoolean();
        int code = ContainerCommands.eachName(spec, pods, (berth, pod) -> {
            first.apply(berth, pod);
            if (dev.berth.reconcile.PodControl.start(berth, pod, waiting(spec, pod))) {
                watched.set(true);
            }
        });
        if (watched.get()) {
            try (Berth berth = Engines.open(ContainerCommands.root(spec).global)) {
                Supervision.startIfNeeded(berth, ContainerCommands.root(spec).global, null);
            }
        }
        return code;
    }

    private static java.util.function.Consumer<String> waiting(CommandSpec spec, String pod) {
        return who -> spec.commandLine().getErr().println("waiting for another berth command that is changing pod " + pod + " (" + who + ")");
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove pods and all their containers.",
            footer = {"", "Example:", "  berth pod rm -f demo"})
    static final class Rm implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = {"-f", "--force"}, description = "Stop running pods first: preStop hooks, SIGTERM, SIGKILL after the grace period.")
        boolean force;

        @Option(names = {"-t", "--time"}, paramLabel = "SECONDS", description = "Seconds before SIGKILL (default: each pod's terminationGracePeriodSeconds).")
        Integer time;

        @Parameters(arity = "1..*", paramLabel = "POD", completionCandidates = CompletionCommand.Pods.class, description = "Pods by name.")
        List<String> pods;

        @Override
        public Integer call() {
            return ContainerCommands.eachName(spec, pods, (berth, pod) -> {
                try (var held = berth.locks().pod(pod, who -> spec.commandLine().getErr().println(
                        "waiting for another berth command that is changing pod " + pod + " (" + who + ")"))) {
                    removeLocked(berth, pod);
                }
            });
        }

        private void removeLocked(dev.berth.engine.Berth berth, String pod) {
            if (berth.state().pod(pod).isEmpty() && berth.state().containersOfPod(pod).isEmpty()) {
                throw new dev.berth.api.BerthException(dev.berth.api.BerthException.Kind.NOT_FOUND, "no pod \"" + pod + "\"");
            }
            boolean running = berth.state().containersOfPod(pod).stream()
                    .anyMatch(c -> !c.name().equals(pod + "-infra") && berth.containers().find(c.id()).running());
            if (running && !force) {
                throw new dev.berth.api.BerthException(dev.berth.api.BerthException.Kind.INVALID_INPUT, "pod " + pod + " is running; use pod rm -f");
            }
            dev.berth.reconcile.PodControl.removeLocked(berth, pod, time == null ? null : java.time.Duration.ofSeconds(time));
        }
    }
}
