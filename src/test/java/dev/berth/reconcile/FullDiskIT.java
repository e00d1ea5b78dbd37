package dev.berth.reconcile;

import static dev.berth.testing.BerthRoot.IMAGE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.sys.Linux;
import dev.berth.testing.BerthRoot;
import dev.berth.testing.BerthRoot.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A root on a small tmpfs that a pod fills: berth says so, reads and removes still work, nothing is lost. */
class FullDiskIT {
    static final String FILLER = """
            apiVersion: v1
            kind: Pod
            metadata: {name: filler}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
                - name: c
                  image: %s
                  command: ["sh", "-c", "echo written before; dd if=/dev/zero of=/fill bs=1M; echo dd ended; exec sleep 1000"]
            """.formatted(IMAGE);

    static final String SECOND = """
            apiVersion: v1
            kind: Pod
            metadata: {name: second}
            spec:
              containers:
                - {name: c, image: %s, command: ["sleep", "1000"]}
            """.formatted(IMAGE);

    @Test
    void aFullRootIsSaidAsSuchAndPsLogsAndDownStillWork() throws Exception {
        try (BerthRoot b = new BerthRoot()) {
            Path conflist = b.root.resolve("networks").resolve("berth.conflist");
            String network = Files.readString(conflist);
            Linux.mount("tmpfs", b.root, "tmpfs", 0, "size=40m,mode=0700");
            Path filler = Files.writeString(b.dir.resolve("filler.yaml"), FILLER);
            Path second = Files.writeString(b.dir.resolve("second.yaml"), SECOND);
            try {
                Files.createDirectories(conflist.getParent());
                Files.writeString(conflist, network);
                b.withSampleImage();
                b.berth("kube", "play", filler.toString()).ok();
                FaultIT.waitFor(() -> b.berth("logs", "filler-c").out().contains("dd ended"), "the pod to fill the disk");
                // berth gave up its reserve to go on reading: what is free is about that much
                assertThat(Files.getFileStore(b.root).getUsableSpace()).isLessThan(8 << 20);

                assertThat(b.berth("ps", "-a").ok().out()).contains("filler-c");
                assertThat(b.berth("pod", "ps").ok().out()).contains("filler");
                assertThat(b.berth("logs", "filler-c").ok().out()).contains("written before");
                Run refused = b.berth("kube", "play", second.toString());
                assertThat(refused.code()).isNotZero();
                assertThat(refused.err()).contains("no space left on the file system of " + b.root).contains("MB free")
                        .doesNotContain("SQLITE");
                assertThat(refused.out()).doesNotContain("pod second: created").contains("pod second: failed");
                b.berth("kube", "down", "--timeout", "1", second.toString()).ok();
                b.berth("kube", "down", filler.toString()).ok();
                assertThat(b.berth("pod", "ps", "--format", "json").ok().out().strip()).isEqualTo("[]");
                // with the space back, berth takes its reserve again and works as before
                assertThat(Files.getFileStore(b.root).getUsableSpace()).isGreaterThan(16 << 20);
                b.berth("run", "--rm", IMAGE, "true").ok();
                assertThat(b.root.resolve("reserve")).exists();
            } finally {
                b.berth("kube", "down", "--timeout", "1", second.toString());
                b.berth("kube", "down", "--timeout", "1", filler.toString());
                for (Object c : (java.util.List<?>) dev.berth.api.Json.parse(b.berth("ps", "-a", "--format", "json").out())) {
                    b.berth("rm", "-f", (String) ((Map<?, ?>) c).get("Id"));
                }
                Linux.unmount(b.root, Linux.MNT_DETACH);
            }
        }
    }
}
