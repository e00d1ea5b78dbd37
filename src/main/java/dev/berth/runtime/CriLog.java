package dev.berth.runtime;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads conmon's CRI log files ({@code k8s-file}): lines of
 * {@code TIMESTAMP STREAM F|P CONTENT}, where {@code P} marks a partial chunk of a long line.
 */
public final class CriLog {
    /** One line the container wrote, joined from its partial chunks. */
    public record Line(String timestamp, boolean stderr, String text) {}

    private final Path file;
    private long offset;
    private final StringBuilder partialOut = new StringBuilder();
    private final StringBuilder partialErr = new StringBuilder();
    private String pending = "";

    public CriLog(Path file) {
        this.file = file;
    }

    /** Every complete line written since the last call (all of them on the first call). */
    public List<Line> readNew() throws IOException {
        List<Line> lines = new ArrayList<>();
        if (!Files.exists(file)) {
            return lines;
        }
        String chunk;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long length = raf.length();
            if (length < offset) {
                offset = 0; // rotated, or cut by conmon at its size limit: a new file from its start
                pending = "";
            }
            if (length <= offset) {
                return lines;
            }
            raf.seek(offset);
            byte[] bytes = new byte[(int) Math.min(length - offset, 16 * 1024 * 1024)];
            raf.readFully(bytes);
            offset += bytes.length;
            chunk = pending + new String(bytes, StandardCharsets.UTF_8);
        }
        int start = 0;
        int nl;
        while ((nl = chunk.indexOf('\n', start)) >= 0) {
            parse(chunk.substring(start, nl), lines);
            start = nl + 1;
        }
        pending = chunk.substring(start);
        return lines;
    }

    private void parse(String record, List<Line> out) {
        String[] parts = record.split(" ", 4);
        if (parts.length < 3) {
            return;
        }
        boolean err = parts[1].equals("stderr");
        String text = parts.length == 4 ? parts[3] : "";
        StringBuilder partial = err ? partialErr : partialOut;
        if (parts[2].equals("P")) {
            partial.append(text);
            return;
        }
        out.add(new Line(parts[0], err, partial + text));
        partial.setLength(0);
    }
}
