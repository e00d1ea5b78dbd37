package dev.berth.kubeapi;

import java.util.List;

/** What the API checks of every object before berth's own checks of the kinds it applies: its name. */
final class Validation {
    private Validation() {}

    private static final String SUBDOMAIN = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
    private static final String LABEL = "[a-z]([-a-z0-9]*[a-z0-9])?";

    /** Names as the real server takes them: a DNS subdomain, and for Services and Namespaces a DNS label. */
    static void name(Resource r, String name) {
        boolean label = r.kind().equals("Service") || r.kind().equals("Namespace");
        String rule = label ? LABEL : SUBDOMAIN;
        int max = label ? 63 : 253;
        if (name.length() > max || !name.matches(rule)) {
            throw ApiError.invalid(r, r.kind(), name, List.of(new ApiError.Cause("metadata.name", "Invalid value: \"" + name + "\": a lowercase RFC 1123 "
                    + (label ? "label" : "subdomain") + " must consist of lower case alphanumeric characters, '-'" + (label ? "" : " or '.'")
                    + ", and must start and end with an alphanumeric character")));
        }
    }
}
