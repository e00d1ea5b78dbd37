package dev.berth.state;

import java.time.Instant;
import java.util.List;

/**
 * An image in the store.
 *
 * @param id      the hex sha256 of its config
 * @param config  the image config JSON (OCI or Docker)
 * @param diffIds the uncompressed layer digests ({@code sha256:…}), bottom first
 */
public record ImageRecord(String id, List<String> names, String config, List<String> diffIds, long size, Instant created) {
    public ImageRecord {
        names = List.copyOf(names);
        diffIds = List.copyOf(diffIds);
    }
}
