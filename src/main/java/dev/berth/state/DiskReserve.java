package dev.berth.state;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A few megabytes kept under the root for when its file system fills up: SQLite needs room to
 * map its shared-memory file and to append to its log even to read or to delete rows, so with
 * the disk full every command, {@code ps} and {@code kube down} included, would fail. The
 * reserve is given up at the first sign of a full disk, so that those commands go on (and down
 * frees what filled it), and made again once there is room.
 */
final class DiskReserve {
    static final long SIZE = 4L << 20;

    private final Path file;

    DiskReserve(Path root) {
        this.file = root.resolve("reserve");
    }

    /** Gives the reserve back to the file system; returns whether there was one to give. */
    boolean release() {
        try {
            return Files.deleteIfExists(file);
        } catch (IOException e) {
            return false;
        }
    }

    /** Makes the reserve when it is missing and the file system has room to spare (four times its size). */
    void ensure() {
        if (Files.exists(file)) {
            return;
        }
        try {
            if (Files.getFileStore(file.getParent()).getUsableSpace() < 4 * SIZE) {
                return;
            }
            Path tmp = file.resolveSibling(".reserve.tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                byte[] block = new byte[1 << 16]; // zeros written, not a sparse file: the blocks are really held
                for (long n = 0; n < SIZE; n += block.length) {
                    out.write(block);
                }
            }
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // no room after all: try again next time
        }
    }

    /** Megabytes free for berth on the root's file system, for messages. */
    static long freeMegabytes(Path root) {
        try {
            return Files.getFileStore(root).getUsableSpace() >> 20;
        } catch (IOException e) {
            return -1;
        }
    }
}
