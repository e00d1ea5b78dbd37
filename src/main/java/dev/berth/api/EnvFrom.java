package dev.berth.api;

/** One {@code envFrom[]} entry: every key of a ConfigMap or Secret, optionally prefixed. */
public record EnvFrom(ObjectKind kind, String name, String prefix, boolean optional) {}
