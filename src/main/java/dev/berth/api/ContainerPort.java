package dev.berth.api;

/** A port a container declares ({@code ports[]}); name may be null, hostPort 0 when not published. */
public record ContainerPort(String name, int containerPort, String protocol, int hostPort, String hostIP) {
    public ContainerPort {
        protocol = protocol == null ? "TCP" : protocol;
    }
}
