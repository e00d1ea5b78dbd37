package dev.berth.cli;

import dev.berth.api.Json;
import dev.berth.engine.Berth;
import dev.berth.network.CniNetwork;
import dev.berth.network.Networks;
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

/** {@code berth network …}: the CNI networks pods join (annotation berth.dev/network). */
@Command(name = "network", mixinStandardHelpOptions = true, description = "Manage pod networks.", synopsisSubcommandLabel = "COMMAND",
        subcommands = {NetworkCommands.Create.class, NetworkCommands.Ls.class, NetworkCommands.Inspect.class, NetworkCommands.Rm.class},
        footer = {"", "Example:", "  berth network create backend --subnet 10.92.7.0/24"})
final class NetworkCommands extends GroupCommand {

    static Networks networks(Berth berth) {
        return new Networks(berth.layout().networks(), berth.layout().ipam(), berth.processes());
    }

    /** How many pods are attached to each network, by name. */
    static Map<String, Integer> usage(Berth berth) {
        Map<String, Integer> pods = new LinkedHashMap<>();
        for (var p : berth.state().pods()) {
            berth.network().attachment(p.name()).ifPresent(a -> pods.merge(a.network(), 1, Integer::sum));
        }
        return pods;
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a bridge network.",
            footer = {"", "Example:", "  berth network create backend --subnet 10.92.7.0/24"})
    static final class Create extends BerthCall {

        @Option(names = "--subnet", paramLabel = "CIDR", description = "The network's subnet (default: the first free 10.92.N.0/24 clear of other networks and host addresses).")
        String subnet;

        @Option(names = "--bridge", paramLabel = "NAME", description = "The bridge's name (default: bn-<name>).")
        String bridge;

        @Parameters(index = "0", paramLabel = "NAME", description = "The network's name.")
        String name;

        @Override
        Integer call(Berth berth) {
            CniNetwork n = networks(berth).create(name, subnet, bridge);
            out().println(n.name() + " " + n.subnet());
            return Main.OK;
        }
    }

    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, description = "List networks.",
            footer = {"", "Example:", "  berth network ls"})
    static final class Ls extends BerthCall {

        @Override
        Integer call(Berth berth) {
            Map<String, Integer> usage = usage(berth);
            PrintWriter out = out();
            List<List<String>> rows = new ArrayList<>();
            List<Object> json = new ArrayList<>();
            for (CniNetwork n : networks(berth).list()) {
                int pods = usage.getOrDefault(n.name(), 0);
                rows.add(List.of(n.name(), n.bridge(), n.subnet(), Integer.toString(pods)));
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", n.name());
                m.put("bridge", n.bridge());
                m.put("subnet", n.subnet());
                m.put("pods", pods);
                json.add(m);
            }
            out.print(jsonFormat() ? Json.write(json) + "\n"
                    : Tables.render(List.of("NAME", "BRIDGE", "SUBNET", "PODS"), rows));
            return Main.OK;
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show a network's CNI configuration.",
            footer = {"", "Example:", "  berth network inspect berth"})
    static final class Inspect extends BerthCall {

        @Parameters(index = "0", paramLabel = "NAME", description = "The network's name.")
        String name;

        @Override
        Integer call(Berth berth) {
            out().println(networks(berth).inspect(name));
            return Main.OK;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove networks no pod uses.",
            footer = {"", "Example:", "  berth network rm backend"})
    static final class Rm implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "NAME", description = "Networks by name.")
        List<String> names;

        @Override
        public Integer call() {
            return ContainerCommands.eachName(spec, names, (berth, name) -> {
                int pods = usage(berth).getOrDefault(name, 0);
                if (pods > 0) {
                    throw new dev.berth.api.BerthException(dev.berth.api.BerthException.Kind.INVALID_INPUT,
                            "network " + name + " is used by " + pods + " pod(s); remove them first");
                }
                networks(berth).remove(name);
            });
        }
    }
}
