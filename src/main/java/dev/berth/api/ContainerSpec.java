package dev.berth.api;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One container of a pod, as the manifest describes it (init containers included).
 *
 * @param postStart     {@code lifecycle.postStart}, or null
 * @param preStop       {@code lifecycle.preStop}, or null
 * @param restartPolicy {@code Always} on an init container makes it a native sidecar; null otherwise
 * @param imagePullPolicy {@code Always}, {@code IfNotPresent} or {@code Never} as written, or null (see {@link #pullPolicy})
 */
public record ContainerSpec(
        String name,
        String image,
        String imagePullPolicy,
        List<String> command,
        List<String> args,
        String workingDir,
        List<EnvVar> env,
        List<EnvFrom> envFrom,
        List<ContainerPort> ports,
        List<VolumeMount> volumeMounts,
        Probe readinessProbe,
        Probe livenessProbe,
        Probe startupProbe,
        Hook postStart,
        Hook preStop,
        Map<String, String> limits,
        Map<String, String> requests,
        String restartPolicy,
        SecurityContext securityContext,
        Source source) {

    public ContainerSpec {
        command = List.copyOf(command);
        args = List.copyOf(args);
        env = List.copyOf(env);
        envFrom = List.copyOf(envFrom);
        ports = List.copyOf(ports);
        volumeMounts = List.copyOf(volumeMounts);
        limits = Map.copyOf(limits);
        requests = Map.copyOf(requests);
        securityContext = securityContext == null ? SecurityContext.NONE : securityContext;
    }

    /**
     * The pull policy, as Kubernetes defaults it: {@code Always} for an image without a tag or
     * tagged {@code latest}, else {@code IfNotPresent}.
     */
    public String pullPolicy() {
        if (imagePullPolicy != null) {
            return imagePullPolicy;
        }
        String last = image.substring(image.lastIndexOf('/') + 1);
        return image.contains("@") || last.contains(":") && !last.endsWith(":latest") ? "IfNotPresent" : "Always";
    }

    /** Whether this is a native sidecar: an init container with {@code restartPolicy: Always}. */
    public boolean isSidecar() {
        return "Always".equals(restartPolicy);
    }

    /** The ConfigMaps, Secrets and PVCs this container needs, through env, envFrom and mounted volumes. */
    public List<ObjectRef> references(List<Volume> podVolumes) {
        Set<ObjectRef> refs = new LinkedHashSet<>();
        for (EnvVar e : env) {
            if (e.valueFrom() instanceof EnvVar.ConfigMapKeyRef r) {
                refs.add(new ObjectRef(ObjectKind.CONFIG_MAP, r.name(), r.optional(), "env " + e.name()));
            } else if (e.valueFrom() instanceof EnvVar.SecretKeyRef r) {
                refs.add(new ObjectRef(ObjectKind.SECRET, r.name(), r.optional(), "env " + e.name()));
            }
        }
        for (EnvFrom e : envFrom) {
            refs.add(new ObjectRef(e.kind(), e.name(), e.optional(), "envFrom"));
        }
        for (VolumeMount m : volumeMounts) {
            for (Volume v : podVolumes) {
                if (v.name().equals(m.name())) {
                    ObjectRef r = v.reference();
                    if (r != null) {
                        refs.add(r);
                    }
                }
            }
        }
        return new ArrayList<>(refs);
    }
}
