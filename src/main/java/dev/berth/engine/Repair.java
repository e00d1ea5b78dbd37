package dev.berth.engine;

import dev.berth.api.BerthException;
import dev.berth.image.LayerUnpacker;
import dev.berth.network.ServiceRules;
import dev.berth.state.Layout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code berth system repair}: brings a root whose state was lost or set aside back to what
 * can be trusted. What can be rebuilt from disk is recorded again (images: config blobs, layers
 * and the names file); what cannot (containers, pods, Service rules: their specs lived in the
 * state) is removed from the host, so that nothing runs or holds addresses unseen, and the
 * manifests can be played again. With a healthy state, only what no record owns is removed.
 */
public final class Repair {
    private Repair() {}

    /** Runs the repair over a freshly opened (or healthy) state; {@code report} gets a line per thing done. */
    public static void run(Berth berth, Consumer<String> report) {
        Layout layout = berth.layout();
        if (berth.state().images().isEmpty()) { // a new state, or one deleted by hand
            berth.images().rebuild().forEach(line -> report.accept("recorded " + line));
        }
        for (String id : unownedContainers(berth)) {
            berth.containers().cleanUp(id);
            report.accept("removed container " + id.substring(0, Math.min(12, id.length())) + " (no record: stopped, unmounted, deleted)");
        }
        for (String id : children(layout.root().resolve("containers"))) {
            if (berth.state().containersByIdPrefix(id).isEmpty()) {
                delete(layout.containerStorage(id));
                report.accept("removed the storage of container " + id.substring(0, Math.min(12, id.length())));
            }
        }
        for (String pod : unownedPods(berth)) {
            if (berth.pods().removeOrphan(pod)) {
                report.accept("removed pod " + pod + " (network namespace, CNI attachment, files)");
            }
        }
        if (berth.state().services().isEmpty()) {
            String range = berth.network().network(null).serviceSubnet();
            for (String chain : new ServiceRules(berth.processes(), layout.root().toString()).removeWithin(range)) {
                report.accept("removed Service rules " + chain);
            }
        }
    }

    /** What a repair would remove: containers and pods on disk that no record owns, a line each. */
    public static List<String> orphans(Berth berth) {
        List<String> found = new ArrayList<>();
        unownedContainers(berth).forEach(id -> found.add("container " + id.substring(0, Math.min(12, id.length()))));
        unownedPods(berth).forEach(pod -> found.add("pod " + pod));
        return found;
    }

    /** Containers with a bundle or runc state but no record. */
    private static List<String> unownedContainers(Berth berth) {
        List<String> ids = new ArrayList<>(children(berth.layout().runroot().resolve("containers")));
        children(berth.layout().runtimeRoot()).stream().filter(id -> !ids.contains(id)).forEach(ids::add);
        ids.removeIf(id -> !berth.state().containersByIdPrefix(id).isEmpty());
        return ids;
    }

    /** Pods with a netns file or files of their own but no record. */
    private static List<String> unownedPods(Berth berth) {
        List<String> pods = new ArrayList<>(children(berth.layout().netns()));
        children(berth.layout().runroot().resolve("pods")).stream().filter(p -> !pods.contains(p)).forEach(pods::add);
        pods.removeIf(pod -> berth.state().pod(pod).isPresent());
        return pods;
    }

    private static List<String> children(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void delete(Path dir) {
        try {
            LayerUnpacker.deleteTree(dir);
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot delete " + dir + ": " + e.getMessage(), e);
        }
    }
}
