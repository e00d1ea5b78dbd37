package dev.berth.state;

import dev.berth.api.BerthException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * The locks that order berth commands over one root, since no daemon does: one lock file per
 * resource under the runroot ({@code locks/pod-web.lock}, {@code locks/network-berth.lock},
 * {@code locks/services.lock}, {@code locks/images.lock}), held with {@code FileChannel.lock}
 * against other processes and with a semaphore against other threads of this one (the JVM
 * refuses overlapping file locks of its own).
 *
 * <p>A lock is held by an operation, not a thread: a play takes its pods' locks on its main
 * thread and its pool threads work under them. Locks are not reentrant. Order, to rule out
 * deadlock: pods (by name), then a network, then services, then hosts files; images alone.
 * The holder's pid is written into the file, so a waiting command can say whom it waits for.
 */
public final class Locks {
    /** One entry per lock file in this JVM, shared by every {@code Locks} of the same runroot. */
    private static final Map<Path, Semaphore> IN_PROCESS = new HashMap<>();

    private final Path dir;

    public Locks(Path dir) {
        this.dir = dir;
    }

    /** A lock that is held until closed. */
    public interface Held extends AutoCloseable {
        @Override
        void close();
    }

    public Held pod(String name, Consumer<String> waiting) {
        return lock("pod-" + name, waiting);
    }

    public Held network(String name) {
        return lock("network-" + name, who -> {});
    }

    public Held services() {
        return lock("services", who -> {});
    }

    public Held hosts() {
        return lock("hosts", who -> {});
    }

    public Held images(Consumer<String> waiting) {
        return lock("images", waiting);
    }

    /** The lock of a pod if nobody holds it now (the supervisor leaves a pod alone while a command changes it). */
    public java.util.Optional<Held> tryPod(String name) {
        return tryLock("pod-" + name);
    }

    /** The supervisor's lock: there is one supervisor per root. */
    public java.util.Optional<Held> trySupervisor() {
        return tryLock("supervisor");
    }

    java.util.Optional<Held> tryLock(String name) {
        return take(name, who -> {}, false);
    }

    /** A lock now held: the holder's pid written into the file (and taken out again), released (file lock, then semaphore) on close. */
    private static Held held(FileChannel channel, FileLock lock, Semaphore local) throws IOException {
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII)), 0);
        return () -> {
            try {
                channel.truncate(0); // no holder: a reader of the pid (supervise.sh) starts a new supervisor at once
                lock.release();
                channel.close();
            } catch (IOException e) {
                // closing the channel releases the lock whatever happens
            } finally {
                local.release();
            }
        };
    }

    /**
     * Takes a lock, waiting as long as it takes; when it is held elsewhere, first tells
     * {@code waiting} who holds it ("pid 123", or "this process").
     */
    Held lock(String name, Consumer<String> waiting) {
        return take(name, waiting, true).orElseThrow();
    }

    /** The lock, once this process's other tasks and other processes let go of it; empty at once when {@code wait} is false and it is held. */
    private java.util.Optional<Held> take(String name, Consumer<String> waiting, boolean wait) {
        Path file = dir.resolve(name + ".lock");
        Semaphore local;
        synchronized (IN_PROCESS) {
            local = IN_PROCESS.computeIfAbsent(file, f -> new Semaphore(1, true));
        }
        boolean told = false;
        if (!local.tryAcquire()) {
            if (!wait) {
                return java.util.Optional.empty();
            }
            waiting.accept("another task of this process");
            told = true;
            local.acquireUninterruptibly();
        }
        FileChannel channel = null;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null && !wait) {
                closeQuietly(channel);
                local.release();
                return java.util.Optional.empty();
            }
            if (lock == null) {
                if (!told) {
                    waiting.accept(holder(file));
                }
                lock = channel.lock();
            }
            return java.util.Optional.of(held(channel, lock, local));
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            local.release();
            throw e instanceof RuntimeException r ? r
                    : new BerthException(BerthException.Kind.HOST, "cannot take berth's lock " + file + ": " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // the first error is the one to tell
        }
    }

    /** Who holds a lock file, as its holder wrote it. */
    private static String holder(Path file) {
        try {
            String pid = Files.readString(file).strip();
            if (pid.matches("\\d+")) {
                String command = ProcessHandle.of(Long.parseLong(pid)).flatMap(p -> p.info().arguments())
                        .map(a -> String.join(" ", a)).map(Locks::berthCommand).orElse("");
                return "pid " + pid + (command.isEmpty() ? "" : ": berth " + command);
            }
        } catch (IOException e) {
            // say what is known
        }
        return "another berth process";
    }

    /** The berth part of a java command line: what follows the jar or main class. */
    private static String berthCommand(String args) {
        int jar = args.indexOf("berth.jar ");
        return jar < 0 ? "" : args.substring(jar + "berth.jar ".length());
    }
}
