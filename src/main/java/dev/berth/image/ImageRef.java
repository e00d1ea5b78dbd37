package dev.berth.image;

import java.util.List;
import java.util.regex.Pattern;

/**
 * An image name as berth stores it: {@code domain/path:tag} or {@code domain/path@sha256:…}.
 * Short names are completed as podman does for local images: {@code busybox} →
 * {@code localhost/busybox:latest}; lookups also try {@code docker.io/library/busybox:latest}.
 *
 * @param tag    null when the name gives only a digest
 * @param digest null unless the name gives one ({@code name@sha256:…}, or {@code name:tag@sha256:…},
 *               where the digest decides and the tag is kept for the record)
 */
public record ImageRef(String domain, String path, String tag, String digest) {
    private static final Pattern PATH = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");

    public ImageRef(String domain, String path, String tag) {
        this(domain, path, tag, null);
    }

    public static ImageRef parse(String text) {
        String rest = text;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            try {
                Digest.parse(digest);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("\"" + text + "\": the digest must be sha256: and 64 lower-case hex digits");
            }
            rest = rest.substring(0, at);
        }
        String tag = digest == null ? "latest" : null;
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
        if (!PATH.matcher(rest).matches() || (tag != null && !TAG.matcher(tag).matches())) {
            throw new IllegalArgumentException("\"" + text + "\" is not a valid image name (NAME[:TAG][@sha256:DIGEST], lower case)");
        }
        return new ImageRef(domain, rest, tag, digest);
    }

    /** True when the text names no registry ({@code busybox}, {@code org/app:1}): it is looked up and pulled through the search registries. */
    public static boolean isShort(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            return true;
        }
        String head = text.substring(0, slash);
        return !head.contains(".") && !head.contains(":") && !head.equals("localhost");
    }

    /** The names to look for, most specific first: as written, then the Docker Hub form of a short name. */
    public static List<String> candidates(String text) {
        ImageRef ref = parse(text);
        if (!isShort(text)) {
            return List.of(ref.toString());
        }
        return List.of(ref.toString(), ref.in("docker.io").toString());
    }

    /** This short name in a registry: {@code docker.io} adds {@code library/} to one-component paths, as Docker Hub wants. */
    public ImageRef in(String registry) {
        boolean hub = registry.equals("docker.io") && !path.contains("/");
        return new ImageRef(registry, hub ? "library/" + path : path, tag, digest);
    }

    /** What the registry is asked for: the digest when there is one, else the tag. */
    public String reference() {
        return digest != null ? digest : tag;
    }

    /** {@code domain/path}, without tag or digest. */
    public String repository() {
        return domain + "/" + path;
    }

    /** The same repository with a digest and no tag: the name a pulled image is also recorded under. */
    public ImageRef withDigest(String manifestDigest) {
        return new ImageRef(domain, path, null, manifestDigest);
    }

    @Override
    public String toString() {
        return repository() + (tag != null && digest == null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }
}
