package dev.berth.cli;

import dev.berth.api.Manifests;
import dev.berth.engine.Berth;
import dev.berth.manifest.ManifestReader;
import dev.berth.plan.Plan;
import dev.berth.plan.PlanBuilder;
import dev.berth.reconcile.KubeDown;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code berth kube down}: remove what the manifests describe. */
@Command(name = "down", mixinStandardHelpOptions = true,
        description = {"Stop and remove the pods of the manifests, dependents first.",
                "SIGTERM, then SIGKILL after terminationGracePeriodSeconds (or --timeout). Pods that do not exist are skipped."},
        footer = {"", "Example:", "  berth kube down manifests/demo.yaml"})
final class KubeDownCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ManifestOptions manifests;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Grace period for every pod, instead of its own.")
    Integer timeout;

    @Option(names = "--volumes", description = "Also remove the named volumes of the manifests' PersistentVolumeClaims (kept by default).")
    boolean volumes;

    @Override
    public Integer call() {
        BerthCommand root = ContainerCommands.root(spec);
        if (timeout != null && timeout < 0) {
            throw new dev.berth.api.BerthException(dev.berth.api.BerthException.Kind.INVALID_INPUT, "--timeout must be 0 or more seconds, got " + timeout);
        }
        // any ingress port will do: down needs only the ingress pod's name
        Manifests read = new ManifestReader(root.stdin).read(manifests.paths, new ManifestReader.Options(true, false, true, 80));
        Plan plan = PlanBuilder.build(read, new PlanBuilder.Options(true));
        PlayView view = new PlayView(spec.commandLine().getOut(), PlayView.mode(root.global, false) == PlayView.Mode.JSON
                ? PlayView.Mode.JSON : PlayView.Mode.LINES, List.of());
        try (Berth berth = Engines.open(root.global); dev.berth.reconcile.Events events = new dev.berth.reconcile.Events(berth.state())) {
            List<String> failures = new java.util.ArrayList<>(KubeDown.down(berth, read, plan, timeout == null ? null : Duration.ofSeconds(timeout), 8,
                    view.andThen(events.fromPlay())));
            if (volumes && failures.isEmpty()) {
                for (var o : read.objects()) {
                    if (o.kind() == dev.berth.api.ObjectKind.PERSISTENT_VOLUME_CLAIM && berth.volumes().remove(o.name())) {
                        spec.commandLine().getOut().println("volume " + o.name() + " removed");
                    }
                }
            }
            failures.forEach(f -> spec.commandLine().getErr().println("Error: " + f));
            return failures.isEmpty() ? Main.OK : Main.FAILED;
        }
    }
}
