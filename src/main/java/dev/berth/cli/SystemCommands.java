package dev.berth.cli;

import dev.berth.api.Json;
import dev.berth.proc.Processes;
import dev.berth.runtime.HostComponents;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code berth system …}: the host. */
@Command(name = "system", mixinStandardHelpOptions = true, description = "The host berth runs on.",
        synopsisSubcommandLabel = "COMMAND", subcommands = {SystemCommands.Check.class, SystemCommands.Repair.class, SystemCommands.Supervise.class,
                SystemCommands.SupervisorStatus.class},
        footer = {"", "Examples:", "  berth system check", "  berth system repair"})
final class SystemCommands extends GroupCommand {

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "List the host parts berth drives: found (path, version) or missing (with the command that installs it), and the OCI runtime berth chooses.",
            footer = {"", "Example:", "  berth system check"})
    static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            BerthCommand root = ContainerCommands.root(spec);
            List<HostComponents.Component> parts = new HostComponents(new Processes()).check();
            String runtime;
            String reason;
            try {
                HostComponents.Choice choice = HostComponents.chooseRuntime(root.global.runtime);
                runtime = choice.binary().toString();
                reason = choice.reason();
            } catch (dev.berth.api.BerthException e) {
                runtime = null;
                reason = e.getMessage();
            }
            PrintWriter out = spec.commandLine().getOut();
            String state = stateProblem(root.global);
            boolean missing = parts.stream().anyMatch(p -> !p.found() && !p.name().equals("crun"));
            int uid = dev.berth.sys.Linux.effectiveUid();
            List<dev.berth.runtime.Rootless.Requirement> rootless = uid == 0 ? List.of()
                    : dev.berth.runtime.Rootless.check(System.getProperty("user.name"), uid);
            missing |= rootless.stream().anyMatch(r -> !r.met());
            if (root.global.json()) {
                List<Object> list = new ArrayList<>();
                for (HostComponents.Component p : parts) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("name", p.name());
                    m.put("found", p.found());
                    m.put("path", p.path() == null ? null : p.path().toString());
                    m.put("version", p.version());
                    m.put("install", p.found() ? null : p.install());
                    list.add(m);
                }
                Map<String, Object> report = new LinkedHashMap<>();
                report.put("components", list);
                report.put("cgroups", HostComponents.cgroupMode());
                report.put("runtime", runtime);
                report.put("runtimeReason", reason);
                report.put("state", state == null ? "ok" : state);
                if (uid != 0) {
                    List<Object> needs = new ArrayList<>();
                    for (dev.berth.runtime.Rootless.Requirement r : rootless) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("name", r.name());
                        m.put("met", r.met());
                        m.put("detail", r.detail());
                        m.put("fix", r.met() ? null : r.fix());
                        needs.add(m);
                    }
                    report.put("rootless", needs);
                }
                out.println(Json.write(report));
            } else {
                List<List<String>> rows = new ArrayList<>();
                for (HostComponents.Component p : parts) {
                    rows.add(List.of(p.name(), p.found() ? "found" : "MISSING", p.found() ? p.path().toString() : "install: " + p.install(),
                            p.found() ? p.version() : ""));
                }
                out.print(Tables.render(List.of("COMPONENT", "STATUS", "PATH", "VERSION"), rows));
                out.println();
                out.println("cgroups: " + HostComponents.cgroupMode());
                out.println("runtime: " + (runtime == null ? "none" : runtime) + " (" + reason + ")");
                out.println("state: " + (state == null ? "ok" : state));
                if (uid != 0) {
                    List<List<String>> needs = new ArrayList<>();
                    for (dev.berth.runtime.Rootless.Requirement r : rootless) {
                        needs.add(List.of(r.name(), r.met() ? "ok" : "MISSING", r.met() ? r.detail() : r.detail() + "; fix " + r.fix()));
                    }
                    out.println();
                    out.println("without root (uid " + uid + "; containers without root are not supported yet, this is what they will need):");
                    out.print(Tables.render(List.of("REQUIREMENT", "STATUS", "DETAIL"), needs));
                }
            }
            return missing || runtime == null || state != null ? Main.FAILED : Main.OK;
        }
    }

    /**
     * What is wrong with berth's state: a damaged database, or containers and pods on disk that
     * no record owns (a database deleted by hand, say); null when nothing is.
     */
    static String stateProblem(GlobalOptions global) {
        dev.berth.state.Layout layout = Engines.layout(global);
        String problem = dev.berth.state.StateStore.problem(layout);
        boolean anythingOnDisk = java.nio.file.Files.isDirectory(layout.runroot().resolve("containers"))
                || java.nio.file.Files.isDirectory(layout.netns());
        if (problem != null || !anythingOnDisk || !dev.berth.sys.Linux.isRoot()) {
            return problem;
        }
        try (dev.berth.engine.Berth berth = Engines.open(global)) {
            List<String> orphans = dev.berth.engine.Repair.orphans(berth);
            return orphans.isEmpty() ? null : "on disk but in no record: " + String.join(", ", orphans)
                    + " (berth system repair --force removes them)";
        }
    }

    @Command(name = "repair", mixinStandardHelpOptions = true,
            description = {"Rebuild berth's state when it is damaged.",
                    "The damaged database is moved aside, images are recorded again from what is on disk, and containers, pods and",
                    "Service rules (whose specs it held) are removed from the host, to be played again."},
            footer = {"", "Examples:", "  berth system check", "  berth system repair", "  berth system repair --force"})
    static final class Repair implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Option(names = "--force", description = "Run even when the state is healthy: remove what no record owns (containers, pods, rules).")
        boolean force;

        @Override
        public Integer call() {
            BerthCommand root = ContainerCommands.root(spec);
            PrintWriter out = spec.commandLine().getOut();
            dev.berth.state.Layout layout = Engines.layout(root.global);
            String problem = dev.berth.state.StateStore.problem(layout);
            if (problem == null && !force) {
                out.println("the state is healthy; nothing to repair (--force removes what no record owns)");
                return Main.OK;
            }
            if (problem != null) {
                out.println(problem);
                out.println("moved the damaged state to " + dev.berth.state.StateStore.setAside(layout));
            }
            try (dev.berth.engine.Berth berth = Engines.open(root.global)) {
                dev.berth.engine.Repair.run(berth, out::println);
            }
            out.println("repaired");
            return Main.OK;
        }
    }

    @Command(name = "supervise", mixinStandardHelpOptions = true,
            description = {"Keep pods going after kube play returned.",
                    "Restarts exited containers as their restartPolicy says, with the crash-loop back-off. kube play starts it when a pod",
                    "needs it; it leaves by itself when none does. Its log: <runroot>/supervisor.log."},
            footer = {"", "Example:", "  berth system supervise"})
    static final class Supervise extends BerthCall {
        @picocli.CommandLine.Option(names = "--restart-backoff-max", paramLabel = "SECONDS", defaultValue = "60",
                description = "Cap the crash-loop back-off at SECONDS (default 60).")
        int backoffMax;

        @Override
        boolean revivesSupervisor() {
            return false;
        }

        @Override
        Integer call(dev.berth.engine.Berth berth) {
            PrintWriter out = out();
            java.util.function.Consumer<String> log = line -> {
                synchronized (out) {
                    out.println(java.time.Instant.now() + " " + line);
                    out.flush();
                }
            };
            var supervisor = new dev.berth.reconcile.Supervisor(berth, log, java.time.Duration.ofSeconds(Math.max(1, backoffMax)));
            try (ApiHost api = new ApiHost(berth, log, supervisor::wake)) {
                if (!supervisor.host(api)) {
                    log.accept("another supervisor watches this root; leaving");
                }
            }
            return Main.OK;
        }
    }

    @Command(name = "supervisor", mixinStandardHelpOptions = true,
            description = "Say whether this root's supervisor runs, since when, and what it watches.",
            footer = {"", "Examples:", "  berth system supervisor", "  berth system supervisor --format json"})
    static final class SupervisorStatus extends BerthCall {
        @Override
        Integer call(dev.berth.engine.Berth berth) {
            java.util.Optional<ProcessHandle> supervisor = Supervision.running(berth);
            List<String> watched = dev.berth.reconcile.Supervisor.watched(berth);
            if (jsonFormat()) {
                Map<String, Object> report = new LinkedHashMap<>();
                report.put("running", supervisor.isPresent());
                report.put("pid", supervisor.map(ProcessHandle::pid).orElse(null));
                report.put("since", supervisor.flatMap(p -> p.info().startInstant()).map(Object::toString).orElse(null));
                report.put("watching", watched);
                out().println(Json.write(report));
            } else {
                out().println(supervisor.map(p -> "running, pid " + p.pid() + p.info().startInstant().map(t -> ", since " + t).orElse(""))
                        .orElse("not running"));
                watched.forEach(line -> out().println("  " + line));
            }
            return Main.OK;
        }
    }
}
