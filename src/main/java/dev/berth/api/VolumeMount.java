package dev.berth.api;

/** One {@code volumeMounts[]} entry. */
public record VolumeMount(String name, String mountPath, boolean readOnly, String subPath) {}
