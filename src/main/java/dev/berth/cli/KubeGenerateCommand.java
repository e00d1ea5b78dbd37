package dev.berth.cli;

import dev.berth.api.BerthException;
import dev.berth.engine.Berth;
import dev.berth.generate.Generator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code berth kube generate}: what runs, back as Kubernetes YAML. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Print the Kubernetes YAML of pods (and standalone containers) as they were played.",
                "Defaults are left out, berth's annotations kept, Secret values never written.",
                "A pod made from a Deployment, DaemonSet or Job comes back as that workload unless --type says otherwise."},
        footer = {"", "Examples:", "  berth kube generate demo", "  berth kube generate --type deployment --replicas 3 --service -f web.yaml web"})
final class KubeGenerateCommand extends BerthCall {
    @Parameters(arity = "1..*", paramLabel = "POD|CONTAINER", completionCandidates = CompletionCommand.PodsAndContainers.class, description = "Pods, or containers made by run, by name.")
    List<String> names;

    @Option(names = "--type", paramLabel = "TYPE", defaultValue = "auto",
            description = "auto (default), pod, deployment, daemonset or job.")
    String type;

    @Option(names = "--replicas", paramLabel = "N", defaultValue = "0", description = "Replicas of a generated Deployment (default: as played).")
    int replicas;

    @Option(names = "--service", description = "Add a Service for the container ports each object declares.")
    boolean service;

    @Option(names = {"-f", "--filename"}, paramLabel = "FILE", description = "Write to FILE instead of standard output.")
    Path file;

    @Option(names = "--force", description = "Overwrite FILE when it exists.")
    boolean force;

    @Override
    Integer call(Berth berth) {
        String yaml = Generator.generate(berth, names, new Generator.Options(type, replicas, service));
        if (file == null) {
            out().print(yaml);
            return Main.OK;
        }
        if (Files.exists(file) && !force) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, file + " exists; use --force to overwrite it");
        }
        try {
            Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.FAILED, "cannot write " + file + ": " + e.getMessage(), e);
        }
        return Main.OK;
    }
}
