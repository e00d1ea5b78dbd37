package dev.berth.reconcile;

import static dev.berth.testing.BerthRoot.IMAGE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.Json;
import dev.berth.testing.BerthRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;

/** {@code berth reconcile} on real containers: a directory, a watch, a git repository, a roll under load. */
class ReconcileIT {
    /** A Deployment behind a Service, a ConfigMap it reads, and a pod of its own. */
    static final String APP = """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: conf}
            data: {greeting: "%s"}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec:
              selector: {app: web}
              ports: [{port: 80, targetPort: 8080}]
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              replicas: 2
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                    - name: httpd
                      image: %s
                      command: ["sh", "-c", "mkdir -p /srv && echo $GREETING $(hostname) > /srv/index.html && exec httpd -f -p 8080 -h /srv"]
                      env: [{name: GREETING, valueFrom: {configMapKeyRef: {name: conf, key: greeting}}}]
                      ports: [{containerPort: 8080}]
            """;

    static final String SOLO = """
            apiVersion: v1
            kind: Pod
            metadata: {name: solo}
            spec:
              terminationGracePeriodSeconds: 1
              restartPolicy: Never
              containers:
                - {name: c, image: %s, command: ["sleep", "1000"], env: [{name: V, value: "%s"}]}
            """;

    /** Writes a file as an editor saves it: a temporary file renamed over the old one. */
    static void save(Path file, String text) throws Exception {
        Path temp = file.resolveSibling("." + file.getFileName() + ".swp");
        Files.writeString(temp, text);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static List<String> pods(BerthRoot b) {
        return ((List<?>) Json.parse(b.berth("pod", "ps", "--format", "json").ok().out())).stream()
                .map(p -> (String) ((Map<?, ?>) p).get("Name")).sorted().toList();
    }

    /** The Services' rules and the guard (a pod's own CNI rules change when it is made again). */
    static List<String> serviceRules(BerthRoot b) {
        return b.rulesOfThisRoot().stream().filter(r -> r.contains("BERTH-")).toList();
    }

    static String env(BerthRoot b, String container, String name) {
        BerthRoot.Run r = b.berth("exec", container, "sh", "-c", "echo $" + name);
        return r.code() == 0 ? r.out().strip() : "exit " + r.code() + ": " + r.err().strip();
    }

    @Test
    void aDirectoryIsKeptInStepWithItsManifests() throws Exception {
        try (BerthRoot b = new BerthRoot().withSampleImage()) {
            Path dir = Files.createDirectories(b.dir.resolve("app"));
            save(dir.resolve("app.yaml"), APP.formatted("hello", IMAGE));
            save(dir.resolve("solo.yaml"), SOLO.formatted(IMAGE, "one"));
            try {
                BerthRoot.Run first = b.berth("reconcile", "--once", dir.toString());
                assertThat(first.code()).as(first.err()).isZero();
                assertThat(first.out()).contains("in sync and healthy");
                assertThat(pods(b)).containsExactly("solo", "web-0", "web-1");
                assertThat(b.berth("kube", "generate", "solo").ok().out()).contains("berth.dev/reconcile: app");

                // nothing changed: nothing is done
                BerthRoot.Run again = b.berth("reconcile", dir.toString());
                assertThat(again.code()).as(again.err()).isZero();
                assertThat(again.out()).contains("0 changed");

                // drift: Service rules deleted by hand are written again, a pod removed by hand comes back
                List<String> rules = serviceRules(b);
                String dnat = rules.stream().filter(r -> r.startsWith("nat -A BERTH-") && r.contains("DNAT")).findFirst().orElseThrow();
                List<String> delete = new java.util.ArrayList<>(List.of("iptables", "-t", "nat", "-D"));
                delete.addAll(List.of(dnat.substring("nat -A ".length()).split(" ")));
                assertThat(new ProcessBuilder(delete).inheritIO().start().waitFor()).isZero();
                assertThat(serviceRules(b)).doesNotContain(dnat);
                b.berth("pod", "rm", "-f", "solo").ok();
                assertThat(b.berth("reconcile", "status", "app").ok().out()).containsPattern("Pod/solo +OutOfSync +Missing");
                assertThat(b.berth("reconcile", dir.toString()).code()).isZero();
                assertThat(pods(b)).contains("solo");
                assertThat(serviceRules(b)).containsExactlyInAnyOrderElementsOf(rules);

                // a changed manifest replaces its pod; --dry-run says so first and changes nothing
                save(dir.resolve("solo.yaml"), SOLO.formatted(IMAGE, "two"));
                assertThat(b.berth("reconcile", "--dry-run", dir.toString()).ok().out()).contains("Pod/solo: replace: spec changed", "Pod/web-0: keep");
                assertThat(env(b, "solo-c", "V")).isEqualTo("one");
                assertThat(b.berth("reconcile", dir.toString()).code()).isZero();
                assertThat(env(b, "solo-c", "V")).isEqualTo("two");

                // a ConfigMap edit rolls the pods that read it, and only those
                save(dir.resolve("app.yaml"), APP.formatted("bonjour", IMAGE));
                BerthRoot.Run rolled = b.berth("reconcile", dir.toString());
                assertThat(rolled.code()).as(rolled.err()).isZero();
                List<String> after = pods(b);
                assertThat(after).hasSize(3).contains("solo").noneMatch(p -> p.equals("web-0") || p.equals("web-1"));
                String web = after.stream().filter(p -> p.startsWith("web-")).findFirst().orElseThrow();
                assertThat(env(b, web + "-httpd", "GREETING")).isEqualTo("bonjour");

                // a broken edit changes nothing, and says where
                save(dir.resolve("solo.yaml"), SOLO.formatted(IMAGE, "three").replace("containers:", "containers: [oops"));
                BerthRoot.Run broken = b.berth("reconcile", dir.toString());
                assertThat(broken.code()).isEqualTo(125);
                assertThat(broken.err()).contains("solo.yaml:");
                assertThat(env(b, "solo-c", "V")).isEqualTo("two");
                assertThat(b.berth("reconcile", "status").ok().out()).contains("last error (nothing changed)");

                // a file deleted: kept and reported without --prune, removed with it
                Files.delete(dir.resolve("solo.yaml"));
                BerthRoot.Run orphaned = b.berth("reconcile", dir.toString());
                assertThat(orphaned.code()).isEqualTo(125);
                assertThat(orphaned.out()).contains("Pod/solo OutOfSync");
                assertThat(pods(b)).contains("solo");
                assertThat(b.berth("reconcile", "--prune", dir.toString()).code()).isZero();
                assertThat(pods(b)).doesNotContain("solo");

                // a pod of the manifests' name made by hand is not this reconcile's
                Path byHand = Files.writeString(b.dir.resolve("hand.yaml"), SOLO.formatted(IMAGE, "hand"));
                b.berth("kube", "play", byHand.toString()).ok();
                save(dir.resolve("solo.yaml"), SOLO.formatted(IMAGE, "mine"));
                BerthRoot.Run conflict = b.berth("reconcile", "--prune", dir.toString());
                assertThat(conflict.code()).isEqualTo(125);
                assertThat(conflict.out()).contains("Pod/solo OutOfSync/Healthy (conflict: made outside this reconcile");
                assertThat(env(b, "solo-c", "V")).isEqualTo("hand");
                assertThat(b.berth("reconcile", "--adopt", dir.toString()).code()).isZero();
                assertThat(env(b, "solo-c", "V")).isEqualTo("mine");

                // an emptied directory is refused, saying how to remove everything; --allow-empty --prune does
                try (var files = Files.list(dir)) {
                    for (Path f : files.toList()) {
                        Files.delete(f);
                    }
                }
                BerthRoot.Run empty = b.berth("reconcile", "--prune", dir.toString());
                assertThat(empty.code()).isEqualTo(125);
                assertThat(empty.err()).contains("holds no manifests").contains("--allow-empty --prune").contains("berth reconcile down app");
                assertThat(pods(b)).hasSize(3).contains("solo");
                BerthRoot.Run emptied = b.berth("reconcile", "--allow-empty", "--prune", dir.toString());
                assertThat(emptied.code()).as(emptied.err()).isZero();
                assertThat(pods(b)).isEmpty();
            } finally {
                b.berth("reconcile", "down", "app");
            }
            b.assertNothingLeft();
        }
    }

    /** kube play scales a Deployment down as kubectl apply does, and never goes behind a reconcile's back (issue 28). */
    @Test
    void aPlayScalesDownAndRefusesAReconcilesPodsUnlessAdopted() throws Exception {
        try (BerthRoot b = new BerthRoot().withSampleImage()) {
            Path file = b.dir.resolve("web.yaml");
            Files.writeString(file, APP.formatted("hi", IMAGE).replace("replicas: 2", "replicas: 3"));
            Path dir = Files.createDirectories(b.dir.resolve("app"));
            save(dir.resolve("app.yaml"), APP.formatted("hi", IMAGE));
            try {
                b.berth("kube", "play", file.toString()).ok();
                assertThat(pods(b)).containsExactly("web-0", "web-1", "web-2");
                Files.writeString(file, APP.formatted("hi", IMAGE).replace("replicas: 2", "replicas: 1"));
                BerthRoot.Run down = b.berth("kube", "play", file.toString());
                assertThat(down.code()).as(down.err()).isZero();
                assertThat(down.out()).contains("pod web-0: unchanged", "pod web-2: removed: its workload has fewer replicas now");
                assertThat(pods(b)).containsExactly("web-0");
                b.berth("kube", "down", file.toString()).ok();

                // a reconcile's Deployment, rolled: a play of its file is refused, naming the reconcile
                assertThat(b.berth("reconcile", "--name", "app", dir.toString()).code()).isZero();
                save(dir.resolve("app.yaml"), APP.formatted("rolled", IMAGE));
                assertThat(b.berth("reconcile", "--name", "app", dir.toString()).code()).isZero();
                List<String> reconciled = pods(b);
                Files.writeString(file, APP.formatted("rolled", IMAGE));
                BerthRoot.Run refused = b.berth("kube", "play", file.toString());
                assertThat(refused.code()).isEqualTo(125);
                assertThat(refused.err()).contains("Deployment/web is reconcile app's", "--adopt");
                assertThat(pods(b)).isEqualTo(reconciled);

                // taken over with --adopt: the reconcile then sees pods of its Deployment it did not make
                assertThat(b.berth("kube", "play", "--adopt", file.toString()).code()).isZero();
                assertThat(pods(b)).containsExactly("web-0", "web-1");
                BerthRoot.Run seen = b.berth("reconcile", "--name", "app", dir.toString());
                assertThat(seen.code()).isEqualTo(125);
                assertThat(seen.out()).contains("made outside this reconcile");
            } finally {
                b.berth("kube", "down", file.toString());
                b.berth("reconcile", "down", "app");
            }
            b.assertNothingLeft();
        }
    }

    @Test
    void aDeploymentRollsWithoutAFailedRequestFromAClientOfItsService() throws Exception {
        try (BerthRoot b = new BerthRoot().withSampleImage()) {
            Path dir = Files.createDirectories(b.dir.resolve("rolling"));
            save(dir.resolve("app.yaml"), APP.formatted("v1", IMAGE));
            save(dir.resolve("client.yaml"), """
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: client}
                    spec:
                      terminationGracePeriodSeconds: 1
                      containers:
                        - name: c
                          image: %s
                          command: ["sh", "-c", "while true; do if out=$(timeout 2 wget -q -O - http://web:80/ 2>&1); then echo ok; else echo \\"FAIL $(date +%%T.%%N) $out\\"; fi; sleep 0.05; done"]
                    """.formatted(IMAGE));
            try {
                BerthRoot.Run first = b.berth("reconcile", dir.toString());
                assertThat(first.code()).as(first.err()).isZero();
                FaultIT.waitFor(() -> b.berth("logs", "client-c").out().contains("ok"), "the client to reach the Service");
                save(dir.resolve("app.yaml"), APP.formatted("v2", IMAGE));
                BerthRoot.Run roll = b.berth("reconcile", dir.toString());
                assertThat(roll.code()).as(roll.out() + roll.err()).isZero();
                assertThat(roll.out()).contains("Deployment/web  rolling", "Deployment/web  rolled");
                TimeUnit.SECONDS.sleep(3); // a request hung on a pod gone meanwhile fails after 2 s
                String log = b.berth("logs", "client-c").ok().out();
                assertThat(log.strip()).endsWith("ok");
                assertThat(log.lines().filter(l -> l.equals("ok")).count()).isGreaterThan(10);
                assertThat(log.lines().filter(l -> l.startsWith("FAIL"))).as("failed requests during the roll (time, wget's words); the roll:\n%s",
                        roll.out()).isEmpty();
                assertThat(pods(b)).hasSize(3).noneMatch(p -> p.equals("web-0") || p.equals("web-1"));
                assertThat(b.berth("reconcile", "status", "rolling").ok().out()).containsPattern("Deployment/web +Synced +Healthy");

                // a roll whose new pods never get ready stops there: the old pods keep serving, the Deployment is Degraded
                save(dir.resolve("app.yaml"), APP.formatted("v3", IMAGE).replace("exec httpd", "exit 3; exec httpd")
                        .replace("replicas: 2", "replicas: 2\n  progressDeadlineSeconds: 3"));
                BerthRoot.Run stalled = b.berth("reconcile", dir.toString());
                assertThat(stalled.code()).isEqualTo(125);
                assertThat(stalled.err()).contains("Deployment/web: roll stopped, the old pods keep serving");
                assertThat(b.berth("reconcile", "status", "rolling").ok().out()).containsPattern("Deployment/web +OutOfSync +Degraded");
                assertThat(pods(b)).hasSize(4);
                long before = log.lines().filter(l -> l.equals("ok")).count();
                TimeUnit.SECONDS.sleep(1);
                String serving = b.berth("logs", "client-c").ok().out();
                assertThat(serving.strip()).endsWith("ok");
                assertThat(serving.lines().filter(l -> l.equals("ok")).count()).isGreaterThan(before + 10);
                // the next pass does not wait for that roll again
                BerthRoot.Run again = b.berth("reconcile", dir.toString());
                assertThat(again.code()).isEqualTo(125);
                assertThat(again.out()).doesNotContain("Deployment/web  rolling");
            } finally {
                // kube down of the manifests finds the rolled pods too (web-<hash>-N), by their Deployment
                b.berth("kube", "down", "--timeout", "1", dir.toString()).ok();
                assertThat(pods(b)).isEmpty();
                b.berth("reconcile", "down", "rolling");
            }
            b.assertNothingLeft();
        }
    }

    @Test
    void aWatchAppliesEachSaveRestartsWhatCrashesAndLeavesThePodsToTheSupervisorWhenStopped() throws Exception {
        try (BerthRoot b = new BerthRoot().withSampleImage()) {
            Path dir = Files.createDirectories(b.dir.resolve("watched"));
            save(dir.resolve("solo.yaml"), SOLO.formatted(IMAGE, "one"));
            save(dir.resolve("app.yaml"), APP.formatted("hello", IMAGE));
            Path log = b.dir.resolve("watch.log");
            Process watch = new ProcessBuilder(b.processArgv("reconcile", "--watch", "--interval", "5", dir.toString()))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                try {
                    FaultIT.waitFor(() -> pods(b).size() == 3 && env(b, "solo-c", "V").equals("one"), "the first pass");
                    long saved = System.nanoTime();
                    save(dir.resolve("solo.yaml"), SOLO.formatted(IMAGE, "two"));
                    FaultIT.waitFor(() -> env(b, "solo-c", "V").equals("two"), "the save to be applied");
                    System.out.printf("reconcile --watch: save → replaced pod running in %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - saved));

                    save(dir.resolve("solo.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: solo}\nspec: {containers: [{name: c}]}\n");
                    FaultIT.waitFor(() -> read(log).contains("nothing changed, what runs keeps running"), "the broken edit to be reported");
                    assertThat(read(log)).contains("solo.yaml:4");
                    assertThat(env(b, "solo-c", "V")).isEqualTo("two");

                    // the watch does the supervisor's work: no supervisor process, yet a killed container comes back
                    assertThat(SupervisorIT.supervisors(b)).isEmpty();
                    Map<?, ?> httpd = (Map<?, ?>) ((List<?>) Json.parse(b.berth("inspect", "web-0-httpd").ok().out())).get(0);
                    long pid = ((Number) ((Map<?, ?>) httpd.get("State")).get("Pid")).longValue();
                    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
                    FaultIT.waitFor(() -> restarts(b, "web-0") >= 1, "web-0-httpd to be restarted by the watch");
                    assertThat(SupervisorIT.supervisors(b)).isEmpty();
                } finally {
                    watch.destroy(); // SIGTERM, as Ctrl-C
                    assertThat(watch.waitFor(60, TimeUnit.SECONDS)).isTrue();
                }
                assertThat(pods(b)).hasSize(3); // left running, now the supervisor's
                FaultIT.waitFor(() -> SupervisorIT.supervisors(b).size() == 1, "the supervisor to take the pods over");
            } finally {
                b.berth("reconcile", "down", "watched").ok();
            }
            FaultIT.waitFor(() -> SupervisorIT.supervisors(b).isEmpty(), "the supervisor to leave");
            b.assertNothingLeft();
        }
    }

    static int restarts(BerthRoot b, String pod) {
        return ((List<?>) Json.parse(b.berth("pod", "ps", "--format", "json").ok().out())).stream().map(p -> (Map<?, ?>) p)
                .filter(p -> p.get("Name").equals(pod)).flatMap(p -> ((List<?>) p.get("Containers")).stream())
                .mapToInt(c -> ((Number) ((Map<?, ?>) c).get("RestartCount")).intValue()).sum();
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Test
    void aGitRepositoryIsAppliedCommitByCommitAndARevertGoesBack() throws Exception {
        try (BerthRoot b = new BerthRoot().withSampleImage()) {
            Path bare = b.dir.resolve("app.git");
            Path work = b.dir.resolve("work");
            try (Git origin = Git.init().setBare(true).setDirectory(bare.toFile()).setInitialBranch("main").call();
                    Git git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
                git.remoteAdd().setName("origin").setUri(new org.eclipse.jgit.transport.URIish(bare.toUri().toString())).call();
                Files.createDirectories(work.resolve("deploy"));
                Files.writeString(work.resolve("deploy/solo.yaml"), SOLO.formatted(IMAGE, "one"));
                Files.writeString(work.resolve("README"), "not a manifest");
                RevCommit one = commit(git, "one");
                String url = "file://" + bare;
                try {
                    BerthRoot.Run first = b.berth("reconcile", "--git", url, "--path", "deploy", "--name", "gitops");
                    assertThat(first.code()).as(first.err()).isZero();
                    assertThat(first.out()).contains("revision " + one.name().substring(0, 12));
                    assertThat(env(b, "solo-c", "V")).isEqualTo("one");

                    Files.writeString(work.resolve("deploy/solo.yaml"), SOLO.formatted(IMAGE, "two"));
                    RevCommit two = commit(git, "two");
                    assertThat(b.berth("reconcile", "--git", url, "--path", "deploy", "--name", "gitops").code()).isZero();
                    assertThat(env(b, "solo-c", "V")).isEqualTo("two");
                    assertThat(b.berth("reconcile", "status", "gitops").ok().out()).contains(two.name()).containsPattern("Pod/solo +Synced +Healthy");
                    assertMatchesSchema(b.berth("--format", "json", "reconcile", "status").ok().out());

                    git.revert().include(two).call();
                    git.push().setRemote("origin").call();
                    assertThat(b.berth("reconcile", "--git", url, "--path", "deploy", "--name", "gitops").code()).isZero();
                    assertThat(env(b, "solo-c", "V")).isEqualTo("one");

                    // a pinned revision, and one that does not exist
                    assertThat(b.berth("reconcile", "--git", url, "--ref", two.name(), "--path", "deploy", "--name", "gitops").code()).isZero();
                    assertThat(env(b, "solo-c", "V")).isEqualTo("two");
                    BerthRoot.Run missing = b.berth("reconcile", "--git", url, "--ref", "nope", "--path", "deploy", "--name", "gitops");
                    assertThat(missing.code()).isEqualTo(125);
                    assertThat(missing.err()).contains("no branch, tag or commit nope");
                } finally {
                    b.berth("reconcile", "down", "gitops");
                }
                assertThat(b.root.resolve("git/gitops")).as("the clone goes with its reconcile").doesNotExist();
            }
            b.assertNothingLeft();
        }
    }

    static void assertMatchesSchema(String json) throws Exception {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var schema = com.networknt.schema.JsonSchemaFactory.getInstance(com.networknt.schema.SpecVersion.VersionFlag.V202012)
                .getSchema(mapper.readTree(Path.of("schemas/reconcile-status.schema.json").toFile()));
        assertThat(schema.validate(mapper.readTree(json))).isEmpty();
        assertThat(schema.validate(mapper.readTree(json.replace("\"Synced\"", "\"Fine\"")))).isNotEmpty();
    }

    static RevCommit commit(Git git, String message) throws Exception {
        git.add().addFilepattern(".").call();
        RevCommit c = git.commit().setMessage(message).setAuthor("t", "t@example.com").setCommitter("t", "t@example.com").call();
        git.push().setRemote("origin").add("main").call();
        return c;
    }
}
