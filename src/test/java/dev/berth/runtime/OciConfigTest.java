package dev.berth.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class OciConfigTest {
    @Test
    void aStandaloneContainersConfigIsExactlyWhatPodmanWouldWrite() {
        OciConfig.Spec spec = new OciConfig.Spec(List.of("sh", "-c", "echo hi"), List.of("PATH=/bin", "HOME=/root"), "/work",
                1000, 1000, List.of(10), "/run/berth/containers/x/rootfs", false, "abc123",
                OciConfig.ownNamespaces(), List.of(OciConfig.Mount.bind("/run/berth/containers/x/hosts", "/etc/hosts", false)), 20000);
        assertThat(OciConfig.json(spec, false)).isEqualTo("{\"ociVersion\":\"1.0.2\","
                + "\"process\":{\"terminal\":false,\"user\":{\"uid\":1000,\"gid\":1000,\"additionalGids\":[10]},"
                + "\"args\":[\"sh\",\"-c\",\"echo hi\"],\"env\":[\"PATH=/bin\",\"HOME=/root\"],\"cwd\":\"/work\","
                + "\"capabilities\":{\"bounding\":" + caps() + ",\"effective\":" + caps() + ",\"permitted\":" + caps() + "},"
                + "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":20000,\"soft\":20000}],\"noNewPrivileges\":false},"
                + "\"root\":{\"path\":\"/run/berth/containers/x/rootfs\",\"readonly\":false},"
                + "\"hostname\":\"abc123\","
                + "\"mounts\":["
                + "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\",\"options\":[\"nosuid\",\"noexec\",\"nodev\"]},"
                + "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]},"
                + "{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\",\"options\":[\"nosuid\",\"noexec\",\"newinstance\",\"ptmxmode=0666\",\"mode=0620\",\"gid=5\"]},"
                + "{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\",\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"mode=1777\",\"size=65536k\"]},"
                + "{\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\",\"source\":\"mqueue\",\"options\":[\"nosuid\",\"noexec\",\"nodev\"]},"
                + "{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\",\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]},"
                + "{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\",\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"relatime\",\"ro\"]},"
                + "{\"destination\":\"/etc/hosts\",\"type\":\"bind\",\"source\":\"/run/berth/containers/x/hosts\",\"options\":[\"rbind\",\"rprivate\",\"rw\"]}],"
                + "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},{\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":\"mount\"}],"
                + "\"maskedPaths\":[\"/proc/acpi\",\"/proc/kcore\",\"/proc/keys\",\"/proc/latency_stats\",\"/proc/timer_list\",\"/proc/timer_stats\",\"/proc/sched_debug\",\"/proc/scsi\",\"/sys/firmware\",\"/sys/fs/selinux\",\"/sys/dev/block\"],"
                + "\"readonlyPaths\":[\"/proc/asound\",\"/proc/bus\",\"/proc/fs\",\"/proc/irq\",\"/proc/sys\",\"/proc/sysrq-trigger\"]}}");
    }

    @Test
    void joinedNamespacesCarryTheirPathAndAJoinedUtsHasNoHostname() {
        OciConfig.Spec spec = new OciConfig.Spec(List.of("true"), List.of(), "/", 0, 0, List.of(), "/r", true, null,
                List.of(new OciConfig.Namespace("network", "/run/berth/netns/p"), new OciConfig.Namespace("mount", null)), List.of(), 1024);
        String json = OciConfig.json(spec, false);
        assertThat(json).contains("\"namespaces\":[{\"type\":\"network\",\"path\":\"/run/berth/netns/p\"},{\"type\":\"mount\"}]")
                .contains("\"root\":{\"path\":\"/r\",\"readonly\":true}")
                .doesNotContain("hostname")
                .doesNotContain("additionalGids");
    }

    @Test
    void execReadsTheProcessBackAndChangesOnlyWhatItIsAsked() {
        OciConfig.Spec spec = new OciConfig.Spec(List.of("httpd", "-f"), List.of("PATH=/bin", "TERM=vt100"), "/www", 33, 33, List.of(5), "/r", false, null,
                OciConfig.ownNamespaces(), List.of(), 4096, new OciConfig.Extra(List.of("CAP_KILL"), true, true, java.util.Map.of(), 0, 0, 0, null,
                Seccomp.runtimeDefault(List.of("CAP_KILL"))));
        OciConfig.Process p = OciConfig.Process.ofConfig(OciConfig.json(spec, false));
        assertThat(p).isEqualTo(new OciConfig.Process(false, new OciConfig.Process.User(33, 33, List.of(5)), List.of("httpd", "-f"),
                List.of("PATH=/bin", "TERM=vt100"), "/www", List.of("CAP_KILL"), 4096, true));
        assertThat(p.withTerminal().env()).containsExactly("PATH=/bin", "TERM=vt100"); // its own TERM kept
        assertThat(p.withEnv(List.of("PATH=/bin")).withTerminal().env()).containsExactly("PATH=/bin", "TERM=xterm");
        assertThat(OciConfig.json(spec, true)).contains("\"process\":{\"terminal\":true,");
        assertThat(p.withArgs(List.of("ls")).text()).startsWith("{\"terminal\":false,\"user\":{\"uid\":33,\"gid\":33,\"additionalGids\":[5]},\"args\":[\"ls\"]");
    }

    @Test
    void theSeccompFilterIsWrittenInTheOciForm() {
        OciConfig.Spec spec = new OciConfig.Spec(List.of("true"), List.of(), "/", 0, 0, List.of(), "/r", false, null, OciConfig.ownNamespaces(), List.of(),
                1024, new OciConfig.Extra(null, false, true, java.util.Map.of(), 0, 0, 0, null, Seccomp.runtimeDefault(OciConfig.DEFAULT_CAPABILITIES)));
        String json = OciConfig.json(spec, false);
        assertThat(json).contains("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,\"architectures\":[\"SCMP_ARCH_X86_64\"")
                .contains("{\"index\":0,\"value\":8,\"valueTwo\":0,\"op\":\"SCMP_CMP_EQ\"}");
    }

    private static String caps() {
        return Json.write(OciConfig.DEFAULT_CAPABILITIES);
    }
}
