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

    @Option(names = "--ignore-unknown", description = "Warn, instead of failing, on documents of kinds berth does not play.")
    boolean ignoreUnknown;

    ManifestReader.Options readerOptions() {
        return new ManifestReader.Options(allowMissingRefs, ignoreUnknown);
    }
}
