package dev.berth.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.sys.Linux;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * berth run by an ordinary user (made by the test, removed after it): {@code system check} lists
 * what containers without root need and how to fix it, and commands that need root say so.
 */
class RootlessIT {
    record Run(int code, String out) {}

    @Test
    void aUserSeesWhatIsMissingForContainersWithoutRootAndRootsStoreIsNotTouched() throws Exception {
        assumeTrue(Linux.isRoot(), "making a user needs root");
        String user = "bt" + UUID.randomUUID().toString().substring(0, 8);
        Path dir = Files.createTempDirectory("bt-rootless-");
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path home = dir.resolve("home");
        try {
            // a system user: useradd gives other new users subordinate ranges of their own
            run("useradd", "--system", "--create-home", "--home-dir", home.toString(), "--shell", "/bin/sh", user);
            // the user cannot read the build directory under root's home: give it a copy of the jar and its libraries
            run("cp", "-r", "target/berth.jar", "target/lib", home.toString());
            run("chown", "-R", user + ":", home.toString());

            Run check = asUser(user, home, "system", "check");
            assertThat(check.code()).as(check.out()).isEqualTo(125);
            assertThat(check.out()).containsPattern("/etc/subuid +MISSING +no range for " + user + "; fix as root: usermod --add-subuids"
                    + " 100000-165535 --add-subgids 100000-165535 " + user).containsPattern("newuidmap +(ok|MISSING)");

            run("usermod", "--add-subuids", "300000-365535", "--add-subgids", "300000-365535", user);
            Run fixed = asUser(user, home, "system", "check");
            assertThat(fixed.out()).containsPattern("/etc/subuid +ok +65536 ids from 300000")
                    .containsPattern("/etc/subgid +ok +65536 ids from 300000");
            assertThat(fixed.code()).as("0 once nothing is missing").isEqualTo(fixed.out().contains("MISSING") ? 125 : 0);

            Run ps = asUser(user, home, "ps");
            assertThat(ps.code()).isEqualTo(125);
            assertThat(ps.out()).contains("berth needs root for now", "berth system check").doesNotContain("Exception");
            assertThat(home.resolve(".local/share/berth/state.db")).as("nothing made in the user's store yet").doesNotExist();
        } finally {
            run("userdel", "--remove", user);
            run("rm", "-rf", dir.toString());
        }
        assertThat(Files.readString(Path.of("/etc/subuid"))).doesNotContain(user + ":");
    }

    private static Run asUser(String user, Path home, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("runuser", "-u", user, "--", "env", "-i", "HOME=" + home, "PATH=/usr/bin:/bin",
                "USER=" + user, "java", "-Duser.name=" + user, "-jar", home.resolve("berth.jar").toString()));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).directory(home.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    private static void run(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", argv) + ": " + out).isZero();
    }
}
