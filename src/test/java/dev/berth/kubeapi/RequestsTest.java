package dev.berth.kubeapi;

import static dev.berth.kubeapi.PatchesTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How requests are read: resource URLs, label and field selectors; and how ages are printed. */
class RequestsTest {
    @Test
    void resourceUrlsTakenApart() {
        assertThat(ApiPath.parse("/api/v1/namespaces/ns/pods/web/log")).isEqualTo(new ApiPath("", "v1", "ns", "pods", "web", "log"));
        assertThat(ApiPath.parse("/apis/apps/v1/deployments")).isEqualTo(new ApiPath("apps", "v1", null, "deployments", null, null));
        assertThat(ApiPath.parse("/api/v1/namespaces/ns")).isEqualTo(new ApiPath("", "v1", null, "namespaces", "ns", null));
        assertThat(ApiPath.parse("/api/v1/namespaces/ns/status")).isEqualTo(new ApiPath("", "v1", null, "namespaces", "ns", "status"));
        assertThat(ApiPath.parse("/api/v1/namespaces/ns/configmaps")).isEqualTo(new ApiPath("", "v1", "ns", "configmaps", null, null));
        assertThat(ApiPath.parse("/apis/apps")).isNull();
        assertThat(ApiPath.parse("/api/v1/a/b/c/d")).isNull();
    }

    @Test
    void labelSelectorsAsTheRealServerReadsThem() {
        var pod = json("{'metadata': {'labels': {'app': 'web', 'tier': 'front', 'env': 'dev'}}}");
        assertThat(Selectors.labels("app=web,tier!=db").test(pod)).isTrue();
        assertThat(Selectors.labels("app==web,env in (dev, prod)").test(pod)).isTrue();
        assertThat(Selectors.labels("env notin (dev)").test(pod)).isFalse();
        assertThat(Selectors.labels("app,!legacy").test(pod)).isTrue();
        assertThat(Selectors.labels("legacy").test(pod)).isFalse();
        assertThat(Selectors.labels("").test(pod)).isTrue();
        assertThatThrownBy(() -> Selectors.labels("a b=c")).isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.code()).isEqualTo(400));
    }

    @Test
    void fieldSelectorsOnAnyPath() {
        var pod = json("{'metadata': {'name': 'web-0', 'namespace': 'ns'}, 'status': {'phase': 'Running'}}");
        assertThat(Selectors.fields("metadata.name=web-0,status.phase!=Failed").test(pod)).isTrue();
        assertThat(Selectors.fields("spec.nodeName=").test(pod)).as("absent reads as empty").isTrue();
        assertThat(Selectors.fields("metadata.namespace=other").test(pod)).isFalse();
    }

    @Test
    void agesAsKubectlPrintsThem() {
        assertThat(Tables.human(Duration.ofSeconds(45))).isEqualTo("45s");
        assertThat(Tables.human(Duration.ofSeconds(119))).isEqualTo("119s");
        assertThat(Tables.human(Duration.ofSeconds(192))).isEqualTo("3m12s");
        assertThat(Tables.human(Duration.ofMinutes(25))).isEqualTo("25m");
        assertThat(Tables.human(Duration.ofMinutes(5 * 60 + 3))).isEqualTo("5h3m");
        assertThat(Tables.human(Duration.ofHours(30))).isEqualTo("30h");
        assertThat(Tables.human(Duration.ofHours(76))).isEqualTo("3d4h");
        assertThat(Tables.human(Duration.ofDays(400))).isEqualTo("400d");
        assertThat(Tables.human(Duration.ofDays(800))).isEqualTo("2y70d");
    }

    @Test
    void podStatusAsKubectlShowsIt() {
        assertThat(Tables.podStatus(json("{'status': {'phase': 'Running', 'containerStatuses': [{'ready': true, 'state': {'running': {}}}]}}")))
                .isEqualTo("Running");
        assertThat(Tables.podStatus(json("{'status': {'phase': 'Running', 'containerStatuses': [{'state': {'waiting': {'reason': 'CrashLoopBackOff'}}}]}}")))
                .isEqualTo("CrashLoopBackOff");
        assertThat(Tables.podStatus(json("{'spec': {'initContainers': [{}, {}]}, 'status': {'phase': 'Pending', 'initContainerStatuses': "
                + "[{'state': {'terminated': {'exitCode': 0}}}, {'state': {'running': {}}}]}}"))).isEqualTo("Init:1/2");
        assertThat(Tables.podStatus(json("{'metadata': {'deletionTimestamp': 'x'}, 'status': {'phase': 'Running'}}"))).isEqualTo("Terminating");
    }
}
