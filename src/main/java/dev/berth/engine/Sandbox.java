package dev.berth.engine;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A pod's shared namespaces, which member containers join: the network namespace file (null
 * with {@code hostNetwork}), the IPC and UTS namespace files in the pod's directory, and, with
 * {@code shareProcessNamespace}, the infra container's PID namespace (a pod made by a berth
 * before the files existed has an infra container holding all three).
 *
 * @param infraId the infra container, or null: a pod has one only to hold a shared PID namespace
 * @param files   the pod's own directory: its /etc/hosts, /etc/hostname, /etc/resolv.conf, ns-ipc, ns-uts
 * @param ip      the pod's address on its network, or null (host network)
 */
public record Sandbox(String pod, Path netns, String infraId, int infraPid, boolean sharePid, Path files, String ip) {

    /** The file that keeps a pod's IPC or UTS namespace. */
    static Path namespaceFile(Path files, String type) {
        return files.resolve("ns-" + type);
    }

    /** Whether member containers join namespaces of the pod (false only while the pod's own are made). */
    boolean joinable() {
        return infraId != null || Files.exists(namespaceFile(files, "uts"));
    }

    /** A namespace to join: the pod's file for ipc and uts, else the infra process's; the infra's PID namespace when shared, else null (a new one). */
    String namespace(String type) {
        Path file = namespaceFile(files, type);
        if (!type.equals("pid") && Files.exists(file)) {
            return file.toString();
        }
        return type.equals("pid") && !(sharePid && infraId != null) ? null : "/proc/" + infraPid + "/ns/" + type;
    }
}
