package dev.berth.api;

/** The workload (Deployment, DaemonSet, Job) a pod was made from, and the pod's index in it. */
public record Owner(String kind, String name, int index) {}
