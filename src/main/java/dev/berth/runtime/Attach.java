package dev.berth.runtime;

import dev.berth.sys.Linux;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A connection to a container's conmon through the attach socket in its bundle, as podman's
 * attach is: each packet conmon sends is one byte naming the stream (2 stdout, 3 stderr) and
 * the bytes; what is sent goes to the container's stdin (when conmon holds it, {@code --stdin})
 * and ending the input closes that stdin. A terminal's size goes through the {@code ctl} FIFO
 * as "1 ROWS COLUMNS".
 */
public final class Attach implements AutoCloseable {
    private static final int STDOUT = 2;
    private static final int STDERR = 3;
    private static final int RESIZE = 1;

    private final Linux.SeqPacket socket;
    private final Path control;

    private Attach(Linux.SeqPacket socket, Path control) {
        this.socket = socket;
        this.control = control;
    }

    public static Attach open(Path bundle) {
        return new Attach(Linux.SeqPacket.connect(bundle.resolve("attach")), bundle.resolve("ctl"));
    }

    /** Copies the container's output as it comes, until conmon closes the connection (the container ended, or {@link #end()}). */
    public void copyOutput(OutputStream out, OutputStream err) throws IOException {
        byte[] packet = new byte[8193];
        int n;
        while ((n = socket.read(packet)) > 0) {
            OutputStream to = packet[0] == STDERR ? err : packet[0] == STDOUT ? out : null;
            if (to != null && n > 1) {
                to.write(packet, 1, n - 1);
                to.flush();
            }
        }
    }

    /** Sends bytes to the container's stdin; false when conmon no longer listens. */
    public boolean send(byte[] bytes, int length) {
        return socket.write(bytes, length);
    }

    /** Closes the container's stdin (conmon does when the input ends). */
    public void endInput() {
        socket.shutdownOutput();
    }

    /** Stops the connection both ways, waking {@link #copyOutput}; the container goes on. */
    public void end() {
        socket.shutdown();
    }

    /** Gives the container's terminal this size. */
    public void resize(int rows, int columns) {
        try {
            Files.writeString(control, RESIZE + " " + rows + " " + columns + "\n", StandardCharsets.US_ASCII, StandardOpenOption.WRITE);
        } catch (IOException e) {
            // conmon is gone with its container: nothing to resize
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
