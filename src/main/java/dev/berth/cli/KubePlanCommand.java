package dev.berth.cli;

import dev.berth.api.Manifests;
import dev.berth.manifest.ManifestReader;
import dev.berth.plan.Plan;
import dev.berth.plan.PlanBuilder;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code berth kube plan}: the dependency graph of manifests, with nothing started. */
@Command(name = "plan",
        mixinStandardHelpOptions = true,
        description = {"Show the order in which berth would start what the manifests describe, and why.",
                "Nothing is started. Exit code 0 when the manifests are valid, 1 when they are not or form a cycle."},
        footer = {"", "Examples:",
                "  berth kube plan manifests/demo.yaml",
                "  berth kube plan -o json manifests/",
                "  berth kube plan -o dot manifests/demo.yaml | dot -Tsvg > plan.svg"})
final class KubePlanCommand implements Callable<Integer> {
    enum Output { text, json, dot }

    @Mixin
    ManifestOptions manifests;

    @Option(names = {"-o", "--output"}, paramLabel = "text|json|dot",
            description = "text (default), json (schemas/plan.schema.json) or dot (Graphviz).")
    Output output;

    @Option(names = "--no-infer", description = "Do not infer dependencies from localhost:PORT and SERVICE:PORT mentions.")
    boolean noInfer;

    @ParentCommand
    KubeCommand kube;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        BerthCommand root = (BerthCommand) spec.root().userObject();
        Manifests read = new ManifestReader(root.stdin).read(manifests.paths, manifests.readerOptions());
        Plan plan = PlanBuilder.build(read, new PlanBuilder.Options(!noInfer));
        PrintWriter err = spec.commandLine().getErr();
        read.warnings().forEach(w -> err.println("warning: " + w));
        plan.warnings().forEach(w -> err.println("warning: " + w));
        Output chosen = output != null ? output : root.global.json() ? Output.json : Output.text;
        PrintWriter out = spec.commandLine().getOut();
        out.print(switch (chosen) {
            case text -> PlanRendering.text(plan, read.dispositions());
            case json -> PlanRendering.json(plan, read.dispositions());
            case dot -> PlanRendering.dot(plan, read.dispositions());
        });
        out.flush();
        return Main.OK;
    }
}
