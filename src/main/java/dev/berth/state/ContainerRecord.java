package dev.berth.state;

import java.time.Instant;

/**
 * A container as berth recorded it. {@code config} is frozen at creation (JSON the engine owns);
 * the rest changes as the container runs.
 *
 * @param pod the pod the container belongs to, or null for a standalone container
 */
public record ContainerRecord(
        String id,
        String name,
        String imageId,
        String imageName,
        String pod,
        String config,
        Status status,
        Instant created,
        Instant started,
        Instant finished,
        Integer exitCode) {

    /** Whether it is a container of {@code run} rather than a pod's: no pod, or the sandbox of its own name that {@code run -p} gives it. */
    public boolean standalone() {
        return pod == null || pod.equals(name);
    }

    /** Its own name in its pod ({@code httpd} of {@code web-0-httpd}), or its name for a container of {@code run}. */
    public String ownName() {
        return standalone() ? name : dev.berth.api.ContainerName.own(pod, name);
    }

    /** What berth last did to the container; reality (runtime state, exit file) may have moved on. */
    public enum Status { CREATING, CREATED, RUNNING, EXITED, REMOVING }
}
