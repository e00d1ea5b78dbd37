package dev.berth.engine;

import dev.berth.api.BerthException;
import dev.berth.image.ImageStore;
import dev.berth.network.PodNetwork;
import dev.berth.proc.ProcessRunner;
import dev.berth.proc.Processes;
import dev.berth.runtime.Conmon;
import dev.berth.runtime.HostComponents;
import dev.berth.runtime.OciRuntime;
import dev.berth.state.Layout;
import dev.berth.state.Locks;
import dev.berth.state.StateStore;
import dev.berth.sys.Linux;
import java.nio.file.Path;

/** berth's parts wired together for one command: state, images, the runtime, containers. */
public final class Berth implements AutoCloseable {
    private final Layout layout;
    private final StateStore state;
    private final ImageStore images;
    private final ProcessRunner processes;
    private final String runtimeName;
    private final Locks locks;
    private ContainerEngine containers;
    private PodEngine pods;
    private PodNetwork network;
    private HostComponents.Choice runtimeChoice;

    private Berth(Layout layout, String runtimeName) {
        this.layout = layout;
        this.state = StateStore.open(layout);
        this.locks = new Locks(layout.locks());
        this.images = new ImageStore(layout, state, locks);
        this.processes = new Processes();
        this.runtimeName = runtimeName;
    }

    /**
     * Opens berth's store: as root, or as uid 0 of an ordinary user's namespaces, where
     * {@code cli/Main} runs that user's commands (see {@link UserNamespace}).
     */
    public static Berth open(Path root, Path runroot, String runtime) {
        if (!Linux.isRoot()) {
            throw new BerthException(BerthException.Kind.HOST, "berth runs an ordinary user's commands inside that user's namespaces;"
                    + " this one was not (berth system check lists what containers without root need)");
        }
        return new Berth(layout(root, runroot), runtime);
    }

    /** The layout of a root and runroot, this user's defaults where they are null ({@link Layout#defaults}). */
    public static Layout layout(Path root, Path runroot) {
        Layout defaults = Layout.defaults(Linux.hostUid(), System.getenv(), System.getProperty("user.home"));
        return new Layout(root != null ? root : defaults.root(), runroot != null ? runroot : defaults.runroot());
    }

    public Layout layout() {
        return layout;
    }

    /** The locks that order berth commands over this root. */
    public Locks locks() {
        return locks;
    }

    public ImageStore images() {
        return images;
    }

    public StateStore state() {
        return state;
    }

    /** The container engine, with the OCI runtime chosen on first use. */
    public synchronized ContainerEngine containers() {
        if (containers == null) {
            runtimeChoice = HostComponents.chooseRuntime(runtimeName);
            Path conmon = HostComponents.find("conmon");
            if (conmon == null) {
                throw new BerthException(BerthException.Kind.HOST, "conmon is not installed; install it: apt-get install -y conmon");
            }
            OciRuntime runtime = new OciRuntime(runtimeChoice.binary(), layout.runtimeRoot(), processes);
            containers = new ContainerEngine(layout, state, images, runtime, new Conmon(conmon, processes), locks);
        }
        return containers;
    }

    public synchronized PodEngine pods() {
        if (pods == null) {
            pods = new PodEngine(layout, state, images, containers(), network(), processes);
        }
        return pods;
    }

    /** The host network state of pods: namespaces, CNI attachments, bridges, /etc/hosts. */
    public synchronized PodNetwork network() {
        if (network == null) {
            network = new PodNetwork(layout, state, locks, processes);
        }
        return network;
    }

    public Volumes volumes() {
        return new Volumes(layout, state);
    }

    public ProcessRunner processes() {
        return processes;
    }

    @Override
    public void close() {
        state.close();
    }
}
