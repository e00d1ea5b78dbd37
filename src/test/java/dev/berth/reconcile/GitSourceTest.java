package dev.berth.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.api.BerthException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A reconcile's git repository: links that lead out of the checkout are refused, never read. */
class GitSourceTest {
    static final String SECRET = "host-only-value-7f3a";

    @TempDir
    Path tmp;

    /** A repository whose {@code deploy/} holds {@code pod.yaml}, and what {@code extra} adds; its URL. */
    private String repository(Extra extra) throws Exception {
        Path work = tmp.resolve("work");
        try (Git git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
            Files.createDirectories(work.resolve("deploy"));
            Files.writeString(work.resolve("deploy/pod.yaml"), "kind: Pod\n");
            extra.add(work);
            git.add().addFilepattern(".").call();
            git.commit().setMessage("one").setAuthor("t", "t@example.com").setCommitter("t", "t@example.com").call();
        }
        return "file://" + work;
    }

    interface Extra {
        void add(Path work) throws Exception;
    }

    private Path outside() throws Exception {
        Path host = Files.createDirectories(tmp.resolve("host"));
        Files.writeString(host.resolve("cm.yaml"), "kind: ConfigMap\ndata: {v: " + SECRET + "}\n");
        return host;
    }

    private GitSource source(String url, String path) {
        return new GitSource(url, "main", tmp.resolve("clone"), path);
    }

    @Test
    void aLinkToAHostFileIsRefusedNamingTheLinkNotTheContent() throws Exception {
        Path host = outside();
        GitSource source = source(repository(w -> Files.createSymbolicLink(w.resolve("deploy/cm.yaml"), host.resolve("cm.yaml"))), "deploy");
        source.sync();
        assertThatThrownBy(source::manifests).isInstanceOf(BerthException.class)
                .hasMessageContaining("deploy/cm.yaml is a symbolic link that leads out of the repository")
                .hasMessageNotContaining(SECRET).hasMessageNotContaining(host.toString());
    }

    @Test
    void aLinkRelativeOutOfTheCheckoutIsRefusedToo() throws Exception {
        GitSource source = source(repository(w -> Files.createSymbolicLink(w.resolve("deploy/shadow.yaml"), Path.of("../../../../../../etc/shadow"))), "deploy");
        source.sync();
        assertThatThrownBy(source::manifests).hasMessageContaining("deploy/shadow.yaml is a symbolic link");
    }

    @Test
    void aPathThatIsALinkOutIsRefused() throws Exception {
        Path host = outside();
        GitSource source = source(repository(w -> Files.createSymbolicLink(w.resolve("linked"), host)), "linked");
        source.sync();
        assertThatThrownBy(source::manifests).hasMessageContaining("linked is a symbolic link that leads out of the repository");
    }

    @Test
    void aLinkOutInASubdirectoryIsRefused() throws Exception {
        Path host = outside();
        GitSource source = source(repository(w -> {
            Files.createDirectories(w.resolve("deploy/sub"));
            Files.createSymbolicLink(w.resolve("deploy/sub/cm.yaml"), host.resolve("cm.yaml"));
        }), "deploy");
        source.sync();
        assertThatThrownBy(source::manifests).hasMessageContaining("deploy/sub/cm.yaml is a symbolic link");
    }

    @Test
    void linksThatStayInsideAreFollowed() throws Exception {
        GitSource source = source(repository(w -> {
            Files.createDirectories(w.resolve("shared"));
            Files.writeString(w.resolve("shared/cm.yaml"), "kind: ConfigMap\n");
            Files.createSymbolicLink(w.resolve("deploy/cm.yaml"), Path.of("../shared/cm.yaml"));
            Files.createSymbolicLink(w.resolve("alias"), Path.of("deploy"));
        }), "alias");
        source.sync();
        Path manifests = source.manifests();
        assertThat(Files.readString(manifests.resolve("cm.yaml"))).isEqualTo("kind: ConfigMap\n");
    }

    @Test
    void aMissingRepositoryOrPathIsSaidPlainly() throws Exception {
        assertThatThrownBy(() -> source("file://" + tmp.resolve("nothing-here"), null).sync())
                .hasMessageContaining("no repository there");
        GitSource source = source(repository(w -> {}), "nope");
        source.sync();
        assertThatThrownBy(source::manifests).hasMessageContaining("--path nope: no such directory in the repository");
    }
}
