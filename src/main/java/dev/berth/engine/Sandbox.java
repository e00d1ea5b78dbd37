package dev.berth.engine;

import java.nio.file.Path;

/**
 * A pod's shared namespaces, which member containers join: the network namespace file (null
 * with {@code hostNetwork}), and the infra container's IPC, UTS and (when shared) PID namespaces.
 *
 * @param files the pod's own directory: its /etc/hosts, /etc/hostname, /etc/resolv.conf
 * @param ip    the pod's address on its network, or null (host network)
 */
public record Sandbox(String pod, Path netns, String infraId, int infraPid, boolean sharePid, Path files, String ip) {

    /** The namespace file of the infra process, e.g. {@code /proc/42/ns/ipc}. */
    String infraNamespace(String type) {
        return "/proc/" + infraPid + "/ns/" + type;
    }
}
