package dev.berth.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Builds tar archives in memory, entry by entry, for crafted layers and image archives. */
public final class Tars {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes);
    private int uid;
    private int gid;

    public Tars() {
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    }

    /** The owner of the entries added after this call (root until then). */
    public Tars owner(int uid, int gid) {
        this.uid = uid;
        this.gid = gid;
        return this;
    }

    public Tars dir(String name) {
        return entry(new TarArchiveEntry(name.endsWith("/") ? name : name + "/"), null);
    }

    public Tars dir(String name, int mode) {
        TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/");
        e.setMode(040000 | mode);
        return entry(e, null);
    }

    public Tars file(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8), 0644);
    }

    public Tars file(String name, byte[] content, int mode) {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(content.length);
        e.setMode(0100000 | mode);
        return entry(e, content);
    }

    public Tars symlink(String name, String target) {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
        e.setLinkName(target);
        return entry(e, null);
    }

    public Tars hardlink(String name, String target) {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK);
        e.setLinkName(target);
        return entry(e, null);
    }

    private Tars entry(TarArchiveEntry e, byte[] content) {
        e.setUserId(uid);
        e.setGroupId(gid);
        try {
            tar.putArchiveEntry(e);
            if (content != null) {
                tar.write(content);
            }
            tar.closeArchiveEntry();
            return this;
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    public byte[] bytes() {
        try {
            tar.finish();
            tar.close();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
