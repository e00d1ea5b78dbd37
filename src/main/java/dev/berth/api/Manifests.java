package dev.berth.api;

import java.util.List;
import java.util.Optional;

/**
 * Everything read from a set of manifest files: pods (workloads already expanded), objects,
 * Services, and what berth does with each object of the files, in file order.
 */
public record Manifests(List<PodSpec> pods, List<ObjectSpec> objects, List<ServiceSpec> services, List<String> warnings,
        List<Disposition> dispositions) {

    public Manifests(List<PodSpec> pods, List<ObjectSpec> objects, List<ServiceSpec> services, List<String> warnings) {
        this(pods, objects, services, warnings, List.of());
    }

    public Manifests {
        pods = List.copyOf(pods);
        objects = List.copyOf(objects);
        services = List.copyOf(services);
        warnings = List.copyOf(warnings);
        dispositions = List.copyOf(dispositions);
    }

    public Optional<PodSpec> pod(String name) {
        return pods.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    public Optional<ObjectSpec> object(ObjectKind kind, String name) {
        return objects.stream().filter(o -> o.kind() == kind && o.name().equals(name)).findFirst();
    }
}
