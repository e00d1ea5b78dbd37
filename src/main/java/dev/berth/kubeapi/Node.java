package dev.berth.kubeapi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.state.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * This host as the API's one node (capacity and allocatable from the machine, Ready), and
 * berth's event log as Events about the pods and containers on it.
 */
final class Node {
    private Node() {}

    /** The node's address, as pods' hostIP: loopback, where the API and the published ports answer. */
    static final String ADDRESS = "127.0.0.1";

    static String name() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip().toLowerCase(Locale.ROOT);
            return name.isEmpty() ? "localhost" : name;
        } catch (IOException e) {
            return "localhost";
        }
    }

    static ObjectNode object(String name) {
        ObjectNode node = Objects.F.objectNode().put("apiVersion", "v1").put("kind", "Node");
        ObjectNode meta = node.putObject("metadata").put("name", name);
        meta.putObject("labels").put("kubernetes.io/hostname", name).put("kubernetes.io/os", "linux").put("kubernetes.io/arch", arch())
                .put("beta.kubernetes.io/os", "linux").put("beta.kubernetes.io/arch", arch()).put("node-role.kubernetes.io/control-plane", "");
        node.putObject("spec");
        ObjectNode status = node.putObject("status");
        String cpus = Integer.toString(Runtime.getRuntime().availableProcessors());
        String memory = memoryKi() + "Ki";
        for (String field : new String[] {"capacity", "allocatable"}) {
            status.putObject(field).put("cpu", cpus).put("memory", memory).put("pods", "110").put("ephemeral-storage", "0");
        }
        String now = Objects.now();
        var conditions = status.putArray("conditions");
        for (String[] c : new String[][] {{"MemoryPressure", "False", "KubeletHasSufficientMemory"}, {"DiskPressure", "False", "KubeletHasNoDiskPressure"},
                {"PIDPressure", "False", "KubeletHasSufficientPID"}, {"Ready", "True", "KubeletReady"}}) {
            conditions.addObject().put("type", c[0]).put("status", c[1]).put("reason", c[2]).put("message", "berth runs pods on this host")
                    .put("lastHeartbeatTime", now).put("lastTransitionTime", now);
        }
        var addresses = status.putArray("addresses");
        addresses.addObject().put("type", "InternalIP").put("address", ADDRESS);
        addresses.addObject().put("type", "Hostname").put("address", name);
        status.putObject("nodeInfo").put("kubeletVersion", "v" + Discovery.MAJOR + "." + Discovery.MINOR + ".0+berth")
                .put("kubeProxyVersion", "").put("containerRuntimeVersion", "berth://0.1.0").put("operatingSystem", "linux")
                .put("architecture", arch()).put("osImage", osImage()).put("kernelVersion", System.getProperty("os.version"))
                .put("machineID", read("/etc/machine-id")).put("systemUUID", "").put("bootID", read("/proc/sys/kernel/random/boot_id"));
        return node;
    }

    private static String arch() {
        String a = System.getProperty("os.arch");
        return a.equals("amd64") || a.equals("x86_64") ? "amd64" : a.equals("aarch64") ? "arm64" : a;
    }

    private static long memoryKi() {
        for (String line : read("/proc/meminfo").lines().toList()) {
            if (line.startsWith("MemTotal:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    private static String osImage() {
        for (String line : read("/etc/os-release").lines().toList()) {
            if (line.startsWith("PRETTY_NAME=")) {
                return line.substring("PRETTY_NAME=".length()).replace("\"", "");
            }
        }
        return "Linux";
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * A berth event as a core/v1 Event about its pod (and container), with the reason the
     * kubelet gives the same happening; null for events of no pod.
     */
    static ObjectNode event(StateStore.Event e, String node, ObjectNode pod) {
        if (e.pod() == null || pod == null) {
            return null;
        }
        String[] object = e.object().split("/");
        String container = object[0].equals("Container") && object.length == 3 ? object[2] : null;
        String[] reason = switch (e.type()) {
            case "created" -> container == null ? new String[] {"Scheduled", "Normal", "Successfully assigned " + pod.path("metadata").path("namespace").asText()
                    + "/" + e.pod() + " to " + node} : new String[] {"Created", "Normal", "Created container " + container};
            case "started" -> new String[] {"Started", "Normal", "Started container " + container};
            case "ready" -> new String[] {"Ready", "Normal", "Container " + container + " is ready"};
            case "died" -> new String[] {"Died", "Normal", "Container " + container + " exited" + (e.message().isEmpty() ? "" : ": " + e.message())};
            case "restarting" -> new String[] {"BackOff", "Warning", "Back-off restarting failed container " + container};
            case "killed" -> new String[] {"Killing", "Normal", "Stopping container " + container + (e.message().isEmpty() ? "" : ": " + e.message())};
            case "liveness-failed", "startup-failed" -> new String[] {"Unhealthy", "Warning", e.message()};
            case "failed" -> new String[] {"Failed", "Warning", e.message()};
            case "hook-failed" -> new String[] {"FailedPreStopHook", "Warning", e.message()};
            case "completed" -> new String[] {"Completed", "Normal", "Container " + container + " completed"};
            case "removed" -> new String[] {"Killing", "Normal", container == null ? "Removed pod " + e.pod() : "Removed container " + container};
            default -> new String[] {e.type().substring(0, 1).toUpperCase(Locale.ROOT) + e.type().substring(1), "Normal", e.message()};
        };
        String ns = pod.path("metadata").path("namespace").asText("default");
        String time = e.time().truncatedTo(ChronoUnit.SECONDS).toString();
        ObjectNode ev = Objects.F.objectNode().put("apiVersion", "v1").put("kind", "Event");
        ev.putObject("metadata").put("name", e.pod() + "." + Long.toHexString(e.id()) + Long.toHexString(e.time().toEpochMilli())).put("namespace", ns);
        ObjectNode involved = ev.putObject("involvedObject").put("apiVersion", "v1").put("kind", "Pod").put("name", e.pod()).put("namespace", ns)
                .put("uid", pod.path("metadata").path("uid").asText());
        if (container != null) {
            involved.put("fieldPath", "spec.containers{" + container + "}");
        }
        ev.put("reason", reason[0]).put("type", reason[1]).put("message", reason[2] == null ? "" : reason[2]);
        ev.putObject("source").put("component", "berth").put("host", node);
        ev.put("firstTimestamp", time).put("lastTimestamp", time).put("count", 1).put("reportingComponent", "berth").put("reportingInstance", node);
        return ev;
    }
}
