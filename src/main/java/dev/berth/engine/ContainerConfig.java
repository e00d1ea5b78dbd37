package dev.berth.engine;

import dev.berth.api.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a container was created with, frozen at creation and kept as JSON in the state database:
 * the resolved process (argv, env, cwd, user), its hostname and namespaces, and the options as
 * the user gave them.
 *
 * @param stdin whether conmon holds its stdin open for an attach ({@code run -i})
 * @param tty   whether it runs on a terminal ({@code run -t})
 * @param network {@code private} (own namespace, loopback only), {@code host}, or a netns path
 */
public record ContainerConfig(
        List<String> args,
        List<String> env,
        String cwd,
        int uid,
        int gid,
        List<Integer> additionalGids,
        String hostname,
        String network,
        boolean autoRemove,
        List<String> secretEnv,
        boolean stdin,
        boolean tty) {

    /** This config with the values of the variables from Secrets shown as {@code <secret>}. */
    public ContainerConfig withSecretsHidden() {
        List<String> shown = env.stream().map(kv -> {
            int eq = kv.indexOf('=');
            return eq > 0 && secretEnv.contains(kv.substring(0, eq)) ? kv.substring(0, eq + 1) + "<secret>" : kv;
        }).toList();
        return new ContainerConfig(args, shown, cwd, uid, gid, additionalGids, hostname, network, autoRemove, secretEnv, stdin, tty);
    }

    String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("args", args);
        m.put("env", env);
        m.put("cwd", cwd);
        m.put("uid", uid);
        m.put("gid", gid);
        m.put("additionalGids", additionalGids);
        m.put("hostname", hostname);
        m.put("network", network);
        m.put("autoRemove", autoRemove);
        m.put("secretEnv", secretEnv);
        m.put("stdin", stdin);
        m.put("tty", tty);
        return Json.write(m);
    }

    static ContainerConfig fromJson(String json) {
        Map<String, Object> m = Json.parseObject(json);
        return new ContainerConfig(Json.strings(m, "args"), Json.strings(m, "env"), Json.string(m, "cwd"),
                ((Number) m.get("uid")).intValue(), ((Number) m.get("gid")).intValue(),
                Json.array(m, "additionalGids").stream().map(o -> ((Number) o).intValue()).toList(),
                Json.string(m, "hostname"), Json.string(m, "network"), Boolean.TRUE.equals(m.get("autoRemove")),
                Json.strings(m, "secretEnv"), Boolean.TRUE.equals(m.get("stdin")), Boolean.TRUE.equals(m.get("tty")));
    }
}
