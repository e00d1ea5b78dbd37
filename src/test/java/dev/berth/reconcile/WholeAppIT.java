package dev.berth.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.BerthRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * An application as it is written for a cluster, played as it is: a Namespace, a ServiceAccount
 * with RBAC, an HPA, a custom resource, a claim bound to a hostPath PersistentVolume and an nfs
 * volume made local by --substitute-volumes.
 */
class WholeAppIT {
    private static final String APP = """
            apiVersion: v1
            kind: Namespace
            metadata: {name: shop}
            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: writer, namespace: shop}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: writer, namespace: shop}
            subjects: [{kind: ServiceAccount, name: writer, namespace: shop}]
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
            ---
            apiVersion: v1
            kind: PersistentVolume
            metadata: {name: uploads}
            spec:
              capacity: {storage: 1Gi}
              accessModes: [ReadWriteOnce]
              hostPath: {path: HOSTPATH}
              claimRef: {name: uploads, namespace: shop}
            ---
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata: {name: uploads, namespace: shop}
            spec:
              accessModes: [ReadWriteOnce]
              resources: {requests: {storage: 1Gi}}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: writer, namespace: shop}
            spec:
              selector: {matchLabels: {app: writer}}
              template:
                metadata: {labels: {app: writer}}
                spec:
                  serviceAccountName: writer
                  terminationGracePeriodSeconds: 1
                  nodeSelector: {kubernetes.io/os: linux}
                  containers:
                    - name: main
                      image: localhost/berth-busybox:latest
                      command: [sh, -c, "echo $NS > /uploads/namespace && echo kept > /shared/file && sleep 600"]
                      env:
                        - name: NS
                          valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
                      readinessProbe: {exec: {command: [test, -f, /shared/file]}, periodSeconds: 1}
                      volumeMounts:
                        - {name: uploads, mountPath: /uploads}
                        - {name: shared, mountPath: /shared}
                  volumes:
                    - {name: uploads, persistentVolumeClaim: {claimName: uploads}}
                    - {name: shared, nfs: {server: nfs.example.test, path: /exports/shared}}
            ---
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata: {name: writer, namespace: shop}
            spec:
              scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: writer}
              maxReplicas: 4
            ---
            apiVersion: monitoring.coreos.com/v1
            kind: ServiceMonitor
            metadata: {name: writer, namespace: shop}
            spec: {selector: {matchLabels: {app: writer}}}
            """;

    @Test
    void everyKindIsAcceptedAndTheClaimUsesThePersistentVolumesHostPath() throws Exception {
        try (BerthRoot b = new BerthRoot().withSampleImage()) {
            Path hostPath = b.dir.resolve("uploads");
            Path m = Files.writeString(b.dir.resolve("app.yaml"), APP.replace("HOSTPATH", hostPath.toString()));
            try {
                BerthRoot.Run refused = b.berth("kube", "play", m.toString());
                assertThat(refused.code()).isEqualTo(125);
                assertThat(refused.err()).contains("app.yaml:55: spec.template.spec.volumes[1].nfs: nfs needs storage one host does not have",
                        "--substitute-volumes");
                assertThat(b.berth("pod", "ps").ok().out()).doesNotContain("writer");

                BerthRoot.Run play = b.berth("kube", "play", "--substitute-volumes", m.toString());
                assertThat(play.code()).as(play.out() + play.err()).isZero();
                assertThat(play.err()).contains("ServiceAccount/writer: accepted, not applied on one host",
                        "RoleBinding/writer: accepted, not applied on one host", "HorizontalPodAutoscaler/writer: accepted, not applied",
                        "custom resource ServiceMonitor (monitoring.coreos.com/v1): accepted", "nodeSelector: not applied on one host",
                        "volume \"shared\" is the local named volume writer-shared (--substitute-volumes)");
                assertThat(play.out()).contains("Container/writer-0/main  ready");
                assertThat(Files.readString(hostPath.resolve("namespace"))).isEqualTo("shop\n");
                assertThat(b.berth("volume", "ls").ok().out()).contains("writer-shared").doesNotContain("uploads");

                b.berth("kube", "down", "--timeout", "1", m.toString()).ok();
                assertThat(hostPath.resolve("namespace")).as("a hostPath volume outlives its pods").exists();
            } finally {
                b.berth("kube", "down", "--timeout", "1", m.toString());
            }
            b.assertNothingLeft();
        }
    }
}
