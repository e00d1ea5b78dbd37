package dev.berth.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocksTest {
    @TempDir
    Path dir;

    @Test
    void aSecondHolderWaitsSaysForWhomAndGetsTheLockOnRelease() throws Exception {
        Locks first = new Locks(dir);
        Locks second = new Locks(dir); // another Berth of the same root in this JVM
        List<String> told = new ArrayList<>();
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Void> other;
        try (Locks.Held held = first.pod("web", who -> {})) {
            assertThat(Files.readString(dir.resolve("pod-web.lock"))).isEqualTo(Long.toString(ProcessHandle.current().pid()));
            other = CompletableFuture.runAsync(() -> {
                try (Locks.Held h = second.pod("web", who -> {
                    told.add(who);
                    waiting.countDown();
                })) {
                    // got it
                }
            });
            assertThat(waiting.await(10, TimeUnit.SECONDS)).as("the second holder was told it waits").isTrue();
            assertThat(other).isNotDone();
        }
        other.get(10, TimeUnit.SECONDS);
        assertThat(told).containsExactly("another task of this process");
    }

    @Test
    void differentResourcesDoNotWaitForEachOther() {
        Locks locks = new Locks(dir);
        try (Locks.Held a = locks.pod("a", who -> {
            throw new AssertionError("waited for " + who);
        }); Locks.Held b = locks.pod("b", who -> {
            throw new AssertionError("waited for " + who);
        }); Locks.Held n = locks.network("berth"); Locks.Held s = locks.services()) {
            assertThat(dir.resolve("pod-a.lock")).exists();
            assertThat(dir.resolve("network-berth.lock")).exists();
        }
    }
}
