package dev.berth.cli;

import dev.berth.api.Json;
import dev.berth.engine.Berth;
import dev.berth.reconcile.PodStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code berth job …}: the Jobs of played manifests. */
@Command(name = "job", mixinStandardHelpOptions = true, description = "Show Jobs.", synopsisSubcommandLabel = "COMMAND",
        subcommands = JobCommands.Ls.class, footer = {"", "Example:", "  berth job ls"})
final class JobCommands extends GroupCommand {

    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true,
            description = "List Jobs: completions succeeded of wanted, failed runs (retries included), active pods, status (Complete, Failed, Running).",
            footer = {"", "Example:", "  berth job ls --format json"})
    static final class Ls extends BerthCall {

        @Override
        Integer call(Berth berth) {
            List<PodStatus.JobStatus> jobs = PodStatus.jobs(PodStatus.all(berth));
            if (jsonFormat()) {
                List<Object> out = new ArrayList<>();
                for (PodStatus.JobStatus j : jobs) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("name", j.name());
                    m.put("completions", j.succeeded() + "/" + j.completions());
                    m.put("failed", j.failed());
                    m.put("active", j.active());
                    m.put("status", j.status());
                    out.add(m);
                }
                out().println(Json.write(out));
                return Main.OK;
            }
            List<List<String>> rows = new ArrayList<>();
            jobs.forEach(j -> rows.add(List.of(j.name(), j.succeeded() + "/" + j.completions(), Integer.toString(j.failed()),
                    Integer.toString(j.active()), j.status())));
            out().print(Tables.render(List.of("NAME", "COMPLETIONS", "FAILED", "ACTIVE", "STATUS"), rows));
            return Main.OK;
        }
    }
}
