package dev.berth.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SeccompTest {
    @SuppressWarnings("unchecked")
    static List<String> names(Map<String, Object> oci, String action) {
        return ((List<Map<String, Object>>) oci.get("syscalls")).stream().filter(r -> r.get("action").equals(action))
                .flatMap(r -> ((List<String>) r.get("names")).stream()).toList();
    }

    @Test
    void theDefaultProfileFollowsTheCapabilities() {
        Map<String, Object> plain = Seccomp.runtimeDefault(OciConfig.DEFAULT_CAPABILITIES);
        assertThat(plain.get("defaultAction")).isEqualTo("SCMP_ACT_ERRNO");
        assertThat(names(plain, "SCMP_ACT_ALLOW")).contains("read", "write", "clone", "chroot").doesNotContain("swapon", "bpf", "perf_event_open");
        assertThat(names(plain, "SCMP_ACT_ERRNO")).contains("swapon", "kexec_load", "bpf");
        Map<String, Object> admin = Seccomp.runtimeDefault(List.of("CAP_SYS_ADMIN"));
        assertThat(names(admin, "SCMP_ACT_ALLOW")).contains("bpf", "perf_event_open").doesNotContain("chroot");
        assertThat(names(admin, "SCMP_ACT_ERRNO")).contains("swapon", "chroot").doesNotContain("bpf");
    }

    @Test
    void rulesOfOtherArchitecturesAreLeftOut() {
        Map<String, Object> profile = Map.of("defaultAction", "SCMP_ACT_ERRNO",
                "archMap", List.of(Map.of("architecture", "SCMP_ARCH_X86_64", "subArchitectures", List.of("SCMP_ARCH_X86"))),
                "syscalls", List.of(
                        Map.of("names", List.of("arch_prctl"), "action", "SCMP_ACT_ALLOW", "includes", Map.of("arches", List.of("amd64"))),
                        Map.of("names", List.of("set_tls"), "action", "SCMP_ACT_ALLOW", "includes", Map.of("arches", List.of("arm64")))));
        Map<String, Object> amd64 = Seccomp.toOci(profile, List.of(), "amd64");
        assertThat(amd64.get("architectures")).isEqualTo(List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86"));
        assertThat(names(amd64, "SCMP_ACT_ALLOW")).containsExactly("arch_prctl");
        assertThat(names(Seccomp.toOci(profile, List.of(), "arm64"), "SCMP_ACT_ALLOW")).containsExactly("set_tls");
    }
}
