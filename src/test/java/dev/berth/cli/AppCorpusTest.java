package dev.berth.cli;

import static dev.berth.cli.CliTest.berth;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import dev.berth.testing.StrictKubernetes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

/**
 * Realistic application directories ({@code src/test/resources/apps}: StatefulSets, RBAC,
 * Ingress, HPA, PV and StorageClass, custom resources, namespaces, List, CronJob…), each valid
 * Kubernetes, plan with exit 0, the warnings a user would see and what becomes of each object,
 * as recorded in the directory's {@code plan.txt}. Rewrite those after a deliberate change with
 * {@code mvn test -Dtest=AppCorpusTest -Dberth.regenerate=true} and read the diff.
 */
class AppCorpusTest {
    private static final Path APPS = Path.of("src/test/resources/apps");

    static Stream<Path> apps() throws Exception {
        try (Stream<Path> dirs = Files.list(APPS)) {
            List<Path> list = dirs.filter(Files::isDirectory).sorted().toList();
            assertThat(list).hasSizeGreaterThanOrEqualTo(15);
            return list.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("apps")
    void isValidKubernetes(Path app) throws Exception {
        try (Stream<Path> files = Files.list(app)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                for (Object doc : new Yaml().loadAll(Files.readString(f))) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> document = (Map<String, Object>) doc;
                    List<?> items = document.get("kind").equals("List") ? (List<?>) document.get("items") : List.of(document);
                    for (Object item : items) {
                        @SuppressWarnings("unchecked")
                        Map<String, Object> object = (Map<String, Object>) item;
                        assertThat(StrictKubernetes.unknownFields(object)).as(f + " " + object.get("kind")).isEmpty();
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("apps")
    void plansWithTheExpectedNotes(Path app) throws Exception {
        CliTest.Result r = berth("kube", "plan", app.toString());
        assertThat(r.code()).as(r.err()).isZero();
        String shown = r.err() + r.out().substring(r.out().indexOf("objects:\n"));
        Path expected = app.resolve("plan.txt");
        if (Boolean.getBoolean("berth.regenerate") || !Files.exists(expected)) {
            Files.writeString(expected, shown);
        }
        assertThat(shown).isEqualTo(Files.readString(expected));
    }

    @ParameterizedTest
    @MethodSource("apps")
    void planJsonMatchesItsSchema(Path app) throws Exception {
        CliTest.Result r = berth("kube", "plan", "-o", "json", app.toString());
        assertThat(r.code()).isZero();
        ObjectMapper mapper = new ObjectMapper();
        JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                .getSchema(mapper.readTree(Path.of("schemas/plan.schema.json").toFile()));
        assertThat(schema.validate(mapper.readTree(r.out()))).isEmpty();
    }
}
