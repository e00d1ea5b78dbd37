package dev.berth.engine;

import dev.berth.api.BerthException;
import dev.berth.api.Canonical;
import dev.berth.api.Json;
import dev.berth.api.PodSpec;
import dev.berth.api.Volume;
import dev.berth.image.LayerUnpacker;
import dev.berth.state.Layout;
import dev.berth.state.PodRecord;
import dev.berth.state.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Named volumes: what a PersistentVolumeClaim gets, under {@code <root>/volumes/<claim>/_data}, kept after its pods. */
public final class Volumes {
    private final Layout layout;
    private final StateStore state;

    public Volumes(Layout layout, StateStore state) {
        this.layout = layout;
        this.state = state;
    }

    /** A named volume, where its data is, and the pods that use it. */
    public record NamedVolume(String name, Path data, List<String> pods) {}

    public List<NamedVolume> list() {
        List<NamedVolume> all = new ArrayList<>();
        if (!Files.isDirectory(layout.volumes())) {
            return all;
        }
        try (Stream<Path> dirs = Files.list(layout.volumes())) {
            for (Path d : dirs.sorted().toList()) {
                String name = d.getFileName().toString();
                all.add(new NamedVolume(name, d.resolve("_data"), usedBy(name)));
            }
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot list volumes: " + e.getMessage(), e);
        }
        return all;
    }

    public NamedVolume find(String name) {
        return list().stream().filter(v -> v.name().equals(name)).findFirst()
                .orElseThrow(() -> new BerthException(BerthException.Kind.NOT_FOUND, "no volume \"" + name + "\""));
    }

    /** A named volume's data directory, made when the volume is new ({@code run -v NAME:/path}, as podman makes it). */
    public Path create(String name) {
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "volume name \"" + name
                    + "\": letters, digits, _, . and - only, starting with a letter or digit");
        }
        Path data = layout.volumes().resolve(name).resolve("_data");
        try {
            Files.createDirectories(data);
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot make volume " + name + ": " + e.getMessage(), e);
        }
        return data;
    }

    private List<String> usedBy(String claim) {
        List<String> pods = new ArrayList<>();
        for (PodRecord p : state.pods()) {
            PodSpec spec = Canonical.read(Json.parse(p.spec()), PodSpec.class);
            if (spec.volumes().stream().anyMatch(v -> v.source() instanceof Volume.PersistentVolumeClaim c && c.claimName().equals(claim))) {
                pods.add(p.name());
            }
        }
        return pods;
    }

    /** Removes a volume and its data; refused while a pod uses it. Returns whether it existed. */
    public boolean remove(String name) {
        Path dir = layout.volumes().resolve(name);
        if (!Files.isDirectory(dir)) {
            return false;
        }
        List<String> pods = usedBy(name);
        if (!pods.isEmpty()) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "volume " + name + " is used by pod " + String.join(", ", pods) + "; remove it first");
        }
        try {
            LayerUnpacker.deleteTree(dir);
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot remove volume " + name + ": " + e.getMessage(), e);
        }
        return true;
    }

    /** Removes every volume no pod uses; returns their names. */
    public List<String> prune() {
        List<String> removed = new ArrayList<>();
        for (NamedVolume v : list()) {
            if (v.pods().isEmpty() && remove(v.name())) {
                removed.add(v.name());
            }
        }
        return removed;
    }
}
