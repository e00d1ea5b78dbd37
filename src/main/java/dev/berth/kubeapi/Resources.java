package dev.berth.kubeapi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The resources the API serves: Kubernetes' built-in ones (those berth applies and those it only
 * stores, as {@code kube plan} says) and the custom resources of stored
 * CustomResourceDefinitions, which come and go with them.
 */
public final class Resources {
    private static final List<String> ALL = List.of("all");
    private static final List<Resource> BUILT_IN = List.of(
            core("Pod", "pods", true, List.of("po"), List.of("status", "log", "exec", "attach", "portforward", "ephemeralcontainers"), ALL),
            core("Service", "services", true, List.of("svc"), List.of("status", "proxy"), ALL),
            core("Endpoints", "endpoints", true, List.of("ep"), List.of(), List.of()),
            core("ConfigMap", "configmaps", true, List.of("cm"), List.of(), List.of()),
            core("Secret", "secrets", true, List.of(), List.of(), List.of()),
            core("PersistentVolumeClaim", "persistentvolumeclaims", true, List.of("pvc"), List.of("status"), List.of()),
            core("PersistentVolume", "persistentvolumes", false, List.of("pv"), List.of("status"), List.of()),
            core("Namespace", "namespaces", false, List.of("ns"), List.of("status", "finalize"), List.of()),
            core("Event", "events", true, List.of("ev"), List.of(), List.of()),
            core("ServiceAccount", "serviceaccounts", true, List.of("sa"), List.of("token"), List.of()),
            core("Node", "nodes", false, List.of("no"), List.of("status", "proxy"), List.of()),
            core("LimitRange", "limitranges", true, List.of("limits"), List.of(), List.of()),
            core("ResourceQuota", "resourcequotas", true, List.of("quota"), List.of("status"), List.of()),
            core("ReplicationController", "replicationcontrollers", true, List.of("rc"), List.of("status", "scale"), ALL),
            core("PodTemplate", "podtemplates", true, List.of(), List.of(), List.of()),
            of("apps", "v1", "Deployment", "deployments", true, List.of("deploy"), List.of("status", "scale"), ALL),
            of("apps", "v1", "ReplicaSet", "replicasets", true, List.of("rs"), List.of("status", "scale"), ALL),
            of("apps", "v1", "StatefulSet", "statefulsets", true, List.of("sts"), List.of("status", "scale"), ALL),
            of("apps", "v1", "DaemonSet", "daemonsets", true, List.of("ds"), List.of("status"), ALL),
            of("apps", "v1", "ControllerRevision", "controllerrevisions", true, List.of(), List.of(), List.of()),
            of("batch", "v1", "Job", "jobs", true, List.of(), List.of("status"), ALL),
            of("batch", "v1", "CronJob", "cronjobs", true, List.of("cj"), List.of("status"), ALL),
            of("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true, List.of("hpa"), List.of("status"), ALL),
            of("networking.k8s.io", "v1", "Ingress", "ingresses", true, List.of("ing"), List.of("status"), List.of()),
            of("networking.k8s.io", "v1", "IngressClass", "ingressclasses", false, List.of(), List.of(), List.of()),
            of("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", true, List.of("netpol"), List.of(), List.of()),
            of("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", true, List.of(), List.of(), List.of()),
            of("events.k8s.io", "v1", "Event", "events", true, List.of("ev"), List.of(), List.of()),
            of("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true, List.of("pdb"), List.of("status"), List.of()),
            of("rbac.authorization.k8s.io", "v1", "Role", "roles", true, List.of(), List.of(), List.of()),
            of("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true, List.of(), List.of(), List.of()),
            of("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false, List.of(), List.of(), List.of()),
            of("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", false, List.of(), List.of(), List.of()),
            of("storage.k8s.io", "v1", "StorageClass", "storageclasses", false, List.of("sc"), List.of(), List.of()),
            of("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", false, List.of("pc"), List.of(), List.of()),
            of("coordination.k8s.io", "v1", "Lease", "leases", true, List.of(), List.of(), List.of()),
            of("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", false, List.of(), List.of(), List.of()),
            of("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", false, List.of(), List.of(), List.of()),
            of("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", false, List.of("crd", "crds"), List.of("status"), List.of()),
            of("authorization.k8s.io", "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews", false, List.of(), List.of(), List.of()),
            of("authorization.k8s.io", "v1", "SelfSubjectRulesReview", "selfsubjectrulesreviews", true, List.of(), List.of(), List.of()));

    /** The custom resources of the stored CustomResourceDefinitions, and their schemas. */
    private volatile List<Resource> custom = List.of();
    private volatile Map<Resource, com.fasterxml.jackson.databind.node.ObjectNode> schemas = Map.of();

    private static Resource core(String kind, String plural, boolean namespaced, List<String> shortNames, List<String> subresources, List<String> categories) {
        return of("", "v1", kind, plural, namespaced, shortNames, subresources, categories);
    }

    private static Resource of(String group, String version, String kind, String plural, boolean namespaced, List<String> shortNames,
            List<String> subresources, List<String> categories) {
        return new Resource(group, version, kind, plural, namespaced, shortNames, subresources, categories);
    }

    /** Every resource served, built-in first. */
    public List<Resource> all() {
        List<Resource> all = new ArrayList<>(BUILT_IN);
        all.addAll(custom);
        return Collections.unmodifiableList(all);
    }

    /** The resource of a URL's group, version and plural. */
    public Optional<Resource> find(String group, String version, String plural) {
        return all().stream().filter(r -> r.group().equals(group) && r.version().equals(version) && r.plural().equals(plural)).findFirst();
    }

    /** The resource of an object's apiVersion and kind. */
    public Optional<Resource> ofKind(String apiVersion, String kind) {
        return all().stream().filter(r -> r.apiVersion().equals(apiVersion) && r.kind().equals(kind)).findFirst();
    }

    /** The resource stored under a key ({@link Resource#key}). */
    public Optional<Resource> byKey(String key) {
        return all().stream().filter(r -> r.key().equals(key)).findFirst();
    }

    /** The groups and their versions, in discovery's order (core first, then as listed). */
    public Map<String, List<String>> groups() {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        for (Resource r : all()) {
            List<String> versions = groups.computeIfAbsent(r.group(), g -> new ArrayList<>());
            if (!versions.contains(r.version())) {
                versions.add(r.version());
            }
        }
        return groups;
    }

    /** Sets the custom resources to those of the stored definitions (each served version of each), with their schemas. */
    void setCustom(Map<Resource, com.fasterxml.jackson.databind.node.ObjectNode> definitions) {
        schemas = Map.copyOf(definitions);
        custom = List.copyOf(definitions.keySet());
    }

    /** A custom resource's schema ({@code openAPIV3Schema}), empty for a built-in one. */
    Optional<com.fasterxml.jackson.databind.node.ObjectNode> customSchema(Resource r) {
        return Optional.ofNullable(schemas.get(r));
    }
}
