package dev.berth.runtime;

import dev.berth.api.BerthException;
import dev.berth.api.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Seccomp filters for the OCI config's {@code linux.seccomp}. The default ("RuntimeDefault") is
 * podman's own: the containers-common profile (Debian's golang-github-containers-common 0.50,
 * Apache-2.0, kept as a resource so berth needs no package for it), an allowlist whose rules
 * depend on the architecture and the container's capabilities. That profile format (also
 * Docker's, and what Kubernetes' Localhost profiles are written in) is turned into the OCI form
 * here, as containers/common's {@code setupSeccomp} does: rules for other architectures, for
 * capabilities the container lacks, or excluded by a capability it has, are left out.
 */
public final class Seccomp {
    private static volatile Map<String, Object> runtimeDefault;

    private Seccomp() {}

    /** A filter in the OCI form ({@code linux.seccomp}): the action for calls no rule names, the architectures, the rules. */
    public record Filter(String defaultAction, Integer defaultErrnoRet, List<String> architectures, List<Rule> syscalls) {
        public Filter {
            architectures = List.copyOf(architectures);
            syscalls = List.copyOf(syscalls);
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("defaultAction", defaultAction);
            if (defaultErrnoRet != null) {
                m.put("defaultErrnoRet", defaultErrnoRet);
            }
            if (!architectures.isEmpty()) {
                m.put("architectures", architectures);
            }
            m.put("syscalls", syscalls.stream().map(Rule::json).toList());
            return m;
        }

        /** The system calls the rules with this action name. */
        public List<String> names(String action) {
            return syscalls.stream().filter(r -> r.action().equals(action)).flatMap(r -> r.names().stream()).toList();
        }
    }

    /** What happens to these system calls (when their arguments match {@code args}, if any). */
    public record Rule(List<String> names, String action, Integer errnoRet, List<Arg> args) {
        public Rule {
            names = List.copyOf(names);
            args = List.copyOf(args);
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("names", names);
            m.put("action", action);
            if (errnoRet != null) {
                m.put("errnoRet", errnoRet);
            }
            if (!args.isEmpty()) {
                m.put("args", args.stream().map(a -> {
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("index", a.index());
                    o.put("value", a.value());
                    o.put("valueTwo", a.valueTwo());
                    o.put("op", a.op());
                    return o;
                }).toList());
            }
            return m;
        }
    }

    /** A comparison of one argument: {@code op} is SCMP_CMP_EQ, SCMP_CMP_MASKED_EQ, … */
    public record Arg(int index, long value, long valueTwo, String op) {}

    /** The default profile for a process with these capabilities, on this machine's architecture. */
    public static Filter runtimeDefault(List<String> capabilities) {
        if (runtimeDefault == null) {
            try (InputStream in = Seccomp.class.getResourceAsStream("seccomp.json")) {
                runtimeDefault = Json.parseObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException | NullPointerException e) {
                throw new IllegalStateException("berth's default seccomp profile is missing from its jar", e);
            }
        }
        return toOci(runtimeDefault, capabilities, goArch());
    }

    /** A profile file of the user's (containers/Docker format or OCI form), for these capabilities. */
    public static Filter fromFile(Path file, List<String> capabilities) {
        try {
            return toOci(Json.parseObject(Files.readString(file)), capabilities, goArch());
        } catch (NoSuchFileException e) {
            throw new BerthException(BerthException.Kind.NOT_FOUND, "seccomp profile " + file + " does not exist (Localhost profiles are read under "
                    + file.getParent() + ")");
        } catch (IOException | IllegalArgumentException | ClassCastException e) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "seccomp profile " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** The architecture as Go (and so the profile's {@code arches}) names it. */
    static String goArch() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> arch;
        };
    }

    private static final Map<String, String> SCMP_ARCH = Map.of("amd64", "SCMP_ARCH_X86_64", "arm64", "SCMP_ARCH_AARCH64",
            "x86", "SCMP_ARCH_X86", "arm", "SCMP_ARCH_ARM", "ppc64le", "SCMP_ARCH_PPC64LE", "s390x", "SCMP_ARCH_S390X");

    static Filter toOci(Map<String, Object> profile, List<String> capabilities, String arch) {
        List<String> architectures = new ArrayList<>(Json.strings(profile, "architectures"));
        for (Object entry : Json.array(profile, "archMap")) {
            Map<?, ?> m = (Map<?, ?>) entry;
            if (m.get("architecture").equals(SCMP_ARCH.get(arch))) {
                architectures.add(String.valueOf(m.get("architecture")));
                ((List<?>) m.get("subArchitectures")).forEach(a -> architectures.add(String.valueOf(a)));
            }
        }
        List<Rule> syscalls = new ArrayList<>();
        for (Object entry : Json.array(profile, "syscalls")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> rule = (Map<String, Object>) entry;
            if (!applies(rule, capabilities, arch)) {
                continue;
            }
            List<String> names = rule.get("names") != null ? Json.strings(rule, "names") : List.of(Json.string(rule, "name"));
            List<Arg> args = new ArrayList<>();
            for (Object a : Json.array(rule, "args")) {
                Map<?, ?> m = (Map<?, ?>) a;
                args.add(new Arg(((Number) m.get("index")).intValue(), number(m.get("value")), number(m.get("valueTwo")), String.valueOf(m.get("op"))));
            }
            syscalls.add(new Rule(names, Json.string(rule, "action"), errno(rule.get("errnoRet")), args));
        }
        return new Filter(Json.string(profile, "defaultAction"), errno(profile.get("defaultErrnoRet")), architectures, syscalls);
    }

    private static long number(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }

    private static Integer errno(Object o) {
        return o instanceof Number n ? n.intValue() : null;
    }

    /** Whether a rule holds for this architecture and these capabilities (minKernel is not checked: every kernel berth runs on is newer). */
    private static boolean applies(Map<String, Object> rule, List<String> capabilities, String arch) {
        Map<?, ?> includes = rule.get("includes") instanceof Map<?, ?> m ? m : Map.of();
        Map<?, ?> excludes = rule.get("excludes") instanceof Map<?, ?> m ? m : Map.of();
        List<?> inArches = includes.get("arches") instanceof List<?> l ? l : List.of();
        List<?> inCaps = includes.get("caps") instanceof List<?> l ? l : List.of();
        List<?> exArches = excludes.get("arches") instanceof List<?> l ? l : List.of();
        List<?> exCaps = excludes.get("caps") instanceof List<?> l ? l : List.of();
        return (inArches.isEmpty() || inArches.contains(arch))
                && capabilities.containsAll(inCaps)
                && !exArches.contains(arch)
                && exCaps.stream().noneMatch(capabilities::contains);
    }
}
