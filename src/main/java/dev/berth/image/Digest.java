package dev.berth.image;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** A {@code sha256:<64 hex>} content digest. */
public record Digest(String hex) {
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    public Digest {
        if (!HEX.matcher(hex).matches()) {
            throw new IllegalArgumentException("not a sha256 digest: " + hex);
        }
    }

    /** Parses {@code sha256:<hex>}; anything else (other algorithms, bad hex) is refused. */
    public static Digest parse(String text) {
        if (text == null || !text.startsWith("sha256:")) {
            throw new IllegalArgumentException("not a sha256 digest: " + text);
        }
        return new Digest(text.substring("sha256:".length()));
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Digest of(MessageDigest md) {
        return new Digest(HexFormat.of().formatHex(md.digest()));
    }

    public static Digest of(byte[] bytes) {
        MessageDigest md = sha256();
        md.update(bytes);
        return of(md);
    }

    public static Digest of(InputStream in) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[65536];
        int n;
        while ((n = in.read(buf)) > 0) {
            md.update(buf, 0, n);
        }
        return of(md);
    }

    @Override
    public String toString() {
        return "sha256:" + hex;
    }
}
