package dev.berth.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks that a manifest document is valid Kubernetes as the fabric8 model sees it: it
 * deserializes into the model class of its kind, and no field lands in fabric8's catch-all
 * {@code additionalProperties} (an unknown or misspelt field).
 */
public final class StrictKubernetes {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Map<String, Class<? extends KubernetesResource>> KINDS = Map.ofEntries(
            Map.entry("Pod", Pod.class), Map.entry("Deployment", Deployment.class), Map.entry("DaemonSet", DaemonSet.class),
            Map.entry("Job", Job.class), Map.entry("ConfigMap", ConfigMap.class), Map.entry("Secret", Secret.class),
            Map.entry("PersistentVolumeClaim", PersistentVolumeClaim.class), Map.entry("Service", Service.class),
            Map.entry("StatefulSet", io.fabric8.kubernetes.api.model.apps.StatefulSet.class),
            Map.entry("ReplicaSet", io.fabric8.kubernetes.api.model.apps.ReplicaSet.class),
            Map.entry("ReplicationController", io.fabric8.kubernetes.api.model.ReplicationController.class));

    private StrictKubernetes() {}

    /** The unknown fields of a document (empty when it is strictly valid); throws when it does not deserialize. */
    public static List<String> unknownFields(Map<String, Object> document) {
        Class<? extends KubernetesResource> type = KINDS.getOrDefault((String) document.get("kind"), KubernetesResource.class);
        Object model = MAPPER.convertValue(document, type); // other kinds: fabric8 picks the class by apiVersion and kind
        if (model instanceof io.fabric8.kubernetes.api.model.GenericKubernetesResource) {
            return List.of(); // a custom resource: no schema to check against
        }
        List<String> unknown = new ArrayList<>();
        walk(model, document.get("kind").toString(), unknown, new IdentityHashMap<>());
        return unknown;
    }

    private static void walk(Object value, String path, List<String> unknown, Map<Object, Boolean> seen) {
        if (value == null || seen.put(value, true) != null) {
            return;
        }
        if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                walk(list.get(i), path + "[" + i + "]", unknown, seen);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "." + k, unknown, seen));
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method m : value.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Object child;
            try {
                child = m.invoke(value);
            } catch (ReflectiveOperationException e) {
                continue;
            }
            if (m.getName().equals("getAdditionalProperties")) {
                if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    extra.keySet().forEach(k -> unknown.add(path + "." + k));
                }
                continue;
            }
            String field = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
            walk(child, path + "." + field, unknown, seen);
        }
    }
}
