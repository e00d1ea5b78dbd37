package dev.berth.reconcile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.function.Consumer;

/**
 * conmon's exit files as they are written (inotify, through the JDK's WatchService, on a thread
 * of its own): {@code onExit} gets the name of each file written in the exit directory (a
 * container ID, or a temporary name conmon renames from), or null when events were lost and
 * every container must be looked at. So play and the supervisor learn of an exit without reading
 * files on their own threads, and sleep while nothing happens.
 */
final class ExitWatch implements AutoCloseable {
    private final WatchService service;

    ExitWatch(Path exits, Consumer<String> onExit) {
        try {
            Files.createDirectories(exits);
            service = exits.getFileSystem().newWatchService();
            exits.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot watch " + exits, e);
        }
        Thread t = new Thread(() -> {
            try {
                while (true) {
                    WatchKey key = service.take();
                    for (WatchEvent<?> e : key.pollEvents()) {
                        onExit.accept(e.kind() == StandardWatchEventKinds.OVERFLOW ? null : e.context().toString());
                    }
                    key.reset();
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                // closed: leaving
            }
        }, "exits");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        try {
            service.close();
        } catch (IOException e) {
            // nothing to keep
        }
    }
}
