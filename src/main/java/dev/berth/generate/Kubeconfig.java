package dev.berth.generate;

import dev.berth.api.BerthException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * A kubeconfig for berth's API: one cluster, user and context of the same name, with the CA and
 * the client certificate inline ({@code certificate-authority-data}, {@code client-certificate-data},
 * {@code client-key-data}); and that context merged into an existing kubeconfig, replacing an
 * earlier entry of the same name and leaving every other one as it was.
 */
public final class Kubeconfig {
    private Kubeconfig() {}

    /** What goes in: the context's name, the server's URL and the PEM texts. */
    public record Entry(String name, String server, String caPem, String clientCertPem, String clientKeyPem) {}

    public static String of(Entry e) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("apiVersion", "v1");
        config.put("kind", "Config");
        config.put("clusters", new ArrayList<>(List.of(cluster(e))));
        config.put("users", new ArrayList<>(List.of(user(e))));
        config.put("contexts", new ArrayList<>(List.of(context(e))));
        config.put("current-context", e.name());
        config.put("preferences", new LinkedHashMap<>());
        return dump(config);
    }

    /** {@code existing} (empty: none yet) with the entry's cluster, user and context put in, and made the current context. */
    @SuppressWarnings("unchecked")
    public static String merge(String existing, Entry e) {
        Map<String, Object> config;
        try {
            Object loaded = existing.isBlank() ? null : new Yaml(new SafeConstructor(new LoaderOptions())).load(existing);
            config = loaded == null ? new LinkedHashMap<>() : (Map<String, Object>) loaded;
        } catch (YAMLException | ClassCastException ex) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "the kubeconfig to merge into is not a YAML mapping: "
                    + String.valueOf(ex.getMessage()).lines().findFirst().orElse(""), ex);
        }
        config.putIfAbsent("apiVersion", "v1");
        config.putIfAbsent("kind", "Config");
        put(config, "clusters", cluster(e), e.name());
        put(config, "users", user(e), e.name());
        put(config, "contexts", context(e), e.name());
        config.put("current-context", e.name());
        return dump(config);
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> config, String list, Map<String, Object> entry, String name) {
        Object value = config.get(list);
        List<Object> entries = value instanceof List<?> l ? new ArrayList<>((List<Object>) l) : new ArrayList<>();
        entries.removeIf(o -> o instanceof Map<?, ?> m && name.equals(m.get("name")));
        entries.add(entry);
        config.put(list, entries);
    }

    private static Map<String, Object> cluster(Entry e) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("certificate-authority-data", base64(e.caPem()));
        c.put("server", e.server());
        return named(e.name(), "cluster", c);
    }

    private static Map<String, Object> user(Entry e) {
        Map<String, Object> u = new LinkedHashMap<>();
        u.put("client-certificate-data", base64(e.clientCertPem()));
        u.put("client-key-data", base64(e.clientKeyPem()));
        return named(e.name(), "user", u);
    }

    private static Map<String, Object> context(Entry e) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("cluster", e.name());
        c.put("user", e.name());
        return named(e.name(), "context", c);
    }

    private static Map<String, Object> named(String name, String key, Map<String, Object> value) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put(key, value);
        return m;
    }

    private static String base64(String pem) {
        return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.UTF_8));
    }

    private static String dump(Map<String, Object> config) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setWidth(Integer.MAX_VALUE);
        return new Yaml(options).dump(config);
    }
}
