package dev.berth.engine;

import dev.berth.api.BerthException;
import dev.berth.image.ImageStore;
import dev.berth.runtime.HostComponents;
import java.nio.file.Path;
import java.util.List;

/** The infra image, built locally like podman's pause image: the host's static catatonit, run as {@code /catatonit -P}. */
final class InfraImage {
    static final String NAME = "localhost/berth-infra:latest";

    private InfraImage() {}

    static ImageStore.Image ensure(ImageStore images, Path scratch) {
        return LocalImage.ensure(images, scratch, NAME, new ImageStore.Changes(null, List.of("/catatonit", "-P"), List.of(), null, null), layer -> {
            Path catatonit = HostComponents.find("catatonit");
            if (catatonit == null) {
                throw new BerthException(BerthException.Kind.HOST, "catatonit is not installed (pods need it); install it: apt-get install -y catatonit");
            }
            for (String dir : List.of("dev", "proc", "sys", "etc")) {
                layer.directory(dir, 0755);
            }
            layer.file("catatonit", 0755, catatonit);
        });
    }
}
