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

    @Option(names = "--ignore-unknown", hidden = true, description = "No longer needed: every kind is accepted (kept for old scripts).")
    boolean ignoreUnknown;

    ManifestReader.Options readerOptions() {
        return new ManifestReader.Options(allowMissingRefs, strict, substituteVolumes);
    }
}
