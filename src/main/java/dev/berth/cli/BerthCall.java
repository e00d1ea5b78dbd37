package dev.berth.cli;

import dev.berth.engine.Berth;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that works on berth's store: opens it with the global options, runs, closes it. */
abstract class BerthCall implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() {
        try (Berth berth = Engines.open(global())) {
            if (revivesSupervisor()) {
                Supervision.reviveIfGone(berth);
            }
            return call(berth);
        }
    }

    /** Whether this command starts the root's supervisor again when it is wanted and gone (all but the supervisor itself). */
    boolean revivesSupervisor() {
        return true;
    }

    abstract Integer call(Berth berth);

    GlobalOptions global() {
        return ContainerCommands.root(spec).global;
    }

    boolean jsonFormat() {
        return global().json();
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
