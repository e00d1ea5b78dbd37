package dev.berth.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.BerthRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** manifests/statefulset.yaml played for real: ordered starts, stable names, claims that outlive down, scale-down. */
class StatefulSetIT {
    @Test
    void membersStartInOrderReachEachOtherByNameKeepTheirVolumesAndScaleDown() throws Exception {
        try (BerthRoot b = new BerthRoot().withSampleImage()) {
            Path m = Files.copy(Path.of("manifests/statefulset.yaml"), b.dir.resolve("statefulset.yaml"));
            try {
                BerthRoot.Run play = b.berth("kube", "play", m.toString());
                assertThat(play.code()).as(play.err()).isZero();
                assertThat(play.err()).isEmpty(); // no warning for the sample
                String out = play.out();
                // OrderedReady: db-N starts only once db-(N-1) is ready
                assertThat(out.indexOf("Container/db-0/member  ready")).isPositive().isLessThan(out.indexOf("Container/db-1/member  starting"));
                assertThat(out.indexOf("Container/db-1/member  ready")).isPositive().isLessThan(out.indexOf("Container/db-2/member  starting"));
                // each member by its stable DNS name, from another member
                assertThat(b.berth("exec", "db-0-member", "wget", "-qO-", "http://db-2.db:8080/").ok().out()).startsWith("db-2 started");
                assertThat(b.berth("exec", "db-2-member", "wget", "-qO-", "http://db-1.db.default.svc.cluster.local:8080/").ok().out())
                        .startsWith("db-1 started");

                // down in reverse order: db-2 is gone before db-1 stops, db-1 before db-0
                String down = b.berth("kube", "down", "--timeout", "1", m.toString()).ok().out();
                assertThat(down.indexOf("Pod/db-2  removed")).isPositive().isLessThan(down.indexOf("Pod/db-1  stopping"));
                assertThat(down.indexOf("Pod/db-1  removed")).isPositive().isLessThan(down.indexOf("Pod/db-0  stopping"));

                // the claims outlive down: a second play finds what the first wrote
                assertThat(b.berth("volume", "ls").ok().out()).contains("data-db-0", "data-db-1", "data-db-2");
                assertThat(b.berth("kube", "play", "-q", m.toString()).code()).isZero();
                assertThat(b.berth("exec", "db-1-member", "cat", "/data/log").ok().out().lines().filter(l -> l.startsWith("db-1 started")).count())
                        .isEqualTo(2);

                // scale 3 → 1 through reconcile: db-2 and db-1 go, db-0 stays
                b.berth("kube", "down", "--timeout", "1", m.toString()).ok();
                Path dir = Files.createDirectories(b.dir.resolve("app"));
                Files.writeString(dir.resolve("db.yaml"), Files.readString(m));
                assertThat(b.berth("reconcile", "--once", "--timeout", "60", dir.toString()).code()).isZero();
                Files.writeString(dir.resolve("db.yaml"), Files.readString(m).replace("replicas: 3", "replicas: 1"));
                BerthRoot.Run scaled = b.berth("reconcile", "--once", "--timeout", "60", dir.toString());
                assertThat(scaled.code()).as(scaled.out() + scaled.err()).isZero();
                assertThat(b.berth("pod", "ps").ok().out()).contains("db-0").doesNotContain("db-1").doesNotContain("db-2");
                b.berth("reconcile", "down", "app").ok();
            } finally {
                b.berth("kube", "down", "--timeout", "1", m.toString());
            }
            b.assertNothingLeft();
        }
    }
}
