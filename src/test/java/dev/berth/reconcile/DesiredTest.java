package dev.berth.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.Canonical;
import dev.berth.api.Manifests;
import dev.berth.api.PodSpec;
import dev.berth.api.Rollout;
import dev.berth.manifest.ManifestReader;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A reconcile pass's decisions, from manifests and made-up pods: no root, no host. */
class DesiredTest {
    static final String APP = """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: conf}
            data: {greeting: %s}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              replicas: %d
              strategy: {type: %s}
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers:
                    - name: httpd
                      image: %s
                      env: [{name: GREETING, valueFrom: {configMapKeyRef: {name: conf, key: greeting}}}]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: solo}
            spec:
              containers: [{name: c, image: busybox}]
            """;

    static Manifests read(String yaml) {
        return new ManifestReader(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).read(List.of("-"), new ManifestReader.Options(false, false, false, 0));
    }

    static Manifests app(String greeting, int replicas, String strategy, String image) {
        return Desired.stamp("demo", read(APP.formatted(greeting, replicas, strategy, image)));
    }

    /** The pods a pass leaves running, as berth would have recorded them. */
    static List<Desired.Live> after(Desired.Pass pass) {
        List<Desired.Live> live = new ArrayList<>();
        pass.pods().forEach(p -> live.add(new Desired.Live(p, Canonical.hash(p))));
        pass.rolls().forEach(r -> r.fresh().forEach(p -> live.add(new Desired.Live(p, Canonical.hash(p)))));
        live.removeIf(l -> pass.first().contains(l.name()) || pass.after().contains(l.name())
                || pass.rolls().stream().anyMatch(r -> r.old().contains(l.spec())));
        return live;
    }

    @Test
    void aFirstPassCreatesEveryPodUnderKubePlaysNamesAndMarksThemAsItsOwn() {
        Desired.Pass pass = Desired.plan("demo", app("hi", 2, "RollingUpdate", "busybox"), List.of(), false, false);
        assertThat(pass.pods()).extracting(PodSpec::name).containsExactly("solo", "web-0", "web-1");
        assertThat(pass.actions()).containsEntry("Pod/web-0", "create").containsEntry("Pod/solo", "create");
        assertThat(pass.pods()).allSatisfy(p -> assertThat(p.labels()).containsEntry(Desired.OWNER_LABEL, "demo"));
        assertThat(pass.pods().get(1).annotations()).containsKeys(Desired.CONFIG_HASH, Desired.TEMPLATE_HASH);
        assertThat(pass.pods().get(0).annotations()).doesNotContainKey(Desired.CONFIG_HASH);
        assertThat(pass.inSync()).isFalse();
        Desired.Pass again = Desired.plan("demo", app("hi", 2, "RollingUpdate", "busybox"), after(pass), false, false);
        assertThat(again.actions().values()).containsOnly("keep");
        assertThat(again.inSync()).isTrue();
    }

    @Test
    void aChangedTemplateRollsToPodsWithNamesOfTheirOwnWhileTheOldOnesServe() {
        Desired.Pass first = Desired.plan("demo", app("hi", 2, "RollingUpdate", "busybox"), List.of(), false, false);
        Desired.Pass roll = Desired.plan("demo", app("hi", 2, "RollingUpdate", "busybox:2"), after(first), false, false);
        assertThat(roll.rolls()).hasSize(1);
        Desired.Roll r = roll.rolls().get(0);
        assertThat(r.old()).extracting(PodSpec::name).containsExactly("web-0", "web-1");
        assertThat(r.fresh()).extracting(PodSpec::name).allMatch(n -> n.matches("web-[0-9a-f]{5}-[01]"));
        assertThat(roll.pods()).extracting(PodSpec::name).contains("web-0", "web-1", "solo"); // serving until rolled away
        assertThat(roll.actions()).containsEntry("Pod/solo", "keep").containsEntry("Pod/web-0", "roll away: Deployment/web has a new template");
        // after the roll, the next pass keeps the new pods, and a further change rolls them to yet other names
        Desired.Pass kept = Desired.plan("demo", app("hi", 2, "RollingUpdate", "busybox:2"), after(roll), false, false);
        assertThat(kept.inSync()).isTrue();
        Desired.Pass back = Desired.plan("demo", app("hi", 2, "RollingUpdate", "busybox"), after(roll), false, false);
        assertThat(back.rolls().get(0).fresh()).extracting(PodSpec::name).doesNotContainAnyElementsOf(
                r.fresh().stream().map(PodSpec::name).toList());
    }

    @Test
    void aChangedConfigMapRollsThePodsThatUseItAndOnlyThem() {
        Desired.Pass first = Desired.plan("demo", app("hi", 1, "RollingUpdate", "busybox"), List.of(), false, false);
        Desired.Pass next = Desired.plan("demo", app("hello", 1, "RollingUpdate", "busybox"), after(first), false, false);
        assertThat(next.rolls()).hasSize(1);
        assertThat(next.actions()).containsEntry("Pod/solo", "keep");
    }

    @Test
    void recreateRemovesTheOldPodsBeforeTheNewOnesStart() {
        Desired.Pass first = Desired.plan("demo", app("hi", 2, "Recreate", "busybox"), List.of(), false, false);
        Desired.Pass next = Desired.plan("demo", app("hi", 2, "Recreate", "busybox:2"), after(first), false, false);
        assertThat(next.rolls()).isEmpty();
        assertThat(next.first()).containsExactly("web-0", "web-1");
        assertThat(next.pods()).extracting(PodSpec::name).contains("solo").anyMatch(n -> n.matches("web-[0-9a-f]{5}-1"));
    }

    @Test
    void scalingDownRemovesTheHighestIndexesWithoutPrune() {
        Desired.Pass first = Desired.plan("demo", app("hi", 3, "RollingUpdate", "busybox"), List.of(), false, false);
        Desired.Pass next = Desired.plan("demo", app("hi", 1, "RollingUpdate", "busybox"), after(first), false, false);
        assertThat(next.after()).containsExactly("web-1", "web-2");
        assertThat(next.actions()).containsEntry("Pod/web-2", "remove: Deployment/web scaled to 1");
    }

    @Test
    void aPodWhoseManifestIsGoneIsKeptAndReportedUnlessPruned() {
        Desired.Pass first = Desired.plan("demo", app("hi", 1, "RollingUpdate", "busybox"), List.of(), false, false);
        String yaml = APP.formatted("hi", 1, "RollingUpdate", "busybox");
        Manifests without = Desired.stamp("demo", read(yaml.substring(0, yaml.lastIndexOf("---\n"))));
        Desired.Pass kept = Desired.plan("demo", without, after(first), false, false);
        assertThat(kept.orphans()).containsExactly("solo");
        assertThat(kept.after()).isEmpty();
        assertThat(kept.inSync()).isFalse();
        Desired.Pass pruned = Desired.plan("demo", without, after(first), false, true);
        assertThat(pruned.after()).containsExactly("solo");
        assertThat(pruned.actions()).containsEntry("Pod/solo", "prune: no longer in the manifests");
    }

    @Test
    void podsMadeOutsideTheReconcileAreLeftAloneUnlessAdopted() {
        PodSpec byHand = read(APP.formatted("hi", 1, "RollingUpdate", "busybox")).pod("solo").orElseThrow();
        List<Desired.Live> live = List.of(new Desired.Live(byHand, Canonical.hash(byHand)));
        Desired.Pass pass = Desired.plan("demo", app("hi", 1, "RollingUpdate", "busybox"), live, false, true);
        assertThat(pass.conflicts()).containsExactly("solo");
        assertThat(pass.pods()).extracting(PodSpec::name).doesNotContain("solo");
        assertThat(pass.after()).isEmpty(); // never pruned either: it is not this reconcile's
        Desired.Pass adopted = Desired.plan("demo", app("hi", 1, "RollingUpdate", "busybox"), live, true, false);
        assertThat(adopted.actions()).containsEntry("Pod/solo", "replace: adopted");
        // another reconcile's pods are never this one's orphans
        Manifests other = Desired.stamp("other", read("{apiVersion: v1, kind: Pod, metadata: {name: x}, spec: {containers: [{name: c, image: busybox}]}}"));
        assertThat(Desired.plan("other", other, after(adopted), false, true).after()).isEmpty();
    }

    /** After a roll, a kube play of the same file made web-0 and web-1 beside the reconcile's pods (issue 28): seen, not "in sync". */
    @Test
    void podsOfItsDeploymentMadeOutsideTheReconcileAreConflictsAndAdoptRemovesThem() {
        Desired.Pass first = Desired.plan("demo", app("hi", 2, "RollingUpdate", "busybox"), List.of(), false, false);
        Desired.Pass roll = Desired.plan("demo", app("hi", 2, "RollingUpdate", "busybox:2"), after(first), false, false);
        List<Desired.Live> live = new ArrayList<>(after(roll));
        Manifests played = read(APP.formatted("hi", 2, "RollingUpdate", "busybox:2"));
        played.pods().stream().filter(p -> p.deployment() != null).forEach(p -> live.add(new Desired.Live(p, Canonical.hash(p))));
        Desired.Pass seen = Desired.plan("demo", app("hi", 2, "RollingUpdate", "busybox:2"), live, false, false);
        assertThat(seen.conflicts()).containsExactly("web-0", "web-1");
        assertThat(seen.actions()).containsEntry("Pod/web-0", "conflict: a pod of Deployment/web made outside this reconcile (--adopt removes it)");
        assertThat(seen.inSync()).isFalse();
        Desired.Pass adopted = Desired.plan("demo", app("hi", 2, "RollingUpdate", "busybox:2"), live, true, false);
        assertThat(adopted.after()).containsExactly("web-0", "web-1");
        assertThat(adopted.conflicts()).isEmpty();
    }

    @Test
    void aRollNeverExceedsItsSurgeNorDropsBelowWhatMayBeUnavailable() {
        for (int replicas = 1; replicas <= 7; replicas++) {
            for (String[] su : new String[][] {{"25%", "25%"}, {"1", "0"}, {"0", "1"}, {"2", "1"}, {"100%", "0"}, {"0", "50%"}}) {
                Rollout r = new Rollout("RollingUpdate", su[0], su[1], 0, 600);
                int old = replicas;
                int fresh = 0;
                for (Desired.Step s : Desired.steps(replicas, replicas, replicas, r)) {
                    old -= s.down();
                    assertThat(old + fresh).as("available, %d replicas, %s", replicas, String.join("/", su))
                            .isGreaterThanOrEqualTo(replicas - r.unavailable(replicas));
                    fresh += s.up();
                    assertThat(old + fresh).as("total, %d replicas, %s", replicas, String.join("/", su))
                            .isLessThanOrEqualTo(replicas + r.surge(replicas));
                    old -= s.extra();
                }
                assertThat(old).isZero();
                assertThat(fresh).isEqualTo(replicas);
            }
        }
        assertThat(Desired.steps(2, 2, 2, Rollout.DEFAULT)).containsExactly(new Desired.Step(0, 1, 1), new Desired.Step(0, 1, 1));
    }
}
