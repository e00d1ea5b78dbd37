package dev.berth.cli;

import dev.berth.api.Json;
import dev.berth.engine.Berth;
import dev.berth.engine.ContainerConfig;
import dev.berth.engine.ContainerEngine;
import dev.berth.engine.ContainerEngine.Container;
import dev.berth.engine.ContainerState;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The container commands: run, ps, logs, exec, stop, kill, rm, inspect. */
final class ContainerCommands {
    private ContainerCommands() {}

    static BerthCommand root(CommandSpec spec) {
        return (BerthCommand) spec.root().userObject();
    }

    /** podman's time for "never" (Go's zero time). */
    private static final String NEVER = "0001-01-01T00:00:00Z";

    /** A container as podman's {@code inspect} shows it (the keys berth has), Secret values hidden. */
    static Map<String, Object> inspectJson(Container c, int restarts) {
        ContainerConfig config = c.config().withSecretsHidden();
        List<String> args = config.args();
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("Status", c.status().word());
        state.put("Running", c.running());
        state.put("Paused", c.status() == ContainerState.PAUSED);
        state.put("Restarting", false);
        state.put("OOMKilled", false);
        state.put("Dead", false);
        state.put("Pid", c.pid());
        state.put("ExitCode", c.exitCode() == null ? 0 : c.exitCode());
        state.put("Error", "");
        state.put("StartedAt", c.record().started() == null ? NEVER : c.record().started().toString());
        state.put("FinishedAt", c.record().finished() == null ? NEVER : c.record().finished().toString());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", c.id());
        m.put("Created", c.record().created().toString());
        m.put("Path", args.isEmpty() ? "" : args.get(0));
        m.put("Args", args.isEmpty() ? List.of() : args.subList(1, args.size()));
        m.put("State", state);
        m.put("Image", c.record().imageId());
        m.put("ImageName", c.record().imageName());
        m.put("Pod", c.record().pod() == null ? "" : c.record().pod());
        m.put("Name", c.name());
        m.put("RestartCount", restarts);
        Map<String, Object> shown = new LinkedHashMap<>();
        shown.put("Hostname", config.hostname());
        shown.put("User", config.uid() + ":" + config.gid());
        shown.put("Env", config.env());
        shown.put("Cmd", args);
        shown.put("Image", c.record().imageName());
        shown.put("WorkingDir", config.cwd());
        shown.put("Tty", config.tty());
        shown.put("OpenStdin", config.stdin());
        m.put("Config", shown);
        Map<String, Object> host = new LinkedHashMap<>();
        host.put("AutoRemove", config.autoRemove());
        host.put("NetworkMode", c.record().pod() != null ? "pod" : config.network());
        m.put("HostConfig", host);
        return m;
    }

    /** A container as podman's {@code ps --format json} shows it. */
    static Map<String, Object> psJson(Container c, Restarting restarting) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("AutoRemove", c.config().autoRemove());
        m.put("Command", c.config().args());
        m.put("Created", c.record().created().getEpochSecond());
        m.put("CreatedAt", Tables.ago(c.record().created()) + " ago");
        m.put("Exited", c.status() == ContainerState.EXITED);
        m.put("ExitedAt", c.record().finished() == null ? 0 : c.record().finished().getEpochSecond());
        m.put("ExitCode", c.exitCode() == null ? 0 : c.exitCode());
        m.put("Id", c.id());
        m.put("Image", c.record().imageName());
        m.put("ImageID", c.record().imageId());
        m.put("Labels", restarting.labels(c));
        m.put("Names", List.of(c.name()));
        m.put("Pid", c.pid());
        m.put("Pod", c.record().pod() == null ? "" : c.record().pod());
        m.put("PodName", c.record().pod() == null ? "" : c.record().pod());
        m.put("Restarts", restarting.count(c));
        m.put("StartedAt", c.record().started() == null ? 0 : c.record().started().getEpochSecond());
        m.put("State", c.status().word());
        m.put("Status", restarting.status(c));
        m.put("Reason", restarting.nextStart(c) != null ? "CrashLoopBackOff" : null);
        return m;
    }

    /** What a ps template reads: the JSON's fields, with .ID, .Names and .Command as podman's templates have them (text). */
    static Map<String, Object> psTemplateModel(Map<String, Object> json) {
        Map<String, Object> m = new LinkedHashMap<>(json);
        m.put("ID", json.get("Id").toString().substring(0, 12));
        m.put("Names", String.join(",", Json.strings(json, "Names")));
        m.put("Command", String.join(" ", Json.strings(json, "Command")));
        m.put("CreatedHuman", json.get("CreatedAt"));
        m.put("RunningFor", json.get("CreatedAt"));
        return m;
    }

    /**
     * What the supervisor does with a pod's containers, as a listing shows it: the restart count,
     * and {@code CrashLoopBackOff} for an exited one that will start again; and the pod's labels
     * (each pod's spec read once).
     */
    static final class Restarting {
        private final Berth berth;
        private final Map<String, Integer> counts;
        private final Map<String, java.util.Optional<dev.berth.api.PodSpec>> pods = new java.util.HashMap<>();

        Restarting(Berth berth) {
            this.berth = berth;
            this.counts = berth.state().restartCounts();
        }

        int count(Container c) {
            return counts.getOrDefault(c.id(), 0);
        }

        private java.util.Optional<dev.berth.api.PodSpec> pod(Container c) {
            String pod = c.record().pod();
            return pod == null ? java.util.Optional.empty() : pods.computeIfAbsent(pod, p -> berth.state().pod(p)
                    .map(r -> dev.berth.api.Canonical.read(Json.parse(r.spec()), dev.berth.api.PodSpec.class)));
        }

        Map<String, String> labels(Container c) {
            return pod(c).map(dev.berth.api.PodSpec::labels).orElse(Map.of());
        }

        java.time.Instant nextStart(Container c) {
            String pod = c.record().pod();
            if (c.record().standalone() || c.running()) {
                return null;
            }
            java.util.Optional<dev.berth.api.PodSpec> spec = pod(c);
            return spec.flatMap(s -> s.container(c.record().ownName()))
                    .map(cs -> dev.berth.reconcile.Supervisor.nextStart(berth, spec.get(), cs, c)).orElse(null);
        }

        String status(Container c) {
            java.time.Instant next = nextStart(c);
            String status = next != null ? "CrashLoopBackOff (exited " + c.exitCode() + ", starts again in "
                    + Math.max(0, java.time.Duration.between(java.time.Instant.now(), next).toSeconds()) + " s)" : statusText(c);
            int n = count(c);
            return n == 0 ? status : status + ", " + n + (n == 1 ? " restart" : " restarts");
        }
    }

    static String statusText(Container c) {
        return switch (c.status()) {
            case RUNNING -> "Up " + Tables.ago(c.record().started());
            case EXITED -> "Exited (" + (c.exitCode() == null ? "?" : c.exitCode()) + ") "
                    + (c.record().finished() == null ? "" : Tables.ago(c.record().finished()) + " ago");
            default -> Character.toUpperCase(c.status().word().charAt(0)) + c.status().word().substring(1);
        };
    }

    /**
     * The variables of {@code --env-file}s, then {@code -e}, as podman reads them: {@code K=V} as
     * given, {@code K} alone with the value {@code host} has (left out when it has none); blank
     * lines and {@code #} comments in files skipped.
     */
    static List<String> environment(List<java.nio.file.Path> files, List<String> given, Map<String, String> host) {
        List<String> all = new ArrayList<>();
        for (java.nio.file.Path f : files) {
            try {
                java.nio.file.Files.readAllLines(f).stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).forEach(all::add);
            } catch (java.io.IOException e) {
                throw new dev.berth.api.BerthException(dev.berth.api.BerthException.Kind.INVALID_INPUT, "--env-file " + f + ": cannot read it ("
                        + e.getMessage() + ")");
            }
        }
        all.addAll(given);
        List<String> env = new ArrayList<>();
        for (String v : all) {
            if (v.contains("=")) {
                env.add(v);
            } else if (host.get(v) != null) {
                env.add(v + "=" + host.get(v));
            }
        }
        return env;
    }

    private static OutputStream stream(PrintWriter w) {
        return new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                w.write(new String(b, off, len, StandardCharsets.UTF_8));
                w.flush();
            }
        };
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Create and start a container.", "In the foreground, its output is streamed and berth exits with its exit code."},
            exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"125:berth's own error", "126:the command cannot be executed",
                "127:the command is not found", "other:the container's exit code (in the foreground)"},
            footer = {"", "Examples:", "  berth run localhost/berth-busybox echo hello world",
                    "  berth run -d --name sleeper localhost/berth-busybox sleep 1000",
                    "  berth run -it --rm localhost/berth-busybox sh", "  echo hi | berth run -i --rm localhost/berth-busybox cat"})
    static final class Run implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = {"-d", "--detach"}, description = "Run in the background and print the container ID.")
        boolean detach;

        @Option(names = {"-i", "--interactive"}, description = "Pass this shell's stdin to the container (its end closes the container's stdin).")
        boolean interactive;

        @Option(names = {"-t", "--tty"}, description = "Run the container on a terminal, attached to this one (raw mode, resizes passed on).")
        boolean tty;

        @Option(names = "--detach-keys", paramLabel = "KEYS", defaultValue = "ctrl-p,ctrl-q",
                description = "Keys that detach from an interactive container and leave it running (default ctrl-p,ctrl-q; \"\" for none).")
        String detachKeys;

        @Option(names = "--rm", description = "Remove the container when it exits.")
        boolean rm;

        @Option(names = "--name", paramLabel = "NAME", description = "Name of the container (default: berth-<id>).")
        String name;

        @Option(names = {"-e", "--env"}, paramLabel = "K=V", description = "Set an environment variable; K alone passes this shell's value of K (none when unset).")
        List<String> env = new ArrayList<>();

        @Option(names = "--env-file", paramLabel = "FILE", description = "Read variables from a file: K=V lines (K alone as with -e); # starts a comment.")
        List<java.nio.file.Path> envFiles = new ArrayList<>();

        @Option(names = {"-v", "--volume"}, paramLabel = "SRC:DEST[:ro]",
                description = "Bind a host path (absolute, or ./relative) or a named volume (made when new) at DEST; ro: read-only.")
        List<String> volumes = new ArrayList<>();

        @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "Working directory inside the container.")
        String workdir;

        @Option(names = {"-u", "--user"}, paramLabel = "USER[:GROUP]", description = "User (name or uid) and group to run as.")
        String user;

        @Option(names = "--entrypoint", paramLabel = "CMD", description = "Replace the image's entrypoint.")
        String entrypoint;

        @Option(names = "--network", paramLabel = "MODE", defaultValue = "private",
                description = "private (or none): own network namespace, loopback only (default); bridge: on the pod network"
                        + " (with -p); host: the host's network; container:NAME: that running container's.")
        String network;

        @Option(names = "--pod", paramLabel = "POD", description = "Run it in a pod's namespaces (network, IPC, UTS; a played pod's).")
        String pod;

        @Option(names = {"-p", "--publish"}, paramLabel = "[IP:]HOSTPORT:PORT[/PROTO]",
                description = "Publish a port of the container on the host (it is then on the pod network, as with --network bridge).")
        List<String> publish = new ArrayList<>();

        @Option(names = "--restart", paramLabel = "POLICY", defaultValue = "no",
                description = "Start it again when it exits: no (default), always, unless-stopped, on-failure[:N] (at most N restarts)."
                        + " berth's supervisor does it, with the crash-loop back-off; stop or kill by hand ends it.")
        String restart;

        @Parameters(index = "0", paramLabel = "IMAGE", completionCandidates = CompletionCommand.Images.class, description = "The image: a name (with or without its tag) or an ID.")
        String image;

        @Parameters(index = "1..*", paramLabel = "COMMAND", description = "Command and arguments (default: the image's).")
        List<String> command;

        @Override
        public Integer call() {
            network = network.equals("none") ? "private" : network;
            if (!network.matches("private|host|bridge|container:.+")) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--network must be private (none), bridge, host or container:NAME");
            }
            boolean bridged = network.equals("bridge") || !publish.isEmpty();
            if (!publish.isEmpty() && !network.matches("private|bridge")) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "-p and --network " + network + " conflict: published ports are on the pod network");
            }
            if (pod != null && (bridged || !network.equals("private"))) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--pod and " + (bridged ? "-p" : "--network " + network)
                        + " conflict: a pod's container has the pod's network");
            }
            if (!restart.matches("no|always|unless-stopped|on-failure(:[1-9][0-9]{0,5})?")) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--restart must be no, always, unless-stopped or on-failure[:N], got " + restart);
            }
            boolean restarts = !restart.equals("no");
            if (restarts && rm) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--rm and --restart " + restart + " conflict: a removed container cannot start again");
            }
            if (bridged && name != null && !name.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--name " + name
                        + ": on the pod network a container's name is its host name: lowercase letters, digits and -");
            }
            String named = name != null ? name : bridged ? "berth-" + java.util.HexFormat.of().toHexDigits(new java.util.Random().nextLong()).substring(0, 12) : null;
            byte[] detachSequence = detachKeys(spec, detachKeys);
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            boolean attach = !detach && (interactive || tty);
            try (Berth berth = Engines.open(root(spec).global)) {
                ContainerEngine engine = berth.containers();
                if (restarts) {
                    Supervision.prepare(berth, root(spec).global, null);
                }
                Container c;
                dev.berth.engine.Sandbox sandbox = pod != null ? berth.pods().sandbox(pod).orElseThrow(
                        () -> new dev.berth.api.BerthException(dev.berth.api.BerthException.Kind.NOT_FOUND, "no pod \"" + pod + "\""))
                        : bridged ? OwnSandbox.create(berth, named, image, OwnSandbox.ports(publish)) : null;
                try {
                    c = engine.create(ContainerEngine.CreateOptions.standalone(named, image,
                            entrypoint == null ? null : List.of(entrypoint), command == null || command.isEmpty() ? null : command,
                            environment(envFiles, env, System.getenv()), workdir, user, bridged ? "private" : network, rm, restarts,
                            interactive, tty, binds(berth, volumes), sandbox));
                } catch (RuntimeException e) {
                    if (bridged) {
                        berth.pods().remove(named, List.of(), Duration.ZERO);
                    }
                    Integer code = e instanceof dev.berth.api.BerthException ? dev.berth.runtime.OciRuntime.cannotInvoke(e.getMessage()) : null;
                    if (code == null) {
                        throw e;
                    }
                    err.println("Error: " + e.getMessage());
                    return code;
                }
                dev.berth.runtime.Attach attached = null;
                RuntimeException failed = null;
                // under the lock the supervisor restarts it under: a quick exit is not restarted while runc start finishes
                try (dev.berth.state.Locks.Held held = restarts ? berth.locks().pod(c.name(), waiting -> { }) : null) {
                    if (restarts) {
                        engine.setRestartPolicy(c.id(), restart);
                    }
                    attached = attach ? engine.attach(c.id()) : null;
                    c = engine.start(c);
                } catch (RuntimeException e) {
                    failed = e;
                }
                if (failed != null) {
                    if (attached != null) {
                        attached.close();
                    }
                    berth.pods().removeContainer(engine.find(c.id()), true);
                    throw failed;
                }
                if (restarts) {
                    Supervision.startIfNeeded(berth, root(spec).global, null);
                }
                if (detach) {
                    out.println(c.id());
                    return Main.OK;
                }
                if (attached != null) {
                    out.flush();
                    if (Attached.run(attached, berth.processes(), interactive, tty, detachSequence)) {
                        return Main.OK; // detached: it goes on
                    }
                } else {
                    engine.logs(c.id(), true, -1, l -> (l.stderr() ? err : out).println(l.text()));
                }
                Integer code = engine.waitForExit(c.id(), Duration.ofDays(365));
                if (rm) {
                    berth.pods().removeContainer(engine.find(c.id()), true);
                }
                return code == null ? Main.FAILED : code;
            }
        }
    }

    /** {@code -v SRC:DEST[:OPTIONS]} as podman reads it: a host path (absolute or ./relative, which must exist) or a volume name. */
    static List<ContainerEngine.VolumeBind> binds(Berth berth, List<String> volumes) {
        List<ContainerEngine.VolumeBind> binds = new ArrayList<>();
        for (String v : volumes) {
            String[] f = v.split(":", -1);
            List<String> options = f.length == 3 ? List.of(f[2].split(",")) : List.of();
            if (f.length < 2 || f.length > 3 || f[0].isEmpty() || !f[1].startsWith("/")
                    || !options.stream().allMatch(o -> o.matches("ro|rw|z|Z"))) {
                throw new dev.berth.api.BerthException(dev.berth.api.BerthException.Kind.INVALID_INPUT, "-v " + v
                        + ": give SRC:DEST[:ro] (SRC a host path or a volume name, DEST an absolute path in the container)");
            }
            java.nio.file.Path source;
            if (f[0].startsWith("/") || f[0].startsWith(".")) {
                source = java.nio.file.Path.of(f[0]).toAbsolutePath().normalize();
                if (!java.nio.file.Files.exists(source)) {
                    throw new dev.berth.api.BerthException(dev.berth.api.BerthException.Kind.INVALID_INPUT, "-v " + v + ": " + source + " does not exist");
                }
            } else {
                source = berth.volumes().create(f[0]);
            }
            binds.add(new ContainerEngine.VolumeBind(source, f[1], options.contains("ro")));
        }
        return binds;
    }

    /** The bytes --detach-keys names: "ctrl-p,ctrl-q" → 0x10 0x11; a single character stands for itself. */
    static byte[] detachKeys(CommandSpec spec, String keys) {
        if (keys.isEmpty()) {
            return new byte[0];
        }
        String[] names = keys.split(",");
        byte[] bytes = new byte[names.length];
        for (int i = 0; i < names.length; i++) {
            String k = names[i].strip();
            if (k.matches("ctrl-[a-z@\\[\\\\\\]^_]")) {
                bytes[i] = (byte) (k.charAt(5) & 0x1f);
            } else if (k.length() == 1 && k.charAt(0) > ' ' && k.charAt(0) < 127) {
                bytes[i] = (byte) k.charAt(0);
            } else {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--detach-keys " + keys + ": give keys as ctrl-X or single characters, separated by commas (ctrl-p,ctrl-q)");
            }
        }
        return bytes;
    }

    @Command(name = "ps", mixinStandardHelpOptions = true,
            description = "List containers (running ones, or all with -a), the oldest first, as podman 4 lists them.",
            footer = {"", "Filters (--filter KEY=VALUE; a key twice matches either, different keys all):",
                "  name=REGEX, id=PREFIX, pod=POD, label=KEY[=VALUE] (the pod's),",
                "  status=created|running|exited|unknown (shows stopped ones without -a),",
                "  ancestor=IMAGE (name, with or without its tag, or ID)",
                "", "Examples:", "  berth ps", "  berth ps -a --format json", "  berth ps -aq --filter status=exited",
                "  berth rm -f $(berth ps -aq --filter pod=demo)"})
    static final class Ps extends BerthCall {
        @Option(names = {"-a", "--all"}, description = "Show all containers, not only running ones.")
        boolean all;

        @Option(names = "--pod", description = "Show the pod each container belongs to.")
        boolean pod;

        @Option(names = {"-q", "--quiet"}, description = "Print only the container IDs.")
        boolean quiet;

        @Option(names = "--no-trunc", description = "Print full IDs and commands.")
        boolean noTrunc;

        @Option(names = {"-l", "--latest"}, description = "Show only the container created last (running or not).")
        boolean latest;

        @Option(names = {"-f", "--filter"}, paramLabel = "KEY=VALUE", description = "Show only the containers that match (see below).")
        List<String> filters = new ArrayList<>();

        @Override
        Integer call(Berth berth) {
            ContainerFilter filter = new ContainerFilter(filters);
            Restarting restarting = new Restarting(berth);
            List<Container> list = berth.containers().list().stream()
                    .filter(c -> all || latest || filters.stream().anyMatch(f -> f.startsWith("status=")) || c.running())
                    .filter(c -> filter.matches(new ContainerFilter.Fields(c.id(), c.name(), c.status().word(), c.record().pod(), restarting.labels(c),
                            c.record().imageName(), c.record().imageId())))
                    .sorted(java.util.Comparator.comparing((Container c) -> c.record().created())).toList();
            if (latest && !list.isEmpty()) {
                list = list.subList(list.size() - 1, list.size());
            }
            PrintWriter out = out();
            if (quiet) {
                list.forEach(c -> out.println(noTrunc ? c.id() : c.id().substring(0, 12)));
                return Main.OK;
            }
            if (jsonFormat()) {
                out.println(Json.write(list.stream().map(c -> psJson(c, restarting)).toList()));
                return Main.OK;
            }
            Template template = global().template();
            if (template != null) {
                out.print(template.lines(list.stream().map(c -> psTemplateModel(psJson(c, restarting))).toList(), Map.of("ID", "CONTAINER ID",
                        "CreatedHuman", "CREATED", "RunningFor", "CREATED", "CreatedAt", "CREATED", "Image", "IMAGE", "PodName", "POD NAME")));
                return Main.OK;
            }
            List<List<String>> rows = new ArrayList<>();
            for (Container c : list) {
                List<String> argv = c.config().args();
                String command = Tables.oneLine(String.join(" ", argv));
                List<String> row = new ArrayList<>(List.of(noTrunc ? c.id() : c.id().substring(0, 12), c.record().imageName(),
                        command.length() > 30 && !noTrunc ? command.substring(0, 27) + "..." : command,
                        Tables.ago(c.record().created()) + " ago", restarting.status(c), c.name()));
                if (pod) {
                    row.add(c.record().pod() == null ? "" : c.record().pod());
                }
                rows.add(row);
            }
            List<String> header = new ArrayList<>(List.of("CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "NAMES"));
            if (pod) {
                header.add("POD");
            }
            out.print(Tables.render(header, rows));
            return Main.OK;
        }
    }

    @Command(name = "logs", mixinStandardHelpOptions = true, description = "Print a container's output (stdout to stdout, stderr to stderr).",
            footer = {"", "TIME: a duration ago (90s, 10m, 1h30m) or a date-time (2026-11-30T10:00:00Z).",
                "", "Examples:", "  berth logs sleeper", "  berth logs -f --tail 10 sleeper", "  berth logs -t --since 5m sleeper"})
    static final class Logs extends BerthCall {
        @Option(names = {"-f", "--follow"}, description = "Keep printing new output until the container exits.")
        boolean follow;

        @Option(names = {"-n", "--tail"}, paramLabel = "N", defaultValue = "-1", description = "Only the last N lines.")
        int tail;

        @Option(names = {"-t", "--timestamps"}, description = "Show when each line was written.")
        boolean timestamps;

        @Option(names = "--since", paramLabel = "TIME", description = "Only lines written at or after TIME.")
        String since;

        @Option(names = "--until", paramLabel = "TIME", description = "Only lines written before TIME.")
        String until;

        @Parameters(index = "0", paramLabel = "CONTAINER", completionCandidates = CompletionCommand.Containers.class, description = "A container by name or ID (prefix).")
        String container;

        @Override
        Integer call(Berth berth) {
            PrintWriter err = spec.commandLine().getErr();
            java.time.Instant from = since == null ? null : time("--since", since);
            java.time.Instant to = until == null ? null : time("--until", until);
            berth.containers().logs(container, follow, tail, l -> {
                java.time.Instant at = java.time.OffsetDateTime.parse(l.timestamp()).toInstant();
                return (from == null || !at.isBefore(from)) && (to == null || at.isBefore(to));
            }, l -> (l.stderr() ? err : out()).println(timestamps ? l.timestamp() + " " + l.text() : l.text()));
            return Main.OK;
        }

        /** A point in time: a duration before now ({@code 90s}, {@code 10m}, {@code 1h30m}) or an ISO date-time. */
        static java.time.Instant time(String option, String given) {
            if (given.matches("(\\d+h)?(\\d+m)?(\\d+s)?") && !given.isEmpty()) {
                return java.time.Instant.now().minus(java.time.Duration.parse("PT" + given.toUpperCase(java.util.Locale.ROOT)));
            }
            try {
                return java.time.OffsetDateTime.parse(given).toInstant();
            } catch (java.time.format.DateTimeParseException e) {
                throw new dev.berth.api.BerthException(dev.berth.api.BerthException.Kind.INVALID_INPUT, option + " " + given
                        + ": give a duration before now (90s, 10m, 1h30m) or a date-time (2026-11-30T10:00:00Z)");
            }
        }
    }

    @Command(name = "exec", mixinStandardHelpOptions = true,
            description = "Run a command in a running container; berth exits with the command's exit code.",
            exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"125:berth's own error (the container is not running…)",
                "126:the command cannot be executed", "127:the command is not found", "other:the command's exit code"},
            footer = {"", "Examples:", "  berth exec sleeper ps", "  berth exec sleeper -- sh -c 'echo $HOSTNAME'",
                    "  berth exec -it sleeper sh", "  echo hi | berth exec -i sleeper cat"})
    static final class Exec extends BerthCall {
        @Option(names = {"-i", "--interactive"}, description = "Pass this shell's stdin to the command.")
        boolean interactive;

        @Option(names = {"-t", "--tty"}, description = "Give the command a terminal (resized with this one's); use with -i.")
        boolean tty;

        @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "Working directory (default: the container's).")
        String workdir;

        @Option(names = {"-e", "--env"}, paramLabel = "K=V", description = "Set an environment variable; K alone passes this shell's value of K.")
        List<String> env = new ArrayList<>();

        @Option(names = {"-u", "--user"}, paramLabel = "USER[:GROUP]", description = "User (name or uid) and group to run as (default: the container's).")
        String user;

        @Parameters(index = "0", paramLabel = "CONTAINER", completionCandidates = CompletionCommand.Containers.class, description = "The container's name or ID (or a unique prefix of it).")
        String container;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "COMMAND", description = "The command and its arguments (after --, when they look like options).")
        List<String> command;

        @Override
        Integer call(Berth berth) {
            // picocli stops at the first positional, so a "--" after the container is part of the command
            List<String> argv = command.get(0).equals("--") ? command.subList(1, command.size()) : command;
            if (argv.isEmpty()) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "give the command to run after --");
            }
            ContainerEngine.ExecOptions options = new ContainerEngine.ExecOptions(interactive, tty, workdir,
                    environment(List.of(), env, System.getenv()), user);
            return berth.containers().exec(container, argv, options, stream(out()), stream(spec.commandLine().getErr()));
        }
    }

    /** How long stop and restart wait after SIGTERM. */
    static final class StopTime {
        @Option(names = {"-t", "--time"}, paramLabel = "SECONDS", defaultValue = "10", description = "Seconds to wait before SIGKILL (default 10).")
        int seconds;

        Duration grace(CommandSpec spec) {
            if (seconds < 0) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--time must be 0 or more seconds, got " + seconds);
            }
            return Duration.ofSeconds(seconds);
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop containers: SIGTERM, then SIGKILL after the timeout.",
            footer = {"", "Example:", "  berth stop -t 5 sleeper"})
    static final class Stop implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        StopTime time;

        @Parameters(arity = "1..*", paramLabel = "CONTAINER", completionCandidates = CompletionCommand.Containers.class, description = "Containers by name or ID (prefix).")
        List<String> containers;

        @Override
        public Integer call() {
            Duration grace = time.grace(spec);
            return eachName(spec, containers, (berth, name) -> berth.containers().stop(name, grace));
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = "Start containers: a created one, or an exited one again (its writable layer and log kept); a running one is left as it is.",
            footer = {"", "Example:", "  berth start sleeper"})
    static final class Start implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "CONTAINER", completionCandidates = CompletionCommand.Containers.class, description = "Containers by name or ID (prefix).")
        List<String> containers;

        @Override
        public Integer call() {
            return eachName(spec, containers, (berth, name) -> start(berth, berth.containers().find(name)));
        }
    }

    /** Starts a created or exited container, under the lock the supervisor restarts a {@code run --restart} one under. */
    static void start(Berth berth, Container c) {
        try (dev.berth.state.Locks.Held held = c.record().standalone() ? berth.locks().pod(c.name(), waiting -> { }) : null) {
            Container now = berth.containers().find(c.id());
            if (now.status() == ContainerState.CREATED) {
                berth.containers().start(now);
            } else if (!now.running()) {
                berth.containers().restart(now);
            }
        }
    }

    @Command(name = "restart", mixinStandardHelpOptions = true,
            description = "Stop containers (SIGTERM, then SIGKILL after the timeout) and start them again.",
            footer = {"", "Example:", "  berth restart -t 2 sleeper"})
    static final class Restart implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        StopTime time;

        @Parameters(arity = "1..*", paramLabel = "CONTAINER", completionCandidates = CompletionCommand.Containers.class, description = "Containers by name or ID (prefix).")
        List<String> containers;

        @Override
        public Integer call() {
            Duration grace = time.grace(spec);
            return eachName(spec, containers, (berth, name) -> {
                berth.containers().stop(name, grace);
                start(berth, berth.containers().find(name));
            });
        }
    }

    @Command(name = "kill", mixinStandardHelpOptions = true, description = "Send a signal to running containers (default KILL).",
            footer = {"", "Example:", "  berth kill -s TERM sleeper"})
    static final class Kill implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = {"-s", "--signal"}, paramLabel = "SIGNAL", defaultValue = "KILL", description = "Signal name or number (default KILL).")
        String signal;

        @Parameters(arity = "1..*", paramLabel = "CONTAINER", completionCandidates = CompletionCommand.Containers.class, description = "Containers by name or ID (prefix).")
        List<String> containers;

        @Override
        public Integer call() {
            String name = signal(signal);
            return eachName(spec, containers, (berth, c) -> berth.containers().kill(c, name));
        }
    }

    /** The signals a container can be sent by name (as kill -l lists them on Linux, without SIG). */
    static final List<String> SIGNALS = List.of("HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
            "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF",
            "WINCH", "IO", "PWR", "SYS");

    /** A signal as given ({@code term}, {@code SIGTERM}, {@code 15}) as the runtime takes it, or an error listing the signals. */
    static String signal(String given) {
        String name = given.toUpperCase(java.util.Locale.ROOT).replaceFirst("^SIG", "");
        if (SIGNALS.contains(name) || name.matches("[1-9]|[1-5][0-9]|6[0-4]")) {
            return name;
        }
        throw new dev.berth.api.BerthException(dev.berth.api.BerthException.Kind.INVALID_INPUT, "unknown signal \"" + given
                + "\"; give a number from 1 to 64 or one of " + String.join(" ", SIGNALS));
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove containers and everything they have on disk.",
            footer = {"", "Example:", "  berth rm -f sleeper"})
    static final class Rm implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = {"-f", "--force"}, description = "Kill running containers first; a container that does not exist is no error.")
        boolean force;

        @Option(names = {"-a", "--all"}, description = "Remove every container (running ones only with -f).")
        boolean all;

        @Parameters(arity = "0..*", paramLabel = "CONTAINER", completionCandidates = CompletionCommand.Containers.class, description = "Containers by name or ID (prefix).")
        List<String> containers = new ArrayList<>();

        @Override
        public Integer call() {
            if (containers.isEmpty() == !all) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), all ? "give containers or --all, not both"
                        : "give the containers to remove, or --all");
            }
            return eachName(spec, berth -> all ? berth.containers().list().stream().map(Container::name).toList() : containers, force,
                    (berth, name) -> {
                        berth.pods().removeContainer(berth.containers().find(name), force);
                    });
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show containers as JSON.",
            footer = {"", "Example:", "  berth inspect sleeper"})
    static final class Inspect extends BerthCall {
        @Option(names = "-f", paramLabel = "TEMPLATE", description = "Print this Go template of each container ('{{.State.Pid}}'), as --format does.")
        String template;

        @Parameters(arity = "1..*", paramLabel = "CONTAINER", completionCandidates = CompletionCommand.Containers.class, description = "Containers by name or ID (prefix).")
        List<String> containers;

        @Override
        Integer call(Berth berth) {
            Map<String, Integer> restarts = berth.state().restartCounts();
            List<Object> all = new ArrayList<>();
            for (String name : containers) {
                Container c = berth.containers().find(name);
                all.add(inspectJson(c, restarts.getOrDefault(c.id(), 0)));
            }
            printInspected(this, template, all);
            return Main.OK;
        }
    }

    /** inspect's output: a JSON array, pretty as podman's (on one line with --format json), or each object through the template of -f or --format. */
    static void printInspected(BerthCall call, String template, List<Object> all) {
        Template t = template != null ? Template.parse(template) : call.global().template();
        call.out().print(t != null ? t.lines(all) : call.jsonFormat() ? Json.write(all) + "\n" : Json.pretty(all) + "\n");
    }

    interface PerName {
        void apply(Berth berth, String name);
    }

    /** Applies an action to each named container, image or pod, going on when one fails (as podman does); prints each name done. */
    static int eachName(CommandSpec spec, List<String> names, PerName action) {
        return eachName(spec, berth -> names, false, action);
    }

    /** As {@link #eachName(CommandSpec, List, PerName)}, the names found with berth open; with {@code ignoreMissing} a name that names nothing is skipped quietly. */
    static int eachName(CommandSpec spec, java.util.function.Function<Berth, List<String>> names, boolean ignoreMissing, PerName action) {
        int code = Main.OK;
        try (Berth berth = Engines.open(root(spec).global)) {
            for (String c : names.apply(berth)) {
                try {
                    action.apply(berth, c);
                    spec.commandLine().getOut().println(c);
                } catch (dev.berth.api.BerthException e) {
                    if (ignoreMissing && e.kind() == dev.berth.api.BerthException.Kind.NOT_FOUND) {
                        continue;
                    }
                    spec.commandLine().getErr().println("Error: " + e.getMessage());
                    code = e.kind() == dev.berth.api.BerthException.Kind.NOT_FOUND && code != Main.FAILED ? Main.MISSING : Main.FAILED;
                }
            }
        }
        return code;
    }
}
