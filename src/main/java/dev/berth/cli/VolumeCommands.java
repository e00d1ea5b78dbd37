package dev.berth.cli;

import dev.berth.api.Json;
import dev.berth.engine.Berth;
import dev.berth.engine.Volumes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth volume …}: the named volumes PersistentVolumeClaims get. */
@Command(name = "volume", mixinStandardHelpOptions = true, description = "Manage named volumes (one per PersistentVolumeClaim).",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {VolumeCommands.Ls.class, VolumeCommands.Inspect.class, VolumeCommands.Rm.class, VolumeCommands.Prune.class},
        footer = {"", "Example:", "  berth volume ls"})
final class VolumeCommands extends GroupCommand {

    static Map<String, Object> json(Volumes.NamedVolume v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Name", v.name());
        m.put("Driver", "local");
        m.put("Mountpoint", v.data().toString());
        m.put("Pods", v.pods());
        return m;
    }

    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, description = "List named volumes and the pods using them.",
            footer = {"", "Example:", "  berth volume ls"})
    static final class Ls extends BerthCall {

        @Override
        Integer call(Berth berth) {
            List<Volumes.NamedVolume> all = berth.volumes().list();
            if (jsonFormat()) {
                out().println(Json.write(all.stream().map(VolumeCommands::json).toList()));
                return Main.OK;
            }
            List<List<String>> rows = new ArrayList<>();
            all.forEach(v -> rows.add(List.of(v.name(), String.join(",", v.pods()), v.data().toString())));
            out().print(Tables.render(List.of("NAME", "PODS", "MOUNTPOINT"), rows));
            return Main.OK;
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show a named volume as JSON.",
            footer = {"", "Example:", "  berth volume inspect app-data"})
    static final class Inspect extends BerthCall {

        @Parameters(index = "0", paramLabel = "NAME", description = "The volume's name.")
        String name;

        @Override
        Integer call(Berth berth) {
            out().println(Json.write(json(berth.volumes().find(name))));
            return Main.OK;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove named volumes no pod uses, with their data.",
            footer = {"", "Example:", "  berth volume rm app-data"})
    static final class Rm implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "NAME", description = "Volumes by name.")
        List<String> names;

        @Override
        public Integer call() {
            return ContainerCommands.eachName(spec, names, (berth, name) -> {
                if (!berth.volumes().remove(name)) {
                    throw new dev.berth.api.BerthException(dev.berth.api.BerthException.Kind.NOT_FOUND, "no volume \"" + name + "\"");
                }
            });
        }
    }

    @Command(name = "prune", mixinStandardHelpOptions = true, description = "Remove every named volume no pod uses.",
            footer = {"", "Example:", "  berth volume prune"})
    static final class Prune extends BerthCall {
        @Override
        Integer call(Berth berth) {
            berth.volumes().prune().forEach(out()::println);
            return Main.OK;
        }
    }
}
