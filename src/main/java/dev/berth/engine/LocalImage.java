package dev.berth.engine;

import dev.berth.api.BerthException;
import dev.berth.image.ImageStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * An image berth builds itself from a few entries (the infra and the ingress image): written as
 * a one-layer tarball in the root's scratch space and imported, once per store.
 */
final class LocalImage {
    /** Writes the layer's entries. */
    interface Contents {
        void write(LocalImage layer) throws IOException;
    }

    private final TarArchiveOutputStream tar;

    private LocalImage(TarArchiveOutputStream tar) {
        this.tar = tar;
    }

    static ImageStore.Image ensure(ImageStore images, Path scratch, String name, ImageStore.Changes changes, Contents contents) {
        return images.find(name).orElseGet(() -> build(images, scratch, name, changes, contents));
    }

    private static synchronized ImageStore.Image build(ImageStore images, Path scratch, String name, ImageStore.Changes changes, Contents contents) {
        var existing = images.find(name);
        if (existing.isPresent()) {
            return existing.get();
        }
        try {
            Files.createDirectories(scratch);
            Path file = Files.createTempFile(scratch, "local-image-", ".tar");
            try {
                try (OutputStream out = Files.newOutputStream(file); TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
                    contents.write(new LocalImage(t));
                }
                return images.importTarball(file, name, changes);
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot build the image " + name + ": " + e.getMessage(), e);
        }
    }

    void directory(String path, int mode) throws IOException {
        TarArchiveEntry d = new TarArchiveEntry(path.endsWith("/") ? path : path + "/");
        d.setMode(040000 | mode);
        tar.putArchiveEntry(d);
        tar.closeArchiveEntry();
    }

    void symlink(String path, String target) throws IOException {
        TarArchiveEntry l = new TarArchiveEntry(path, TarArchiveEntry.LF_SYMLINK);
        l.setLinkName(target);
        tar.putArchiveEntry(l);
        tar.closeArchiveEntry();
    }

    void file(String path, int mode, byte[] content) throws IOException {
        file(path, mode, content.length, new java.io.ByteArrayInputStream(content));
    }

    void file(String path, int mode, Path content) throws IOException {
        try (InputStream in = Files.newInputStream(content)) {
            file(path, mode, Files.size(content), in);
        }
    }

    private void file(String path, int mode, long size, InputStream content) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(path);
        e.setMode(0100000 | mode);
        e.setSize(size);
        tar.putArchiveEntry(e);
        content.transferTo(tar);
        tar.closeArchiveEntry();
    }
}
