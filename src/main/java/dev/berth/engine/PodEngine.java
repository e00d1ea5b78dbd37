package dev.berth.engine;

import dev.berth.api.BerthException;
import dev.berth.image.LayerUnpacker;
import dev.berth.network.CniNetwork;
import dev.berth.network.PodNetwork;
import dev.berth.proc.Command;
import dev.berth.proc.ProcessRunner;
import dev.berth.state.ContainerRecord;
import dev.berth.state.Layout;
import dev.berth.state.PodRecord;
import dev.berth.state.StateStore;
import dev.berth.sys.Linux;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Pods: a sandbox (a network namespace file with loopback up; IPC and UTS namespaces, the UTS one
 * with the pod's hostname, in files in the pod's directory or in an infra container running
 * {@code catatonit -P}, which also holds a shared PID namespace; see {@link Sandbox.Kind}) and the member
 * containers that join it. The pod's record comes first, so whatever a crash leaves behind is
 * found and removed by {@link #remove}.
 */
public final class PodEngine {
    private final Layout layout;
    private final StateStore state;
    private final ContainerEngine containers;
    private final dev.berth.image.ImageStore images;
    private final PodNetwork network;
    private final ProcessRunner processes;

    public PodEngine(Layout layout, StateStore state, dev.berth.image.ImageStore images, ContainerEngine containers, PodNetwork network,
            ProcessRunner processes) {
        this.processes = processes;
        this.layout = layout;
        this.network = network;
        this.state = state;
        this.images = images;
        this.containers = containers;
    }

    /** What a pod's sandbox is made from; {@code sharePid} needs an infra container. */
    public record SandboxSpec(String pod, String namespace, String hostname, boolean hostNetwork, Sandbox.Kind kind, boolean sharePid,
            String specHash, String spec, String network, List<CniNetwork.PortMapping> ports) {
        public SandboxSpec {
            if (sharePid && kind != Sandbox.Kind.INFRA_CONTAINER) {
                throw new IllegalArgumentException("a shared PID namespace needs an infra container");
            }
        }
    }

    /**
     * Creates a pod's sandbox: its network, and its IPC and UTS namespaces in files or in an infra
     * container (which has its own, and the PID namespace the members may share).
     */
    public Sandbox createSandbox(SandboxSpec s) {
        state.requireRoom("create pod " + s.pod());
        Path netns = s.hostNetwork() ? null : layout.netns(s.pod());
        state.insertPod(new PodRecord(s.pod(), s.namespace(), s.specHash(), s.spec(), null,
                netns == null ? null : netns.toString(), PodRecord.Status.CREATING, Instant.now()));
        try {
            Path files = layout.pod(s.pod());
            ContainerEngine.writeEtcFiles(files, s.hostname());
            if (s.kind() == Sandbox.Kind.NAMESPACE_FILES) {
                createNamespaces(files, s.hostname());
            }
            String ip = netns == null ? null : network.attach(s.pod(), s.network(), s.ports()).address();
            Sandbox sandbox = new Sandbox(s.pod(), netns, null, 0, s.sharePid(), files, ip);
            if (s.kind() == Sandbox.Kind.NAMESPACE_FILES) {
                state.updatePod(s.pod(), null, PodRecord.Status.RUNNING);
                return sandbox;
            }
            InfraImage.ensure(images, layout.tmp());
            ContainerEngine.Container c = containers.create(new ContainerEngine.CreateOptions(s.pod() + "-infra", InfraImage.NAME,
                    null, null, List.of(), null, null, null, false, sandbox, s.hostname(), List.of(), List.of(), null, false, null));
            c = containers.start(c);
            int pid = containers.pid(c.id());
            state.updatePod(s.pod(), c.id(), PodRecord.Status.RUNNING);
            return new Sandbox(s.pod(), netns, c.id(), pid, s.sharePid(), files, ip);
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot create pod " + s.pod() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Makes the pod's IPC and UTS namespaces, kept by bind mounts on files in its directory (as
     * the network namespace is), the UTS one with the pod's hostname: one {@code unshare} running
     * {@code hostname} in them.
     */
    private void createNamespaces(Path files, String hostname) throws IOException {
        Path unshare = dev.berth.runtime.HostComponents.find("unshare");
        Path tool = dev.berth.runtime.HostComponents.find("hostname");
        if (unshare == null || tool == null) {
            throw new BerthException(BerthException.Kind.HOST, "pods need unshare (util-linux) and hostname; install them: apt-get install -y util-linux hostname");
        }
        List<String> argv = new ArrayList<>(List.of(unshare.toString()));
        for (String type : List.of("ipc", "uts")) {
            Path file = Sandbox.namespaceFile(files, type);
            if (!Files.exists(file)) {
                Files.createFile(file);
            }
            argv.add("--" + type + "=" + file);
        }
        argv.addAll(List.of(tool.toString(), hostname));
        processes.check(Command.of(argv).withTimeout(Duration.ofSeconds(10)));
    }

    /** The sandbox of an existing pod, with its infra process's current pid when it has one. */
    public Optional<Sandbox> sandbox(String pod) {
        return state.pod(pod).filter(p -> p.infraId() == null || state.containersByIdPrefix(p.infraId()).size() == 1).map(p -> {
            int infraPid = p.infraId() == null ? 0 : containers.look(p.infraId()).pid();
            boolean sharePid = p.spec().contains("\"shareProcessNamespace\":true");
            return new Sandbox(pod, p.netns() == null ? null : Path.of(p.netns()), p.infraId(), infraPid, sharePid, layout.pod(pod), network.address(pod));
        });
    }

    /** Whether a pod's namespaces are there: its infra container runs, or (without one) its namespace files are kept. */
    public boolean sandboxUp(PodRecord p) {
        if (p.infraId() == null) {
            return Files.exists(Sandbox.namespaceFile(layout.pod(p.name()), "uts")) && (p.netns() == null || Files.exists(Path.of(p.netns())));
        }
        try {
            return containers.look(p.infraId()).running();
        } catch (BerthException gone) {
            return false;
        }
    }

    /**
     * Stops and removes a pod and everything it has: member containers in {@code stopOrder}
     * (container names; the rest after them), each sent SIGTERM in turn and all sent SIGKILL once
     * {@code grace} has passed; then the infra container, the network namespace, the pod's files
     * and its record. Whatever is already gone is skipped; a pod with nothing left is no error.
     *
     * @return whether there was anything to remove
     */
    public boolean remove(String pod, List<String> stopOrder, Duration grace) {
        return remove(pod, stopOrder, grace, (c, left) -> {});
    }

    /**
     * Removes a container, and with it the sandbox it has of its own ({@code run -p}) by the same
     * teardown as any pod's ({@link #remove}: the pod marked REMOVING first, so a removal cut short
     * shows as Terminating and the next one finishes it).
     */
    public void removeContainer(ContainerEngine.Container c, boolean force) {
        if (!c.name().equals(c.record().pod())) {
            containers.remove(c, force);
            return;
        }
        if (c.running() && !force) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "container " + c.name() + " is running; stop it first, or use rm -f");
        }
        remove(c.name(), List.of(), Duration.ZERO);
    }

    /** What runs before a running member container gets its SIGTERM (its preStop hook), with the grace period left. */
    public interface BeforeStop {
        void run(ContainerEngine.Container c, Duration left);
    }

    /** {@link #remove(String, List, Duration)}, with {@code beforeStop} run before each running container's SIGTERM. */
    public boolean remove(String pod, List<String> stopOrder, Duration grace, BeforeStop beforeStop) {
        Optional<PodRecord> record = state.pod(pod);
        List<ContainerRecord> members = new ArrayList<>(state.containersOfPod(pod));
        Path netns = layout.netns(pod);
        boolean anything = record.isPresent() || !members.isEmpty() || Files.exists(netns) || Files.exists(layout.pod(pod));
        String infraId = record.map(PodRecord::infraId).orElse(null);
        if (record.isPresent()) {
            state.updatePod(pod, infraId, PodRecord.Status.REMOVING);
        }
        members.forEach(c -> containers.removing(c.id())); // their exits need nothing from conmon's exit command
        for (ContainerEngine.Container c : stopMembers(pod, members, infraId, stopOrder, grace, beforeStop)) {
            containers.remove(c, true);
        }
        network.detach(pod);
        removeFiles(pod);
        state.deletePod(pod);
        return anything;
    }

    /**
     * Stops a pod's member containers in {@code stopOrder} ({@code pod stop}): the record says
     * STOPPED first, so the supervisor leaves them be; their exits no longer reach it. The
     * sandbox stays (namespaces, network, an infra container), so {@code pod start} starts the
     * same containers in it again.
     */
    public void stop(String pod, List<String> stopOrder, Duration grace, BeforeStop beforeStop) {
        PodRecord record = state.pod(pod).orElseThrow(() -> new BerthException(BerthException.Kind.NOT_FOUND, "no pod \"" + pod + "\""));
        state.updatePod(pod, null, PodRecord.Status.STOPPED);
        List<ContainerRecord> members = state.containersOfPod(pod).stream()
                .filter(c -> !c.id().equals(record.infraId()) && !c.name().equals(pod + "-infra")).toList();
        stopMembers(pod, members, null, stopOrder, grace, beforeStop);
    }

    /** Stops members in stopOrder (the infra container last), each running one after {@code beforeStop}; returns them, exited. */
    private List<ContainerEngine.Container> stopMembers(String pod, List<ContainerRecord> given, String infraId, List<String> stopOrder, Duration grace,
            BeforeStop beforeStop) {
        List<ContainerRecord> members = new ArrayList<>(given);
        members.sort(java.util.Comparator.comparingInt((ContainerRecord c) -> {
            if (c.id().equals(infraId) || c.name().equals(pod + "-infra")) {
                return Integer.MAX_VALUE;
            }
            int i = stopOrder.indexOf(dev.berth.api.ContainerName.own(pod, c.name()));
            return i < 0 ? Integer.MAX_VALUE - 1 : i;
        }));
        members.forEach(c -> containers.unsupervise(c.id())); // their exits are this stop's, not the supervisor's
        long deadline = System.nanoTime() + grace.toNanos();
        List<ContainerEngine.Container> stopped = new ArrayList<>();
        for (ContainerRecord c : members) {
            ContainerEngine.Container container = containers.look(c.id()); // the files answer for a running one: no runtime call
            if (container.running()) {
                if (!c.id().equals(infraId)) {
                    beforeStop.run(container, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
                }
                Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
                containers.stop(container, left);
                container = containers.find(c.id()); // exited now: its exit file says so, no runtime call
            }
            stopped.add(container);
        }
        return stopped;
    }

    /**
     * Removes a pod the state has no record of (what a repair finds): its attachments to the
     * root's networks undone with the address each lease holds (portmap given a placeholder, so
     * that it removes its chains, which it finds by the container ID), then the namespace file and
     * the pod's files. Returns whether anything was there.
     */
    public boolean removeOrphan(String pod) {
        boolean anything = Files.exists(layout.pod(pod));
        anything |= network.detachOrphan(pod);
        removeFiles(pod);
        return anything;
    }

    /** Unmounts and deletes a pod's own files (hosts, volumes, subPath binds). */
    private void removeFiles(String pod) {
        unmountUnder(layout.pod(pod));
        try {
            LayerUnpacker.deleteTree(layout.pod(pod));
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot remove the files of pod " + pod + ": " + e.getMessage(), e);
        }
    }

    /** Where a pod volume's content lives on the host: the pod's own directory, or a named volume for a claim. */
    public Path volumePath(dev.berth.api.PodSpec pod, dev.berth.api.Volume v) {
        if (v.source() instanceof dev.berth.api.Volume.HostPath h) {
            return Path.of(h.path());
        }
        if (v.source() instanceof dev.berth.api.Volume.PersistentVolumeClaim c) {
            return c.hostPath() != null ? Path.of(c.hostPath()) : layout.volumes().resolve(c.claimName()).resolve("_data");
        }
        return layout.pod(pod.name()).resolve("volumes").resolve(v.name());
    }

    /**
     * Makes a pod's volumes before its containers start: emptyDir (tmpfs with {@code medium:
     * Memory}), ConfigMap and Secret files (a Secret's on a tmpfs, never world-readable),
     * downward API files, the named volume of a claim (kept after the pod), and hostPath checked
     * or created as its {@code type} says.
     *
     * @param objects the data of a ConfigMap or Secret by kind and name (empty when absent)
     */
    public void prepareVolumes(dev.berth.api.PodSpec pod, java.util.function.BiFunction<dev.berth.api.ObjectKind, String, Optional<Map<String, String>>> objects) {
        for (dev.berth.api.Volume v : pod.volumes()) {
            Path dir = volumePath(pod, v);
            try {
                VolumeFiles.prepare(pod, v, dir, objects);
                Long fsGroup = pod.securityContext().fsGroup();
                boolean owned = v.source() instanceof dev.berth.api.Volume.EmptyDir
                        || v.source() instanceof dev.berth.api.Volume.PersistentVolumeClaim c && c.hostPath() == null
                        || v.source() instanceof dev.berth.api.Volume.ConfigMap || v.source() instanceof dev.berth.api.Volume.Secret;
                if (fsGroup != null && owned) {
                    VolumeFiles.ownByGroup(dir, fsGroup.intValue());
                }
            } catch (IOException e) {
                throw new BerthException(BerthException.Kind.HOST, "pod " + pod.name() + ": cannot make volume " + v.name() + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * The binds for a container's volume mounts (with subPath and readOnly). A subPath is
     * resolved inside its volume, never outside it whatever symlinks the volume holds (the
     * pattern of CVE-2017-1002101), and what was resolved is bound under the pod's own directory;
     * the container binds that.
     */
    public List<ContainerEngine.VolumeBind> volumeBinds(dev.berth.api.PodSpec pod, dev.berth.api.ContainerSpec c) {
        List<ContainerEngine.VolumeBind> binds = new ArrayList<>();
        List<dev.berth.api.VolumeMount> mounts = c.volumeMounts();
        for (int i = 0; i < mounts.size(); i++) {
            dev.berth.api.VolumeMount m = mounts.get(i);
            dev.berth.api.Volume v = pod.volumes().stream().filter(x -> x.name().equals(m.name())).findFirst().orElseThrow();
            Path source = volumePath(pod, v);
            if (m.subPath() != null) {
                Path resolved = layout.pod(pod.name()).resolve("subpaths").resolve(c.name()).resolve(Integer.toString(i));
                try {
                    Linux.bindBeneath(source, m.subPath(), resolved, true);
                } catch (BerthException e) {
                    throw new BerthException(BerthException.Kind.HOST, "pod " + pod.name() + ": subPath " + m.subPath() + " of volume " + v.name()
                            + ": " + e.getMessage(), e);
                }
                source = resolved;
            }
            boolean readOnly = m.readOnly() || v.source() instanceof dev.berth.api.Volume.ConfigMap
                    || v.source() instanceof dev.berth.api.Volume.Secret || v.source() instanceof dev.berth.api.Volume.DownwardApi
                    || (v.source() instanceof dev.berth.api.Volume.PersistentVolumeClaim p && p.readOnly());
            binds.add(new ContainerEngine.VolumeBind(source, m.mountPath(), readOnly));
        }
        return binds;
    }

    /** Unmounts every mount under a directory (the pod's tmpfs volumes), deepest first. */
    private static void unmountUnder(Path dir) {
        try {
            List<String> mounts = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                String target = line.split(" ")[1].replace("\\040", " ");
                if (target.startsWith(dir + "/")) {
                    mounts.add(target);
                }
            }
            mounts.sort(java.util.Comparator.comparingInt(String::length).reversed());
            mounts.forEach(m -> Linux.unmount(Path.of(m), Linux.MNT_DETACH));
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot read /proc/self/mounts: " + e.getMessage(), e);
        }
    }

    public List<PodRecord> list() {
        return state.pods();
    }

    /**
     * Whether a pod record is the sandbox of a container of its own name ({@code run -p}): its
     * member has the pod's name, which no pod's container has (theirs are POD-CONTAINER).
     */
    public boolean ownedByContainer(String pod) {
        return state.containerByName(pod).filter(c -> pod.equals(c.pod())).isPresent();
    }
}
