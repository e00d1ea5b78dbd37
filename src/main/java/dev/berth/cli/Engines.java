package dev.berth.cli;

import dev.berth.engine.Berth;
import java.nio.file.Path;

/** Opens berth's store with the global options. */
final class Engines {
    private Engines() {}

    static dev.berth.state.Layout layout(GlobalOptions g) {
        return Berth.layout(g.root == null ? null : Path.of(g.root), g.runroot == null ? null : Path.of(g.runroot));
    }

    static Berth open(GlobalOptions g) {
        return Berth.open(g.root == null ? null : Path.of(g.root), g.runroot == null ? null : Path.of(g.runroot), g.runtime);
    }
}
