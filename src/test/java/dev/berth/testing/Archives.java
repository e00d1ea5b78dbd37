package dev.berth.testing;

import dev.berth.api.Json;
import dev.berth.image.Digest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** Image archives made in memory: an image config, a docker-archive of given layers, gzip. */
public final class Archives {
    private Archives() {}

    public static byte[] config(List<String> diffIds, List<String> cmd) {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("Env", List.of("PATH=/bin:/usr/bin", "FROM_IMAGE=yes"));
        run.put("Cmd", cmd);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("created", "2024-05-01T10:00:00Z");
        config.put("architecture", "amd64");
        config.put("os", "linux");
        config.put("config", run);
        config.put("rootfs", Map.of("type", "layers", "diff_ids", diffIds));
        return Json.write(config).getBytes(StandardCharsets.UTF_8);
    }

    /** A docker-archive (as docker save writes it) of the given layers. */
    public static byte[] dockerArchive(String repoTag, List<byte[]> layers, List<String> diffIds) {
        byte[] config = config(diffIds, List.of("sh", "-c", "echo default cmd"));
        String configName = Digest.of(config).hex() + ".json";
        Tars t = new Tars().file(configName, config, 0644);
        List<String> layerNames = new java.util.ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            String name = "layer" + i + "/layer.tar";
            t.dir("layer" + i).file(name, layers.get(i), 0644);
            layerNames.add(name);
        }
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("Config", configName);
        manifest.put("RepoTags", List.of(repoTag));
        manifest.put("Layers", layerNames);
        return t.file("manifest.json", Json.write(List.of(manifest))).bytes();
    }

    public static byte[] gzip(byte[] data) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }
}
