package dev.berth.image;

import dev.berth.api.BerthException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How images are pulled, as podman users configure it: the search registries and the
 * {@code [[registry]]} entries of registries.conf (mirrors tried first, insecure registries over
 * https without verifying, then plain http), credentials ({@code --creds}, else a pod's pull
 * Secrets, else the auth files), and each registry's certificates (podman's
 * {@code certs.d/HOST[:PORT]/}: {@code *.crt} CAs, {@code *.cert} + {@code *.key} client certificates).
 *
 * @param tlsVerify false: no registry's certificate is verified, and plain http is tried when
 *                  https fails, as {@code --tls-verify=false}
 * @param creds     {@code --creds}: used for every registry; null to look them up
 * @param authFiles where credentials are looked up, in order
 * @param certDir   {@code --cert-dir}: the certificates for every registry, read directly; null
 *                  for {@link #CERT_DIRS}{@code /HOST[:PORT]/}
 * @param platform  {@code os/arch[/variant]} picked from an index ({@code linux/amd64} here)
 * @param timeout   a whole pull's deadline ({@code --pull-timeout}); null for none
 */
public record Registries(RegistriesConf conf, boolean tlsVerify, RegistryClient.Credentials creds, List<Path> authFiles, Path certDir,
        String platform, java.time.Duration timeout) {
    public static final List<Path> CERT_DIRS = List.of(Path.of("/etc/containers/certs.d"), Path.of("/etc/docker/certs.d"));

    /** The registries.conf files podman reads: {@code $CONTAINERS_REGISTRIES_CONF}, else the system file, its drop-ins, the user's. */
    public static List<Path> confFiles(Path given) {
        if (given != null) {
            return List.of(given);
        }
        String env = System.getenv("CONTAINERS_REGISTRIES_CONF");
        if (env != null) {
            return List.of(Path.of(env));
        }
        List<Path> files = new ArrayList<>(List.of(Path.of("/etc/containers/registries.conf")));
        try (var dropIns = java.nio.file.Files.list(Path.of("/etc/containers/registries.conf.d"))) {
            dropIns.filter(p -> p.toString().endsWith(".conf")).sorted().forEach(files::add);
        } catch (java.io.IOException none) {
            // no drop-in directory
        }
        files.add(Path.of(System.getProperty("user.home"), ".config/containers/registries.conf"));
        return files;
    }

    /** One place a repository can be pulled from; {@code verify} false: https unverified, then plain http. */
    public record Endpoint(String host, String path, boolean verify) {
        String repository() {
            return host + "/" + path;
        }
    }

    /**
     * Where {@code ref} is pulled from, in order: the mirrors of its registries.conf entry, then
     * the entry's location (the prefix rewritten), else the registry it names.
     */
    public List<Endpoint> endpoints(ImageRef ref) {
        String repository = ref.repository();
        RegistriesConf.Registry entry = conf.match(repository);
        if (entry == null) {
            return List.of(endpoint(repository, false));
        }
        if (entry.blocked()) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, repository + ": the registry is blocked in registries.conf");
        }
        String rest = repository.substring(entry.prefix().length());
        List<Endpoint> all = new ArrayList<>();
        for (RegistriesConf.Mirror m : entry.mirrors()) {
            all.add(endpoint(m.location() + rest, m.insecure()));
        }
        all.add(endpoint(entry.location() + rest, entry.insecure()));
        return all;
    }

    private Endpoint endpoint(String repository, boolean insecure) {
        int slash = repository.indexOf('/');
        return new Endpoint(repository.substring(0, slash), repository.substring(slash + 1), tlsVerify && !insecure);
    }

    /** A client for a registry itself ({@code berth login}): unverified when marked insecure, with its certificates and these credentials. */
    public RegistryClient client(String registry, RegistryClient.Credentials credentials) {
        RegistriesConf.Registry entry = conf.match(registry);
        return new RegistryClient(registry, tlsVerify && (entry == null || !entry.insecure()), credentials, caDirs(registry));
    }

    private List<Path> caDirs(String host) {
        return certDir != null ? List.of(certDir) : CERT_DIRS.stream().map(d -> d.resolve(host)).toList();
    }

    /**
     * A client for an endpoint, with the credentials that apply to it: {@code --creds}, else those
     * of the pod's pull Secrets, else the auth files'.
     *
     * @param pullSecrets a pod's imagePullSecrets, in order
     */
    public RegistryClient client(Endpoint e, List<AuthFile.PullSecret> pullSecrets) {
        RegistryClient.Credentials c = creds;
        for (int i = 0; c == null && i < pullSecrets.size(); i++) {
            c = pullSecrets.get(i).lookup(e.repository());
        }
        if (c == null) {
            c = AuthFile.find(authFiles, e.repository());
        }
        return new RegistryClient(e.host(), e.verify(), c, caDirs(e.host()));
    }
}
