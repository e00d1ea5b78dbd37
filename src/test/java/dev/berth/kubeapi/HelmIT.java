package dev.berth.kubeapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.BerthRoot;
import dev.berth.testing.KubeClients;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * helm 4 against berth's API with a local chart (a Deployment serving a ConfigMap's page, its
 * Service, a Secret, and a {@code helm.sh/hook: test} pod that fetches the page through the
 * Service by name): install and wait, test, upgrade (the Deployment rolls), rollback, uninstall
 * leaving nothing.
 */
class HelmIT {
    @Test
    void aChartIsInstalledTestedUpgradedRolledBackAndUninstalled() throws Exception {
        Path helm = KubeClients.binary("v35/helm");
        Path kubectl = KubeClients.binary("v35/kubectl");
        Path chart = Path.of("src/test/resources/charts/web").toAbsolutePath();
        try (BerthRoot b = new BerthRoot().withSampleImage()) {
            KubeClients k = new KubeClients(b);
            String installed = k.run(helm, "install", "rel", chart.toString(), "--wait", "--timeout", "90s").ok().out();
            assertThat(installed).contains("STATUS: deployed", "REVISION: 1");
            assertThat(k.run(kubectl, "get", "deploy", "rel-web").ok().out()).containsPattern("rel-web +2/2 +2 +2");
            assertThat(k.run(helm, "test", "rel").ok().out()).contains("Phase:          Succeeded");

            String upgraded = k.run(helm, "upgrade", "rel", chart.toString(), "--set", "message=bye", "--wait", "--timeout", "90s").ok().out();
            assertThat(upgraded).contains("has been upgraded", "REVISION: 2");
            assertThat(k.run(kubectl, "get", "pods", "-l", "app=rel-web", "-o", "jsonpath={.items[*].metadata.annotations.checksum/content}").ok().out())
                    .as("the pods of the new template").doesNotContain(sha256("hello"));
            assertThat(k.run(helm, "test", "rel").ok().out()).as("the page through the Service says bye").contains("Phase:          Succeeded");
            assertThat(k.run(helm, "history", "rel").ok().out()).containsPattern("1\\s.*superseded").containsPattern("2\\s.*deployed");

            assertThat(k.run(helm, "rollback", "rel", "1", "--wait", "--timeout", "90s").ok().out()).contains("Rollback was a success");
            assertThat(k.run(kubectl, "get", "cm", "rel-content", "-o", "jsonpath={.data.index\\.html}").ok().out()).isEqualTo("hello from rel");
            assertThat(k.run(helm, "test", "rel").ok().out()).contains("Phase:          Succeeded");

            assertThat(k.run(helm, "uninstall", "rel", "--wait").ok().out()).contains("release \"rel\" uninstalled");
            BerthRoot.waitFor(() -> k.run(kubectl, "get", "all,cm,secret", "-o", "name").out().isBlank(), "everything of the release to go");
            BerthRoot.waitFor(() -> b.berth("pod", "ps", "-q").out().isBlank(), "berth to run no pod");
        }
    }

    private static String sha256(String text) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes()));
    }
}
