package dev.berth.manifest;

import dev.berth.api.Json;
import dev.berth.engine.IngressImage;
import dev.berth.ingress.IngressProxy;
import dev.berth.ingress.Route;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Pod manifest of berth's ingress ({@code kube play --ingress-port PORT}): one container
 * running {@link IngressProxy} with the JDK that runs berth (the host's {@code /usr}, and the
 * JDK's own directories when they live elsewhere, bound read-only), publishing PORT, with the
 * routes of every Ingress in its environment. It is read by the same reader as any Pod.
 */
final class IngressPod {
    static final String NAME = "berth-ingress";

    private IngressPod() {}

    /** The pod as manifest text (JSON, which is YAML). */
    static String manifest(int hostPort, List<Route> routes) {
        String javaHome = System.getProperty("java.home");
        List<Path> binds = new ArrayList<>(List.of(Path.of("/usr")));
        for (Path p : jdkPaths(Path.of(javaHome))) {
            if (binds.stream().noneMatch(p::startsWith)) {
                binds.removeIf(b -> b.startsWith(p));
                binds.add(p);
            }
        }
        Path code = codeLocation();
        String classpath = Files.isDirectory(code) ? "/berth/classes" : "/berth/berth.jar";
        List<Object> mounts = new ArrayList<>();
        List<Object> volumes = new ArrayList<>();
        for (int i = 0; i < binds.size(); i++) {
            mounts.add(Map.of("name", "host-" + i, "mountPath", binds.get(i).toString(), "readOnly", true));
            volumes.add(Map.of("name", "host-" + i, "hostPath", Map.of("path", binds.get(i).toString(), "type", "Directory")));
        }
        mounts.add(Map.of("name", "berth", "mountPath", classpath, "readOnly", true));
        volumes.add(Map.of("name", "berth", "hostPath", Map.of("path", code.toString(), "type", Files.isDirectory(code) ? "Directory" : "File")));

        Map<String, Object> container = new LinkedHashMap<>();
        container.put("name", "proxy");
        container.put("image", IngressImage.NAME);
        container.put("imagePullPolicy", "Never");
        container.put("command", List.of(Path.of(javaHome, "bin", "java").toString(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-XX:-UsePerfData", "-Xmx48m", "-Xss512k", "-cp", classpath, IngressProxy.class.getName()));
        container.put("env", List.of(Map.of("name", "BERTH_INGRESS_ROUTES", "value", Route.format(routes)),
                Map.of("name", "BERTH_INGRESS_PORT", "value", "80")));
        container.put("ports", List.of(Map.of("name", "http", "containerPort", 80, "hostPort", hostPort)));
        container.put("readinessProbe", Map.of("tcpSocket", Map.of("port", 80), "periodSeconds", 1));
        container.put("volumeMounts", mounts);
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("terminationGracePeriodSeconds", 2);
        spec.put("containers", List.of(container));
        spec.put("volumes", volumes);
        Map<String, Object> pod = new LinkedHashMap<>();
        pod.put("apiVersion", "v1");
        pod.put("kind", "Pod");
        pod.put("metadata", Map.of("name", NAME, "labels", Map.of("app.kubernetes.io/name", NAME, "app.kubernetes.io/managed-by", "berth")));
        pod.put("spec", spec);
        return Json.write(pod);
    }

    /**
     * The JDK's directory and the directories its symbolic links lead to (Debian's JDK keeps its
     * configuration in /etc/java-17-openjdk and its CA certificates in /etc/ssl/certs/java).
     */
    private static List<Path> jdkPaths(Path javaHome) {
        List<Path> paths = new ArrayList<>();
        try (var walk = Files.walk(javaHome)) {
            paths.add(javaHome.toRealPath());
            for (Path p : (Iterable<Path>) walk.filter(Files::isSymbolicLink)::iterator) {
                try {
                    Path target = p.toRealPath();
                    paths.add(Files.isDirectory(target) ? target : target.getParent());
                } catch (java.io.IOException e) {
                    // a dangling link: nothing to bind
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read the JDK at " + javaHome, e);
        }
        paths.sort(java.util.Comparator.comparingInt(Path::getNameCount));
        return paths;
    }

    /** berth's jar (or classes directory, when run from a build) holding the proxy. */
    private static Path codeLocation() {
        try {
            return Path.of(IngressProxy.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
