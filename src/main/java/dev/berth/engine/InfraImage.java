package dev.berth.engine;

import dev.berth.api.BerthException;
import dev.berth.image.ImageStore;
import dev.berth.runtime.HostComponents;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** The infra image, built locally like podman's pause image: the host's static catatonit, run as {@code /catatonit -P}. */
final class InfraImage {
    static final String NAME = "localhost/berth-infra:latest";

    private InfraImage() {}

    static ImageStore.Image ensure(ImageStore images, Path scratch) {
        return images.find(NAME).orElseGet(() -> build(images, scratch));
    }

    private static synchronized ImageStore.Image build(ImageStore images, Path scratch) {
        var existing = images.find(NAME);
        if (existing.isPresent()) {
            return existing.get();
        }
        Path catatonit = HostComponents.find("catatonit");
        if (catatonit == null) {
            throw new BerthException(BerthException.Kind.HOST, "catatonit is not installed (pods need it); install it: apt-get install -y catatonit");
        }
        try {
            Files.createDirectories(scratch);
            Path tar = Files.createTempFile(scratch, "infra-", ".tar");
            try {
                try (OutputStream out = Files.newOutputStream(tar); TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
                    for (String dir : List.of("dev/", "proc/", "sys/", "etc/")) {
                        TarArchiveEntry d = new TarArchiveEntry(dir);
                        d.setMode(040755);
                        t.putArchiveEntry(d);
                        t.closeArchiveEntry();
                    }
                    TarArchiveEntry e = new TarArchiveEntry("catatonit");
                    e.setMode(0100755);
                    e.setSize(Files.size(catatonit));
                    t.putArchiveEntry(e);
                    Files.copy(catatonit, t);
                    t.closeArchiveEntry();
                }
                return images.importTarball(tar, NAME, new ImageStore.Changes(null, List.of("/catatonit", "-P"), List.of(), null, null));
            } finally {
                Files.deleteIfExists(tar);
            }
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot build the infra image: " + e.getMessage(), e);
        }
    }
}
