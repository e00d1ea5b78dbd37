package dev.berth.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A pod to run, from a Pod manifest or made from a workload's template.
 *
 * @param owner the workload the pod was made from, or null for a Pod manifest
 * @param infer whether start-order dependencies may be inferred (annotation {@code berth.dev/infer})
 */
public record PodSpec(
        String name,
        String namespace,
        Map<String, String> labels,
        Map<String, String> annotations,
        List<ContainerSpec> initContainers,
        List<ContainerSpec> containers,
        List<Volume> volumes,
        String restartPolicy,
        boolean hostNetwork,
        boolean shareProcessNamespace,
        String hostname,
        String subdomain,
        Long terminationGracePeriodSeconds,
        List<DeclaredDependency> dependsOn,
        boolean infer,
        SecurityContext securityContext,
        List<String> imagePullSecrets,
        Owner owner,
        Source source) {

    public PodSpec {
        labels = Map.copyOf(labels);
        annotations = Map.copyOf(annotations);
        initContainers = List.copyOf(initContainers);
        containers = List.copyOf(containers);
        volumes = List.copyOf(volumes);
        dependsOn = List.copyOf(dependsOn);
        securityContext = securityContext == null ? SecurityContext.NONE : securityContext;
        imagePullSecrets = imagePullSecrets == null || imagePullSecrets.isEmpty() ? null : List.copyOf(imagePullSecrets); // null: left out of the spec hash
    }

    /** The names of the Secrets ({@code kubernetes.io/dockerconfigjson}) whose credentials this pod's images are pulled with. */
    public List<String> pullSecrets() {
        return imagePullSecrets == null ? List.of() : imagePullSecrets;
    }

    /** Init containers first, in spec order, then app containers. */
    public List<ContainerSpec> allContainers() {
        List<ContainerSpec> all = new ArrayList<>(initContainers);
        all.addAll(containers);
        return all;
    }

    public Optional<ContainerSpec> container(String containerName) {
        return allContainers().stream().filter(c -> c.name().equals(containerName)).findFirst();
    }

    /** Native sidecars: init containers with {@code restartPolicy: Always}. */
    public List<ContainerSpec> sidecars() {
        return initContainers.stream().filter(ContainerSpec::isSidecar).toList();
    }

    /** The name of the Deployment the pod was made from, or null. */
    public String deployment() {
        return owner != null && owner.kind().equals("Deployment") ? owner.name() : null;
    }

    /** The same pod under another name, made from a workload. */
    public PodSpec withIdentity(String newName, Owner newOwner) {
        return new PodSpec(newName, namespace, labels, annotations, initContainers, containers, volumes, restartPolicy,
                hostNetwork, shareProcessNamespace, hostname, subdomain, terminationGracePeriodSeconds, dependsOn, infer, securityContext,
                imagePullSecrets, newOwner, source);
    }

    public PodSpec withMetadata(Map<String, String> newLabels, Map<String, String> newAnnotations) {
        return new PodSpec(name, namespace, newLabels, newAnnotations, initContainers, containers, volumes, restartPolicy,
                hostNetwork, shareProcessNamespace, hostname, subdomain, terminationGracePeriodSeconds, dependsOn, infer, securityContext,
                imagePullSecrets, owner, source);
    }

    /** A StatefulSet's pod: its own claims in place of the templates', the pod before it to wait for, its Service as subdomain. */
    public PodSpec withStatefulIdentity(List<Volume> newVolumes, List<DeclaredDependency> newDependsOn, String newSubdomain) {
        return new PodSpec(name, namespace, labels, annotations, initContainers, containers, newVolumes, restartPolicy,
                hostNetwork, shareProcessNamespace, hostname, newSubdomain, terminationGracePeriodSeconds, newDependsOn, infer, securityContext,
                imagePullSecrets, owner, source);
    }

    public PodSpec withVolumes(List<Volume> newVolumes) {
        return withStatefulIdentity(newVolumes, dependsOn, subdomain);
    }

    public PodSpec withDependsOn(List<DeclaredDependency> newDependsOn) {
        return withStatefulIdentity(volumes, newDependsOn, subdomain);
    }

    public PodSpec withRestartPolicy(String policy) {
        return new PodSpec(name, namespace, labels, annotations, initContainers, containers, volumes, policy,
                hostNetwork, shareProcessNamespace, hostname, subdomain, terminationGracePeriodSeconds, dependsOn, infer, securityContext,
                imagePullSecrets, owner, source);
    }

    /** Whether a Job made the pod: its containers run to completion, counted against its backoffLimit. */
    public boolean ofJob() {
        return owner != null && owner.isJob();
    }

    /** Whether the pod asks for an infra container to hold its namespaces (annotation {@code berth.dev/infra}). */
    public boolean wantsInfra() {
        return "true".equals(annotations.get("berth.dev/infra"));
    }

    /** Whether open TCP ports count as readiness when there is no probe (annotation {@code berth.dev/implicit-readiness}). */
    public boolean implicitReadiness() {
        return !"false".equals(annotations.get("berth.dev/implicit-readiness"));
    }
}
