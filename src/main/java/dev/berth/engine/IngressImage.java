package dev.berth.engine;

import dev.berth.api.BerthException;
import dev.berth.image.ImageStore;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The image of berth's ingress pod, built locally like the infra image: an empty root whose
 * {@code /usr} (and the JDK, when it lives elsewhere) the pod binds read-only from the host, so
 * the JDK that runs berth runs {@link dev.berth.ingress.IngressProxy} in the container. Only
 * {@code /etc/nsswitch.conf} is its own: names are looked up in the pod's /etc/hosts first,
 * where berth writes the Services.
 */
public final class IngressImage {
    public static final String NAME = "localhost/berth-ingress:latest";

    private IngressImage() {}

    public static synchronized ImageStore.Image ensure(ImageStore images, Path scratch) {
        var existing = images.find(NAME);
        if (existing.isPresent()) {
            return existing.get();
        }
        try {
            Files.createDirectories(scratch);
            Path tar = Files.createTempFile(scratch, "ingress-", ".tar");
            try {
                try (OutputStream out = Files.newOutputStream(tar); TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
                    for (String dir : List.of("dev/", "proc/", "sys/", "etc/", "tmp/", "usr/", "berth/")) {
                        TarArchiveEntry d = new TarArchiveEntry(dir);
                        d.setMode(dir.equals("tmp/") ? 041777 : 040755);
                        t.putArchiveEntry(d);
                        t.closeArchiveEntry();
                    }
                    for (Map.Entry<String, String> link : Map.of("bin", "usr/bin", "sbin", "usr/sbin", "lib", "usr/lib", "lib64", "usr/lib64").entrySet()) {
                        TarArchiveEntry l = new TarArchiveEntry(link.getKey(), TarArchiveEntry.LF_SYMLINK);
                        l.setLinkName(link.getValue());
                        t.putArchiveEntry(l);
                        t.closeArchiveEntry();
                    }
                    byte[] nsswitch = "hosts: files dns\n".getBytes(StandardCharsets.US_ASCII);
                    TarArchiveEntry e = new TarArchiveEntry("etc/nsswitch.conf");
                    e.setMode(0100644);
                    e.setSize(nsswitch.length);
                    t.putArchiveEntry(e);
                    t.write(nsswitch);
                    t.closeArchiveEntry();
                }
                return images.importTarball(tar, NAME, ImageStore.Changes.NONE);
            } finally {
                Files.deleteIfExists(tar);
            }
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot build the ingress image: " + e.getMessage(), e);
        }
    }
}
