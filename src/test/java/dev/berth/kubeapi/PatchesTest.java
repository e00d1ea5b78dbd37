package dev.berth.kubeapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** The patch types of PATCH, as kube-apiserver applies them: JSON patch, merge patch, strategic merge patch. */
class PatchesTest {
    static ObjectNode json(String text) {
        return (ObjectNode) ObjectStore.parse(text.replace('\'', '"'));
    }

    static JsonNode any(String text) {
        try {
            return ObjectStore.JSON.readTree(text.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static final ObjectNode POD = json("""
            {'metadata': {'name': 'p', 'labels': {'a': '1', 'b': '2'}, 'finalizers': ['x']},
             'spec': {'containers': [
               {'name': 'web', 'image': 'web:1', 'env': [{'name': 'A', 'value': '1'}, {'name': 'B', 'value': '2'}], 'args': ['-v']},
               {'name': 'side', 'image': 'side:1'}],
              'tolerations': [{'key': 'k'}]}}""");

    @Test
    void strategicMergeMergesNamedListsItemByItemAndReplacesTheOthers() {
        ObjectNode out = Patches.strategic(POD, json("""
                {'metadata': {'labels': {'b': null, 'c': '3'}, 'finalizers': ['y']},
                 'spec': {'containers': [{'name': 'web', 'image': 'web:2', 'env': [{'name': 'B', 'value': '20'}, {'name': 'C', 'value': '3'}], 'args': ['-q']}],
                  'tolerations': [{'key': 'z'}]}}"""));
        assertThat(out.path("metadata").path("labels")).isEqualTo(json("{'a': '1', 'c': '3'}"));
        assertThat(out.path("metadata").path("finalizers")).as("a set, merged").isEqualTo(any("['x', 'y']"));
        JsonNode web = out.path("spec").path("containers").get(0);
        assertThat(web.path("image").asText()).isEqualTo("web:2");
        assertThat(web.path("env")).isEqualTo(any("[{'name': 'A', 'value': '1'}, {'name': 'B', 'value': '20'}, {'name': 'C', 'value': '3'}]"));
        assertThat(web.path("args")).as("no merge key: replaced").isEqualTo(any("['-q']"));
        assertThat(out.path("spec").path("containers").get(1).path("name").asText()).as("the container the patch does not name stays").isEqualTo("side");
        assertThat(out.path("spec").path("tolerations")).isEqualTo(any("[{'key': 'z'}]"));
        assertThat(POD.path("spec").path("containers").get(0).path("image").asText()).as("the target is not changed").isEqualTo("web:1");
    }

    @Test
    void strategicMergeDirectives() {
        ObjectNode out = Patches.strategic(POD, json("""
                {'metadata': {'$deleteFromPrimitiveList/finalizers': ['x']},
                 'spec': {'$setElementOrder/containers': [{'name': 'side'}, {'name': 'web'}],
                  'containers': [{'name': 'side', '$patch': 'delete'}, {'name': 'web', 'env': [{'name': 'A', '$patch': 'delete'}]}]}}"""));
        assertThat(out.path("metadata").path("finalizers")).isEmpty();
        assertThat(out.path("spec").path("containers")).hasSize(1);
        assertThat(out.path("spec").path("containers").get(0).path("env")).isEqualTo(any("[{'name': 'B', 'value': '2'}]"));

        ObjectNode replaced = Patches.strategic(POD, json("{'metadata': {'labels': {'$patch': 'replace', 'only': 'me'}}}"));
        assertThat(replaced.path("metadata").path("labels")).isEqualTo(json("{'only': 'me'}"));
        ObjectNode retained = Patches.strategic(json("{'spec': {'strategy': {'type': 'RollingUpdate', 'rollingUpdate': {'maxSurge': 1}}}}"),
                json("{'spec': {'strategy': {'$retainKeys': ['type'], 'type': 'Recreate'}}}"));
        assertThat(retained.path("spec").path("strategy")).isEqualTo(json("{'type': 'Recreate'}"));
    }

    @Test
    void servicePortsMergeByPortAndContainerPortsByContainerPort() {
        ObjectNode svc = json("{'spec': {'ports': [{'port': 80, 'targetPort': 8080}, {'port': 443}]}}");
        ObjectNode out = Patches.strategic(svc, json("{'spec': {'ports': [{'port': 80, 'targetPort': 9090}]}}"));
        assertThat(out.path("spec").path("ports")).isEqualTo(any("[{'port': 80, 'targetPort': 9090}, {'port': 443}]"));
    }

    @Test
    void mergePatchReplacesListsAndRemovesNulls() {
        ObjectNode out = Patches.merge(POD, json("{'metadata': {'labels': {'a': null}}, 'spec': {'tolerations': []}}"));
        assertThat(out.path("metadata").path("labels")).isEqualTo(json("{'b': '2'}"));
        assertThat(out.path("spec").path("tolerations")).isEmpty();
        assertThat(out.path("spec").path("containers")).hasSize(2);
    }

    @Test
    void jsonPatchOperationsAndAFailedTestIs422() {
        ObjectNode out = Patches.json(POD, any("""
                [{'op': 'replace', 'path': '/spec/containers/0/image', 'value': 'web:3'},
                 {'op': 'add', 'path': '/metadata/labels/c', 'value': '3'},
                 {'op': 'remove', 'path': '/spec/containers/1'},
                 {'op': 'add', 'path': '/metadata/finalizers/-', 'value': 'y'},
                 {'op': 'copy', 'from': '/metadata/labels/a', 'path': '/metadata/labels/d'},
                 {'op': 'move', 'from': '/metadata/labels/b', 'path': '/metadata/labels/e'},
                 {'op': 'test', 'path': '/metadata/name', 'value': 'p'}]"""));
        assertThat(out.path("spec").path("containers")).hasSize(1);
        assertThat(out.path("spec").path("containers").get(0).path("image").asText()).isEqualTo("web:3");
        assertThat(out.path("metadata").path("labels")).isEqualTo(json("{'a': '1', 'c': '3', 'd': '1', 'e': '2'}"));
        assertThat(out.path("metadata").path("finalizers")).isEqualTo(any("['x', 'y']"));
        assertThatThrownBy(() -> Patches.json(POD, any("[{'op': 'test', 'path': '/metadata/name', 'value': 'q'}]")))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.code()).isEqualTo(422));
        assertThatThrownBy(() -> Patches.json(POD, any("[{'op': 'remove', 'path': '/spec/nothing'}]")))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.getMessage()).contains("missing path"));
    }
}
