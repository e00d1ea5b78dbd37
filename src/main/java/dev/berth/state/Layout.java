package dev.berth.state;

import java.nio.file.Path;

/**
 * Every path berth uses under its root (persistent: images, layers, volumes, state) and its
 * runroot (runtime: bundles, logs, exit files, netns files). No other class builds these paths.
 */
public record Layout(Path root, Path runroot) {
    public static final Path DEFAULT_ROOT = Path.of("/var/lib/berth");
    public static final Path DEFAULT_RUNROOT = Path.of("/run/berth");

    /**
     * The default root and runroot of a user, as DESIGN.md and podman have them: for root
     * {@code /var/lib/berth} and {@code /run/berth}; for anyone else {@code $XDG_DATA_HOME/berth}
     * (default {@code ~/.local/share/berth}) and {@code $XDG_RUNTIME_DIR/berth} (default
     * {@code /tmp/berth-UID}).
     */
    public static Layout defaults(int uid, java.util.Map<String, String> env, String home) {
        if (uid == 0) {
            return new Layout(DEFAULT_ROOT, DEFAULT_RUNROOT);
        }
        String data = env.get("XDG_DATA_HOME");
        String runtime = env.get("XDG_RUNTIME_DIR");
        Path root = data != null && data.startsWith("/") ? Path.of(data, "berth") : Path.of(home, ".local", "share", "berth");
        Path runroot = runtime != null && runtime.startsWith("/") ? Path.of(runtime, "berth") : Path.of("/tmp", "berth-" + uid);
        return new Layout(root, runroot);
    }

    public Layout {
        root = root.toAbsolutePath().normalize();
        runroot = runroot.toAbsolutePath().normalize();
    }

    public Path database() {
        return root.resolve("state.db");
    }

    /** Scratch space on the root's filesystem, so finished files can be renamed into place atomically. */
    public Path tmp() {
        return root.resolve("tmp");
    }

    public Path blobs() {
        return root.resolve("blobs").resolve("sha256");
    }

    public Path blob(String hex) {
        return blobs().resolve(hex);
    }

    /** Every image name and the image it points to, written beside the state so a damaged state can be rebuilt. */
    public Path imageNames() {
        return root.resolve("image-names.json");
    }

    public Path layers() {
        return root.resolve("layers");
    }

    /** The unpacked content of the layer with this diff ID (hex). */
    public Path layerDiff(String diffIdHex) {
        return layers().resolve(diffIdHex).resolve("diff");
    }

    /** Short symlinks to layer directories, which keep overlay's lowerdir option within a page. */
    public Path shortLinks() {
        return root.resolve("l");
    }

    /** A container's writable layer and overlay work directory live here. */
    public Path containerStorage(String id) {
        return root.resolve("containers").resolve(id);
    }

    /** Every container's bundle. */
    public Path bundles() {
        return runroot.resolve("containers");
    }

    /** A container's bundle: config.json, rootfs mount point, pid files, log. */
    public Path bundle(String id) {
        return bundles().resolve(id);
    }

    /**
     * The script that starts the root's supervisor unless one runs: run by {@code kube play}, and
     * by conmon when a supervised container exits ({@code --exit-command}).
     */
    /** conmon's exit command for every container ({@code runtime.Conmon.EXIT_SCRIPT}). */
    public Path exitScript() {
        return runroot.resolve("exited.sh");
    }

    public Path superviseScript() {
        return runroot.resolve("supervise.sh");
    }

    public Path exits() {
        return runroot.resolve("exits");
    }

    public Path exitFile(String id) {
        return exits().resolve(id);
    }

    /** The OCI runtime's own state directory ({@code runc --root}). */
    public Path runtimeRoot() {
        return runroot.resolve("runtime");
    }

    public Path netns() {
        return runroot.resolve("netns");
    }

    /** A pod's network namespace file. */
    public Path netns(String pod) {
        return netns().resolve(pod);
    }

    /** A pod's own files: the /etc/hosts, /etc/hostname and /etc/resolv.conf its containers share. */
    public Path pod(String pod) {
        return runroot.resolve("pods").resolve(pod);
    }

    /** CNI network configurations ({@code <name>.conflist}). */
    public Path networks() {
        return root.resolve("networks");
    }

    /** host-local IPAM's leases. */
    public Path ipam() {
        return root.resolve("cni").resolve("networks");
    }

    /** Lock files, one per resource that berth processes change (see {@link Locks}). */
    public Path locks() {
        return runroot.resolve("locks");
    }

    /** Seccomp profiles of the user's, for {@code seccompProfile: {type: Localhost, localhostProfile: PATH}}. */
    public Path seccompProfiles() {
        return root.resolve("seccomp");
    }

    /**
     * An ordinary user's namespaces: the pause process's pid, slirp4netns's pid and API socket,
     * the lock berth commands hold while they run inside, logs (see {@code engine/UserNamespace}).
     */
    public Path rootless() {
        return runroot.resolve("rootless");
    }

    /** slirp4netns's API socket, through which an ordinary user's hostPorts are published. */
    public Path slirp4netnsSocket() {
        return rootless().resolve("slirp4netns.sock");
    }

    public Path volumes() {
        return root.resolve("volumes");
    }

    /** Where the git repository of reconcile {@code name} is cloned. */
    public Path gitClone(String name) {
        return root.resolve("git").resolve(name);
    }

    /** The Kubernetes API's certificates (CA, server, client) and its port: kept, so a kubeconfig stays good across restarts. */
    public Path api() {
        return root.resolve("api");
    }

    /** Present while the root wants its Kubernetes API served ({@code berth api start} until {@code api stop}). */
    public Path apiWanted() {
        return runroot.resolve("api.wanted");
    }

    /** Why the long-lived process could not serve the API, while it is wanted and cannot be served. */
    public Path apiError() {
        return runroot.resolve("api.error");
    }

    /** Written by the serving process once the API answers: its address and pid. */
    public Path apiServing() {
        return runroot.resolve("api.serving");
    }
}
