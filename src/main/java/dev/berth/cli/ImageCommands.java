package dev.berth.cli;

import dev.berth.api.Json;
import dev.berth.engine.Berth;
import dev.berth.image.ImageStore;
import dev.berth.image.OciImage;
import java.io.PrintWriter;
import java.nio.file.Path;
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

/** {@code berth image …}: the image store. */
@Command(name = "image", mixinStandardHelpOptions = true, description = "Manage images.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {ImageCommands.Import.class, ImageCommands.Load.class, ImageCommands.Pull.class, ImageCommands.Ls.class, ImageCommands.Inspect.class,
                ImageCommands.Tag.class, ImageCommands.Rm.class, ImageCommands.Prune.class},
        footer = {"", "Example:", "  berth image ls"})
final class ImageCommands extends GroupCommand {

    static Map<String, Object> json(ImageStore.Image i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", i.id());
        m.put("Names", i.record().names().stream().filter(n -> !n.contains("@")).toList());
        m.put("RepoDigests", digests(i));
        m.put("Created", i.record().created().toString());
        m.put("Size", i.record().size());
        m.put("Architecture", i.config().architecture());
        m.put("Os", i.config().os());
        OciImage.RunConfig run = i.runConfig();
        Map<String, Object> config = new LinkedHashMap<>(); // as podman shows it
        config.put("Env", run.env());
        if (!run.entrypoint().isEmpty()) {
            config.put("Entrypoint", run.entrypoint());
        }
        if (!run.cmd().isEmpty()) {
            config.put("Cmd", run.cmd());
        }
        if (run.workingDir() != null) {
            config.put("WorkingDir", run.workingDir());
        }
        if (run.user() != null) {
            config.put("User", run.user());
        }
        config.put("Labels", run.labels());
        m.put("Config", config);
        Map<String, Object> rootfs = new LinkedHashMap<>();
        rootfs.put("Type", "layers");
        rootfs.put("Layers", i.record().diffIds());
        m.put("RootFS", rootfs);
        return m;
    }

    static List<String> digests(ImageStore.Image i) {
        return i.record().names().stream().filter(n -> n.contains("@")).toList();
    }

    @Command(name = "import", mixinStandardHelpOptions = true, description = "Import a root filesystem tarball (plain, gzip or zstd) as an image.",
            footer = {"", "Example:", "  berth image import rootfs.tar localhost/berth-busybox:latest"})
    static final class Import extends BerthCall {

        @Option(names = {"-c", "--change"}, paramLabel = "INSTRUCTION",
                description = "Set CMD, ENTRYPOINT (JSON arrays or shell form), ENV K=V, WORKDIR or USER, as in a Containerfile.")
        List<String> changes = new ArrayList<>();

        @Parameters(index = "0", paramLabel = "TARBALL", description = "A root filesystem as a tar file (plain, gzip or zstd).")
        Path tarball;

        @Parameters(index = "1", paramLabel = "NAME[:TAG]", description = "The image's name (tag latest when none).")
        String name;

        @Override
        Integer call(Berth berth) {
            ImageStore.Image image = berth.images().importTarball(tarball, name, Changes.parse(changes));
            out().println(image.id());
            return Main.OK;
        }
    }

    @Command(name = "load", mixinStandardHelpOptions = true, description = "Load images from a docker-archive (docker/podman save) or an OCI archive.",
            footer = {"", "Example:", "  berth image load -i busybox.tar"})
    static final class Load extends BerthCall {

        @Option(names = {"-i", "--input"}, required = true, paramLabel = "FILE", description = "The archive to load.")
        Path input;

        @Override
        Integer call(Berth berth) {
            for (ImageStore.Image i : berth.images().load(input)) {
                out().println("Loaded image: " + (i.record().names().isEmpty() ? i.id() : String.join(", ", i.record().names())));
            }
            return Main.OK;
        }
    }

    @Command(name = "pull", mixinStandardHelpOptions = true,
            description = {"Pull an image from a registry.",
                    "The OCI distribution API: the linux/amd64 manifest of an index, a few layers at once,",
                    "each checked against its digests, those the store has already not fetched again. A short name is tried in",
                    "registries.conf's unqualified-search-registries (default docker.io); mirrors and insecure registries as there."},
            footer = {"", "Examples:", "  berth image pull --tls-verify=false 127.0.0.1:5000/app:1.0", "  berth image pull quay.io/org/app@sha256:…",
                    "  berth image pull --format json nginx:1.25   # JSON events, the image last"})
    static final class Pull extends BerthCall {
        @Parameters(paramLabel = "NAME[:TAG|@DIGEST]", description = "The image: [registry/]path[:tag] or [registry/]path@sha256:digest.")
        String name;

        @picocli.CommandLine.Mixin
        PullOptions pull;

        @Option(names = {"-q", "--quiet"}, description = "Print only the image ID.")
        boolean quiet;

        @Override
        Integer call(Berth berth) {
            PrintWriter out = out();
            PullView view = new PullView(out, PlayView.mode(global(), quiet));
            ImageStore.Image image = berth.images().pull(name, pull.registries(), List.of(), view);
            out.println(jsonFormat() ? Json.write(json(image)) : image.id());
            return Main.OK;
        }
    }

    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, description = "List images.",
            footer = {"", "Examples:", "  berth image ls --digests", "  berth image ls --format json", "  berth image ls -q"})
    static final class Ls extends BerthCall {
        @Option(names = "--digests", description = "Show the manifest digest each image was pulled with.")
        boolean digests;

        @Option(names = {"-q", "--quiet"}, description = "Print only the image IDs (each once).")
        boolean quiet;

        @Override
        Integer call(Berth berth) {
            List<ImageStore.Image> images = berth.images().list();
            PrintWriter out = out();
            if (quiet) {
                images.forEach(i -> out.println(i.id().substring(0, 12)));
                return Main.OK;
            }
            if (jsonFormat()) {
                out.println(Json.write(images.stream().map(ImageCommands::json).toList()));
                return Main.OK;
            }
            Template template = global().template();
            if (template != null) {
                out.print(template.lines(images.stream().flatMap(i -> templateModels(i).stream()).toList(),
                        Map.of("ID", "IMAGE ID", "CreatedSince", "CREATED", "CreatedAt", "CREATED")));
                return Main.OK;
            }
            List<List<String>> rows = new ArrayList<>();
            for (ImageStore.Image i : images) {
                List<String> names = i.record().names().stream().filter(n -> !n.contains("@")).toList();
                String digest = digests(i).stream().map(d -> d.substring(d.indexOf('@') + 1)).findFirst().orElse("<none>");
                for (String n : names.isEmpty() ? List.of("<none>:<none>") : names) {
                    int colon = n.lastIndexOf(':');
                    List<String> row = new ArrayList<>(List.of(n.substring(0, colon), n.substring(colon + 1)));
                    if (this.digests) {
                        row.add(digest);
                    }
                    row.addAll(List.of(i.id().substring(0, 12), Tables.ago(i.record().created()) + " ago", Tables.size(i.record().size())));
                    rows.add(row);
                }
            }
            List<String> header = new ArrayList<>(List.of("REPOSITORY", "TAG"));
            if (digests) {
                header.add("DIGEST");
            }
            header.addAll(List.of("IMAGE ID", "CREATED", "SIZE"));
            out.print(Tables.render(header, rows));
            return Main.OK;
        }
    }

    /** What an image ls template reads: the JSON's fields, and podman's .Repository, .Tag, .ID, .Digest, .CreatedSince, .Size (text) per name. */
    static List<Map<String, Object>> templateModels(ImageStore.Image i) {
        List<String> names = i.record().names().stream().filter(n -> !n.contains("@")).toList();
        List<Map<String, Object>> models = new ArrayList<>();
        for (String n : names.isEmpty() ? List.of("<none>:<none>") : names) {
            Map<String, Object> m = json(i);
            int colon = n.lastIndexOf(':');
            m.put("Repository", n.substring(0, colon));
            m.put("Tag", n.substring(colon + 1));
            m.put("ID", i.id().substring(0, 12));
            m.put("Digest", digests(i).stream().map(d -> d.substring(d.indexOf('@') + 1)).findFirst().orElse("<none>"));
            m.put("CreatedSince", Tables.ago(i.record().created()) + " ago");
            m.put("CreatedAt", i.record().created().toString());
            m.put("Size", Tables.size(i.record().size()));
            models.add(m);
        }
        return models;
    }

    @Command(name = "tag", mixinStandardHelpOptions = true, description = "Give an image more names.",
            footer = {"", "Example:", "  berth image tag 127.0.0.1:5000/app:1.0 localhost/app:stable"})
    static final class Tag extends BerthCall {
        @Parameters(index = "0", paramLabel = "IMAGE", completionCandidates = CompletionCommand.Images.class, description = "The image: a name or an ID.")
        String image;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "NAME[:TAG]", description = "The new names (a short name is localhost/'s).")
        List<String> names;

        @Override
        Integer call(Berth berth) {
            names.forEach(n -> berth.images().tag(image, n));
            return Main.OK;
        }
    }

    @Command(name = "prune", mixinStandardHelpOptions = true, description = "Remove images without a name (all unused with -a) that no container uses.",
            footer = {"", "Example:", "  berth image prune -a"})
    static final class Prune extends BerthCall {
        @Option(names = {"-a", "--all"}, description = "Remove every image no container uses, named or not.")
        boolean all;

        @Override
        Integer call(Berth berth) {
            berth.images().prune(all).forEach(out()::println);
            return Main.OK;
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show images as JSON.",
            footer = {"", "Example:", "  berth image inspect localhost/berth-busybox"})
    static final class Inspect extends BerthCall {
        @Option(names = "-f", paramLabel = "TEMPLATE", description = "Print this Go template of each image ('{{.Size}}'), as --format does.")
        String template;

        @Parameters(arity = "1..*", paramLabel = "IMAGE", completionCandidates = CompletionCommand.Images.class, description = "Images by name or ID (prefix).")
        List<String> images;

        @Override
        Integer call(Berth berth) {
            List<Object> all = new ArrayList<>();
            for (String i : images) {
                all.add(json(berth.images().require(i)));
            }
            ContainerCommands.printInspected(this, template, all);
            return Main.OK;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove images (by name: that name; by ID: the image).",
            footer = {"", "Example:", "  berth image rm localhost/berth-busybox"})
    static final class Rm implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "IMAGE", completionCandidates = CompletionCommand.Images.class, description = "Images by name or ID (prefix).")
        List<String> images;

        @Override
        public Integer call() {
            return ContainerCommands.eachName(spec, images, (berth, image) -> berth.images().remove(image));
        }
    }

    /** Parses {@code --change} instructions. */
    static final class Changes {
        private Changes() {}

        static ImageStore.Changes parse(List<String> changes) {
            List<String> cmd = null;
            List<String> entrypoint = null;
            List<String> env = new ArrayList<>();
            String workdir = null;
            String user = null;
            for (String change : changes) {
                String[] kv = change.strip().split("\\s+", 2);
                String value = kv.length > 1 ? kv[1].strip() : "";
                switch (kv[0].toUpperCase(java.util.Locale.ROOT)) {
                    case "CMD" -> cmd = commandForm(value);
                    case "ENTRYPOINT" -> entrypoint = commandForm(value);
                    case "ENV" -> env.add(value.contains("=") ? value : value.replaceFirst("\\s+", "="));
                    case "WORKDIR" -> workdir = value;
                    case "USER" -> user = value;
                    default -> throw new dev.berth.api.BerthException(dev.berth.api.BerthException.Kind.INVALID_INPUT,
                            "--change \"" + change + "\": only CMD, ENTRYPOINT, ENV, WORKDIR and USER are supported");
                }
            }
            return new ImageStore.Changes(cmd, entrypoint, env, workdir, user);
        }

        /** {@code ["sh","-c"]} (JSON) or shell form, which runs under {@code /bin/sh -c}. */
        private static List<String> commandForm(String value) {
            if (value.startsWith("[")) {
                try {
                    return ((List<?>) Json.parse(value)).stream().map(String::valueOf).toList();
                } catch (IllegalArgumentException | ClassCastException e) {
                    throw new dev.berth.api.BerthException(dev.berth.api.BerthException.Kind.INVALID_INPUT, "not a JSON array: " + value);
                }
            }
            return List.of("/bin/sh", "-c", value);
        }
    }
}
