package dev.berth.generate;

import dev.berth.api.ContainerPort;
import dev.berth.api.ContainerSpec;
import dev.berth.api.EnvFrom;
import dev.berth.api.EnvVar;
import dev.berth.api.ObjectKind;
import dev.berth.api.PodSpec;
import dev.berth.api.PortRef;
import dev.berth.api.Hook;
import dev.berth.api.Probe;
import dev.berth.api.ProbeAction;
import dev.berth.api.SecurityContext;
import dev.berth.api.Volume;
import dev.berth.api.VolumeMount;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * berth's pod specs back to Kubernetes YAML: keys in Kubernetes' usual order, what Kubernetes
 * would fill in left out (restartPolicy Always, protocol TCP, probe thresholds at their defaults…),
 * so that reading the output gives the same spec again.
 */
public final class KubeYaml {
    private KubeYaml() {}

    /** One document per object, separated by {@code ---}. */
    static String dump(List<Map<String, Object>> documents) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndicatorIndent(2);
        options.setIndentWithIndicator(true);
        options.setWidth(120);
        Yaml yaml = new Yaml(options);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < documents.size(); i++) {
            if (i > 0) {
                s.append("---\n");
            }
            s.append(yaml.dump(documents.get(i)));
        }
        return s.toString();
    }

    static Map<String, Object> pod(PodSpec pod) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("apiVersion", "v1");
        m.put("kind", "Pod");
        m.put("metadata", metadata(pod.name(), pod));
        m.put("spec", podSpec(pod));
        return m;
    }

    /** A workload (Deployment, DaemonSet, Job) whose pods are like {@code pod}. */
    static Map<String, Object> workload(String kind, String name, PodSpec pod, int count) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("apiVersion", kind.equals("Job") ? "batch/v1" : kind.equals("ReplicationController") ? "v1" : "apps/v1");
        m.put("kind", kind);
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("name", name);
        if (!pod.namespace().equals("default")) {
            meta.put("namespace", pod.namespace());
        }
        m.put("metadata", meta);
        Map<String, Object> spec = new LinkedHashMap<>();
        List<Map<String, Object>> claims = new ArrayList<>();
        switch (kind) {
            case "Deployment", "ReplicaSet", "ReplicationController" -> {
                if (count != 1) {
                    spec.put("replicas", count);
                }
            }
            case "StatefulSet" -> {
                if (pod.subdomain() != null) {
                    spec.put("serviceName", pod.subdomain());
                }
                if (count != 1) {
                    spec.put("replicas", count);
                }
                if (pod.owner() != null && pod.owner().podManagementPolicy() != null) {
                    spec.put("podManagementPolicy", pod.owner().podManagementPolicy());
                }
                // the first pod's own claims (TEMPLATE-NAME-0) are the claim templates
                List<Volume> kept = new ArrayList<>();
                for (Volume v : pod.volumes()) {
                    if (v.source() instanceof Volume.PersistentVolumeClaim c && c.claimName().equals(v.name() + "-" + name + "-0")) {
                        claims.add(Map.of("metadata", Map.of("name", v.name()), "spec", Map.of("accessModes", List.of("ReadWriteOnce"))));
                    } else {
                        kept.add(v);
                    }
                }
                pod = pod.withStatefulIdentity(kept, pod.dependsOn(), null);
            }
            case "Job" -> {
                if (count != 1) {
                    spec.put("completions", count);
                }
                if (pod.owner() != null && pod.owner().parallelism() > 1) {
                    spec.put("parallelism", pod.owner().parallelism());
                }
                if (pod.owner() != null && pod.owner().backoffLimit() != 6) {
                    spec.put("backoffLimit", pod.owner().backoffLimit());
                }
                if (pod.owner() != null && pod.owner().activeDeadlineSeconds() > 0) {
                    spec.put("activeDeadlineSeconds", pod.owner().activeDeadlineSeconds());
                }
            }
            default -> {
            }
        }
        if (kind.equals("ReplicationController") && !pod.labels().isEmpty()) {
            spec.put("selector", new LinkedHashMap<>(pod.labels()));
        } else if (!kind.equals("Job") && !pod.labels().isEmpty()) {
            spec.put("selector", Map.of("matchLabels", new LinkedHashMap<>(pod.labels())));
        }
        Map<String, Object> template = new LinkedHashMap<>();
        Map<String, Object> templateMeta = metadata(null, pod);
        if (!templateMeta.isEmpty()) {
            template.put("metadata", templateMeta);
        }
        template.put("spec", podSpec(pod));
        spec.put("template", template);
        if (!claims.isEmpty()) {
            spec.put("volumeClaimTemplates", claims);
        }
        m.put("spec", spec);
        return m;
    }

    private static Map<String, Object> metadata(String name, PodSpec pod) {
        Map<String, Object> meta = new LinkedHashMap<>();
        if (name != null) {
            meta.put("name", name);
            if (!pod.namespace().equals("default")) {
                meta.put("namespace", pod.namespace());
            }
        }
        if (!pod.labels().isEmpty()) {
            meta.put("labels", new java.util.TreeMap<>(pod.labels()));
        }
        if (!pod.annotations().isEmpty()) {
            meta.put("annotations", new java.util.TreeMap<>(pod.annotations()));
        }
        return meta;
    }

    static Map<String, Object> podSpec(PodSpec pod) {
        Map<String, Object> spec = new LinkedHashMap<>();
        boolean job = pod.ofJob();
        if (job || !pod.restartPolicy().equals("Always")) {
            spec.put("restartPolicy", pod.restartPolicy()); // a Job must say it, Kubernetes has no default there
        }
        if (pod.terminationGracePeriodSeconds() != null) {
            spec.put("terminationGracePeriodSeconds", pod.terminationGracePeriodSeconds());
        }
        if (pod.hostNetwork()) {
            spec.put("hostNetwork", true);
        }
        if (pod.shareProcessNamespace()) {
            spec.put("shareProcessNamespace", true);
        }
        if (pod.subdomain() != null) {
            spec.put("subdomain", pod.subdomain());
        }
        if (!pod.pullSecrets().isEmpty()) {
            spec.put("imagePullSecrets", pod.pullSecrets().stream().map(n -> Map.of("name", n)).toList());
        }
        if (pod.hostname() != null) {
            spec.put("hostname", pod.hostname());
        }
        Map<String, Object> security = security(pod.securityContext(), true);
        if (!security.isEmpty()) {
            spec.put("securityContext", security);
        }
        if (!pod.initContainers().isEmpty()) {
            spec.put("initContainers", pod.initContainers().stream().map(KubeYaml::container).toList());
        }
        spec.put("containers", pod.containers().stream().map(KubeYaml::container).toList());
        if (!pod.volumes().isEmpty()) {
            spec.put("volumes", pod.volumes().stream().map(KubeYaml::volume).toList());
        }
        return spec;
    }

    static Map<String, Object> container(ContainerSpec c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", c.name());
        m.put("image", c.image());
        if (c.imagePullPolicy() != null) {
            m.put("imagePullPolicy", c.imagePullPolicy());
        }
        if (c.restartPolicy() != null) {
            m.put("restartPolicy", c.restartPolicy());
        }
        if (!c.command().isEmpty()) {
            m.put("command", c.command());
        }
        if (!c.args().isEmpty()) {
            m.put("args", c.args());
        }
        if (c.workingDir() != null) {
            m.put("workingDir", c.workingDir());
        }
        if (!c.ports().isEmpty()) {
            m.put("ports", c.ports().stream().map(KubeYaml::port).toList());
        }
        if (!c.envFrom().isEmpty()) {
            m.put("envFrom", c.envFrom().stream().map(KubeYaml::envFrom).toList());
        }
        if (!c.env().isEmpty()) {
            m.put("env", c.env().stream().map(KubeYaml::env).toList());
        }
        if (!c.limits().isEmpty() || !c.requests().isEmpty()) {
            Map<String, Object> resources = new LinkedHashMap<>();
            if (!c.limits().isEmpty()) {
                resources.put("limits", new java.util.TreeMap<>(c.limits()));
            }
            if (!c.requests().isEmpty()) {
                resources.put("requests", new java.util.TreeMap<>(c.requests()));
            }
            m.put("resources", resources);
        }
        if (!c.volumeMounts().isEmpty()) {
            m.put("volumeMounts", c.volumeMounts().stream().map(KubeYaml::mount).toList());
        }
        putProbe(m, "startupProbe", c.startupProbe());
        putProbe(m, "readinessProbe", c.readinessProbe());
        putProbe(m, "livenessProbe", c.livenessProbe());
        putHooks(m, c);
        Map<String, Object> security = security(c.securityContext(), false);
        if (!security.isEmpty()) {
            m.put("securityContext", security);
        }
        return m;
    }

    private static Map<String, Object> port(ContainerPort p) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (p.name() != null) {
            m.put("name", p.name());
        }
        m.put("containerPort", p.containerPort());
        if (!p.protocol().equals("TCP")) {
            m.put("protocol", p.protocol());
        }
        if (p.hostPort() > 0) {
            m.put("hostPort", p.hostPort());
        }
        if (p.hostIP() != null) {
            m.put("hostIP", p.hostIP());
        }
        return m;
    }

    private static Map<String, Object> envFrom(EnvFrom e) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (e.prefix() != null) {
            m.put("prefix", e.prefix());
        }
        Map<String, Object> ref = new LinkedHashMap<>();
        ref.put("name", e.name());
        if (e.optional()) {
            ref.put("optional", true);
        }
        m.put(e.kind() == ObjectKind.CONFIG_MAP ? "configMapRef" : "secretRef", ref);
        return m;
    }

    /** An env entry: a value, or where it comes from; a Secret's value is never written, only its reference. */
    private static Map<String, Object> env(EnvVar e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", e.name());
        if (e.valueFrom() == null) {
            if (!e.value().isEmpty()) {
                m.put("value", e.value());
            }
            return m;
        }
        Map<String, Object> from = new LinkedHashMap<>();
        if (e.valueFrom() instanceof EnvVar.ConfigMapKeyRef r) {
            from.put("configMapKeyRef", keyRef(r.name(), r.key(), r.optional()));
        } else if (e.valueFrom() instanceof EnvVar.SecretKeyRef r) {
            from.put("secretKeyRef", keyRef(r.name(), r.key(), r.optional()));
        } else if (e.valueFrom() instanceof EnvVar.FieldRef r) {
            from.put("fieldRef", Map.of("fieldPath", r.fieldPath()));
        } else if (e.valueFrom() instanceof EnvVar.ResourceFieldRef r) {
            Map<String, Object> ref = new LinkedHashMap<>();
            if (r.containerName() != null) {
                ref.put("containerName", r.containerName());
            }
            ref.put("resource", r.resource());
            if (r.divisor() != null) {
                ref.put("divisor", r.divisor());
            }
            from.put("resourceFieldRef", ref);
        }
        m.put("valueFrom", from);
        return m;
    }

    private static Map<String, Object> keyRef(String name, String key, boolean optional) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("key", key);
        if (optional) {
            m.put("optional", true);
        }
        return m;
    }

    private static Map<String, Object> mount(VolumeMount v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", v.name());
        m.put("mountPath", v.mountPath());
        if (v.readOnly()) {
            m.put("readOnly", true);
        }
        if (v.subPath() != null) {
            m.put("subPath", v.subPath());
        }
        return m;
    }

    private static void putProbe(Map<String, Object> container, String key, Probe p) {
        if (p == null) {
            return;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        putAction(m, p.action());
        putUnlessDefault(m, "initialDelaySeconds", p.initialDelaySeconds(), 0);
        putUnlessDefault(m, "periodSeconds", p.periodSeconds(), 10);
        putUnlessDefault(m, "timeoutSeconds", p.timeoutSeconds(), 1);
        putUnlessDefault(m, "successThreshold", p.successThreshold(), 1);
        putUnlessDefault(m, "failureThreshold", p.failureThreshold(), 3);
        container.put(key, m);
    }

    private static void putHooks(Map<String, Object> container, ContainerSpec c) {
        Map<String, Object> lifecycle = new LinkedHashMap<>();
        for (var hook : new Object[][] {{"postStart", c.postStart()}, {"preStop", c.preStop()}}) {
            if (hook[1] instanceof Hook h) {
                Map<String, Object> m = new LinkedHashMap<>();
                if (h.action() == null) {
                    m.put("sleep", Map.of("seconds", h.sleepSeconds()));
                } else {
                    putAction(m, h.action());
                }
                lifecycle.put((String) hook[0], m);
            }
        }
        if (!lifecycle.isEmpty()) {
            container.put("lifecycle", lifecycle);
        }
    }

    /** The handler of a probe or hook, under its key ({@code exec}, {@code httpGet}…). */
    private static void putAction(Map<String, Object> m, ProbeAction a) {
        if (a instanceof ProbeAction.Exec e) {
            m.put("exec", Map.of("command", e.command()));
        } else if (a instanceof ProbeAction.TcpSocket t) {
            Map<String, Object> h = new LinkedHashMap<>();
            if (t.host() != null) {
                h.put("host", t.host());
            }
            h.put("port", port(t.port()));
            m.put("tcpSocket", h);
        } else if (a instanceof ProbeAction.HttpGet g) {
            Map<String, Object> h = new LinkedHashMap<>();
            if (g.host() != null) {
                h.put("host", g.host());
            }
            if (!g.path().equals("/")) {
                h.put("path", g.path());
            }
            h.put("port", port(g.port()));
            if (!g.scheme().equals("HTTP")) {
                h.put("scheme", g.scheme());
            }
            if (!g.headers().isEmpty()) {
                List<Object> headers = new ArrayList<>();
                new java.util.TreeMap<>(g.headers()).forEach((k, v) -> headers.add(Map.of("name", k, "value", v)));
                h.put("httpHeaders", headers);
            }
            m.put("httpGet", h);
        } else if (a instanceof ProbeAction.Grpc g) {
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("port", g.port());
            if (g.service() != null) {
                h.put("service", g.service());
            }
            m.put("grpc", h);
        }
    }

    private static Object port(PortRef p) {
        return p.isNamed() ? p.name() : (Object) p.number();
    }

    private static void putUnlessDefault(Map<String, Object> m, String key, int value, int fallback) {
        if (value != fallback) {
            m.put(key, value);
        }
    }

    private static Map<String, Object> volume(Volume v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", v.name());
        Volume.Source s = v.source();
        if (s instanceof Volume.EmptyDir e) {
            Map<String, Object> d = new LinkedHashMap<>();
            if (e.medium() != null) {
                d.put("medium", e.medium());
            }
            if (e.sizeLimit() != null) {
                d.put("sizeLimit", e.sizeLimit());
            }
            m.put("emptyDir", d);
        } else if (s instanceof Volume.HostPath h) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("path", h.path());
            if (h.type() != null && !h.type().isEmpty()) {
                d.put("type", h.type());
            }
            m.put("hostPath", d);
        } else if (s instanceof Volume.ConfigMap c) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("name", c.name());
            putItems(d, c.items(), "key");
            if (c.defaultMode() != null) {
                d.put("defaultMode", c.defaultMode());
            }
            if (c.optional()) {
                d.put("optional", true);
            }
            m.put("configMap", d);
        } else if (s instanceof Volume.Secret c) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("secretName", c.secretName());
            putItems(d, c.items(), "key");
            if (c.defaultMode() != null) {
                d.put("defaultMode", c.defaultMode());
            }
            if (c.optional()) {
                d.put("optional", true);
            }
            m.put("secret", d);
        } else if (s instanceof Volume.PersistentVolumeClaim p) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("claimName", p.claimName());
            if (p.readOnly()) {
                d.put("readOnly", true);
            }
            m.put("persistentVolumeClaim", d);
        } else if (s instanceof Volume.DownwardApi d) {
            Map<String, Object> api = new LinkedHashMap<>();
            List<Object> items = new ArrayList<>();
            for (Volume.Item i : d.items()) {
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("path", i.path());
                item.put("fieldRef", Map.of("fieldPath", i.key()));
                if (i.mode() != null) {
                    item.put("mode", i.mode());
                }
                items.add(item);
            }
            api.put("items", items);
            if (d.defaultMode() != null) {
                api.put("defaultMode", d.defaultMode());
            }
            m.put("downwardAPI", api);
        }
        return m;
    }

    private static void putItems(Map<String, Object> d, List<Volume.Item> items, String keyField) {
        if (items.isEmpty()) {
            return;
        }
        List<Object> out = new ArrayList<>();
        for (Volume.Item i : items) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put(keyField, i.key());
            item.put("path", i.path());
            if (i.mode() != null) {
                item.put("mode", i.mode());
            }
            out.add(item);
        }
        d.put("items", out);
    }

    private static Map<String, Object> security(SecurityContext sc, boolean pod) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (sc.runAsUser() != null) {
            m.put("runAsUser", sc.runAsUser());
        }
        if (sc.runAsGroup() != null) {
            m.put("runAsGroup", sc.runAsGroup());
        }
        if (sc.runAsNonRoot() != null) {
            m.put("runAsNonRoot", sc.runAsNonRoot());
        }
        if (sc.seccompProfile() != null) {
            Map<String, Object> profile = new LinkedHashMap<>();
            profile.put("type", sc.seccompProfile().type());
            if (sc.seccompProfile().localhostProfile() != null) {
                profile.put("localhostProfile", sc.seccompProfile().localhostProfile());
            }
            m.put("seccompProfile", profile);
        }
        if (pod) {
            if (sc.fsGroup() != null) {
                m.put("fsGroup", sc.fsGroup());
            }
            if (!sc.supplementalGroups().isEmpty()) {
                m.put("supplementalGroups", sc.supplementalGroups());
            }
            if (!sc.sysctls().isEmpty()) {
                List<Object> sysctls = new ArrayList<>();
                new java.util.TreeMap<>(sc.sysctls()).forEach((k, v) -> sysctls.add(Map.of("name", k, "value", v)));
                m.put("sysctls", sysctls);
            }
            return m;
        }
        if (sc.readOnlyRootFilesystem() != null) {
            m.put("readOnlyRootFilesystem", sc.readOnlyRootFilesystem());
        }
        if (sc.privileged() != null) {
            m.put("privileged", sc.privileged());
        }
        if (sc.allowPrivilegeEscalation() != null) {
            m.put("allowPrivilegeEscalation", sc.allowPrivilegeEscalation());
        }
        if (!sc.capabilitiesAdd().isEmpty() || !sc.capabilitiesDrop().isEmpty()) {
            Map<String, Object> caps = new LinkedHashMap<>();
            if (!sc.capabilitiesAdd().isEmpty()) {
                caps.put("add", sc.capabilitiesAdd());
            }
            if (!sc.capabilitiesDrop().isEmpty()) {
                caps.put("drop", sc.capabilitiesDrop());
            }
            m.put("capabilities", caps);
        }
        if (sc.procMount() != null) {
            m.put("procMount", sc.procMount());
        }
        return m;
    }
}
