package dev.berth.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void parsesWhatItWrites() {
        Map<String, Object> doc = Json.parseObject("{\"a\": [1, 2.5, true, null, \"x\\n\\u00e9\"], \"b\": {}}");
        assertThat(doc.get("a")).isEqualTo(java.util.Arrays.asList(1L, 2.5, true, null, "x\né"));
        assertThat(Json.write(doc)).isEqualTo("{\"a\":[1,2.5,true,null,\"x\\né\"],\"b\":{}}");
    }

    @Test
    void refusesWhatIsNotJson() {
        assertThatThrownBy(() -> Json.parse("{\"a\":}")).hasMessageContaining("invalid JSON at offset 5");
        assertThatThrownBy(() -> Json.parse("[1] x")).hasMessageContaining("unexpected content");
        assertThatThrownBy(() -> Json.parse("[".repeat(500) + "]".repeat(500))).hasMessageContaining("nested too deeply");
    }

    @Property
    void stringsRoundTrip(@ForAll String s) {
        assertThat(Json.parse(Json.write(List.of(s)))).isEqualTo(List.of(s));
    }

    @Test
    void prettyIndentsAsPodmansInspect() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("Id", "abc");
        m.put("Args", List.of("1000"));
        m.put("Empty", List.of());
        m.put("State", Map.of("Pid", 7L));
        assertThat(Json.pretty(List.of(m))).isEqualTo("""
                [
                    {
                        "Id": "abc",
                        "Args": [
                            "1000"
                        ],
                        "Empty": [],
                        "State": {
                            "Pid": 7
                        }
                    }
                ]""");
        assertThat(Json.parse(Json.pretty(List.of(m)))).isEqualTo(List.of(m));
    }
}
