package dev.berth.manifest;

import dev.berth.api.BerthException;
import dev.berth.api.Json;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/** One YAML document as JSON text: what the API does with a body sent as YAML (server-side apply's {@code application/apply-patch+yaml}). */
public final class YamlJson {
    private YamlJson() {}

    public static String toJson(String yaml) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(50);
        try {
            Object value = new Yaml(new SafeConstructor(options)).load(yaml);
            return Json.write(value);
        } catch (YAMLException | ClassCastException e) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "the body is neither JSON nor YAML: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }
}
