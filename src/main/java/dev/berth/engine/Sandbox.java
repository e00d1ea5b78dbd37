package dev.berth.engine;

import dev.berth.api.PodSpec;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A pod's shared namespaces, which member containers join: the network namespace file (null
 * with {@code hostNetwork}), and the IPC and UTS namespaces held as {@link Kind} says: in files in
 * the pod's directory, or by an infra container, which also holds the PID namespace the members
 * share with {@code shareProcessNamespace}.
 *
 * @param infraId the infra container, or null (namespace files)
 * @param files   the pod's own directory: its /etc/hosts, /etc/hostname, /etc/resolv.conf, and ns-ipc, ns-uts
 * @param ip      the pod's address on its network, or null (host network)
 */
public record Sandbox(String pod, Path netns, String infraId, int infraPid, boolean sharePid, Path files, String ip) {

    /** What holds a pod's IPC and UTS (and shared PID) namespaces. */
    public enum Kind {
        /** Bind mounts on files in the pod's directory, no process: the default. */
        NAMESPACE_FILES,
        /** An infra container running {@code catatonit -P}, as podman's pods have. */
        INFRA_CONTAINER;

        /**
         * The one choice of a pod's sandbox: an infra container when asked for ({@code kube play
         * --infra} or the pod's {@code berth.dev/infra: "true"}) or when the pod shares its PID
         * namespace (which only a process can hold), else namespace files.
         */
        public static Kind of(PodSpec pod, boolean infraRequested) {
            return infraRequested || pod.wantsInfra() || pod.shareProcessNamespace() ? INFRA_CONTAINER : NAMESPACE_FILES;
        }
    }

    /** The file that keeps a pod's IPC or UTS namespace. */
    static Path namespaceFile(Path files, String type) {
        return files.resolve("ns-" + type);
    }

    /** Whether member containers join namespaces of the pod (false only while the pod's own are made). */
    boolean joinable() {
        return infraId != null || Files.exists(namespaceFile(files, "uts"));
    }

    /**
     * A namespace to join: the pod's file for ipc and uts, else the infra process's (a pod made by
     * an earlier berth with {@code shareProcessNamespace} has both: its files win); the infra's PID
     * namespace when shared, else null (a new one).
     */
    String namespace(String type) {
        Path file = namespaceFile(files, type);
        if (!type.equals("pid") && Files.exists(file)) {
            return file.toString();
        }
        return type.equals("pid") && !(sharePid && infraId != null) ? null : "/proc/" + infraPid + "/ns/" + type;
    }
}
