package dev.berth.kubeapi;

import java.util.List;

/**
 * A resource the API serves: its group, version and kind, its names in URLs and on kubectl's
 * command line, whether its objects live in a namespace, its subresources, and its categories
 * ({@code all}: what {@code kubectl get all} lists).
 *
 * @param group  "" for the core group
 * @param plural the name in URLs ({@code deployments})
 */
public record Resource(String group, String version, String kind, String plural, boolean namespaced, List<String> shortNames,
        List<String> subresources, List<String> categories) {

    /** Every verb a stored resource takes. */
    private static final List<String> VERBS = List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

    public Resource {
        shortNames = List.copyOf(shortNames);
        subresources = List.copyOf(subresources);
        categories = List.copyOf(categories);
    }

    /** How the store names it: {@code pods}, {@code deployments.apps} (as kube-apiserver's storage does). */
    public String key() {
        return group.isEmpty() ? plural : plural + "." + group;
    }

    public String singular() {
        return kind.toLowerCase(java.util.Locale.ROOT);
    }

    /** {@code v1} or {@code apps/v1}: an object's apiVersion. */
    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** The verbs: every stored verb, but create only for the reviews a client asks about itself. */
    List<String> verbs() {
        return kind.startsWith("SelfSubject") ? List.of("create") : VERBS;
    }
}
