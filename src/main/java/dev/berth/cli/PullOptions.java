package dev.berth.cli;

import dev.berth.api.BerthException;
import dev.berth.image.RegistryClient;
import java.util.function.Function;
import picocli.CommandLine.Option;

/** How images are pulled, as podman's flags say it: shared by {@code image pull} and {@code kube play}. */
final class PullOptions {
    @Option(names = "--tls-verify", arity = "0..1", defaultValue = "true", fallbackValue = "true",
            description = "Pull over https with a verified certificate (default true); false: plain http, for a registry without TLS.")
    boolean tlsVerify;

    @Option(names = "--creds", paramLabel = "USER:PASSWORD", description = "Credentials for the registries images are pulled from (never printed).")
    String creds;

    /** A client for each registry, by {@code host[:port]}. */
    Function<String, RegistryClient> registries() {
        RegistryClient.Credentials credentials = credentials();
        return registry -> new RegistryClient(registry, tlsVerify, credentials);
    }

    private RegistryClient.Credentials credentials() {
        if (creds == null) {
            return null;
        }
        int colon = creds.indexOf(':');
        if (colon < 1) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "--creds: give USER:PASSWORD");
        }
        return new RegistryClient.Credentials(creds.substring(0, colon), creds.substring(colon + 1));
    }
}
