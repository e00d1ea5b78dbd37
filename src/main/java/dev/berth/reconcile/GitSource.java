package dev.berth.reconcile;

import dev.berth.api.BerthException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.stream.Stream;
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
        } catch (org.eclipse.jgit.api.errors.InvalidRemoteException e) {
            throw new BerthException(BerthException.Kind.NOT_FOUND, "git " + url + ": no repository there (it does not exist, or is not a git repository)", e);
        } catch (GitAPIException | IOException | org.eclipse.jgit.api.errors.JGitInternalException e) {
            throw new BerthException(BerthException.Kind.HOST, "git " + url + ": " + e.getMessage(), e);
        }
    }

    /**
     * The directory of the manifests in the checked-out revision. A repository's symbolic links
     * are not the user's: one that leads out of the checkout ({@code --path} itself, or any link
     * under it) is refused, naming the link and never reading what it points at.
     */
    public Path manifests() {
        Path manifests = dir.resolve(path).normalize();
        try {
            Path top = dir.toRealPath();
            if (!Files.exists(manifests, LinkOption.NOFOLLOW_LINKS)) {
                throw new BerthException(BerthException.Kind.NOT_FOUND, "git " + url + ": --path " + path + ": no such directory in the repository");
            }
            refuseLinkOut(top, manifests);
            if (Files.isDirectory(manifests)) {
                try (Stream<Path> all = Files.walk(manifests)) {
                    for (Path p : (Iterable<Path>) all::iterator) {
                        refuseLinkOut(top, p);
                    }
                }
            }
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "git " + url + ": cannot read the checkout: " + e.getMessage(), e);
        }
        return manifests;
    }

    /** Refuses {@code p} (or a parent of it under {@code top}) when it is a link whose target is not inside {@code top}. */
    private void refuseLinkOut(Path top, Path p) throws IOException {
        for (Path at = p; at.startsWith(dir) && !at.equals(dir); at = at.getParent()) {
            if (!Files.isSymbolicLink(at)) {
                continue;
            }
            Path target;
            try {
                target = at.toRealPath();
            } catch (IOException dangling) {
                target = null;
            }
            if (target == null || !target.startsWith(top)) {
                throw new BerthException(BerthException.Kind.INVALID_INPUT, "git " + url + ": " + dir.relativize(at)
                        + " is a symbolic link that leads out of the repository; refused (a repository's links must stay inside it)");
            }
        }
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
