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

    /** The default profile for a process with these capabilities, on this machine's architecture. */
    public static Map<String, Object> runtimeDefault(List<String> capabilities) {
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
    public static Map<String, Object> fromFile(Path file, List<String> capabilities) {
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

    static Map<String, Object> toOci(Map<String, Object> profile, List<String> capabilities, String arch) {
        Map<String, Object> oci = new LinkedHashMap<>();
        oci.put("defaultAction", profile.get("defaultAction"));
        if (profile.get("defaultErrnoRet") != null) {
            oci.put("defaultErrnoRet", profile.get("defaultErrnoRet"));
        }
        List<Object> architectures = new ArrayList<>();
        if (profile.get("architectures") != null) {
            architectures.addAll(Json.array(profile, "architectures"));
        }
        for (Object entry : profile.get("archMap") == null ? List.of() : Json.array(profile, "archMap")) {
            Map<?, ?> m = (Map<?, ?>) entry;
            if (m.get("architecture").equals(SCMP_ARCH.get(arch))) {
                architectures.add(m.get("architecture"));
                architectures.addAll((List<?>) m.get("subArchitectures"));
            }
        }
        if (!architectures.isEmpty()) {
            oci.put("architectures", architectures);
        }
        List<Object> syscalls = new ArrayList<>();
        for (Object entry : Json.array(profile, "syscalls")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> rule = (Map<String, Object>) entry;
            if (!applies(rule, capabilities, arch)) {
                continue;
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("names", rule.get("names") != null ? rule.get("names") : List.of(rule.get("name")));
            out.put("action", rule.get("action"));
            if (rule.get("errnoRet") != null) {
                out.put("errnoRet", rule.get("errnoRet"));
            }
            List<?> args = rule.get("args") == null ? List.of() : (List<?>) rule.get("args");
            if (!args.isEmpty()) {
                out.put("args", args);
            }
            syscalls.add(out);
        }
        oci.put("syscalls", syscalls);
        return oci;
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
