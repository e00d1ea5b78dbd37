package dev.berth.image;

import java.util.List;
import java.util.regex.Pattern;

/**
 * An image name as berth stores it: {@code domain/path:tag}. Short names are completed as podman
 * does for local images: {@code busybox} → {@code localhost/busybox:latest}; lookups also try
 * {@code docker.io/library/busybox:latest}.
 */
public record ImageRef(String domain, String path, String tag) {
    private static final Pattern PATH = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");

    public static ImageRef parse(String text) {
        String rest = text;
        String tag = "latest";
        int at = rest.indexOf('@');
        if (at >= 0) {
            throw new IllegalArgumentException("image \"" + text + "\": references by digest are not supported yet; use a name:tag");
        }
        int slash = rest.lastIndexOf('/');
        int colon = rest.lastIndexOf(':');
        if (colon > slash) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
        }
        String domain = "localhost";
        int first = rest.indexOf('/');
        if (first > 0) {
            String head = rest.substring(0, first);
            if (head.contains(".") || head.contains(":") || head.equals("localhost")) {
                domain = head;
                rest = rest.substring(first + 1);
            }
        }
        if (!PATH.matcher(rest).matches() || !TAG.matcher(tag).matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a valid image name (NAME[:TAG], lower case)");
        }
        return new ImageRef(domain, rest, tag);
    }

    /** The names to look for, most specific first: as written, then the Docker Hub form of a short name. */
    public static List<String> candidates(String text) {
        ImageRef ref = parse(text);
        boolean shortName = !text.contains("/") || (!text.substring(0, text.indexOf('/')).contains(".") && !text.startsWith("localhost/"));
        if (!shortName || !ref.domain().equals("localhost")) {
            return List.of(ref.toString());
        }
        String hub = ref.path().contains("/") ? ref.path() : "library/" + ref.path();
        return List.of(ref.toString(), "docker.io/" + hub + ":" + ref.tag());
    }

    @Override
    public String toString() {
        return domain + "/" + path + ":" + tag;
    }
}
