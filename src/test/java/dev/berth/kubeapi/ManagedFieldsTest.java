package dev.berth.kubeapi;

import static dev.berth.kubeapi.PatchesTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** Server-side apply over managedFields: ownership, removal of what a manager no longer applies, and conflicts. */
class ManagedFieldsTest {
    private static ObjectNode cm(String data) {
        return json("{'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'c'}, 'data': " + data + "}");
    }

    @Test
    void fieldSetsNameListItemsByTheirMergeKey() {
        ObjectNode set = ManagedFields.fields(json("{'metadata': {'name': 'p', 'labels': {'a': '1'}}, 'spec': {'containers': [{'name': 'web', 'image': 'x'}]}}"));
        assertThat(set).isEqualTo(json("{'f:metadata': {'f:labels': {'f:a': {}}}, 'f:spec': {'f:containers': {'k:{\\\"name\\\":\\\"web\\\"}': "
                + "{'f:name': {}, 'f:image': {}, '.': {}}}}}"));
    }

    @Test
    void anApplyConflictsWithAnotherManagersValueUnlessForcedAndDropsWhatItNoLongerApplies() {
        ManagedFields.Applied first = ManagedFields.apply(null, cm("{'level': 'info', 'size': '3'}"), "kubectl", false);
        ObjectNode stored = first.object();
        stored.with("metadata").set("managedFields", first.managedFields());

        assertThatThrownBy(() -> ManagedFields.apply(stored, cm("{'level': 'debug'}"), "ops", false))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.code()).isEqualTo(409);
                    assertThat(e.getMessage()).isEqualTo("Apply failed with 1 conflict: conflict with \"kubectl\": .data.level");
                });
        ManagedFields.Applied same = ManagedFields.apply(stored, cm("{'level': 'info'}"), "ops", false);
        assertThat(same.object().path("data")).as("the same value is no conflict: both own it").isEqualTo(json("{'level': 'info', 'size': '3'}"));

        ManagedFields.Applied forced = ManagedFields.apply(stored, cm("{'level': 'debug'}"), "ops", true);
        ObjectNode after = forced.object();
        after.with("metadata").set("managedFields", forced.managedFields());
        assertThat(after.path("data")).isEqualTo(json("{'level': 'debug', 'size': '3'}"));

        ManagedFields.Applied less = ManagedFields.apply(after, cm("{}"), "kubectl", false);
        assertThat(less.object().path("data")).as("size goes with its only manager; level is ops's now").isEqualTo(json("{'level': 'debug'}"));
    }

    @Test
    void anUpdateTakesTheFieldsItChangedFromTheirManagers() {
        ManagedFields.Applied applied = ManagedFields.apply(null, cm("{'level': 'info'}"), "kubectl", false);
        ObjectNode stored = applied.object();
        stored.with("metadata").set("managedFields", applied.managedFields());
        ObjectNode next = stored.deepCopy();
        next.with("data").put("level", "warn");
        ManagedFields.update(next, stored, "kubectl-edit", "v1", null);
        var entries = next.path("metadata").path("managedFields");
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).path("manager").asText()).isEqualTo("kubectl-edit");
        assertThat(entries.get(0).path("operation").asText()).isEqualTo("Update");
    }
}
