package dev.berth.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.Manifests;
import dev.berth.testing.Yaml;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Misspelt fields at every level are errors at their line with a suggestion; fields berth does not apply are said once. */
class StrictFieldsTest {
    /** An application using fields at every level; each case below misspells one of them. */
    static final String APP = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
              labels: {app: web}
            spec:
              replicas: 2
              selector:
                matchLabels: {app: web}
              strategy:
                rollingUpdate: {maxSurge: 1}
              template:
                metadata:
                  labels: {app: web}
                spec:
                  terminationGracePeriodSeconds: 2
                  securityContext: {runAsUser: 1000}
                  volumes:
                    - name: conf
                      configMap:
                        name: web-conf
                        items: [{key: a, path: a.txt}]
                    - name: scratch
                      emptyDir: {sizeLimit: 1Mi}
                  initContainers:
                    - name: setup
                      image: localhost/berth-busybox
                      command: ["true"]
                  containers:
                    - name: httpd
                      image: localhost/berth-busybox
                      imagePullPolicy: Never
                      command: ["httpd", "-f"]
                      args: ["-p", "8080"]
                      workingDir: /
                      env:
                        - name: MODE
                          valueFrom:
                            configMapKeyRef: {name: web-conf, key: a}
                      ports:
                        - containerPort: 8080
                          name: http
                      volumeMounts:
                        - name: conf
                          mountPath: /conf
                          readOnly: true
                      resources:
                        limits: {memory: 64Mi}
                      readinessProbe:
                        httpGet: {path: /, port: http}
                        periodSeconds: 2
                        failureThreshold: 3
                      livenessProbe:
                        tcpSocket: {port: 8080}
                        initialDelaySeconds: 5
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: web-conf}
            data: {a: "1"}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec:
              type: NodePort
              selector: {app: web}
              ports:
                - port: 80
                  targetPort: http
                  nodePort: 30080
            """;

    @TempDir
    Path dir;

    @Test
    void theApplicationReadsWithoutAWord() {
        Manifests m = new Yaml(dir).read(APP);
        assertThat(m.warnings()).isEmpty();
        assertThat(m.pods()).hasSize(2);
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({
            "'  labels: {app: web}', '  lables: {app: web}', metadata.lables, labels",
            "selector:, selecter:, spec.selecter, selector",
            "replicas:, replica:, spec.replica, replicas",
            "matchLabels:, matchLabel:, spec.selector.matchLabel, matchLabels",
            "rollingUpdate:, rolingUpdate:, spec.strategy.rolingUpdate, rollingUpdate",
            "terminationGracePeriodSeconds:, terminationGracePeriodSecond:, spec.template.spec.terminationGracePeriodSecond, terminationGracePeriodSeconds",
            "runAsUser:, runAsUsr:, spec.template.spec.securityContext.runAsUsr, runAsUser",
            "configMap:, configmap:, spec.template.spec.volumes[0].configmap, configMap",
            "'items: [{key: a, path: a.txt}]', 'items: [{key: a, pth: a.txt}]', spec.template.spec.volumes[0].configMap.items[0].pth, path",
            "sizeLimit:, sizelimit:, spec.template.spec.volumes[1].emptyDir.sizelimit, sizeLimit",
            "initContainers:, initcontainers:, spec.template.spec.initcontainers, initContainers",
            "imagePullPolicy:, imagePullPolicyy:, spec.template.spec.containers[0].imagePullPolicyy, imagePullPolicy",
            "'command: [\"httpd\"', 'comand: [\"httpd\"', spec.template.spec.containers[0].comand, command",
            "args:, arg:, spec.template.spec.containers[0].arg, args",
            "workingDir:, workDir:, spec.template.spec.containers[0].workDir, workingDir",
            "valueFrom:, valuefrom:, spec.template.spec.containers[0].env[0].valuefrom, valueFrom",
            "configMapKeyRef:, configMapRef:, spec.template.spec.containers[0].env[0].valueFrom.configMapRef, configMapKeyRef",
            "containerPort:, containerport:, spec.template.spec.containers[0].ports[0].containerport, containerPort",
            "mountPath:, mountpath:, spec.template.spec.containers[0].volumeMounts[0].mountpath, mountPath",
            "readOnly:, readonly:, spec.template.spec.containers[0].volumeMounts[0].readonly, readOnly",
            "limits:, limit:, spec.template.spec.containers[0].resources.limit, limits",
            "readinessProbe:, readinesProbe:, spec.template.spec.containers[0].readinesProbe, readinessProbe",
            "httpGet:, httpget:, spec.template.spec.containers[0].readinessProbe.httpget, httpGet",
            "periodSeconds:, periodSecond:, spec.template.spec.containers[0].readinessProbe.periodSecond, periodSeconds",
            "failureThreshold:, failureTreshold:, spec.template.spec.containers[0].readinessProbe.failureTreshold, failureThreshold",
            "initialDelaySeconds:, initialDelay:, spec.template.spec.containers[0].livenessProbe.initialDelay, initialDelaySeconds",
            "targetPort:, tragetPort:, spec.ports[0].tragetPort, targetPort",
            "nodePort:, nodeport:, spec.ports[0].nodeport, nodePort",
            "'data: {a: \"1\"}', 'dta: {a: \"1\"}', dta, data"})
    void aMisspeltFieldIsAnErrorAtItsLineWithASuggestion(String field, String typo, String path, String suggestion) {
        String text = APP.replaceFirst(java.util.regex.Pattern.quote(field), java.util.regex.Matcher.quoteReplacement(typo));
        assertThat(text).isNotEqualTo(APP);
        int at = text.indexOf(typo.strip().split("\n")[0].strip());
        int line = (int) text.substring(0, at).chars().filter(c -> c == '\n').count() + 1;
        List<String> problems = new Yaml(dir).problems(text);
        assertThat(problems).as(typo).anyMatch(p -> p.startsWith("m0.yaml:" + line + ": " + path + ": unknown field")
                && p.endsWith("did you mean \"" + suggestion + "\"?"));
    }

    @Test
    void aFieldBerthDoesNotApplyIsAWarningOnceAndAnErrorWithStrict() {
        String text = APP.replace("      securityContext: {runAsUser: 1000}", "      securityContext: {runAsUser: 1000}\n      nodeSelector: {disk: ssd}\n      priorityClassName: high");
        Manifests m = new Yaml(dir).read(text);
        assertThat(m.warnings()).extracting(w -> w.substring(w.indexOf("m0.yaml"))).containsExactly(
                "m0.yaml:18: spec.template.spec.nodeSelector: not applied on one host: berth does not use nodeSelector (--strict makes this an error)",
                "m0.yaml:19: spec.template.spec.priorityClassName: not applied on one host: berth does not use priorityClassName (--strict makes this an error)");
        assertThat(new Yaml(dir).problems(text, new ManifestReader.Options(false, true, false, 0))).containsExactly(
                "m0.yaml:18: spec.template.spec.nodeSelector: not applied on one host (--strict)",
                "m0.yaml:19: spec.template.spec.priorityClassName: not applied on one host (--strict)");
    }

    @Test
    void suggestionsAreNearAndOnlyNear() {
        assertThat(FieldCheck.closest("comand", java.util.Set.of("command", "args"))).isEqualTo("command");
        assertThat(FieldCheck.closest("ContainerPort", java.util.Set.of("containerPort"))).isEqualTo("containerPort");
        assertThat(FieldCheck.closest("zzz", java.util.Set.of("command", "args"))).isNull();
        assertThat(dev.berth.api.EditDistance.of("rolingUpdate", "rollingUpdate")).isEqualTo(1);
        assertThat(dev.berth.api.EditDistance.of("tragetPort", "targetPort")).isEqualTo(1);
    }
}
