package dev.berth.cli;

import dev.berth.api.BerthException;
import dev.berth.api.Json;
import dev.berth.engine.Berth;
import dev.berth.generate.Kubeconfig;
import dev.berth.kubeapi.ApiCertificates;
import dev.berth.kubeapi.ApiServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code berth api …}: the Kubernetes API for kubectl, helm and client libraries. */
@Command(name = "api", mixinStandardHelpOptions = true, description = "Serve the Kubernetes API from this root's state, for kubectl, helm and clients.",
        synopsisSubcommandLabel = "COMMAND", subcommands = {ApiCommands.Start.class, ApiCommands.Stop.class, ApiCommands.Status.class, ApiCommands.KubeconfigCommand.class},
        footer = {"", "Examples:", "  berth api start", "  berth api kubeconfig --merge && kubectl get pods -A", "  berth api stop"})
final class ApiCommands extends GroupCommand {
    /** How long {@code api start} waits for the first answer (a cold JVM answers in about a second). */
    private static final Duration START_WAIT = Duration.ofSeconds(30);

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = {"Serve the Kubernetes API on loopback (HTTPS, client certificates); return once it answers.",
                    "It is served by the root's one long-lived berth process (the supervisor) until `berth api stop`."},
            footer = {"", "Examples:", "  berth api start", "  berth api start --foreground"})
    static final class Start extends BerthCall {
        @Option(names = "--foreground", description = "Serve from this process, logging here, until Ctrl-C.")
        boolean foreground;

        @Override
        Integer call(Berth berth) {
            ApiCertificates.ensure(berth.layout().api());
            want(berth, true);
            if (foreground) {
                return foreground(berth);
            }
            Supervision.prepare(berth, global(), null);
            try {
                Files.deleteIfExists(berth.layout().apiError());
            } catch (IOException ignored) {
                // read below only when written after this start
            }
            Instant deadline = Instant.now().plus(START_WAIT);
            Instant nextStart = Instant.now();
            while (Instant.now().isBefore(deadline)) {
                // the supervisor writes api.serving once its server listens: written by the live supervisor, it answers
                Optional<ApiServer.Serving> serving = ApiServer.serving(berth);
                Optional<ProcessHandle> supervisor = Supervision.running(berth);
                if (serving.isPresent() && supervisor.isPresent() && supervisor.get().pid() == serving.get().pid()) {
                    report(serving.get(), true);
                    return Main.OK;
                }
                if (Files.exists(berth.layout().apiError())) {
                    String why;
                    try {
                        why = Files.readString(berth.layout().apiError()).strip();
                    } catch (IOException e) {
                        why = "see " + berth.layout().runroot().resolve("supervisor.log");
                    }
                    throw new BerthException(BerthException.Kind.HOST, why);
                }
                if (supervisor.isEmpty() && !Instant.now().isBefore(nextStart)) {
                    Supervision.start(berth); // none runs, or the one that ran was leaving as the API became wanted
                    nextStart = Instant.now().plusSeconds(2);
                }
                sleep(30);
            }
            throw new BerthException(BerthException.Kind.HOST, "the Kubernetes API did not answer within " + START_WAIT.toSeconds() + " s; see "
                    + berth.layout().runroot().resolve("supervisor.log"));
        }

        private int foreground(Berth berth) {
            PrintWriter err = spec.commandLine().getErr();
            java.util.function.Consumer<String> log = line -> {
                synchronized (err) {
                    err.println(line);
                    err.flush();
                }
            };
            var supervisor = new dev.berth.reconcile.Supervisor(berth, log);
            java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
            Thread hook = new Thread(() -> {
                want(berth, false);
                supervisor.stop();
                try {
                    done.await(30, java.util.concurrent.TimeUnit.SECONDS); // until the pods are handed to a supervisor
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Runtime.getRuntime().addShutdownHook(hook);
            try (ApiHost api = new ApiHost(berth, log, supervisor::wake)) {
                if (!supervisor.host(api)) {
                    long pid = Supervision.running(berth).map(ProcessHandle::pid).orElse(-1L);
                    throw new BerthException(BerthException.Kind.FAILED, "berth's supervisor (pid " + pid + ") serves this root; "
                            + "it serves the API now: `berth api status`, or `berth api stop` first to serve it here");
                }
            } finally {
                Supervision.startIfNeeded(berth, global(), null); // the pods are the supervisor's now
                done.countDown();
            }
            return Main.OK;
        }

        private void report(ApiServer.Serving s, boolean started) {
            if (jsonFormat()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("url", s.url());
                m.put("port", (long) s.port());
                m.put("pid", s.pid());
                out().println(Json.write(m));
                return;
            }
            out().println("Serving the Kubernetes API on " + s.url() + " (pid " + s.pid() + ")");
            out().println("For kubectl and helm: berth api kubeconfig --merge   (context \"berth\"), or: berth api kubeconfig > FILE; export KUBECONFIG=FILE");
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop serving the Kubernetes API (pods keep running).",
            footer = {"", "Example:", "  berth api stop"})
    static final class Stop extends BerthCall {
        @Override
        Integer call(Berth berth) {
            boolean wanted = Files.exists(berth.layout().apiWanted());
            want(berth, false);
            Instant deadline = Instant.now().plusSeconds(10);
            while (ApiServer.serving(berth).isPresent() && Instant.now().isBefore(deadline)) {
                sleep(30);
            }
            if (ApiServer.serving(berth).isPresent()) {
                throw new BerthException(BerthException.Kind.HOST, "the Kubernetes API is still served after 10 s (pid "
                        + ApiServer.serving(berth).get().pid() + "); see " + berth.layout().runroot().resolve("supervisor.log"));
            }
            out().println(wanted ? "Stopped serving the Kubernetes API" : "The Kubernetes API was not served");
            return Main.OK;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Say whether the Kubernetes API is served, where, and by which process.",
            footer = {"", "Examples:", "  berth api status", "  berth api status --format json"})
    static final class Status extends BerthCall {
        @Override
        Integer call(Berth berth) {
            Optional<ApiServer.Serving> serving = ApiServer.serving(berth);
            boolean answers = serving.isPresent() && ApiServer.answers(berth, serving.get());
            if (jsonFormat()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("serving", answers);
                m.put("wanted", Files.exists(berth.layout().apiWanted()));
                m.put("url", serving.map(ApiServer.Serving::url).orElse(null));
                m.put("pid", serving.map(ApiServer.Serving::pid).orElse(null));
                out().println(Json.write(m));
                return Main.OK;
            }
            if (answers) {
                out().println("Serving the Kubernetes API on " + serving.get().url() + " (pid " + serving.get().pid() + ")");
            } else if (Files.exists(berth.layout().apiWanted())) {
                out().println("Wanted but not answering yet; see " + berth.layout().runroot().resolve("supervisor.log"));
            } else {
                out().println("Not serving the Kubernetes API (berth api start serves it)");
            }
            return Main.OK;
        }
    }

    @Command(name = "kubeconfig", mixinStandardHelpOptions = true,
            description = {"Print a kubeconfig for this root's API, or merge it into your own.",
                    "Its context is \"berth\", with the client certificate inline: keep it private. With --merge the context goes into",
                    "$KUBECONFIG's first file or ~/.kube/config (mode 0600), and the others stay."},
            footer = {"", "Examples:", "  berth api kubeconfig > berth.kubeconfig", "  berth api kubeconfig --merge"})
    static final class KubeconfigCommand extends BerthCall {
        @Option(names = "--merge", description = "Merge into $KUBECONFIG (its first file) or ~/.kube/config, and make it the current context.")
        boolean merge;

        @Option(names = "--context", paramLabel = "NAME", defaultValue = "berth", description = "The name of the context, cluster and user (default berth).")
        String context;

        @Override
        Integer call(Berth berth) {
            Path portFile = berth.layout().api().resolve("port");
            if (!Files.exists(portFile)) {
                throw new BerthException(BerthException.Kind.NOT_FOUND, "the Kubernetes API was never served from this root: berth api start");
            }
            ApiCertificates certs = ApiCertificates.ensure(berth.layout().api());
            String port;
            try {
                port = Files.readString(portFile).strip();
            } catch (IOException e) {
                throw new BerthException(BerthException.Kind.HOST, "cannot read " + portFile + ": " + e.getMessage(), e);
            }
            Kubeconfig.Entry entry = new Kubeconfig.Entry(context, "https://127.0.0.1:" + port, certs.ca().certificate(),
                    certs.client().certificate(), certs.client().key());
            if (!merge) {
                out().print(Kubeconfig.of(entry));
                return Main.OK;
            }
            Path file = kubeconfigPath();
            try {
                String existing = Files.exists(file) ? Files.readString(file) : "";
                Files.createDirectories(file.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                Path temp = Files.createTempFile(file.getParent(), ".kubeconfig", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(temp, Kubeconfig.merge(existing, entry));
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new BerthException(BerthException.Kind.HOST, "cannot write " + file + ": " + e.getMessage(), e);
            }
            out().println("Context \"" + context + "\" (https://127.0.0.1:" + port + ") merged into " + file + " and made current");
            return Main.OK;
        }

        /** Where kubectl reads its configuration: the first file of $KUBECONFIG, else ~/.kube/config. */
        private static Path kubeconfigPath() {
            String env = System.getenv("KUBECONFIG");
            if (env != null && !env.isBlank()) {
                return Path.of(env.split(":")[0]);
            }
            return Path.of(System.getProperty("user.home"), ".kube", "config");
        }
    }

    private static void want(Berth berth, boolean wanted) {
        Path file = berth.layout().apiWanted();
        try {
            if (wanted) {
                Files.createDirectories(file.getParent());
                Files.writeString(file, "");
            } else {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot change " + file + ": " + e.getMessage(), e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BerthException(BerthException.Kind.FAILED, "interrupted");
        }
    }
}
