package dev.berth.api;

/** A reference from a container to a ConfigMap, Secret or PVC, with what in the manifest made it. */
public record ObjectRef(ObjectKind kind, String name, boolean optional, String via) {}
