package dev.berth.cli;

import dev.berth.api.BerthException;
import dev.berth.engine.Berth;
import dev.berth.kubeapi.ApiServer;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The Kubernetes API inside the root's one long-lived process: asked by the supervisor at every
 * look (holding its lock) whether it is wanted ({@code <runroot>/api.wanted}), it starts the
 * server when it is and stops it when it no longer is. A watch on the runroot wakes the
 * supervisor when the file comes or goes, so {@code api start} and {@code api stop} are answered
 * at once, not at the supervisor's next idle look.
 */
final class ApiHost implements BooleanSupplier, AutoCloseable {
    private final Berth berth;
    private final Consumer<String> log;
    private final WatchService watch;
    private final Runnable wake;
    private ApiServer server;
    private String lastError;

    ApiHost(Berth berth, Consumer<String> log, Runnable wake) {
        this.berth = berth;
        this.log = log;
        this.wake = wake;
        try {
            Files.createDirectories(berth.layout().runroot());
            watch = berth.layout().runroot().getFileSystem().newWatchService();
            berth.layout().runroot().register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE);
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot watch " + berth.layout().runroot() + ": " + e.getMessage(), e);
        }
        String wanted = berth.layout().apiWanted().getFileName().toString();
        Thread t = new Thread(() -> {
            try {
                while (true) {
                    var key = watch.take();
                    if (key.pollEvents().stream().anyMatch(e -> e.context() == null || e.context().toString().equals(wanted))) {
                        wake.run();
                    }
                    key.reset();
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                // closed
            }
        }, "api-wanted");
        t.setDaemon(true);
        t.start();
    }

    /** Whether the API is wanted; starts or stops the server to match. */
    @Override
    public synchronized boolean getAsBoolean() {
        boolean wanted = Files.exists(berth.layout().apiWanted());
        if (wanted && server == null) {
            try {
                server = ApiServer.start(berth, play(), log, wake);
                lastError = null;
                Files.deleteIfExists(berth.layout().apiError());
            } catch (BerthException e) {
                if (!e.getMessage().equals(lastError)) {
                    log.accept(e.getMessage());
                    lastError = e.getMessage();
                    try {
                        Files.writeString(berth.layout().apiError(), e.getMessage()); // for api start to say
                    } catch (IOException ignored) {
                        // the log has it
                    }
                }
            } catch (IOException ignored) {
                // a stale error file: api start reads the server's answer first
            }
        } else if (!wanted && server != null) {
            server.close();
            server = null;
            log.accept("stopped serving the Kubernetes API");
        }
        return wanted;
    }

    /** How the API's reconcile plays pods: as {@code berth reconcile} does by default. */
    static dev.berth.reconcile.PlayOptions play() {
        var registries = new dev.berth.image.Registries(dev.berth.image.RegistriesConf.load(dev.berth.image.Registries.confFiles(null)), true, null,
                dev.berth.image.AuthFile.searchPath(null), null, "linux/amd64", null);
        return new dev.berth.reconcile.PlayOptions(java.time.Duration.ofSeconds(120), false, 6, java.util.List.of(), dev.berth.api.LogLimits.DEFAULT,
                java.time.Duration.ofSeconds(60), registries, false, false, false);
    }

    @Override
    public synchronized void close() {
        try {
            watch.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
