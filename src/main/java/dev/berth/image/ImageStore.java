package dev.berth.image;

import dev.berth.api.BerthException;
import dev.berth.api.Json;
import dev.berth.state.ImageRecord;
import dev.berth.state.Layout;
import dev.berth.state.Locks;
import dev.berth.state.StateStore;
import dev.berth.sys.Linux;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The image store: imports rootfs tarballs, loads docker-archive and OCI archives, keeps image
 * configs as content-addressed blobs (digest checked before they are kept) and layers unpacked
 * once into per-layer directories shared by every image that has them.
 */
public final class ImageStore {
    static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final long MAX_LAYER_BYTES = 64L * 1024 * 1024 * 1024;
    private static final long MAX_LAYER_ENTRIES = 2_000_000;
    private static final int SHORT_LINK = 20;

    private final Layout layout;
    private final StateStore state;
    private final Locks locks;
    private final LayerUnpacker unpacker = new LayerUnpacker(MAX_LAYER_BYTES, MAX_LAYER_ENTRIES);

    public ImageStore(Layout layout, StateStore state, Locks locks) {
        this.layout = layout;
        this.state = state;
        this.locks = locks;
    }

    /**
     * Runs a change of the store under its lock, so that a removal never deletes a layer that a
     * concurrent import or load of another process has just found present and reused.
     */
    private <T> T locked(java.util.function.Supplier<T> change) {
        try (Locks.Held held = locks.images(who -> {})) {
            sweepScratch();
            T result = change.get();
            writeNames();
            return result;
        }
    }

    /**
     * Deletes the scratch files and directories that a berth killed in the middle of an import, a
     * load or a pull left under the root's tmp (see {@link #abandoned}).
     */
    private void sweepScratch() {
        if (!Files.isDirectory(layout.tmp())) {
            return;
        }
        try (java.util.stream.Stream<Path> entries = Files.list(layout.tmp())) {
            for (Path p : entries.filter(ImageStore::abandoned).toList()) {
                LayerUnpacker.deleteTree(p);
            }
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot clear " + layout.tmp() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Scratch of an import or load (made under the lock, so abandoned when the lock is free), or of
     * a pull (made outside it) whose process has gone.
     */
    private static boolean abandoned(Path p) {
        String name = p.getFileName().toString();
        java.util.regex.Matcher pull = java.util.regex.Pattern.compile("pull-(\\d+)-.*").matcher(name);
        if (pull.matches()) {
            return ProcessHandle.of(Long.parseLong(pull.group(1))).map(h -> !h.isAlive()).orElse(true);
        }
        return name.matches("(load|layer|blob|link|names)-.*");
    }

    /** Writes every name and its image ID to {@link Layout#imageNames()}: what {@link #rebuild} reads when the state is lost. */
    private void writeNames() {
        Map<String, Object> names = new java.util.TreeMap<>();
        for (ImageRecord r : state.images()) {
            r.names().forEach(n -> names.put(n, r.id()));
        }
        try {
            Files.createDirectories(layout.tmp());
            Path tmp = layout.tmp().resolve("names-" + UUID.randomUUID());
            Files.writeString(tmp, Json.write(names));
            Files.move(tmp, layout.imageNames(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot write " + layout.imageNames() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Records again, in a new state, every image whose config blob and layers are on disk, with
     * the names {@link Layout#imageNames()} gives them; returns what it found, a line each.
     */
    public List<String> rebuild() {
        List<String> found = new ArrayList<>();
        Map<String, List<String>> names = new HashMap<>();
        try {
            if (Files.exists(layout.imageNames())) {
                Json.parseObject(Files.readString(layout.imageNames()))
                        .forEach((name, id) -> names.computeIfAbsent(String.valueOf(id), k -> new ArrayList<>()).add(name));
            }
            if (!Files.isDirectory(layout.blobs())) {
                return found;
            }
            try (java.util.stream.Stream<Path> blobs = Files.list(layout.blobs())) {
                for (Path blob : blobs.sorted().toList()) {
                    String hex = blob.getFileName().toString();
                    byte[] config = Files.readAllBytes(blob);
                    List<String> diffIds;
                    try {
                        diffIds = OciImage.Config.parse(new String(config, StandardCharsets.UTF_8)).diffIds();
                    } catch (RuntimeException notAConfig) {
                        continue;
                    }
                    boolean whole = Digest.of(config).hex().equals(hex)
                            && diffIds.stream().allMatch(d -> Files.isDirectory(layout.layerDiff(Digest.parse(d).hex())));
                    if (whole) {
                        List<String> its = names.getOrDefault(hex, List.of());
                        state.putImage(new ImageRecord(hex, its, new String(config, StandardCharsets.UTF_8), diffIds, 0,
                                Instant.now().truncatedTo(ChronoUnit.SECONDS)));
                        found.add("image " + hex.substring(0, 12) + (its.isEmpty() ? " (no name)" : " " + String.join(", ", its)));
                    }
                }
            }
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot read the image store under " + layout.root() + ": " + e.getMessage(), e);
        }
        return found;
    }

    /** An image with its config read. */
    public record Image(ImageRecord record, OciImage.Config config) {
        /** What a container of it runs by default: Env, Cmd, Entrypoint, WorkingDir, User… */
        public OciImage.RunConfig runConfig() {
            return config.config();
        }

        public String id() {
            return record.id();
        }
    }

    // import

    /** The changes {@code image import --change} may make to the config, as in a Containerfile. */
    public record Changes(List<String> cmd, List<String> entrypoint, List<String> env, String workingDir, String user) {
        public static final Changes NONE = new Changes(null, null, List.of(), null, null);
    }

    /** Imports a rootfs tarball (plain, gzip or zstd) as a one-layer image named {@code name}. */
    public Image importTarball(Path tarball, String name, Changes changes) {
        state.requireRoom("import " + tarball);
        return locked(() -> importLocked(tarball, name, changes));
    }

    private Image importLocked(Path tarball, String name, Changes changes) {
        ImageRef ref = parseName(name);
        Digest diffId;
        try (InputStream in = Files.newInputStream(tarball)) {
            diffId = unpackLayer(in, null).diffId();
        } catch (NoSuchFileException e) {
            throw new BerthException(BerthException.Kind.NOT_FOUND, tarball + ": no such file");
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.FAILED, "cannot import " + tarball + ": " + e.getMessage(), e);
        }
        List<String> env = new ArrayList<>(List.of(DEFAULT_PATH));
        env.addAll(changes.env());
        OciImage.RunConfig run = new OciImage.RunConfig(env, changes.entrypoint() == null ? List.of() : changes.entrypoint(),
                changes.cmd() == null ? List.of() : changes.cmd(), changes.workingDir(), changes.user(), Map.of());
        OciImage.Config config = new OciImage.Config(Instant.now().truncatedTo(ChronoUnit.SECONDS), "linux", "amd64", run, List.of(diffId.toString()));
        return commitImage(config.json("berth image import " + tarball.getFileName()).getBytes(StandardCharsets.UTF_8), List.of(ref.toString()));
    }

    private static ImageRef parseName(String name) {
        try {
            return ImageRef.parse(name);
        } catch (IllegalArgumentException e) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, e.getMessage());
        }
    }

    /** Unpacks a layer and moves it into place, checking its diff ID when one is expected. */
    private LayerUnpacker.Unpacked unpackLayer(InputStream in, Digest expected) throws IOException {
        Path scratch = layout.tmp().resolve("layer-" + UUID.randomUUID());
        LayerUnpacker.Unpacked u = unpacker.unpack(in, scratch);
        if (expected != null && !expected.equals(u.diffId())) {
            LayerUnpacker.deleteTree(scratch);
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "layer content does not match its digest: expected "
                    + expected + ", got " + u.diffId() + "; refused");
        }
        commitLayer(scratch, u);
        return u;
    }

    /** The uncompressed size of an image's layers, each as recorded when it was unpacked (0 for a layer unpacked before sizes were kept). */
    private long layersSize(List<String> diffIds) {
        long size = 0;
        for (String d : diffIds) {
            try {
                size += Long.parseLong(Files.readString(layout.layerDiff(Digest.parse(d).hex()).resolveSibling("size")).strip());
            } catch (IOException | NumberFormatException e) {
                // unknown: counted as nothing
            }
        }
        return size;
    }

    /**
     * Moves an unpacked layer into the store (or drops it when the store has it already), keeps
     * its size beside it (an image's SIZE counts its layers, present before or not), and links it
     * under its short name.
     */
    private void commitLayer(Path scratch, LayerUnpacker.Unpacked layer) throws IOException {
        Digest diffId = layer.diffId();
        LayerUnpacker.commit(scratch, layout.layerDiff(diffId.hex()));
        Path sizeFile = layout.layerDiff(diffId.hex()).resolveSibling("size");
        if (!Files.exists(sizeFile)) {
            Files.writeString(sizeFile, Long.toString(layer.size()));
        }
        Path link = layout.shortLinks().resolve(diffId.hex().substring(0, SHORT_LINK));
        if (!Files.isSymbolicLink(link)) {
            Files.createDirectories(link.getParent());
            Path tmpLink = layout.tmp().resolve("link-" + UUID.randomUUID());
            Files.createSymbolicLink(tmpLink, layout.shortLinks().relativize(layout.layerDiff(diffId.hex())));
            Files.move(tmpLink, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Keeps a config blob (named by its digest) and records the image with these names. */
    private Image commitImage(byte[] config, List<String> names) {
        Digest id = Digest.of(config);
        try {
            Path blob = layout.blob(id.hex());
            if (!Files.exists(blob)) {
                Files.createDirectories(blob.getParent());
                Path tmp = layout.tmp().resolve("blob-" + UUID.randomUUID());
                Files.write(tmp, config);
                Files.move(tmp, blob, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot store image config: " + e.getMessage(), e);
        }
        String json = new String(config, StandardCharsets.UTF_8);
        OciImage.Config parsed = OciImage.Config.parse(json);
        List<String> diffIds = parsed.diffIds();
        state.putImage(new ImageRecord(id.hex(), names, json, diffIds, layersSize(diffIds), created(parsed)));
        return new Image(state.imagesByIdPrefix(id.hex()).get(0), parsed);
    }

    /** When the image was made, as its config says (podman shows that); now when it does not say. */
    private static Instant created(OciImage.Config config) {
        return (config.created() != null ? config.created() : Instant.now()).truncatedTo(ChronoUnit.SECONDS);
    }

    // pull

    /**
     * Pulls an image: its manifest (from an index, the linux/amd64 one), its config, and the layers
     * the store lacks, fetched and unpacked a few at once outside the store's lock, each checked
     * against its digest and its diff ID; then, under the lock, the layers are moved into place and
     * the image recorded under its name and its digest name ({@code repo@sha256:…}).
     *
     * @param name        {@code registry/path:tag} or {@code …@sha256:…}; a short name is tried in
     *                    the search registries in order
     * @param pullSecrets the pod's imagePullSecrets (may be empty)
     */
    public Image pull(String name, Registries registries, List<AuthFile.PullSecret> pullSecrets, PullProgress progress) {
        ImageRef asked = parseName(name);
        state.requireRoom("pull " + name);
        List<ImageRef> candidates = ImageRef.isShort(name) ? registries.conf().search().stream().map(asked::in).toList() : List.of(asked);
        if (candidates.isEmpty()) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, name + " is a short name and registries.conf lists no "
                    + "unqualified-search-registries; give the registry (e.g. docker.io/library/" + asked.path() + ")");
        }
        BerthException last = null;
        Instant deadline = registries.timeout() == null ? null : Instant.now().plus(registries.timeout());
        for (ImageRef ref : candidates) {
            for (Registries.Endpoint e : registries.endpoints(ref)) {
                RegistryClient client = registries.client(e, pullSecrets).until(deadline, registries.timeout());
                RegistryClient.Manifest manifest;
                try {
                    manifest = client.manifest(e.path(), ref.reference());
                } catch (BerthException notThere) {
                    if (notThere.kind() != BerthException.Kind.NOT_FOUND && notThere.kind() != BerthException.Kind.HOST) {
                        throw notThere;
                    }
                    last = notThere;
                    continue; // the next mirror, the registry itself, or the next search registry
                }
                return pullFrom(ref, e, client, manifest, registries.platform(), progress);
            }
        }
        if (candidates.size() > 1) {
            throw new BerthException(last.kind(), name + ": not found in the search registries ("
                    + String.join(", ", registries.conf().search()) + "); the last said: " + last.getMessage());
        }
        throw last;
    }

    private Image pullFrom(ImageRef ref, Registries.Endpoint at, RegistryClient client, RegistryClient.Manifest top, String platform, PullProgress progress) {
        List<String> names = new ArrayList<>();
        if (ref.digest() == null) {
            names.add(ref.toString());
        }
        names.add(ref.withDigest(top.digest().toString()).toString());
        RegistryClient.Manifest manifest = top;
        if (top.isIndex()) {
            manifest = client.manifest(at.path(), sent(at, ref, "an index",
                    () -> OciImage.Index.parse(top.text()).manifestFor(platform, ref.toString()).digest().toString()));
            names.add(ref.withDigest(manifest.digest().toString()).toString());
        }
        progress.resolved(ref.toString(), top.digest().toString());
        RegistryClient.Manifest sentManifest = manifest;
        OciImage.Manifest m = sent(at, ref, "a manifest", () -> OciImage.Manifest.parse(sentManifest.text()));
        byte[] config = client.blobBytes(at.path(), m.config().digest().toString(), m.config().size());
        List<OciImage.Descriptor> layers = m.layers();
        List<String> diffIds = sent(at, ref, "an image config", () -> {
            List<String> ids = diffIds(config, layers.size());
            ids.forEach(Digest::parse);
            return ids;
        });
        Path work = layout.tmp().resolve("pull-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID());
        try {
            Map<Integer, LayerUnpacker.Unpacked> unpacked = fetchLayers(at, client, layers, diffIds, work, progress);
            return locked(() -> {
                try {
                    for (Map.Entry<Integer, LayerUnpacker.Unpacked> u : unpacked.entrySet()) {
                        commitLayer(work.resolve("layer-" + u.getKey()), u.getValue());
                    }
                    return commitImage(config, names);
                } catch (IOException e) {
                    throw new BerthException(BerthException.Kind.HOST, "cannot store " + ref + ": " + e.getMessage(), e);
                }
            });
        } finally {
            try {
                LayerUnpacker.deleteTree(work);
            } catch (IOException ignored) {
                // scratch space; the next change of the store sweeps it
            }
        }
    }

    /** How many layers of one image are fetched at once. */
    private static final int PARALLEL_LAYERS = 3;

    /**
     * Fetches and unpacks, {@value #PARALLEL_LAYERS} at a time, the layers the store lacks into
     * {@code work/layer-I}; returns what each gave, by index. The first failure stops the others.
     */
    private Map<Integer, LayerUnpacker.Unpacked> fetchLayers(Registries.Endpoint at, RegistryClient client, List<OciImage.Descriptor> layers,
            List<String> diffIds, Path work, PullProgress progress) {
        Map<Integer, java.util.concurrent.Future<LayerUnpacker.Unpacked>> running = new java.util.TreeMap<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(PARALLEL_LAYERS, r -> {
            Thread t = new Thread(r, "pull");
            t.setDaemon(true);
            return t;
        });
        try {
            Files.createDirectories(work);
            for (int i = 0; i < layers.size(); i++) {
                String digest = layers.get(i).digest().toString();
                long size = layers.get(i).size();
                Digest diffId = Digest.parse(diffIds.get(i));
                boolean inStore = Files.isDirectory(layout.layerDiff(diffId.hex()));
                progress.layer(digest, size, inStore);
                if (inStore) {
                    continue;
                }
                Path scratch = work.resolve("layer-" + i);
                running.put(i, pool.submit(() -> {
                    RegistryClient.Progress told = new RegistryClient.Progress() {
                        @Override
                        public void accept(long n) {
                            progress.bytes(digest, n);
                        }

                        @Override
                        public void retrying(String why) {
                            progress.retrying(digest, why);
                        }
                    };
                    try (RegistryClient.Blob blob = client.blob(at.path(), digest, size, told)) {
                        LayerUnpacker.Unpacked u;
                        try {
                            u = unpacker.unpack(new java.io.FilterInputStream(blob) {
                                @Override
                                public void close() {
                                    // left open for verify()
                                }
                            }, scratch);
                        } catch (IOException | RuntimeException e) {
                            blob.verify(); // a blob that is not what its digest says is the error to report
                            throw e;
                        }
                        blob.verify();
                        if (!u.diffId().equals(diffId)) {
                            throw new BerthException(BerthException.Kind.INVALID_INPUT, "layer " + digest + " unpacks to " + u.diffId()
                                    + ", not the " + diffId + " its config says; refused");
                        }
                        progress.done(digest);
                        return u;
                    }
                }));
            }
            Map<Integer, LayerUnpacker.Unpacked> unpacked = new java.util.TreeMap<>();
            for (Map.Entry<Integer, java.util.concurrent.Future<LayerUnpacker.Unpacked>> f : running.entrySet()) {
                unpacked.put(f.getKey(), f.getValue().get());
            }
            return unpacked;
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof BerthException be ? be
                    : new BerthException(BerthException.Kind.FAILED, "cannot pull from " + at.host() + ": " + e.getCause().getMessage(), e.getCause());
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot pull from " + at.host() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BerthException(BerthException.Kind.FAILED, "the pull was interrupted");
        } finally {
            pool.shutdownNow();
            try {
                pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Where the layers of an image being loaded come from, opened only for those the store lacks. */
    private interface LayerSource {
        InputStream open(int layer) throws IOException;
    }

    /** Unpacks the layers of a loaded image the store lacks, each checked against its diff ID in the config, and records the image. */
    private Image storeImage(byte[] config, int layerCount, LayerSource layers, List<String> names) throws IOException {
        List<String> diffIds = diffIds(config, layerCount);
        for (int i = 0; i < layerCount; i++) {
            Digest expected = Digest.parse(diffIds.get(i));
            if (Files.isDirectory(layout.layerDiff(expected.hex()))) {
                continue;
            }
            try (InputStream in = layers.open(i)) {
                unpackLayer(in, expected);
            }
        }
        return commitImage(config, names);
    }

    /**
     * What the registry sent, read by {@code reading}: data that does not read (not JSON, not an
     * object where one belongs, a digest that is not a sha256 digest) is refused, naming the
     * registry, the image and what was wrong.
     */
    private static <T> T sent(Registries.Endpoint at, ImageRef ref, String what, java.util.function.Supplier<T> reading) {
        try {
            return reading.get();
        } catch (BerthException e) {
            throw e.kind() == BerthException.Kind.INVALID_INPUT
                    ? new BerthException(e.kind(), at.repository() + " " + ref.reference() + ": " + e.getMessage()) : e;
        } catch (IllegalArgumentException | ClassCastException | NullPointerException e) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, at.repository() + " " + ref.reference() + ": the registry sent "
                    + what + " berth cannot use (" + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + "); refused");
        }
    }

    /** The config's diff IDs, which must be as many as the manifest's layers. */
    private static List<String> diffIds(byte[] config, int layerCount) {
        List<String> diffIds = OciImage.Config.parse(new String(config, StandardCharsets.UTF_8)).diffIds();
        if (diffIds.size() != layerCount) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "the image config lists " + diffIds.size()
                    + " layers but the manifest " + layerCount + "; refused");
        }
        return diffIds;
    }

    /** A loaded name as podman reads it: a short name is Docker Hub's ({@code busybox} → {@code docker.io/library/busybox:latest}). */
    static ImageRef pullName(String name) {
        ImageRef ref = parseName(name);
        return ImageRef.isShort(name) ? ref.in("docker.io") : ref;
    }

    // load

    /** Loads every image of a {@code docker save}/{@code podman save} archive or an OCI archive. */
    public List<Image> load(Path archive) {
        state.requireRoom("load " + archive);
        return locked(() -> loadLocked(archive));
    }

    private List<Image> loadLocked(Path archive) {
        Path work = layout.tmp().resolve("load-" + UUID.randomUUID());
        try {
            Files.createDirectories(work);
            Map<String, Entry> entries = spool(archive, work);
            if (entries.containsKey("index.json") && entries.containsKey("oci-layout")) {
                return loadOci(entries);
            }
            if (entries.containsKey("manifest.json")) {
                return loadDocker(entries);
            }
            throw new BerthException(BerthException.Kind.INVALID_INPUT, archive
                    + ": neither a docker-archive (manifest.json) nor an OCI archive (index.json, oci-layout)");
        } catch (NoSuchFileException e) {
            throw new BerthException(BerthException.Kind.NOT_FOUND, archive + ": no such file");
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.FAILED, "cannot load " + archive + ": " + e.getMessage(), e);
        } finally {
            try {
                LayerUnpacker.deleteTree(work);
            } catch (IOException ignored) {
                // scratch space; a later load does not depend on it
            }
        }
    }

    /** A file of the archive, copied to scratch space, with its digest. */
    private record Entry(Path file, Digest digest, long size) {}

    /** Copies each regular file of the archive to {@code work} under a number, never under its own name. */
    private static Map<String, Entry> spool(Path archive, Path work) throws IOException {
        Map<String, Entry> entries = new HashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(
                LayerUnpacker.decompressed(new BufferedInputStream(Files.newInputStream(archive), 65536)))) {
            TarArchiveEntry e;
            int n = 0;
            while ((e = tar.getNextEntry()) != null) {
                if (!e.isFile()) {
                    continue;
                }
                Path file = work.resolve(Integer.toString(n++));
                MessageDigest md = Digest.sha256();
                try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file), md)) {
                    tar.transferTo(out);
                }
                entries.put(String.join("/", LayerUnpacker.components(e.getName())), new Entry(file, Digest.of(md), Files.size(file)));
            }
        }
        return entries;
    }

    private static Entry require(Map<String, Entry> entries, String name) {
        Entry e = entries.get(String.join("/", LayerUnpacker.components(name)));
        if (e == null) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "the archive lacks \"" + name + "\"");
        }
        return e;
    }

    private static Entry blob(Map<String, Entry> entries, String digest) {
        Digest d;
        try {
            d = Digest.parse(digest);
        } catch (IllegalArgumentException e) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "the archive names an unsupported digest: " + digest);
        }
        Entry e = require(entries, "blobs/sha256/" + d.hex());
        if (!e.digest().equals(d)) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "blob " + d + " does not match its digest (got " + e.digest() + "); refused");
        }
        return e;
    }

    private List<Image> loadOci(Map<String, Entry> entries) throws IOException {
        OciImage.Index index = OciImage.Index.parse(Files.readString(require(entries, "index.json").file()));
        List<Image> images = new ArrayList<>();
        for (OciImage.Descriptor descriptor : index.manifests()) {
            String text = Files.readString(blob(entries, descriptor.digest().toString()).file());
            if (Json.parseObject(text).containsKey("manifests")) {
                throw new BerthException(BerthException.Kind.INVALID_INPUT, "nested image indexes (multi-platform archives) are not supported");
            }
            OciImage.Manifest manifest = OciImage.Manifest.parse(text);
            List<String> names = new ArrayList<>();
            String name = descriptor.annotations().getOrDefault("io.containerd.image.name", descriptor.annotations().get("org.opencontainers.image.ref.name"));
            if (name != null && (name.contains(":") || name.contains("/"))) {
                names.add(normalizeLoaded(name));
            }
            images.add(loadImage(blob(entries, manifest.config().digest().toString()),
                    manifest.layers().stream().map(l -> blob(entries, l.digest().toString())).toList(), names));
        }
        return images;
    }

    private List<Image> loadDocker(Map<String, Entry> entries) throws IOException {
        List<Image> images = new ArrayList<>();
        for (Object m : (List<?>) Json.parse(Files.readString(require(entries, "manifest.json").file()))) {
            @SuppressWarnings("unchecked")
            Map<String, Object> manifest = (Map<String, Object>) m;
            String configName = Json.string(manifest, "Config");
            Entry config = require(entries, configName);
            String expectedHex = Path.of(configName).getFileName().toString().replace(".json", "");
            if (expectedHex.matches("[0-9a-f]{64}") && !expectedHex.equals(config.digest().hex())) {
                throw new BerthException(BerthException.Kind.INVALID_INPUT, "config " + configName + " does not match its digest; refused");
            }
            List<Entry> layers = Json.strings(manifest, "Layers").stream().map(l -> require(entries, l)).toList();
            List<String> names = Json.strings(manifest, "RepoTags").stream().map(ImageStore::normalizeLoaded).toList();
            images.add(loadImage(config, layers, names));
        }
        return images;
    }

    /** {@code busybox:latest} from a docker archive means Docker Hub's, as podman load reads it (and pull). */
    private static String normalizeLoaded(String name) {
        return pullName(name).toString();
    }

    private Image loadImage(Entry configEntry, List<Entry> layers, List<String> names) throws IOException {
        return storeImage(Files.readAllBytes(configEntry.file()), layers.size(), i -> Files.newInputStream(layers.get(i).file()), names);
    }

    // queries

    public List<Image> list() {
        return state.images().stream().map(r -> new Image(r, OciImage.Config.parse(r.config()))).toList();
    }

    /** Finds an image by name (short names completed), full ID ({@code sha256:…}) or ID prefix. */
    public Optional<Image> find(String reference) {
        String idText = reference.startsWith("sha256:") ? reference.substring(7) : reference;
        if (idText.matches("[0-9a-f]{6,64}")) {
            List<ImageRecord> byId = state.imagesByIdPrefix(idText);
            if (byId.size() == 1) {
                return Optional.of(new Image(byId.get(0), OciImage.Config.parse(byId.get(0).config())));
            }
        }
        List<String> candidates;
        try {
            candidates = ImageRef.candidates(reference);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        for (String name : candidates) {
            Optional<ImageRecord> r = state.imageByName(name);
            if (r.isPresent()) {
                return Optional.of(new Image(r.get(), OciImage.Config.parse(r.get().config())));
            }
        }
        return ImageRef.isShort(reference) ? pulledThroughASearchRegistry(candidates.get(0)) : Optional.empty();
    }

    /**
     * A short name pulled from another search registry than Docker Hub ({@code app:1} pulled as
     * {@code registry.example.com/app:1}): the newest image with a name {@code REGISTRY/} + the
     * short name, whichever the registry.
     */
    private Optional<Image> pulledThroughASearchRegistry(String localName) {
        String rest = localName.substring("localhost".length()); // "/path:tag" or "/path@sha256:…"
        for (ImageRecord r : state.images()) {
            for (String n : r.names()) {
                if (n.endsWith(rest) && n.length() > rest.length() && n.substring(0, n.length() - rest.length()).indexOf('/') < 0) {
                    return Optional.of(new Image(r, OciImage.Config.parse(r.config())));
                }
            }
        }
        return Optional.empty();
    }

    public Image require(String reference) {
        return find(reference).orElseThrow(() -> new BerthException(BerthException.Kind.NOT_FOUND,
                "image \"" + reference + "\" is not in berth's store; berth image pull NAME, berth image load -i FILE or berth image import TAR NAME"));
    }

    /**
     * Removes an image: by name, only that name unless it was the last; by ID, the image. Refused
     * while a container uses it. Layers no other image uses are deleted.
     */
    public void remove(String reference) {
        locked(() -> {
            removeLocked(reference);
            return null;
        });
    }

    private void removeLocked(String reference) {
        Image image = require(reference);
        List<String> candidates;
        try {
            candidates = ImageRef.candidates(reference);
        } catch (IllegalArgumentException byId) {
            candidates = List.of();
        }
        List<String> tags = image.record().names().stream().filter(n -> !n.contains("@")).toList();
        String named = tags.stream().filter(candidates::contains).findFirst().orElse(null);
        if (named != null && tags.size() > 1) {
            state.untagImage(image.id(), named);
            return;
        }
        if (state.imageInUse(image.id())) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "image " + image.id().substring(0, 12)
                    + " is used by a container; remove the container first");
        }
        state.removeImage(image.id());
        List<String> inUse = state.diffIdsInUse();
        try {
            for (String diffId : image.record().diffIds()) {
                if (!inUse.contains(diffId)) {
                    String hex = Digest.parse(diffId).hex();
                    Files.deleteIfExists(layout.shortLinks().resolve(hex.substring(0, SHORT_LINK)));
                    LayerUnpacker.deleteTree(layout.layers().resolve(hex));
                }
            }
            Files.deleteIfExists(layout.blob(image.id()));
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "image removed, but its files could not all be deleted: " + e.getMessage(), e);
        }
    }

    /** Gives an image one more name ({@code image tag}). */
    public Image tag(String reference, String name) {
        ImageRef ref = parseName(name);
        if (ref.digest() != null) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, name + ": a tag cannot carry a digest");
        }
        return locked(() -> {
            ImageRecord r = require(reference).record();
            String full = ref.toString();
            state.putImage(new ImageRecord(r.id(), List.of(full), r.config(), r.diffIds(), r.size(), r.created()));
            return find(full).orElseThrow();
        });
    }

    /**
     * Removes the images no container uses: those without a name (left when a name moved to a
     * newer pull), or with {@code all} every one. Returns their IDs.
     */
    public List<String> prune(boolean all) {
        return locked(() -> {
            List<String> removed = new ArrayList<>();
            for (ImageRecord r : state.images()) {
                boolean unnamed = r.names().stream().allMatch(n -> n.contains("@"));
                if ((all || unnamed) && !state.imageInUse(r.id())) {
                    removeLocked(r.id());
                    removed.add(r.id());
                }
            }
            return removed;
        });
    }

    // root filesystems

    /** Mounts an image's layers read-only under a container's own upper and work directories at {@code target}. */
    public void mountRootFs(Image image, Path upper, Path work, Path target) {
        List<String> lower = new ArrayList<>();
        List<String> diffIds = image.record().diffIds();
        for (int i = diffIds.size() - 1; i >= 0; i--) {
            String hex = Digest.parse(diffIds.get(i)).hex();
            if (!Files.isDirectory(layout.layerDiff(hex))) {
                throw new BerthException(BerthException.Kind.HOST, "layer " + diffIds.get(i) + " of image "
                        + image.id().substring(0, 12) + " is missing from " + layout.layers() + "; load the image again");
            }
            lower.add(layout.shortLinks().resolve(hex.substring(0, SHORT_LINK)).toString());
        }
        String options = "lowerdir=" + String.join(":", lower) + ",upperdir=" + upper + ",workdir=" + work
                + (Linux.inUserNamespace() ? ",userxattr" : ""); // an ordinary user's overlay keeps its marks in user.overlay.*
        if (options.length() >= 4096) {
            throw new BerthException(BerthException.Kind.HOST, "image " + image.id().substring(0, 12) + " has too many layers ("
                    + diffIds.size() + ") for one overlay mount under " + layout.root());
        }
        Linux.mount("overlay", target, "overlay", 0, options);
    }
}
