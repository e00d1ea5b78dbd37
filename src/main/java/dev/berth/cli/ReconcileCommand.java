package dev.berth.cli;

import dev.berth.api.BerthException;
import dev.berth.api.Json;
import dev.berth.api.ManifestException;
import dev.berth.api.Manifests;
import dev.berth.engine.Berth;
import dev.berth.manifest.ManifestReader;
import dev.berth.plan.PlanBuilder;
import dev.berth.reconcile.Desired;
import dev.berth.reconcile.Events;
import dev.berth.reconcile.GitSource;
import dev.berth.reconcile.PlayOptions;
import dev.berth.reconcile.Reconciler;
import dev.berth.reconcile.Supervisor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code berth reconcile}: keep the host as a directory of manifests, or a git repository, says. */
@Command(name = "reconcile", mixinStandardHelpOptions = true, subcommands = {ReconcileCommand.Status.class, ReconcileCommand.Down.class},
        description = {"Make the host match the manifests under PATH or in a git repository.",
                "New and changed objects played, unchanged ones kept, removed ones pruned (--prune), drift repaired, Deployments rolled.",
                "Only pods made by this reconcile (label",
                "berth.dev/reconcile=NAME) are changed. One pass by default (exit 0 only when everything is in sync and healthy);",
                "--watch stays, applying each edit as it is saved and checking everything every --interval."},
        footer = {"", "Examples:", "  berth reconcile manifests/", "  berth reconcile --watch --prune samples/gitops/app",
                "  berth reconcile --git file:///srv/app.git --ref main --path deploy --watch", "  berth reconcile status"})
final class ReconcileCommand extends BerthCall {
    /** How long a burst of file events must be quiet before the pass: an editor's save is several events. */
    private static final Duration DEBOUNCE = Duration.ofMillis(100);

    @Parameters(paramLabel = "PATH", arity = "0..*", description = "Manifest files, directories or - for stdin (not with --git).")
    List<String> paths = new ArrayList<>();

    static final class Git {
        @Option(names = "--git", paramLabel = "URL", required = true, description = "Reconcile a git repository (cloned with JGit into the root).")
        String url;

        @Option(names = "--ref", paramLabel = "BRANCH|TAG|SHA", description = "The revision to apply (default: the remote's HEAD).")
        String ref;

        @Option(names = "--path", paramLabel = "SUBDIR", description = "The manifests' directory inside the repository.")
        String path;
    }

    @ArgGroup(exclusive = false)
    Git git;

    @Option(names = "--name", paramLabel = "NAME", description = "This reconcile's name (default: the directory's or repository's name).")
    String name;

    @Option(names = "--prune", description = "Remove this reconcile's pods and Services whose manifests are gone.")
    boolean prune;

    @Option(names = "--adopt", description = "Take over pods of the manifests' names made outside this reconcile (they are replaced once).")
    boolean adopt;

    @Option(names = "--once", description = "One pass, then exit: 0 when everything is in sync and healthy, 1 otherwise (the default).")
    boolean once;

    @Option(names = "--watch", description = "Stay: apply each edit as it is saved, check everything every --interval, and keep the pods going.")
    boolean watch;

    @Option(names = "--dry-run", description = "Print what a pass would do to each object, and why; change nothing.")
    boolean dryRun;

    @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "30", description = "With --watch: a full pass (and a git fetch) every SECONDS (default 30).")
    int interval;

    @Option(names = "--down-on-exit", description = "With --watch: remove this reconcile's pods and Services when it ends.")
    boolean downOnExit;

    @Option(names = {"-r", "--recursive"}, description = "Read the manifests of subdirectories too.")
    boolean recursive;

    @picocli.CommandLine.Mixin
    StartOptions start;



    @picocli.CommandLine.Mixin
    PullOptions pull;

    @Option(names = "--allow-empty", description = "Let a source with no manifests mean that nothing is wanted (with --prune, everything this reconcile made is removed).")
    boolean allowEmpty;

    @Option(names = {"-q", "--quiet"}, description = "Print only each pass's summary.")
    boolean quiet;

    private volatile boolean stopping;
    private volatile WatchService watcher;

    @Override
    boolean revivesSupervisor() {
        return !watch;
    }

    @Override
    Integer call(Berth berth) {
        check();
        String reconcile = name != null ? name : defaultName();
        if (!reconcile.matches("[a-z0-9]([-a-z0-9_.]{0,61}[a-z0-9])?")) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "--name " + reconcile
                    + ": must be a label value (lower-case letters, digits, '-', '_', '.'; at most 63)");
        }
        GitSource source = git == null ? null : new GitSource(git.url, git.ref, berth.layout().gitClone(reconcile), git.path);
        PrintWriter out = out();
        PrintWriter err = spec.commandLine().getErr();
        PlayView.Mode mode = PlayView.mode(global(), quiet);
        PlayView view = new PlayView(out, mode == PlayView.Mode.LIVE ? PlayView.Mode.LINES : mode, List.of());
        Duration backoff = Duration.ofSeconds(60);
        try (Events events = new Events(berth.state())) {
            Reconciler reconciler = new Reconciler(berth, new Reconciler.Options(reconcile, prune, adopt, !start.noInfer,
                    new PlayOptions(Duration.ofSeconds(start.timeout), false, start.parallel, List.of(), dev.berth.api.LogLimits.DEFAULT, backoff,
                    pull.registries(), false, false, false)),
                    view.andThen(events.fromPlay()));
            if (dryRun) {
                return dryRun(reconciler, source, out);
            }
            Supervision.prepare(berth, global(), backoff);
            if (!watch) {
                Reconciler.Outcome outcome = pass(reconciler, source, out, err, true);
                Supervision.startIfNeeded(berth, global(), backoff);
                return outcome.ok() ? Main.OK : Main.FAILED;
            }
            try {
                return watch(berth, reconciler, source, out, err, backoff);
            } catch (IOException e) {
                throw new BerthException(BerthException.Kind.HOST, "cannot watch " + sourceName() + ": " + e.getMessage(), e);
            }
        }
    }

    private void check() {
        if (git != null && !paths.isEmpty()) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "give PATH or --git URL, not both");
        }
        if (git == null && paths.isEmpty()) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "nothing to reconcile: give PATH (a directory or file) or --git URL");
        }
        if (once && watch) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "--once and --watch: choose one");
        }
        start.check();
        if (interval < 1) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "--interval must be at least 1");
        }
        if (downOnExit && !watch) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "--down-on-exit goes with --watch");
        }
    }

    /** The first directory's name, or the repository's without {@code .git}, made a label value. */
    private String defaultName() {
        String from = git != null ? git.url.replaceAll("/+$", "") : paths.get(0).equals("-") ? "stdin"
                : Path.of(paths.get(0)).toAbsolutePath().normalize().toString();
        String last = from.substring(from.lastIndexOf('/') + 1).replaceAll("\\.(git|ya?ml|json)$", "");
        String label = last.toLowerCase(java.util.Locale.ROOT).replaceAll("[^-a-z0-9_.]", "-").replaceAll("^[^a-z0-9]+|[^a-z0-9]+$", "");
        return label.isEmpty() ? "default" : label.substring(0, Math.min(63, label.length()));
    }

    /** Fetches the revision (for git) and reads the manifests; a cycle is found here too, before anything changes. */
    private record Read(Manifests manifests, String revision) {}

    private Read read(GitSource source) {
        String revision = source == null ? null : source.sync();
        List<String> files = new ArrayList<>();
        for (String p : source == null ? paths : List.of(source.manifests().toString())) {
            files.addAll(recursive ? expand(p) : List.of(p));
        }
        Manifests manifests = new ManifestReader(ContainerCommands.root(spec).stdin).read(files, ManifestReader.Options.DEFAULT.allowingEmpty());
        if (manifests.dispositions().isEmpty() && !allowEmpty) {
            String name = this.name != null ? this.name : defaultName();
            throw new BerthException(BerthException.Kind.INVALID_INPUT, sourceName() + " holds no manifests, so this pass would remove everything "
                    + "the reconcile made; refused, as Argo CD refuses an empty sync. To remove it all: berth reconcile --allow-empty --prune "
                    + (git != null ? "--git " + git.url : String.join(" ", paths)) + ", or berth reconcile down " + name);
        }
        PlanBuilder.build(manifests, new PlanBuilder.Options(!start.noInfer));
        return new Read(manifests, revision);
    }

    /** A directory and its subdirectories' manifest files, sorted; dot files and directories left out. */
    private static List<String> expand(String path) {
        Path dir = Path.of(path);
        if (path.equals("-") || !Files.isDirectory(dir)) {
            return List.of(path);
        }
        try (Stream<Path> all = Files.walk(dir)) {
            List<String> files = all.filter(Files::isRegularFile)
                    .filter(f -> !dir.relativize(f).toString().matches("(.*/)?\\..*"))
                    .map(Path::toString).filter(f -> f.endsWith(".yaml") || f.endsWith(".yml") || f.endsWith(".json")).sorted().toList();
            return files.isEmpty() ? List.of(path) : files; // an empty tree: the reader says so
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "cannot list " + path + ": " + e.getMessage());
        }
    }

    private String sourceName() {
        return git != null ? git.url + (git.ref == null ? "" : "@" + git.ref) + (git.path == null ? "" : ":" + git.path) : String.join(" ", paths);
    }

    private int dryRun(Reconciler reconciler, GitSource source, PrintWriter out) {
        Read read = read(source);
        Desired.Pass pass = reconciler.plan(read.manifests());
        if (jsonFormat()) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("revision", read.revision());
            report.put("inSync", pass.inSync());
            report.put("actions", pass.actions());
            out.println(Json.write(report));
        } else {
            pass.actions().forEach((object, action) -> out.println(object + ": " + action));
            out.println(pass.inSync() ? "in sync: nothing to do" : "out of sync: a pass would change what is above");
        }
        return Main.OK;
    }

    /**
     * One pass. Manifests that do not read (or a fetch that fails) change nothing: with
     * {@code rethrow} the error ends the command, else it is printed and recorded.
     */
    private Reconciler.Outcome pass(Reconciler reconciler, GitSource source, PrintWriter out, PrintWriter err, boolean rethrow) {
        Read read;
        try {
            read = read(source);
        } catch (BerthException e) {
            String why = e instanceof ManifestException m ? String.join("; ", m.problems()) : e.getMessage();
            reconciler.failed(sourceName(), null, why);
            if (rethrow) {
                throw e;
            }
            if (e instanceof ManifestException m) {
                m.problems().forEach(err::println);
            }
            err.println("Error: " + (e instanceof ManifestException ? "the manifests do not read" : e.getMessage())
                    + "; nothing changed, what runs keeps running");
            err.flush();
            return null;
        }
        read.manifests().warnings().forEach(w -> err.println("warning: " + w));
        Reconciler.Outcome outcome = reconciler.run(read.manifests(), sourceName(), read.revision());
        report(outcome, read.revision(), out, err);
        return outcome;
    }

    private void report(Reconciler.Outcome outcome, String revision, PrintWriter out, PrintWriter err) {
        if (jsonFormat()) {
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("result", outcome.ok() ? "ok" : "failed");
            summary.put("revision", revision);
            summary.put("objects", dev.berth.api.Canonical.of(outcome.objects()));
            summary.put("failures", outcome.failures());
            out.println(Json.write(summary));
        } else {
            outcome.failures().forEach(f -> err.println("Error: " + f));
            long changed = outcome.pass().actions().values().stream().filter(a -> !a.equals("keep")).count();
            List<String> unhealthy = outcome.objects().stream().filter(o -> !o.sync().equals("Synced") || !o.health().equals("Healthy"))
                    .map(o -> o.object() + " " + o.sync() + "/" + o.health() + (o.message().isEmpty() ? "" : " (" + o.message() + ")")).toList();
            out.println((revision == null ? "" : "revision " + revision.substring(0, 12) + ": ") + outcome.objects().size() + " objects, "
                    + changed + " changed; " + (outcome.ok() ? "in sync and healthy" : "not in sync: " + String.join(", ", unhealthy)));
        }
        out.flush();
        err.flush();
    }

    /** {@code --watch}: a pass now, after each burst of edits, and every --interval; the supervisor's work meanwhile. */
    private int watch(Berth berth, Reconciler reconciler, GitSource source, PrintWriter out, PrintWriter err, Duration backoff) throws IOException {
        Supervisor supervisor = new Supervisor(berth, line -> {}, backoff);
        Thread supervising = new Thread(supervisor::host, "supervisor");
        supervising.setDaemon(true);
        supervising.start();
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stopping = true;
            reconciler.interrupt();
            WatchService w = watcher;
            if (w != null) {
                try {
                    w.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
            try {
                done.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                // exiting anyway
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try (WatchService ws = FileSystems.getDefault().newWatchService()) {
            watcher = ws;
            if (source == null) {
                for (Path dir : watchedDirectories()) {
                    dir.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
                }
            }
            err.println("watching " + sourceName() + (source == null ? " (every edit, and a full pass every " : " (a fetch every ") + interval + " s); Ctrl-C leaves the pods running"
                    + (downOnExit ? " then removes them" : ""));
            err.flush();
            while (!stopping) {
                pass(reconciler, source, out, err, false);
                if (!waitForChange(ws)) {
                    break;
                }
            }
        } catch (ClosedWatchServiceException stopped) {
            // Ctrl-C
        } finally {
            supervisor.stop();
            try {
                supervising.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (downOnExit) {
                reconciler.down().forEach(f -> err.println("Error: " + f));
            } else {
                Supervision.startIfNeeded(berth, global(), backoff); // the pods are the supervisor's now
            }
            err.flush();
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is running
            }
        }
        return Main.OK;
    }

    /** Waits for an edit (then for the burst of events to end) or for the interval; false when stopping. */
    private boolean waitForChange(WatchService ws) throws IOException {
        Instant deadline = Instant.now().plusSeconds(interval);
        try {
            while (!stopping) {
                long left = Duration.between(Instant.now(), deadline).toMillis();
                if (left <= 0) {
                    return true;
                }
                var key = ws.poll(left, TimeUnit.MILLISECONDS);
                if (key == null) {
                    return true;
                }
                boolean relevant = key.pollEvents().stream().anyMatch(e -> relevant(e.context()));
                key.reset();
                if (!relevant) {
                    continue;
                }
                for (var more = ws.poll(DEBOUNCE.toMillis(), TimeUnit.MILLISECONDS); more != null; more = ws.poll(DEBOUNCE.toMillis(), TimeUnit.MILLISECONDS)) {
                    more.pollEvents();
                    more.reset();
                }
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /** Editors' temporary and backup files are not manifests. */
    private static boolean relevant(Object context) {
        String file = String.valueOf(context);
        return !file.startsWith(".") && !file.endsWith("~") && (file.endsWith(".yaml") || file.endsWith(".yml") || file.endsWith(".json")
                || !file.contains("."));
    }

    /** The directories whose entries are watched: each PATH that is one (with --recursive, its subdirectories), else a file's directory. */
    private List<Path> watchedDirectories() throws IOException {
        List<Path> dirs = new ArrayList<>();
        for (String p : paths) {
            if (p.equals("-")) {
                throw new BerthException(BerthException.Kind.INVALID_INPUT, "--watch cannot watch stdin: give a directory or files");
            }
            Path path = Path.of(p).toAbsolutePath();
            if (!Files.isDirectory(path)) {
                dirs.add(path.getParent());
            } else if (recursive) {
                try (Stream<Path> all = Files.walk(path)) {
                    all.filter(Files::isDirectory).filter(d -> !d.getFileName().toString().startsWith(".") || d.equals(path)).forEach(dirs::add);
                }
            } else {
                dirs.add(path);
            }
        }
        return dirs.stream().distinct().toList();
    }

    @Command(name = "down", mixinStandardHelpOptions = true,
            description = "Remove the pods and Services a reconcile made, and its record (a reconcile still watching would bring them back: stop it first).",
            footer = {"", "Example:", "  berth reconcile down gitops"})
    static final class Down extends BerthCall {
        @Parameters(paramLabel = "NAME", description = "The reconcile's name, as reconcile status shows it.")
        String name;

        @Override
        Integer call(Berth berth) {
            if (berth.state().reconciles().stream().noneMatch(r -> r.name().equals(name))) {
                throw new BerthException(BerthException.Kind.NOT_FOUND, "no reconcile named " + name + " has run on this root");
            }
            PrintWriter err = spec.commandLine().getErr();
            try (Events events = new Events(berth.state())) {
                PlayView view = new PlayView(out(), PlayView.mode(global(), false) == PlayView.Mode.JSON ? PlayView.Mode.JSON : PlayView.Mode.LINES, List.of());
                List<String> failures = new Reconciler(berth, new Reconciler.Options(name, true, false, false, new PlayOptions(Duration.ofSeconds(120),
                        false, 6, List.of(), dev.berth.api.LogLimits.DEFAULT, Duration.ofSeconds(60), null, false, false, false)), view.andThen(events.fromPlay())).down();
                failures.forEach(f -> err.println("Error: " + f));
                return failures.isEmpty() ? Main.OK : Main.FAILED;
            }
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show, per object of each reconcile (or of NAME), whether it is in sync and healthy, the revision applied and the last error.",
            footer = {"", "Examples:", "  berth reconcile status", "  berth reconcile status gitops --format json"})
    static final class Status extends BerthCall {
        @Parameters(paramLabel = "NAME", arity = "0..1", description = "A reconcile's name (default: all).")
        String name;

        @Override
        Integer call(Berth berth) {
            List<Reconciler.Report> reports = Reconciler.reports(berth).stream().filter(r -> name == null || r.name().equals(name)).toList();
            if (name != null && reports.isEmpty()) {
                throw new BerthException(BerthException.Kind.NOT_FOUND, "no reconcile named " + name + " has run on this root");
            }
            if (jsonFormat()) {
                List<Map<String, Object>> json = new ArrayList<>();
                for (Reconciler.Report r : reports) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("name", r.name());
                    m.put("source", r.source());
                    m.put("revision", r.revision());
                    m.put("updated", r.updated().toString());
                    m.put("error", r.error());
                    m.put("objects", dev.berth.api.Canonical.of(r.objects()));
                    json.add(m);
                }
                out().println(Json.write(json));
                return Main.OK;
            }
            for (Reconciler.Report r : reports) {
                out().println(r.name() + ": " + r.source() + (r.revision() == null ? "" : " at " + r.revision()) + ", last pass "
                        + Tables.ago(r.updated()) + (r.error() == null ? "" : "\n  last error (nothing changed): " + r.error()));
                List<List<String>> rows = new ArrayList<>();
                r.objects().forEach(o -> rows.add(List.of(o.object(), o.sync(), o.health(), o.message())));
                out().print(Tables.render(List.of("OBJECT", "SYNC", "HEALTH", "MESSAGE"), rows));
            }
            return Main.OK;
        }
    }
}
