package dev.berth.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SeccompTest {
    @Test
    void theDefaultProfileFollowsTheCapabilities() {
        Seccomp.Filter plain = Seccomp.runtimeDefault(OciConfig.DEFAULT_CAPABILITIES);
        assertThat(plain.defaultAction()).isEqualTo("SCMP_ACT_ERRNO");
        assertThat(plain.names("SCMP_ACT_ALLOW")).contains("read", "write", "clone", "chroot").doesNotContain("swapon", "bpf", "perf_event_open");
        assertThat(plain.names("SCMP_ACT_ERRNO")).contains("swapon", "kexec_load", "bpf");
        Seccomp.Filter admin = Seccomp.runtimeDefault(List.of("CAP_SYS_ADMIN"));
        assertThat(admin.names("SCMP_ACT_ALLOW")).contains("bpf", "perf_event_open").doesNotContain("chroot");
        assertThat(admin.names("SCMP_ACT_ERRNO")).contains("swapon", "chroot").doesNotContain("bpf");
    }

    @Test
    void rulesOfOtherArchitecturesAreLeftOut() {
        Map<String, Object> profile = Map.of("defaultAction", "SCMP_ACT_ERRNO",
                "archMap", List.of(Map.of("architecture", "SCMP_ARCH_X86_64", "subArchitectures", List.of("SCMP_ARCH_X86"))),
                "syscalls", List.of(
                        Map.of("names", List.of("arch_prctl"), "action", "SCMP_ACT_ALLOW", "includes", Map.of("arches", List.of("amd64"))),
                        Map.of("names", List.of("set_tls"), "action", "SCMP_ACT_ALLOW", "includes", Map.of("arches", List.of("arm64")))));
        Seccomp.Filter amd64 = Seccomp.toOci(profile, List.of(), "amd64");
        assertThat(amd64.architectures()).isEqualTo(List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86"));
        assertThat(amd64.names("SCMP_ACT_ALLOW")).containsExactly("arch_prctl");
        assertThat(Seccomp.toOci(profile, List.of(), "arm64").names("SCMP_ACT_ALLOW")).containsExactly("set_tls");
    }
}
