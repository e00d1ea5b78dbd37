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
                Thread input = new Thread(() -> copyInput(System.in, detachKeys, attach::send, attach::endInput, () -> {
                    detached.set(true); // before the output's copy is woken
                    attach.end();
                }), "stdin");
                input.setDaemon(true); // it may block reading a terminal after the container ended
                input.start();
            }
            attach.copyOutput(System.out, System.err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return detached.get();
    }

    /** Where input goes: the container's stdin; false when it no longer takes any. */
    interface Sink {
        boolean send(byte[] bytes, int length);
    }

    /**
     * Sends stdin to the container as it comes, until its end (then the container's stdin is
     * closed) or the detach keys typed in a row (true; the connection is ended, the container
     * goes on). A first key is held back until the next byte says whether the sequence goes on.
     */
    static boolean copyInput(InputStream in, byte[] detachKeys, Sink sink, Runnable endInput, Runnable detach) {
        byte[] buffer = new byte[4096];
        int matched = 0;
        try {
            int n;
            while ((n = in.read(buffer)) > 0) {
                java.io.ByteArrayOutputStream send = new java.io.ByteArrayOutputStream(n);
                for (int i = 0; i < n; i++) {
                    byte b = buffer[i];
                    if (matched < detachKeys.length && b == detachKeys[matched]) {
                        if (++matched == detachKeys.length) {
                            if (send.size() > 0) {
                                sink.send(send.toByteArray(), send.size()); // what came before the keys
                            }
                            detach.run();
                            return true;
                        }
                        continue;
                    }
                    if (matched > 0) {
                        send.write(detachKeys, 0, matched); // not the sequence after all
                        matched = b == detachKeys[0] ? 1 : 0;
                        if (matched == 1) {
                            continue;
                        }
                    }
                    send.write(b);
                }
                if (send.size() > 0 && !sink.send(send.toByteArray(), send.size())) {
                    return false;
                }
            }
        } catch (IOException e) {
            // stdin is gone: as its end
        }
        endInput.run();
        return false;
    }
}
