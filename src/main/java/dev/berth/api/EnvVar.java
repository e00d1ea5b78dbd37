package dev.berth.api;

/** One {@code env[]} entry: a literal value, or a value taken from elsewhere ({@code valueFrom}). */
public record EnvVar(String name, String value, ValueFrom valueFrom) {

    /** Where a {@code valueFrom} takes its value. */
    public sealed interface ValueFrom {}

    public record ConfigMapKeyRef(String name, String key, boolean optional) implements ValueFrom {}

    public record SecretKeyRef(String name, String key, boolean optional) implements ValueFrom {}

    public record FieldRef(String fieldPath) implements ValueFrom {}

    public record ResourceFieldRef(String containerName, String resource, String divisor) implements ValueFrom {}
}
