package dev.berth.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.api.BerthException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each table of the state over a real SQLite file in a temporary root: no root needed. */
class TablesTest {
    @TempDir
    Path dir;

    StateStore state;
    static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

    @BeforeEach
    void open() {
        state = StateStore.open(new Layout(dir.resolve("root"), dir.resolve("run")));
    }

    @AfterEach
    void close() {
        state.close();
    }

    ImageRecord image(String id, String... names) {
        return new ImageRecord(id, List.of(names), "{}", List.of("sha256:" + id), 10, T0);
    }

    /** A container whose ID is {@code id} padded as a real one (64 hex digits). */
    ContainerRecord container(String id, String name, String pod) {
        return new ContainerRecord(id(id), name, "i1", "busybox", pod, "{}", ContainerRecord.Status.CREATED, T0, null, null, null);
    }

    static String id(String shortId) {
        return shortId + "0".repeat(64 - shortId.length());
    }

    @Test
    void anImageNameMovesToTheImageLastPutWithIt() {
        state.putImage(image("i1", "busybox:latest"));
        state.putImage(image("i2", "busybox:latest", "other"));
        assertThat(state.imageByName("busybox:latest")).get().extracting(ImageRecord::id).isEqualTo("i2");
        assertThat(state.images()).filteredOn(i -> i.id().equals("i1")).singleElement().extracting(ImageRecord::names).asList().isEmpty();
        assertThat(state.untagImage("i2", "other")).isEqualTo(1);
        assertThat(state.imagesByIdPrefix("i")).hasSize(2);
    }

    @Test
    void aContainerNameIsTakenOnceAndItsStateChangesAreKept() {
        state.putImage(image("i1", "busybox"));
        state.insertContainer(container("c1", "web", null));
        assertThatThrownBy(() -> state.insertContainer(container("c2", "web", null))).isInstanceOf(BerthException.class).hasMessageContaining("web");
        state.updateContainer(id("c1"), ContainerRecord.Status.EXITED, T0.plusSeconds(1), T0.plusSeconds(2), 3);
        ContainerRecord c = state.containerByName("web").orElseThrow();
        assertThat(c.status()).isEqualTo(ContainerRecord.Status.EXITED);
        assertThat(c.exitCode()).isEqualTo(3);
        assertThat(c.finished()).isEqualTo(T0.plusSeconds(2));
        assertThat(state.imageInUse("i1")).isTrue();
        state.deleteContainer(id("c1"));
        assertThat(state.containers()).isEmpty();
        assertThat(state.imageInUse("i1")).isFalse();
    }

    @Test
    void restartsAndReadinessArePerContainerAndGoWithIt() {
        state.putImage(image("i1", "busybox"));
        state.insertContainer(container("c1", "a", null));
        state.insertContainer(container("c2", "b", null));
        state.countRestart(id("c1"));
        state.countRestart(id("c1"));
        state.setReady(id("c2"), true, "port 80 accepts");
        assertThat(state.restarts(id("c1"))).isEqualTo(2);
        assertThat(state.restarts(id("c2"))).isZero();
        assertThat(state.restartCounts()).containsExactly(java.util.Map.entry(id("c1"), 2));
        assertThat(state.readyContainers()).containsExactly(id("c2"));
        assertThat(state.readiness().get(id("c2"))).isEqualTo(new StateStore.ReadinessRecord(true, "port 80 accepts"));
        state.setReady(id("c2"), false, "refused");
        assertThat(state.readyContainers()).isEmpty();
        state.deleteContainer(id("c2"));
        assertThat(state.readiness()).doesNotContainKey(id("c2"));
    }

    @Test
    void aPodKeepsItsContainersAndItsNetwork() {
        state.putImage(image("i1", "busybox"));
        state.insertPod(new PodRecord("p", "default", "h", "{}", null, "/run/netns/p", PodRecord.Status.CREATING, T0));
        state.insertContainer(container("c1", "p-web", "p"));
        state.updatePod("p", null, PodRecord.Status.RUNNING);
        state.setPodNetwork("p", "{\"network\":\"berth\",\"ports\":[]}");
        assertThat(state.pod("p")).get().extracting(PodRecord::status).isEqualTo(PodRecord.Status.RUNNING);
        assertThat(state.podNetwork("p")).get().asString().contains("\"network\":\"berth\"");
        assertThat(state.podsOnNetwork("berth", "other")).isEqualTo(1);
        assertThat(state.podsOnNetwork("berth", "p")).isZero();
        assertThat(state.containersOfPod("p")).extracting(ContainerRecord::name).containsExactly("p-web");
    }

    @Test
    void aServiceKeepsItsAddressAndItsRules() {
        state.insertService(new StateStore.ServiceRecord("web", "default", "10.96.0.10", "[]", "{}"));
        assertThatThrownBy(() -> state.insertService(new StateStore.ServiceRecord("db", "default", "10.96.0.10", "[]", "{}")))
                .as("an address is one Service's").isInstanceOf(BerthException.class);
        state.setServiceRules("web", "[[\"a\"]]");
        state.setServiceSpec("web", "{\"x\":1}");
        assertThat(state.services()).singleElement().isEqualTo(new StateStore.ServiceRecord("web", "default", "10.96.0.10", "[[\"a\"]]", "{\"x\":1}"));
        state.deleteService("web");
        assertThat(state.services()).isEmpty();
    }

    @Test
    void aReconcileIsPutAgainUnderItsName() {
        state.putReconcile(new StateStore.ReconcileRecord("site", "/srv/site", "r1", "[]", null, T0));
        state.putReconcile(new StateStore.ReconcileRecord("site", "/srv/site", "r2", "[]", "bad yaml", T0.plusSeconds(1)));
        assertThat(state.reconciles()).singleElement().satisfies(r -> {
            assertThat(r.revision()).isEqualTo("r2");
            assertThat(r.error()).isEqualTo("bad yaml");
        });
        state.deleteReconcile("site");
        assertThat(state.reconciles()).isEmpty();
    }

    /** The stored times read as the JDK reads them, whatever their precision; a seed is printed. */
    @Test
    void storedInstantsReadAsTheJdkReadsThem() {
        long seed = System.nanoTime();
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < 10_000; i++) {
            java.time.Instant t = java.time.Instant.ofEpochSecond(r.nextLong(0, 253402300799L), r.nextInt(4) == 0 ? 0 : r.nextInt(1_000_000_000));
            if (r.nextBoolean()) {
                t = t.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
            }
            org.assertj.core.api.Assertions.assertThat(Database.instant(t.toString())).as("seed %d: %s", seed, t).isEqualTo(t);
        }
        org.assertj.core.api.Assertions.assertThat(Database.instant("2026-12-07T22:47:44.1Z")).isEqualTo(java.time.Instant.parse("2026-12-07T22:47:44.1Z"));
        org.assertj.core.api.Assertions.assertThat(Database.instant(null)).isNull();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Database.instant("2026-12-07T2x:47:44Z")).isInstanceOf(java.time.format.DateTimeParseException.class);
    }

    /** What the supervisor compares before reading the state again: a change by this process or by another is seen, a read is not. */
    @Test
    void theVersionChangesWithEveryWriteFromAnyProcessAndNotWithReads() {
        state.putImage(image("i1", "busybox"));
        long v0 = state.version();
        state.containers();
        state.pods();
        assertThat(state.version()).isEqualTo(v0);
        state.insertContainer(container("c1", "web", null));
        long v1 = state.version();
        assertThat(v1).isNotEqualTo(v0);
        try (StateStore other = StateStore.open(new Layout(dir.resolve("root"), dir.resolve("run")))) {
            other.setReady(id("c1"), true, "ok");
        }
        assertThat(state.version()).isNotEqualTo(v1);
    }
}
