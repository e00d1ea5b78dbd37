package dev.berth.reconcile;

import dev.berth.api.BerthException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;

/**
 * A git repository as the source of a reconcile, through Eclipse JGit (no git binary): cloned
 * once into the root, fetched at every pass, the wanted revision checked out (detached, forced,
 * untracked files cleaned) so that its manifests can be read as a directory.
 */
public final class GitSource {
    private final String url;
    private final String ref;
    private final Path dir;
    private final String path;

    /**
     * @param dir  where the clone lives (under the root)
     * @param ref  a branch, tag or commit; null for the remote's default branch
     * @param path the manifests' directory inside the repository, or null for its top
     */
    public GitSource(String url, String ref, Path dir, String path) {
        this.url = url;
        this.ref = ref;
        this.dir = dir;
        this.path = path == null ? "" : path;
        if (Path.of(this.path).isAbsolute() || Path.of(this.path).normalize().startsWith("..")) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "--path " + path + ": must be a directory inside the repository");
        }
    }

    /** Fetches (clones the first time) and checks out the wanted revision; returns its commit. */
    public String sync() {
        try {
            if (!Files.isDirectory(dir.resolve(".git"))) {
                Files.createDirectories(dir.getParent());
                try (Git git = Git.cloneRepository().setURI(url).setDirectory(dir.toFile()).setNoCheckout(true).call()) {
                    return checkout(git);
                }
            }
            try (Git git = Git.open(dir.toFile())) {
                git.fetch().setRemote("origin").setRemoveDeletedRefs(true).setTagOpt(org.eclipse.jgit.transport.TagOpt.FETCH_TAGS).call();
                return checkout(git);
            }
        } catch (GitAPIException | IOException | org.eclipse.jgit.api.errors.JGitInternalException e) {
            throw new BerthException(BerthException.Kind.HOST, "git " + url + ": " + e.getMessage(), e);
        }
    }

    /** The directory of the manifests in the checked-out revision. */
    public Path manifests() {
        return dir.resolve(path).normalize();
    }

    private String checkout(Git git) throws GitAPIException, IOException {
        ObjectId commit = resolve(git);
        git.checkout().setName(commit.name()).setForced(true).call();
        git.clean().setCleanDirectories(true).setForce(true).setIgnore(false).call();
        return commit.name();
    }

    private ObjectId resolve(Git git) throws GitAPIException, IOException {
        Repository repo = git.getRepository();
        if (ref == null) {
            for (Ref r : Git.lsRemoteRepository().setRemote(url).call()) {
                if (r.getName().equals("HEAD")) {
                    return r.getObjectId();
                }
            }
            throw new BerthException(BerthException.Kind.NOT_FOUND, "git " + url + ": the remote has no HEAD; give --ref BRANCH");
        }
        for (String candidate : new String[] {"refs/remotes/origin/" + ref, "refs/tags/" + ref + "^{commit}", ref + "^{commit}"}) {
            ObjectId id = repo.resolve(candidate);
            if (id != null) {
                return id;
            }
        }
        throw new BerthException(BerthException.Kind.NOT_FOUND, "git " + url + ": no branch, tag or commit " + ref);
    }
}
