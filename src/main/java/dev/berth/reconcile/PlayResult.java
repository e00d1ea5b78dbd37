package dev.berth.reconcile;

import java.util.List;
import java.util.Map;

/**
 * How a play ended.
 *
 * @param pods     each pod and what play did with it: created, replaced or unchanged
 * @param failures one sentence per failed or blocked node: which container waited for what, and why
 */
public record PlayResult(Map<String, String> pods, List<String> failures) {
    public PlayResult {
        pods = Map.copyOf(pods);
        failures = List.copyOf(failures);
    }

    public boolean ok() {
        return failures.isEmpty();
    }
}
