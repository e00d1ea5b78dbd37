package dev.berth.api;

import java.util.List;

/**
 * What berth does with one object of the manifests, as {@code kube plan} shows it.
 *
 * @param detail what was made of it (for played and created objects) or why it is not applied
 * @param pods   the pods a played workload or Pod becomes (empty for other objects)
 */
public record Disposition(String kind, String name, String namespace, Fate fate, String detail, List<String> pods, Source source) {

    public enum Fate {
        PLAYED("played"), CREATED("created"), NOT_APPLIED("not applied");

        private final String label;

        Fate(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    public Disposition {
        pods = List.copyOf(pods);
    }

    public String id() {
        return kind + "/" + name;
    }
}
