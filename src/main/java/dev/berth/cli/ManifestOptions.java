package dev.berth.cli;

import dev.berth.manifest.ManifestReader;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The manifest arguments and reading options shared by the commands that read manifests. */
final class ManifestOptions {
    @Parameters(paramLabel = "FILE|DIR|-", arity = "1..*",
            description = "Manifest files, directories (their *.yaml, *.yml and *.json files) or - for stdin.")
    List<String> paths;

    @Option(names = "--allow-missing-refs",
            description = "Warn, instead of failing, when a ConfigMap, Secret or PVC referenced is not in the manifests.")
    boolean allowMissingRefs;

    @Option(names = "--strict", description = "Fail on fields berth does not apply on one host (nodeSelector, affinity…), not only on unknown ones.")
    boolean strict;

    @Option(names = "--substitute-volumes",
            description = "Make each cloud or storage-cluster volume (nfs, awsElasticBlockStore, csi…) a local named volume, with a warning, instead of an error.")
    boolean substituteVolumes;

    @Option(names = "--ingress-port", paramLabel = "PORT",
            description = "Serve the manifests' Ingresses (host and path rules to Services) on this host port, from berth's ingress pod.")
    int ingressPort;

    @Option(names = "--ignore-unknown", hidden = true, description = "No longer needed: every kind is accepted (kept for old scripts).")
    boolean ignoreUnknown;

    ManifestReader.Options readerOptions() {
        if (ingressPort < 0 || ingressPort > 65535) {
            throw new dev.berth.api.BerthException(dev.berth.api.BerthException.Kind.INVALID_INPUT,
                    "--ingress-port must be a port from 1 to 65535, got " + ingressPort);
        }
        return new ManifestReader.Options(allowMissingRefs, strict, substituteVolumes, ingressPort);
    }
}
