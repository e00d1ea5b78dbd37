package dev.berth.generate;

import dev.berth.api.BerthException;
import dev.berth.api.Canonical;
import dev.berth.api.ContainerPort;
import dev.berth.api.ContainerSpec;
import dev.berth.api.Json;
import dev.berth.api.PodSpec;
import dev.berth.engine.Berth;
import dev.berth.engine.ContainerEngine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code kube generate}: the live state as Kubernetes objects. Pods come from the spec recorded
 * when they were played (so the round trip is exact); a pod made from a workload comes back as
 * that workload; a standalone container as a single-container pod.
 */
public final class Generator {
    /**
     * @param type     auto (a pod as what it was played from), pod, deployment, daemonset or job
     * @param replicas for {@code --type deployment}: the replica count (0: as many pods as were played)
     * @param service  add a Service for each generated object that declares container ports
     */
    public record Options(String type, int replicas, boolean service) {}

    private Generator() {}

    /** The YAML of the named pods and containers as they run (kube generate). */
    public static String generate(Berth berth, List<String> names, Options options) {
        List<PodSpec> all = berth.state().pods().stream().map(p -> Canonical.read(Json.parse(p.spec()), PodSpec.class)).toList();
        List<PodSpec> selected = new ArrayList<>();
        for (String name : names) {
            java.util.Optional<PodSpec> pod = all.stream().filter(p -> p.name().equals(name)).findFirst();
            if (pod.isPresent() && berth.pods().ownedByContainer(name)) { // run -p: the container, with its sandbox's ports
                selected.add(standalone(berth.containers().find(name), pod.get().containers().get(0).ports()));
            } else {
                selected.add(pod.orElseGet(() -> standalone(berth.containers().find(name), List.of())));
            }
        }
        return yaml(selected, all, options);
    }

    /** The YAML of the objects for {@code selected}, whose workloads' sizes are counted among {@code all}. */
    public static String yaml(List<PodSpec> selected, List<PodSpec> all, Options options) {
        return KubeYaml.dump(documents(selected, all, options));
    }

    static List<Map<String, Object>> documents(List<PodSpec> selected, List<PodSpec> all, Options options) {
        List<Map<String, Object>> documents = new ArrayList<>();
        Set<String> workloadsDone = new java.util.HashSet<>();
        for (PodSpec pod : selected) {
            String type = options.type();
            if (type.equals("auto")) {
                type = pod.owner() == null ? "pod" : pod.owner().kind().toLowerCase(java.util.Locale.ROOT);
            }
            String objectName = pod.owner() != null && !type.equals("pod") ? pod.owner().name() : pod.name();
            Map<String, Object> object;
            switch (type) {
                case "pod" -> object = KubeYaml.pod(pod.owner() == null ? pod : pod.withIdentity(pod.name(), null));
                case "deployment", "daemonset", "job", "statefulset", "replicaset", "replicationcontroller" -> {
                    String kind = switch (type) {
                        case "deployment" -> "Deployment";
                        case "daemonset" -> "DaemonSet";
                        case "statefulset" -> "StatefulSet";
                        case "replicaset" -> "ReplicaSet";
                        case "replicationcontroller" -> "ReplicationController";
                        default -> "Job";
                    };
                    if (!workloadsDone.add(kind + "/" + objectName)) {
                        continue;
                    }
                    int count = options.replicas() > 0 ? options.replicas() : played(all, pod);
                    PodSpec template = kind.equals("Job") && pod.restartPolicy().equals("Always") ? pod.withRestartPolicy("Never") : pod;
                    object = KubeYaml.workload(kind, objectName, template, count);
                }
                default -> throw new BerthException(BerthException.Kind.INVALID_INPUT, "--type must be pod, deployment, daemonset, job, statefulset, replicaset or replicationcontroller");
            }
            documents.add(object);
            if (options.service()) {
                Map<String, Object> service = service(objectName, pod);
                if (service != null) {
                    documents.add(service);
                }
            }
        }
        return documents;
    }

    /** How many pods were played from the same workload as {@code pod} (1 for a pod of its own). */
    private static int played(List<PodSpec> pods, PodSpec pod) {
        if (pod.owner() == null) {
            return 1;
        }
        int n = 0;
        for (PodSpec other : pods) {
            if (other.owner() != null && other.owner().kind().equals(pod.owner().kind()) && other.owner().name().equals(pod.owner().name())) {
                n++;
            }
        }
        return n;
    }

    /** A container from {@code berth run} as a one-container pod: its image, its process, the env it was given. */
    private static PodSpec standalone(ContainerEngine.Container c, List<ContainerPort> ports) {
        dev.berth.engine.ContainerConfig config = c.config();
        List<dev.berth.api.EnvVar> env = new ArrayList<>();
        for (String kv : config.env()) {
            String key = kv.substring(0, Math.max(0, kv.indexOf('=')));
            if (!Set.of("PATH", "HOSTNAME", "HOME").contains(key) && !config.secretEnv().contains(key)) {
                env.add(new dev.berth.api.EnvVar(key, kv.substring(kv.indexOf('=') + 1), null));
            }
        }
        String cwd = config.cwd();
        ContainerSpec container = new ContainerSpec(c.name().replaceAll("[^a-z0-9-]", "-"), c.record().imageName(), null,
                config.args(), List.of(), "/".equals(cwd) ? null : cwd, env, List.of(), ports, List.of(), null, null,
                null, null, null, Map.of(), Map.of(), null, null, dev.berth.api.Source.NONE);
        return new PodSpec(c.name().replaceAll("[^a-z0-9.-]", "-"), "default", Map.of(), Map.of(), List.of(), List.of(container),
                List.of(), "Never", false, false, null, null, null, List.of(), true, null, null, null, dev.berth.api.Source.NONE);
    }

    private static Map<String, Object> service(String name, PodSpec pod) {
        List<Object> ports = new ArrayList<>();
        for (ContainerSpec c : pod.containers()) {
            for (ContainerPort p : c.ports()) {
                Map<String, Object> port = new LinkedHashMap<>();
                if (p.name() != null) {
                    port.put("name", p.name());
                }
                port.put("port", p.containerPort());
                if (!p.protocol().equals("TCP")) {
                    port.put("protocol", p.protocol());
                }
                ports.add(port);
            }
        }
        if (ports.isEmpty() || pod.labels().isEmpty()) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("apiVersion", "v1");
        m.put("kind", "Service");
        m.put("metadata", Map.of("name", name));
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("selector", new java.util.TreeMap<>(pod.labels()));
        spec.put("ports", ports);
        m.put("spec", spec);
        return m;
    }
}
