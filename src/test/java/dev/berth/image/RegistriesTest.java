package dev.berth.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.api.BerthException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistriesTest {
    private static final String CONF = """
            # as podman's registries.conf
            unqualified-search-registries = ["registry.example.com",
                                             "docker.io"]   # two lines

            [aliases]
            "app" = "quay.io/org/app"

            [[registry]]
            prefix = "docker.io"
            location = "docker.io"
            [[registry.mirror]]
            location = "127.0.0.1:5000/hub"
            insecure = true

            [[registry]]
            location = "10.0.0.1:5000"
            insecure = true

            [[registry]]
            prefix = "docker.io/evil"
            blocked = true
            """;

    @Test
    void registriesConfIsReadAsPodmanReadsIt() {
        RegistriesConf conf = RegistriesConf.parse(CONF, "registries.conf");
        assertThat(conf.search()).containsExactly("registry.example.com", "docker.io");
        assertThat(conf.registries()).hasSize(3);
        assertThat(conf.match("docker.io/evil/x").blocked()).isTrue();
        assertThat(conf.match("docker.io/library/nginx").mirrors()).containsExactly(new RegistriesConf.Mirror("127.0.0.1:5000/hub", true));
        assertThat(conf.match("quay.io/x")).isNull();
        assertThatThrownBy(() -> RegistriesConf.parse("unqualified-search-registries = nope", "f.conf"))
                .hasMessageContaining("f.conf:1");
    }

    @Test
    void mirrorsComeFirstInsecureRegistriesGoOverHttpAndBlockedOnesAreRefused() {
        Registries r = new Registries(RegistriesConf.parse(CONF, "c"), true, null, List.of(), null, "linux/amd64", null);
        assertThat(r.endpoints(ImageRef.parse("nginx:1.25").in("docker.io"))).containsExactly(
                new Registries.Endpoint("127.0.0.1:5000", "hub/library/nginx", false),
                new Registries.Endpoint("docker.io", "library/nginx", true));
        assertThat(r.endpoints(ImageRef.parse("10.0.0.1:5000/app:1"))).containsExactly(new Registries.Endpoint("10.0.0.1:5000", "app", false));
        assertThat(r.endpoints(ImageRef.parse("quay.io/org/app:1"))).containsExactly(new Registries.Endpoint("quay.io", "org/app", true));
        assertThatThrownBy(() -> r.endpoints(ImageRef.parse("docker.io/evil/x:1")))
                .isInstanceOf(BerthException.class).hasMessageContaining("blocked");
    }

    @Test
    void credentialsComeFromTheMostSpecificAuthEntryAndAreNeverPrinted(@TempDir Path dir) throws Exception {
        String both = Base64.getEncoder().encodeToString("bob:s3cret".getBytes(StandardCharsets.UTF_8));
        String org = Base64.getEncoder().encodeToString("org:0rg".getBytes(StandardCharsets.UTF_8));
        Path file = Files.writeString(dir.resolve("config.json"), """
                {"auths": {"https://index.docker.io/v1/": {"auth": "%s"}, "quay.io/org": {"auth": "%s"}, "quay.io": {"auth": "%s"}}}
                """.formatted(both, org, both));
        assertThat(AuthFile.find(List.of(dir.resolve("missing.json"), file), "docker.io/library/nginx"))
                .isEqualTo(new RegistryClient.Credentials("bob", "s3cret"));
        assertThat(AuthFile.find(List.of(file), "quay.io/org/app")).isEqualTo(new RegistryClient.Credentials("org", "0rg"));
        assertThat(AuthFile.find(List.of(file), "ghcr.io/x")).isNull();
        assertThat(new RegistryClient.Credentials("bob", "s3cret").toString()).doesNotContain("s3cret");

        Path written = dir.resolve("sub/auth.json");
        AuthFile.store(written, "127.0.0.1:5443", new RegistryClient.Credentials("alice", "pw"));
        assertThat(Files.getPosixFilePermissions(written)).hasSize(2); // rw-------
        assertThat(AuthFile.find(List.of(written), "127.0.0.1:5443/app")).isEqualTo(new RegistryClient.Credentials("alice", "pw"));
        assertThat(AuthFile.store(written, "127.0.0.1:5443", null)).isTrue();
        assertThat(AuthFile.find(List.of(written), "127.0.0.1:5443/app")).isNull();
        assertThat(AuthFile.clear(written)).isFalse();
    }

    @Test
    void aPullSecretIsReadAndABadOneIsNamedButNotShown() {
        String secret = Base64.getEncoder().encodeToString("pod:fromsecret".getBytes(StandardCharsets.UTF_8));
        Map<String, Object> dockerConfig = Map.of("auths", Map.of("127.0.0.1:5000", Map.of("auth", secret)));
        assertThat(AuthFile.lookup(dockerConfig, "127.0.0.1:5000/app", "s")).isEqualTo(new RegistryClient.Credentials("pod", "fromsecret"));
        assertThatThrownBy(() -> AuthFile.lookup(Map.of("auths", Map.of("127.0.0.1:5000", Map.of("auth", "!!s3cret"))), "127.0.0.1:5000/app", "Secret/x"))
                .hasMessageContaining("Secret/x").hasMessageContaining("not base64").hasMessageNotContaining("s3cret");
    }
}
