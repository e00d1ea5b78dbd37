package dev.berth.proc;

import java.nio.charset.StandardCharsets;

/** How a command ended: its exit code and what it printed (empty when output went to a file or a stream). */
public record Result(int exitCode, byte[] stdout, String stderr) {
    public String stdoutText() {
        return new String(stdout, StandardCharsets.UTF_8);
    }
}
