package dev.berth.image;

import dev.berth.sys.Linux;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Unpacks one image layer (a tar, plain, gzip or zstd) into a directory for overlayfs, refusing
 * anything that would land outside it: {@code ..} escapes, paths through symlinks that point out
 * (absolute, or relative chains), hardlinks to outside. The directory is built under a temporary
 * name and renamed into place when complete, so a failed unpack leaves nothing behind.
 *
 * <p>Whiteouts become what overlayfs reads: {@code .wh.NAME} a 0/0 character device NAME, and
 * {@code .wh..wh..opq} the {@code trusted.overlay.opaque=y} xattr on its directory.
 */
public final class LayerUnpacker {
    static final String WHITEOUT = ".wh.";
    static final String OPAQUE = ".wh..wh..opq";
    private static final int MAX_SYMLINKS = 40;
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private final long maxBytes;
    private final long maxEntries;

    public LayerUnpacker(long maxBytes, long maxEntries) {
        this.maxBytes = maxBytes;
        this.maxEntries = maxEntries;
    }

    /** What an unpack produced: the digest and size of the uncompressed tar (the layer's diff ID). */
    public record Unpacked(Digest diffId, long size) {}

    /**
     * Unpacks {@code layer} into {@code scratch} (created here); on failure nothing of it is left.
     * The caller moves the result into place with {@link #commit} once its diff ID is checked.
     */
    public Unpacked unpack(InputStream layer, Path scratch) throws IOException {
        Files.createDirectories(scratch.getParent());
        Files.createDirectory(scratch);
        try {
            return unpackInto(layer, scratch);
        } catch (IOException | RuntimeException e) {
            deleteTree(scratch);
            throw e;
        }
    }

    /**
     * Renames an unpacked directory to {@code target} atomically; when {@code target} appeared
     * meanwhile (another berth unpacked the same layer), the copy is dropped.
     */
    public static void commit(Path scratch, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        try {
            Files.move(scratch, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.FileSystemException e) {
            if (!Files.isDirectory(target, NOFOLLOW)) {
                throw e;
            }
            deleteTree(scratch);
        }
    }

    /** Unpacks into an existing empty directory; on failure the caller removes it. */
    Unpacked unpackInto(InputStream layer, Path root) throws IOException {
        MessageDigest md = Digest.sha256();
        CountingInput counted = new CountingInput(decompressed(new BufferedInputStream(layer, 65536)), maxBytes);
        DigestInputStream digesting = new DigestInputStream(counted, md);
        BufferedInputStream checked = new BufferedInputStream(digesting, 65536);
        checked.mark(512);
        byte[] header = checked.readNBytes(512);
        checked.reset();
        boolean empty = header.length == 0 || java.util.stream.IntStream.range(0, header.length).allMatch(i -> header[i] == 0);
        if (!empty && !TarArchiveInputStream.matches(header, header.length)) {
            // commons-compress would read anything else as a tar without entries
            throw new IOException("not a tar archive (plain, gzip or zstd)");
        }
        List<Runnable> directoryTimes = new ArrayList<>();
        long entries = 0;
        try (TarArchiveInputStream tar = new TarArchiveInputStream(checked)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (++entries > maxEntries) {
                    throw new UnsafeLayerException("layer has more than " + maxEntries + " entries; refused");
                }
                entry(tar, e, root, directoryTimes);
            }
            // read the tar's end padding too, so the digest covers the whole stream
            checked.transferTo(OutputStream.nullOutputStream());
        }
        for (int i = directoryTimes.size() - 1; i >= 0; i--) {
            directoryTimes.get(i).run();
        }
        return new Unpacked(Digest.of(md), counted.count);
    }

    static InputStream decompressed(BufferedInputStream in) throws IOException {
        in.mark(4);
        byte[] magic = in.readNBytes(4);
        in.reset();
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            return new GZIPInputStream(in, 65536);
        }
        if (magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5 && (magic[2] & 0xff) == 0x2f && (magic[3] & 0xff) == 0xfd) {
            return new com.github.luben.zstd.ZstdInputStream(in);
        }
        return in;
    }

    private void entry(TarArchiveInputStream tar, TarArchiveEntry e, Path root, List<Runnable> directoryTimes) throws IOException {
        String name = e.getName();
        List<String> parts = components(name);
        if (parts.isEmpty()) {
            return; // the root directory itself ("./")
        }
        String last = parts.get(parts.size() - 1);
        Path parent = resolveParent(root, parts.subList(0, parts.size() - 1), name);
        if (last.equals(OPAQUE)) {
            Linux.setXattr(parent, Linux.inUserNamespace() ? "user.overlay.opaque" : "trusted.overlay.opaque", "y"); // see ImageStore.mountRootFs
            return;
        }
        if (last.startsWith(WHITEOUT)) {
            String hidden = last.substring(WHITEOUT.length());
            if (hidden.isEmpty() || hidden.startsWith(WHITEOUT)) {
                return; // other .wh..wh.* entries are metadata
            }
            Path target = parent.resolve(hidden);
            removeExisting(target);
            Linux.mknodWhiteout(target);
            return;
        }
        Path path = parent.resolve(last);
        if (e.isDirectory()) {
            if (Files.isDirectory(path, NOFOLLOW)) {
                // keep its content: a directory entry after its children, or repeated
            } else {
                removeExisting(path);
                Files.createDirectory(path);
            }
            int mode = e.getMode() & 07777;
            long mtime = e.getModTime().getTime();
            owner(path, e);
            directoryTimes.add(() -> {
                try {
                    Files.setAttribute(path, "unix:mode", mode, NOFOLLOW);
                    Files.setLastModifiedTime(path, FileTime.fromMillis(mtime));
                } catch (IOException ex) {
                    throw new java.io.UncheckedIOException(ex);
                }
            });
            return;
        }
        removeExisting(path);
        if (e.isSymbolicLink()) {
            Files.createSymbolicLink(path, Path.of(e.getLinkName()));
            owner(path, e);
            return;
        }
        if (e.isLink()) {
            List<String> targetParts = components(e.getLinkName());
            if (targetParts.isEmpty()) {
                throw new UnsafeLayerException("hardlink \"" + name + "\" has an empty target; refused");
            }
            Path targetParent = resolveParent(root, targetParts.subList(0, targetParts.size() - 1), e.getLinkName());
            Path target = targetParent.resolve(targetParts.get(targetParts.size() - 1));
            if (!Files.exists(target, NOFOLLOW)) {
                throw new UnsafeLayerException("hardlink \"" + name + "\" points to \"" + e.getLinkName()
                        + "\", which is not in this layer; refused");
            }
            Files.createLink(path, target);
            return;
        }
        if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
            // devices come from the runtime's /dev; a FIFO is kept as an empty regular file
            Files.createFile(path);
        } else if (e.isFile()) {
            try (OutputStream out = Files.newOutputStream(path)) {
                tar.transferTo(out);
            }
        } else {
            return; // sockets and other types carry nothing to unpack
        }
        owner(path, e);
        Files.setAttribute(path, "unix:mode", e.getMode() & 07777, NOFOLLOW);
        Files.setLastModifiedTime(path, FileTime.fromMillis(e.getModTime().getTime()));
    }

    private static void owner(Path path, TarArchiveEntry e) throws IOException {
        if (Linux.isRoot()) {
            try {
                Files.setAttribute(path, "unix:uid", (int) e.getLongUserId(), NOFOLLOW);
                Files.setAttribute(path, "unix:gid", (int) e.getLongGroupId(), NOFOLLOW);
            } catch (java.nio.file.FileSystemException unmapped) {
                if (!Linux.inUserNamespace()) {
                    throw unmapped;
                }
                throw new dev.berth.api.BerthException(dev.berth.api.BerthException.Kind.HOST, "layer entry \"" + e.getName() + "\" belongs to uid " + e.getLongUserId() + " gid "
                        + e.getLongGroupId() + ", which this user's namespace does not map; give the user subordinate ids of at least 65536"
                        + " (berth system check says how)");
            }
        }
    }

    /** An entry name as path components; {@code ..} is kept for {@link #resolveParent} to judge. */
    static List<String> components(String name) {
        List<String> parts = new ArrayList<>();
        for (String p : name.split("/")) {
            if (!p.isEmpty() && !p.equals(".")) {
                parts.add(p);
            }
        }
        return parts;
    }

    /**
     * The directory an entry goes into, created as needed, resolving symlinks of this layer
     * component by component as the kernel would, and refusing any step that leaves {@code root}.
     */
    static Path resolveParent(Path root, List<String> parents, String entryName) throws IOException {
        Deque<String> todo = new ArrayDeque<>(parents);
        Path cur = root;
        int links = 0;
        while (!todo.isEmpty()) {
            String c = todo.pop();
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                if (cur.equals(root)) {
                    throw new UnsafeLayerException("layer entry \"" + entryName + "\" would land outside the layer (\"..\" above its root); refused");
                }
                cur = cur.getParent();
                continue;
            }
            Path next = cur.resolve(c);
            if (Files.isSymbolicLink(next)) {
                if (++links > MAX_SYMLINKS) {
                    throw new UnsafeLayerException("layer entry \"" + entryName + "\" goes through too many symlinks; refused");
                }
                String target = Files.readSymbolicLink(next).toString();
                if (target.startsWith("/")) {
                    throw new UnsafeLayerException("layer entry \"" + entryName + "\" goes through symlink \""
                            + root.relativize(next) + " -> " + target + "\", which points outside the layer; refused");
                }
                List<String> expanded = components(target);
                for (int i = expanded.size() - 1; i >= 0; i--) {
                    todo.push(expanded.get(i));
                }
                continue;
            }
            if (!Files.exists(next, NOFOLLOW)) {
                Files.createDirectory(next);
            } else if (!Files.isDirectory(next, NOFOLLOW)) {
                throw new UnsafeLayerException("layer entry \"" + entryName + "\" needs \"" + root.relativize(next)
                        + "\" to be a directory, but the layer made it a file; refused");
            }
            cur = next;
        }
        return cur;
    }

    private static void removeExisting(Path path) throws IOException {
        if (Files.isDirectory(path, NOFOLLOW)) {
            deleteTree(path);
        } else {
            Files.deleteIfExists(path);
        }
    }

    /** Deletes a tree without following symlinks, making read-only directories writable first. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, NOFOLLOW)) {
            return;
        }
        Files.walkFileTree(dir, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(Path d, java.nio.file.attribute.BasicFileAttributes a) throws IOException {
                Files.setAttribute(d, "unix:mode", 0700, NOFOLLOW);
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFile(Path f, java.nio.file.attribute.BasicFileAttributes a) throws IOException {
                Files.delete(f);
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
    }

    /** Counts bytes read and refuses more than the limit (a decompression bomb). */
    private static final class CountingInput extends java.io.FilterInputStream {
        private final long limit;
        long count;

        CountingInput(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                add(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                add(n);
            }
            return n;
        }

        private void add(long n) {
            count += n;
            if (count > limit) {
                throw new UnsafeLayerException("layer is larger than " + limit / (1024 * 1024) + " MiB uncompressed; refused");
            }
        }
    }
}
