package dev.berth.cli;

import dev.berth.api.BerthException;
import dev.berth.image.AuthFile;
import dev.berth.image.Registries;
import dev.berth.image.RegistriesConf;
import dev.berth.image.RegistryClient;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How images are pulled, as podman's flags say it: shared by {@code image pull}, {@code kube play}, {@code reconcile} and {@code login}. */
final class PullOptions {
    @Option(names = "--tls-verify", arity = "0..1", defaultValue = "true", fallbackValue = "true",
            description = "Verify the registry's certificate (default true); false: https without verifying it, then plain http when https fails, as podman.")
    boolean tlsVerify;

    @Option(names = "--creds", paramLabel = "USER:PASSWORD", description = "Credentials for the registries images are pulled from (never printed).")
    String creds;

    @Option(names = "--authfile", paramLabel = "FILE",
            description = "Credentials file (default: $REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json, ~/.config/containers/auth.json, ~/.docker/config.json).")
    Path authfile;

    @Option(names = "--cert-dir", paramLabel = "DIR",
            description = "Certificates for the registry, as podman reads them: *.crt CAs, *.cert with *.key client certificates "
                    + "(default: /etc/containers/certs.d/HOST[:PORT]/, /etc/docker/certs.d/HOST[:PORT]/).")
    Path certDir;

    @Option(names = "--pull-timeout", paramLabel = "SECONDS", defaultValue = "0",
            description = "Give up a pull that has not finished after SECONDS (default 0: no deadline; a registry silent for 30 s is asked again, 4 times at most).")
    int pullTimeout;

    @Option(names = "--registries-conf", paramLabel = "FILE",
            description = "registries.conf to read (default: $CONTAINERS_REGISTRIES_CONF, /etc/containers/registries.conf and its .d, ~/.config/containers/registries.conf).")
    Path registriesConf;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", defaultValue = "linux/amd64",
            description = "The variant picked from a multi-platform image (default linux/amd64).")
    String platform;

    /** Where and with what credentials images are pulled. */
    Registries registries() {
        if (!platform.matches("[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?")) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "--platform " + platform + ": give OS/ARCH[/VARIANT], e.g. linux/arm64/v8");
        }
        if (pullTimeout < 0) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "--pull-timeout " + pullTimeout + ": give SECONDS, 0 for no deadline");
        }
        return new Registries(RegistriesConf.load(Registries.confFiles(registriesConf)), tlsVerify, credentials(creds, "--creds"),
                AuthFile.searchPath(authfile), certDir, platform, pullTimeout == 0 ? null : java.time.Duration.ofSeconds(pullTimeout));
    }

    static RegistryClient.Credentials credentials(String userColonPassword, String option) {
        if (userColonPassword == null) {
            return null;
        }
        int colon = userColonPassword.indexOf(':');
        if (colon < 1) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, option + ": give USER:PASSWORD");
        }
        return new RegistryClient.Credentials(userColonPassword.substring(0, colon), userColonPassword.substring(colon + 1));
    }
}
