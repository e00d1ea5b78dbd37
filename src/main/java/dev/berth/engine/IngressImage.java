package dev.berth.engine;

import dev.berth.image.ImageStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The image of berth's ingress pod, built locally like the infra image: an empty root whose
 * {@code /usr} (and the JDK, when it lives elsewhere) the pod binds read-only from the host, so
 * the JDK that runs berth runs {@link dev.berth.ingress.IngressProxy} in the container. Only
 * {@code /etc/nsswitch.conf} is its own: names are looked up in the pod's /etc/hosts first,
 * where berth writes the Services.
 */
public final class IngressImage {
    public static final String NAME = "localhost/berth-ingress:latest";

    private IngressImage() {}

    public static ImageStore.Image ensure(ImageStore images, Path scratch) {
        return LocalImage.ensure(images, scratch, NAME, ImageStore.Changes.NONE, layer -> {
            for (String dir : List.of("dev", "proc", "sys", "etc", "usr", "berth")) {
                layer.directory(dir, 0755);
            }
            layer.directory("tmp", 01777);
            for (Map.Entry<String, String> link : Map.of("bin", "usr/bin", "sbin", "usr/sbin", "lib", "usr/lib", "lib64", "usr/lib64").entrySet()) {
                layer.symlink(link.getKey(), link.getValue());
            }
            layer.file("etc/nsswitch.conf", 0644, "hosts: files dns\n".getBytes(StandardCharsets.US_ASCII));
        });
    }
}
