package dev.berth.cli;

import dev.berth.proc.ProcessRunner;
import dev.berth.runtime.Attach;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A container attached to berth's own stdio ({@code run -i}, {@code -t}): its output to
 * stdout and stderr, this shell's stdin to it, this terminal in raw mode and its size passed on
 * when it has a terminal; the detach keys leave it running.
 */
final class Attached {
    private Attached() {}

    /** Streams until the container ends (false) or the user detaches (true). */
    static boolean run(Attach attach, ProcessRunner processes, boolean interactive, boolean tty, byte[] detachKeys) {
        AtomicBoolean detached = new AtomicBoolean();
        try (attach; Terminal terminal = tty ? Terminal.raw(processes) : null) {
            if (terminal != null) {
                Runnable resize = () -> {
                    int[] size = terminal.size();
                    if (size != null) {
                        attach.resize(size[0], size[1]);
                    }
                };
                resize.run();
                terminal.onResize(resize);
            }
            if (interactive) {
                Thread input = new Thread(() -> copyInput(System.in, attach, detachKeys, detached), "stdin");
                input.setDaemon(true); // it may block reading a terminal after the container ended
                input.start();
            }
            attach.copyOutput(System.out, System.err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return detached.get();
    }

    /** Sends stdin to the container as it comes; the detach keys, typed in a row, end the attach instead. */
    static void copyInput(InputStream in, Attach attach, byte[] detachKeys, AtomicBoolean detached) {
        byte[] buffer = new byte[4096];
        int matched = 0;
        try {
            int n;
            while ((n = in.read(buffer)) > 0) {
                for (int i = 0; i < n && detachKeys.length > 0; i++) {
                    matched = buffer[i] == detachKeys[matched] ? matched + 1 : buffer[i] == detachKeys[0] ? 1 : 0;
                    if (matched == detachKeys.length) {
                        detached.set(true);
                        attach.end();
                        return;
                    }
                }
                if (!attach.send(buffer, n)) {
                    return;
                }
            }
            attach.endInput();
        } catch (IOException e) {
            attach.endInput();
        }
    }
}
