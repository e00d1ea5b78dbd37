package dev.berth.reconcile;

import dev.berth.api.ContainerSpec;
import dev.berth.api.EnvFrom;
import dev.berth.api.EnvVar;
import dev.berth.api.Manifests;
import dev.berth.api.ObjectKind;
import dev.berth.api.ObjectSpec;
import dev.berth.api.PodSpec;
import dev.berth.api.Quantities;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A container's environment as Kubernetes builds it: {@code envFrom} first (ConfigMaps and
 * Secrets, with prefix), then {@code env} in order, each {@code value} with {@code $(VAR)}
 * expanded against what is defined before it ({@code $$} stays a literal {@code $}, unknown
 * references stay as written), {@code valueFrom} taken from the manifests' ConfigMaps and
 * Secrets, the pod's fields and the container's resources.
 */
final class Environment {
    private Environment() {}

    /** Where the pod runs, for the fields a container may ask for. */
    record PodFields(String podIP, String hostIP, String nodeName) {}

    /**
     * A container's environment and process.
     *
     * @param secret the names whose values come from Secrets: never shown
     */
    record Resolved(List<String> env, List<String> secret, List<String> command, List<String> args) {}

    static Resolved of(Manifests manifests, PodSpec pod, ContainerSpec c, PodFields fields) {
        Map<String, String> env = new LinkedHashMap<>();
        java.util.Set<String> secret = new java.util.LinkedHashSet<>();
        for (EnvFrom from : c.envFrom()) {
            object(manifests, from.kind(), from.name()).ifPresent(o -> o.data().forEach((k, v) -> {
                String name = (from.prefix() == null ? "" : from.prefix()) + k;
                env.put(name, v);
                if (from.kind() == ObjectKind.SECRET) {
                    secret.add(name);
                }
            }));
        }
        for (EnvVar e : c.env()) {
            String value;
            if (e.valueFrom() == null) {
                value = expand(e.value(), env);
            } else if (e.valueFrom() instanceof EnvVar.ConfigMapKeyRef ref) {
                value = object(manifests, ObjectKind.CONFIG_MAP, ref.name()).map(o -> o.data().get(ref.key())).orElse(null);
            } else if (e.valueFrom() instanceof EnvVar.SecretKeyRef ref) {
                value = object(manifests, ObjectKind.SECRET, ref.name()).map(o -> o.data().get(ref.key())).orElse(null);
                secret.add(e.name());
            } else if (e.valueFrom() instanceof EnvVar.FieldRef ref) {
                value = field(pod, ref.fieldPath(), fields);
            } else {
                EnvVar.ResourceFieldRef ref = (EnvVar.ResourceFieldRef) e.valueFrom();
                value = resource(pod, c, ref);
            }
            if (value != null) {
                env.put(e.name(), value);
            }
        }
        List<String> out = new ArrayList<>();
        env.forEach((k, v) -> out.add(k + "=" + v));
        // command and args see the same $(VAR) expansion as env values
        return new Resolved(out, List.copyOf(secret), c.command().stream().map(a -> expand(a, env)).toList(),
                c.args().stream().map(a -> expand(a, env)).toList());
    }

    private static Optional<ObjectSpec> object(Manifests manifests, ObjectKind kind, String name) {
        return manifests.object(kind, name);
    }

    /** Kubernetes' {@code $(VAR)} expansion. */
    static String expand(String value, Map<String, String> env) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < value.length()) {
            char ch = value.charAt(i);
            if (ch == '$' && i + 1 < value.length()) {
                char next = value.charAt(i + 1);
                if (next == '$') {
                    out.append('$');
                    i += 2;
                    continue;
                }
                if (next == '(') {
                    int close = value.indexOf(')', i + 2);
                    if (close > 0) {
                        String name = value.substring(i + 2, close);
                        if (env.containsKey(name)) {
                            out.append(env.get(name));
                        } else {
                            out.append(value, i, close + 1);
                        }
                        i = close + 1;
                        continue;
                    }
                }
            }
            out.append(ch);
            i++;
        }
        return out.toString();
    }

    static String field(PodSpec pod, String path, PodFields fields) {
        if (path.startsWith("metadata.labels['") && path.endsWith("']")) {
            return pod.labels().get(path.substring("metadata.labels['".length(), path.length() - 2));
        }
        if (path.startsWith("metadata.annotations['") && path.endsWith("']")) {
            return pod.annotations().get(path.substring("metadata.annotations['".length(), path.length() - 2));
        }
        return switch (path) {
            case "metadata.name" -> pod.name();
            case "metadata.namespace" -> pod.namespace();
            case "spec.nodeName" -> fields.nodeName();
            case "spec.serviceAccountName" -> "default";
            case "status.podIP" -> fields.podIP();
            case "status.hostIP" -> fields.hostIP();
            default -> null;
        };
    }

    /** {@code limits.cpu}, {@code requests.memory}… divided by the divisor and rounded up, as Kubernetes does. */
    static String resource(PodSpec pod, ContainerSpec self, EnvVar.ResourceFieldRef ref) {
        ContainerSpec c = ref.containerName() == null || ref.containerName().isEmpty() ? self
                : pod.container(ref.containerName()).orElse(self);
        String[] parts = ref.resource().split("\\.", 2);
        if (parts.length != 2) {
            return null;
        }
        Map<String, String> values = parts[0].equals("limits") ? c.limits() : c.requests();
        String quantity = values.get(parts[1]);
        if (quantity == null) {
            return parts[1].equals("cpu") ? Integer.toString(Runtime.getRuntime().availableProcessors()) : null;
        }
        BigDecimal value = Quantities.parse(quantity);
        BigDecimal divisor = ref.divisor() == null ? BigDecimal.ONE : Quantities.parse(ref.divisor());
        return value.divide(divisor, 0, RoundingMode.CEILING).toPlainString();
    }
}
