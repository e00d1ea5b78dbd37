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
        synopsisSubcommandLabel = "COMMAND", subcommands = SystemCommands.Check.class,
        footer = {"", "Example:", "  berth system check"})
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
            boolean missing = parts.stream().anyMatch(p -> !p.found() && !p.name().equals("crun"));
            if (root.global.format == GlobalOptions.Format.json) {
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
            }
            return missing || runtime == null ? Main.FAILED : Main.OK;
        }
    }
}
