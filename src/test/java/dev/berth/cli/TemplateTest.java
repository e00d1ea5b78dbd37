package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.api.BerthException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Go-template subset of --format, as podman users write it. */
class TemplateTest {
    static Map<String, Object> container(String name, long pid) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("Status", "running");
        state.put("Pid", pid);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Names", name);
        m.put("State", state);
        m.put("Cmd", List.of("sleep", "1000"));
        m.put("Labels", new LinkedHashMap<>(Map.of("tier", "web", "app", "demo")));
        m.put("Pod", null);
        return m;
    }

    @Test
    void fieldsAndPathsPrintAsGoPrintsThem() {
        Map<String, Object> c = container("web", 42);
        assertThat(Template.parse("{{.Names}} {{.State.Pid}}").render(c)).isEqualTo("web 42");
        assertThat(Template.parse("{{ .State.Status }}").render(c)).isEqualTo("running");
        assertThat(Template.parse("{{.Cmd}}|{{.Labels}}|{{.Pod}}").render(c)).isEqualTo("[sleep 1000]|map[app:demo tier:web]|<no value>");
        assertThat(Template.parse("{{json .Cmd}}").render(c)).isEqualTo("[\"sleep\",\"1000\"]");
        assertThat(Template.parse("{{json .State}}").render(c)).isEqualTo("{\"Status\":\"running\",\"Pid\":42}");
        assertThat(Template.parse("{{upper .Names}} {{join .Cmd \",\"}} {{index .Labels \"tier\"}}").render(c)).isEqualTo("WEB sleep,1000 web");
        assertThat(Template.parse("{{.Names}}\\t{{.State.Pid}}\\n").render(c)).isEqualTo("web\t42\n");
    }

    @Test
    void aTableAlignsColumnsUnderTheFieldsNames() {
        Template t = Template.parse("table {{.Names}}\\t{{.State.Pid}}");
        assertThat(t.table()).isTrue();
        assertThat(t.lines(List.of(container("web", 42), container("a-longer-name", 7)), Map.of("Pid", "PROCESS")))
                .isEqualTo("NAMES          PROCESS\nweb            42\na-longer-name  7\n");
        assertThat(Template.parse("{{.Names}}").lines(List.of(container("a", 1), container("b", 2)))).isEqualTo("a\nb\n");
    }

    @Test
    void whatItCannotReadIsRefusedWithTheSubsetNamed() {
        assertThatThrownBy(() -> Template.parse("{{range .Cmd}}{{.}}{{end}}")).isInstanceOf(BerthException.class)
                .hasMessageContaining("{{range .Cmd}} is not an action berth knows").hasMessageContaining("{{json .X}}");
        assertThatThrownBy(() -> Template.parse("{{.Names")).hasMessageContaining("never closed");
        assertThatThrownBy(() -> Template.parse("{{join .Cmd}}")).hasMessageContaining("join takes a field and a quoted string");
        assertThatThrownBy(() -> Template.parse("{{.Nope}}").render(container("web", 1)))
                .hasMessageContaining("no field Nope").hasMessageContaining("Names, State, Cmd");
        assertThat(Template.isTemplate("json")).isFalse();
        assertThat(Template.isTemplate("{{.ID}}")).isTrue();
        assertThat(Template.isTemplate("table")).isTrue();
    }
}
