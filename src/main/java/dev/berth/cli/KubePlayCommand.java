package dev.berth.cli;

import dev.berth.api.Json;
import dev.berth.api.Manifests;
import dev.berth.engine.Berth;
import dev.berth.manifest.ManifestReader;
import dev.berth.plan.Node;
import dev.berth.plan.Plan;
import dev.berth.plan.PlanBuilder;
import dev.berth.reconcile.Events;
import dev.berth.reconcile.KubePlay;
import dev.berth.reconcile.PlayOptions;
import dev.berth.reconcile.PlayResult;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code berth kube play}: start what the manifests describe, in dependency order. */
@Command(name = "play", mixinStandardHelpOptions = true,
        description = {"Create the pods of the manifests and start each container once what it needs is ready.",
                "Unchanged pods are kept, changed ones replaced. Exits 1 when a container fails or waits in vain, saying which waited for what and why."},
        footer = {"", "Examples:", "  berth kube play manifests/demo.yaml", "  berth kube play --timeout 30 --format json manifests/"})
final class KubePlayCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ManifestOptions manifests;

    @picocli.CommandLine.Mixin
    StartOptions start;

    @Option(names = "--replace", description = "Replace pods even when unchanged.")
    boolean replace;

    @Option(names = "--adopt", description = "Play pods that a reconcile made too, taking them from it (refused without).")
    boolean adopt;

    @Option(names = "--dry-run", description = "Print the plan (as kube plan does) and start nothing.")
    boolean dryRun;


    @Option(names = {"-q", "--quiet"}, description = "Print only the summary.")
    boolean quiet;


    @Option(names = "--configmap", paramLabel = "FILE",
            description = "Read ConfigMaps (and Secrets) from FILE too, as podman's kube play --configmap does.")
    java.util.List<String> configmaps = new java.util.ArrayList<>();

    @Option(names = {"-p", "--publish"}, paramLabel = "[IP:]HOSTPORT:CONTAINERPORT",
            description = "Publish a containerPort on the host, for every pod declaring it (as podman does).")
    java.util.List<String> publish = new java.util.ArrayList<>();

    @Option(names = "--infra",
            description = "Give each pod an infra container holding its namespaces, as podman's pods have (default: namespace files, no process;"
                    + " a pod's berth.dev/infra: \"true\" and shareProcessNamespace ask for one too).")
    boolean infra;

    @Option(names = "--log-max-size", paramLabel = "SIZE", defaultValue = "10Mi",
            description = "Rotate a container's log when it reaches SIZE (default 10Mi; a pod's berth.dev/log-max-size wins).")
    String logMaxSize;

    @Option(names = "--log-max-files", paramLabel = "N", defaultValue = "5",
            description = "Keep N log files per container, the current one included (default 5; a pod's berth.dev/log-max-files wins).")
    int logMaxFiles;

    @Mixin
    PullOptions pull;

    @Option(names = "--restart-backoff-max", paramLabel = "SECONDS", defaultValue = "60",
            description = "Cap the crash-loop back-off at SECONDS (default 60, as Kubernetes); the root's supervisor takes it when it starts.")
    int backoffMax;

    /** --log-max-size and --log-max-files, checked as the annotations are. */
    private dev.berth.api.LogLimits logLimits() {
        long size;
        try {
            size = dev.berth.api.Quantities.ceilLong(logMaxSize);
        } catch (RuntimeException e) {
            throw new dev.berth.api.BerthException(dev.berth.api.BerthException.Kind.INVALID_INPUT,
                    "--log-max-size " + logMaxSize + ": not a quantity of bytes (such as 10Mi or 500k)");
        }
        if (size < dev.berth.api.LogLimits.SMALLEST || logMaxFiles < 1) {
            throw new dev.berth.api.BerthException(dev.berth.api.BerthException.Kind.INVALID_INPUT,
                    "--log-max-size must be at least 64Ki and --log-max-files at least 1");
        }
        return new dev.berth.api.LogLimits(size, logMaxFiles);
    }

    private Duration backoff() {
        if (backoffMax < 1) {
            throw new dev.berth.api.BerthException(dev.berth.api.BerthException.Kind.INVALID_INPUT, "--restart-backoff-max must be at least 1 second");
        }
        return Duration.ofSeconds(backoffMax);
    }

    @Override
    public Integer call() {
        BerthCommand root = ContainerCommands.root(spec);
        start.check();
        java.util.List<String> paths = new java.util.ArrayList<>(configmaps);
        paths.addAll(manifests.paths);
        Manifests read = new ManifestReader(root.stdin).read(paths, manifests.readerOptions());
        Plan plan = PlanBuilder.build(read, new PlanBuilder.Options(!start.noInfer));
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        read.warnings().forEach(w -> err.println("warning: " + w));
        plan.warnings().forEach(w -> err.println("warning: " + w));
        if (dryRun) {
            out.print(root.global.json() ? PlanRendering.json(plan, read.dispositions()) : PlanRendering.text(plan, read.dispositions()));
            return Main.OK;
        }
        PlayView.Mode mode = PlayView.mode(root.global, quiet);
        PlayView view = new PlayView(out, mode, plan.startOrder().stream().filter(n -> n.kind() == Node.Kind.POD || n.kind() == Node.Kind.CONTAINER).map(Node::id).toList());
        try (Berth berth = Engines.open(root.global); Events events = new Events(berth.state())) {
            KubePlay play = new KubePlay(berth, read, plan, new PlayOptions(Duration.ofSeconds(start.timeout), replace, start.parallel, publish, logLimits(), backoff(),
                    pull.registries(), true, adopt, infra),
                    view.andThen(events.fromPlay()));
            CountDownLatch done = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                play.interrupt();
                try {
                    done.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException ignored) {
                    // exiting anyway
                }
            });
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                Supervision.prepare(berth, root.global, backoff()); // its containers' exits may need it at once
                PlayResult result = play.run();
                Supervision.startIfNeeded(berth, root.global, backoff()); // what must go on after play returns
                report(result, mode, out, err);
                out.flush();
                err.flush();
                return result.ok() ? Main.OK : Main.FAILED;
            } finally {
                events.close(); // before the hook lets the JVM go
                // on Ctrl-C the hook waits for this: the summary is out before the JVM goes
                done.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // Ctrl-C: the hook is running
                }
            }
        }
    }

    private static void report(PlayResult result, PlayView.Mode mode, PrintWriter out, PrintWriter err) {
        if (mode == PlayView.Mode.JSON) {
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("result", result.ok() ? "ok" : "failed");
            summary.put("pods", result.pods());
            summary.put("failures", result.failures());
            out.println(Json.write(summary));
            return;
        }
        result.pods().forEach((pod, outcome) -> out.println("pod " + pod + ": " + outcome));
        for (String f : result.failures()) {
            err.println("Error: " + f);
        }
    }
}
