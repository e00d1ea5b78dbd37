package dev.berth.kubeapi;

import java.util.Arrays;
import java.util.List;

/**
 * A resource URL taken apart: {@code /api/v1/namespaces/NS/pods/NAME/log},
 * {@code /apis/apps/v1/deployments}, {@code /api/v1/namespaces/NS} (a namespace itself),
 * {@code /api/v1/namespaces/NS/status}. Null parts are absent.
 */
record ApiPath(String group, String version, String namespace, String plural, String name, String subresource) {

    /** The resource URL of a path, or null when the path is not one (discovery, OpenAPI, unknown). */
    static ApiPath parse(String path) {
        List<String> p = Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
        String group;
        int i;
        if (p.size() >= 3 && p.get(0).equals("api")) {
            group = "";
            i = 1;
        } else if (p.size() >= 4 && p.get(0).equals("apis")) {
            group = p.get(1);
            i = 2;
        } else {
            return null;
        }
        String version = p.get(i++);
        List<String> rest = p.subList(i, p.size());
        if (rest.size() >= 2 && rest.get(0).equals("namespaces") && (rest.size() >= 3 && !isNamespaceSubresource(rest))) {
            return of(group, version, rest.get(1), rest.subList(2, rest.size()));
        }
        return of(group, version, null, rest);
    }

    /** {@code namespaces/NS/status} and {@code namespaces/NS/finalize} are a namespace's own subresources. */
    private static boolean isNamespaceSubresource(List<String> rest) {
        return rest.size() == 3 && (rest.get(2).equals("status") || rest.get(2).equals("finalize"));
    }

    private static ApiPath of(String group, String version, String namespace, List<String> rest) {
        if (rest.isEmpty() || rest.size() > 3) {
            return null;
        }
        return new ApiPath(group, version, namespace, rest.get(0), rest.size() > 1 ? rest.get(1) : null, rest.size() > 2 ? rest.get(2) : null);
    }
}
