package dev.berth.kubeapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.BerthRoot;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A program written with fabric8's kubernetes-client, as users write them, against berth's API:
 * create, get, list by label, watch, patch (JSON merge and server-side apply), scale, and delete,
 * with a Deployment whose pods really run.
 */
class Fabric8ClientIT {
    @Test
    void aClientProgramCreatesListsWatchesPatchesAndDeletes() throws Exception {
        try (BerthRoot b = new BerthRoot().withSampleImage()) {
            b.berth("api", "start").ok();
            Config config = Config.fromKubeconfig(b.berth("api", "kubeconfig").ok().out());
            try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
                assertThat(client.getKubernetesVersion().getGitVersion()).startsWith("v1.34");
                List<String> seen = new CopyOnWriteArrayList<>();
                var watch = client.configMaps().inNamespace("default").withLabel("app", "demo").watch(new Watcher<ConfigMap>() {
                    @Override
                    public void eventReceived(Action action, ConfigMap cm) {
                        if (action == Action.BOOKMARK) {
                            return; // a server may send them at any time, as the real one does
                        }
                        seen.add(action + " " + cm.getMetadata().getName() + " " + cm.getData());
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                        // closed by the test
                    }
                });
                try {
                    client.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName("settings")
                            .addToLabels("app", "demo").endMetadata().addToData("level", "info").build()).create();
                    assertThat(client.configMaps().inNamespace("default").withLabel("app", "demo").list().getItems())
                            .extracting(c -> c.getMetadata().getName()).containsExactly("settings");
                    client.configMaps().inNamespace("default").withName("settings")
                            .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"data\":{\"level\":\"debug\"}}");
                    assertThat(client.configMaps().inNamespace("default").withName("settings").get().getData()).isEqualTo(Map.of("level", "debug"));
                    client.configMaps().inNamespace("default").withName("settings").delete();
                    BerthRoot.waitFor(() -> seen.size() >= 3, "the watch to see the ConfigMap added, modified and deleted");
                    assertThat(seen).containsExactly("ADDED settings {level=info}", "MODIFIED settings {level=debug}", "DELETED settings {level=debug}");
                } finally {
                    watch.close();
                }

                Deployment web = new DeploymentBuilder().withNewMetadata().withName("web").endMetadata().withNewSpec().withReplicas(1)
                        .withNewSelector().addToMatchLabels("app", "web").endSelector().withNewTemplate().withNewMetadata().addToLabels("app", "web")
                        .endMetadata().withNewSpec().withTerminationGracePeriodSeconds(1L).addNewContainer().withName("app").withImage(BerthRoot.IMAGE)
                        .withCommand("sleep", "1000").endContainer().endSpec().endTemplate().endSpec().build();
                client.apps().deployments().inNamespace("default").resource(web).fieldManager("demo").serverSideApply();
                client.apps().deployments().inNamespace("default").withName("web").waitUntilReady(60, TimeUnit.SECONDS);
                client.apps().deployments().inNamespace("default").withName("web").scale(2);
                BerthRoot.waitFor(() -> client.pods().inNamespace("default").withLabel("app", "web").list().getItems().stream()
                        .filter(p -> "Running".equals(p.getStatus().getPhase())).count() == 2, "two running pods");
                assertThat(b.berth("pod", "ps").ok().out()).contains("web-0", "web-1");
                client.apps().deployments().inNamespace("default").withName("web").delete();
                BerthRoot.waitFor(() -> client.pods().inNamespace("default").list().getItems().isEmpty(), "the pods to go");
            }
        }
    }
}
