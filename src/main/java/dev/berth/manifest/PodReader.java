package dev.berth.manifest;

import dev.berth.api.ContainerPort;
import dev.berth.api.ContainerSpec;
import dev.berth.api.DeclaredDependency;
import dev.berth.api.EnvFrom;
import dev.berth.api.EnvVar;
import dev.berth.api.ObjectKind;
import dev.berth.api.Owner;
import dev.berth.api.PodSpec;
import dev.berth.api.PortRef;
import dev.berth.api.Hook;
import dev.berth.api.LogLimits;
import dev.berth.api.Probe;
import dev.berth.api.ProbeAction;
import dev.berth.api.SecurityContext;
import dev.berth.api.StartCondition;
import dev.berth.api.Volume;
import dev.berth.api.VolumeMount;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads a pod's metadata and spec (of a Pod or of a workload's template) into a {@link PodSpec}, validating as it goes. */
final class PodReader {
    static final String DEPENDS_ON = "berth.dev/depends-on";
    static final String INFER = "berth.dev/infer";
    static final String IMPLICIT_READINESS = "berth.dev/implicit-readiness";
    static final String NETWORK = "berth.dev/network";
    static final String INFRA = "berth.dev/infra";
    private static final Set<String> RESTART_POLICIES = Set.of("Always", "OnFailure", "Never");

    /**
     * A ConfigMap, Secret or claim a pod needs (kind non-null), or the ServiceAccount it runs as
     * (kind null: checked against the manifests' ServiceAccounts, never a plan node); checked
     * once every manifest has been read.
     */
    record Reference(ObjectKind kind, String name, String key, String namespace, boolean optional, Field field) {}

    /** Volume types that need a cloud or a storage cluster, which one host does not have. */
    private static final List<String> VOLUME_TYPES = List.of("emptyDir", "hostPath", "configMap", "secret", "persistentVolumeClaim", "downwardAPI");
    /** Volume types of one host that berth does not make yet. */
    private static final List<String> UNSUPPORTED_VOLUMES = List.of("projected", "ephemeral", "image");
    private static final List<String> REMOTE_VOLUMES = List.of("awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder",
            "csi", "fc", "flexVolume", "flocker", "gcePersistentDisk", "gitRepo", "glusterfs", "iscsi", "nfs", "photonPersistentDisk",
            "portworxVolume", "quobyte", "rbd", "scaleIO", "storageos", "vsphereVolume");

    private final List<Reference> references;
    private final boolean substituteVolumes;

    /** @param substituteVolumes remote volume types become local named volumes (with a warning) instead of errors */
    PodReader(List<Reference> references, boolean substituteVolumes) {
        this.references = references;
        this.substituteVolumes = substituteVolumes;
    }

    PodSpec read(String name, Field metadata, Field spec, Owner owner) {
        return read(name, metadata.get("namespace").string("default"), metadata, spec, owner, List.of());
    }

    /**
     * @param namespace the pod's, or its workload's (a template's metadata has none)
     * @param claimed   volumes the pod has besides its spec's: a StatefulSet's claim templates
     */
    PodSpec read(String name, String namespace, Field metadata, Field spec, Owner owner, List<Volume> claimed) {
        Map<String, String> labels = metadata.get("labels").stringMap();
        Field annotationsField = metadata.get("annotations");
        Map<String, String> annotations = annotationsField.stringMap();

        Field containersField = spec.get("containers");
        if (containersField.list().isEmpty()) {
            containersField.error(containersField.present() ? "must list at least one container" : "required: a pod needs at least one container");
        }
        List<Volume> volumes = new ArrayList<>(volumes(spec.get("volumes"), name, namespace));
        volumes.addAll(claimed);
        Set<String> volumeNames = new HashSet<>();
        volumes.forEach(v -> volumeNames.add(v.name()));
        spec.get("volumes").list().forEach(v -> volumeNames.add(v.get("name").string(""))); // refused ones too: their mounts are not the problem

        List<ContainerSpec> inits = new ArrayList<>();
        for (Field c : spec.get("initContainers").list()) {
            inits.add(container(c, true, volumeNames, namespace));
        }
        List<ContainerSpec> apps = new ArrayList<>();
        for (Field c : containersField.list()) {
            apps.add(container(c, false, volumeNames, namespace));
        }
        checkUniqueContainers(spec, inits, apps);

        Field restart = spec.get("restartPolicy");
        String restartPolicy = restart.string("Always");
        if (!RESTART_POLICIES.contains(restartPolicy)) {
            restart.error("must be Always, OnFailure or Never, got \"" + restartPolicy + "\"");
        }
        Field hostnameField = spec.get("hostname");
        String hostname = hostnameField.string();
        if (hostname != null) {
            check(hostnameField, Names.checkLabel(hostname));
        }
        Field account = spec.get("serviceAccountName").present() ? spec.get("serviceAccountName") : spec.get("serviceAccount");
        String accountName = account.string("default");
        if (!accountName.equals("default")) {
            references.add(new Reference(null, accountName, null, namespace, false, account));
        }
        Field grace = spec.get("terminationGracePeriodSeconds");
        Long graceSeconds = grace.integer();
        if (graceSeconds != null && graceSeconds < 0) {
            grace.error("must not be negative");
        }

        List<DeclaredDependency> dependsOn = new ArrayList<>();
        boolean infer = true;
        Set<String> containerNames = new HashSet<>();
        inits.forEach(c -> containerNames.add(c.name()));
        apps.forEach(c -> containerNames.add(c.name()));
        for (Map.Entry<String, Field> a : annotationsField.entries().entrySet()) {
            String key = a.getKey();
            String value = annotations.get(key);
            if (value == null || !key.startsWith("berth.dev/")) {
                continue;
            }
            if (key.equals(DEPENDS_ON) || key.startsWith(DEPENDS_ON + ".")) {
                String container = key.equals(DEPENDS_ON) ? null : key.substring(DEPENDS_ON.length() + 1);
                if (container != null && !containerNames.contains(container)) {
                    a.getValue().error("no container \"" + container + "\" in this pod");
                    continue;
                }
                dependsOn.addAll(dependencies(container, key, value, a.getValue()));
            } else if (key.equals(INFER)) {
                infer = booleanAnnotation(a.getValue(), value);
            } else if (key.equals(IMPLICIT_READINESS) || key.equals(INFRA)) {
                booleanAnnotation(a.getValue(), value);
            } else if (key.equals(NETWORK)) {
                check(a.getValue(), Names.checkLabel(value));
            } else if (key.equals(LogLimits.MAX_SIZE)) {
                logSize(a.getValue(), value);
            } else if (key.equals(LogLimits.MAX_FILES)) {
                if (!value.strip().matches("[1-9][0-9]{0,3}")) {
                    a.getValue().error("must be a whole number of files from 1 to 9999, got \"" + value + "\"");
                }
            } else {
                a.getValue().warning("unknown berth annotation (known: " + DEPENDS_ON + "[.CONTAINER], " + INFER + ", "
                        + IMPLICIT_READINESS + ", " + INFRA + ", " + NETWORK + ", " + LogLimits.MAX_SIZE + ", " + LogLimits.MAX_FILES + ")");
            }
        }

        return new PodSpec(name, namespace, labels, annotations, inits, apps, volumes, restartPolicy,
                spec.get("hostNetwork").bool(false), spec.get("shareProcessNamespace").bool(false), hostname,
                subdomain(spec.get("subdomain")), graceSeconds, dependsOn, infer, securityContext(spec.get("securityContext"), true), pullSecrets(spec.get("imagePullSecrets")),
                owner, metadata.source());
    }

    private static String subdomain(Field f) {
        String s = f.string();
        String problem = s == null ? null : Names.checkLabel(s);
        if (problem != null) {
            f.error(problem);
            return null;
        }
        return s;
    }

    /** {@code imagePullSecrets: [{name: S}]}: the Secrets must be in the manifests (checked when play pulls). */
    private static List<String> pullSecrets(Field list) {
        List<String> names = new ArrayList<>();
        for (Field item : list.list()) {
            String secret = item.get("name").string(null);
            if (secret == null || secret.isBlank()) {
                item.error("needs the name of a Secret of type kubernetes.io/dockerconfigjson");
            } else {
                names.add(secret);
            }
        }
        return names;
    }

    private static boolean booleanAnnotation(Field field, String value) {
        if (!value.equals("true") && !value.equals("false")) {
            field.error("must be \"true\" or \"false\"");
        }
        return !value.equals("false");
    }

    private static List<DeclaredDependency> dependencies(String container, String key, String value, Field field) {
        List<DeclaredDependency> deps = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            String entry = part.strip();
            if (entry.isEmpty()) {
                field.error("empty entry in \"" + value + "\" (expected TARGET[:CONDITION], …)");
                continue;
            }
            int colon = entry.lastIndexOf(':');
            String target = colon < 0 ? entry : entry.substring(0, colon);
            StartCondition condition = StartCondition.READY;
            if (colon >= 0) {
                try {
                    condition = StartCondition.parseDeclared(entry.substring(colon + 1));
                } catch (IllegalArgumentException e) {
                    field.error(e.getMessage());
                    continue;
                }
            }
            if (target.isEmpty() || target.chars().filter(ch -> ch == '/').count() > 1) {
                field.error("\"" + entry + "\" is not CONTAINER, POD or POD/CONTAINER");
                continue;
            }
            deps.add(new DeclaredDependency(container, target, condition, key, field.source(), field.path()));
        }
        return deps;
    }

    private static void checkUniqueContainers(Field spec, List<ContainerSpec> inits, List<ContainerSpec> apps) {
        Map<String, String> seen = new HashMap<>();
        Map<String, String> ports = new HashMap<>();
        int i = 0;
        for (ContainerSpec c : concat(inits, apps)) {
            String list = i < inits.size() ? "initContainers" : "containers";
            Field field = spec.get(list).list().get(i < inits.size() ? i : i - inits.size());
            i++;
            if (c.name() == null) {
                continue;
            }
            if (seen.putIfAbsent(c.name(), list) != null) {
                field.get("name").error("duplicate container name \"" + c.name() + "\"");
            }
            List<Field> portFields = field.get("ports").list();
            for (int p = 0; p < c.ports().size(); p++) {
                ContainerPort port = c.ports().get(p);
                String key = port.containerPort() + "/" + port.protocol();
                String owner = ports.putIfAbsent(key, c.name());
                if (owner != null && port.containerPort() > 0) {
                    portFields.get(p).get("containerPort").error(
                            "containerPort " + key + " is already declared by container \"" + owner + "\" in this pod");
                }
            }
        }
    }

    private static List<ContainerSpec> concat(List<ContainerSpec> a, List<ContainerSpec> b) {
        List<ContainerSpec> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private ContainerSpec container(Field c, boolean init, Set<String> volumeNames, String namespace) {
        Field nameField = c.get("name");
        String name = nameField.required();
        if (name != null) {
            check(nameField, Names.checkLabel(name));
        }
        String image = c.get("image").required();
        Field restart = c.get("restartPolicy");
        String restartPolicy = restart.string();
        if (restartPolicy != null && !(init && restartPolicy.equals("Always"))) {
            restart.error(init ? "the only value allowed is Always (which makes a native sidecar)"
                    : "may only be set on init containers (Always makes a native sidecar)");
        }
        boolean sidecar = init && "Always".equals(restartPolicy);

        List<ContainerPort> ports = new ArrayList<>();
        Set<String> portNames = new HashSet<>();
        for (Field p : c.get("ports").list()) {
            ContainerPort port = port(p);
            if (port != null) {
                ports.add(port);
                if (port.name() != null && !portNames.add(port.name())) {
                    p.get("name").error("duplicate port name \"" + port.name() + "\" in this container");
                }
            }
        }

        Probe readiness = probe(c.get("readinessProbe"), portNames, true);
        Probe liveness = probe(c.get("livenessProbe"), portNames, false);
        Probe startup = probe(c.get("startupProbe"), portNames, false);
        if (init && !sidecar) {
            for (String probe : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
                if (c.get(probe).present()) {
                    c.get(probe).error("init containers may not have probes (only native sidecars, with restartPolicy: Always, may)");
                }
            }
        }

        List<VolumeMount> mounts = new ArrayList<>();
        for (Field m : c.get("volumeMounts").list()) {
            Field volume = m.get("name");
            String volumeName = volume.required();
            if (volumeName != null && !volumeNames.contains(volumeName)) {
                volume.error("no volume \"" + volumeName + "\" in this pod's volumes");
            }
            String mountPath = m.get("mountPath").required();
            if (mountPath != null && !mountPath.startsWith("/")) {
                m.get("mountPath").error("must be an absolute path");
            } else if (mountPath != null && java.nio.file.Path.of(mountPath).normalize().getNameCount() == 0) {
                m.get("mountPath").warning("a volume mounted at / hides the image's whole file system");
            }
            String subPath = m.get("subPath").string();
            if (subPath != null && (subPath.startsWith("/") || List.of(subPath.split("/")).contains(".."))) {
                m.get("subPath").error("must be a relative path without \"..\"");
            }
            mounts.add(new VolumeMount(volumeName, mountPath, m.get("readOnly").bool(false), subPath));
        }

        Field resources = c.get("resources");
        Field pull = c.get("imagePullPolicy");
        String pullPolicy = pull.string();
        if (pullPolicy != null && !List.of("Always", "IfNotPresent", "Never").contains(pullPolicy)) {
            pull.error("must be Always, IfNotPresent or Never");
        }
        return new ContainerSpec(name, image, pullPolicy, c.get("command").strings(), c.get("args").strings(),
                c.get("workingDir").string(), env(c.get("env"), namespace), envFrom(c.get("envFrom"), namespace),
                ports, mounts, readiness, liveness, startup, hook(c.get("lifecycle").get("postStart"), portNames),
                hook(c.get("lifecycle").get("preStop"), portNames),
                resources.get("limits").quantityMap(), resources.get("requests").quantityMap(), restartPolicy,
                securityContext(c.get("securityContext"), false), c.source());
    }

    /** Namespaced sysctls, the only ones a pod may set (as the kubelet allows). */
    private static boolean namespacedSysctl(String name) {
        return name.startsWith("net.") || name.startsWith("kernel.shm") || name.startsWith("kernel.msg")
                || name.equals("kernel.sem") || name.startsWith("fs.mqueue.");
    }

    private static SecurityContext securityContext(Field f, boolean pod) {
        if (!f.present()) {
            return SecurityContext.NONE;
        }
        Field caps = f.get("capabilities");
        List<Long> groups = new ArrayList<>();
        for (Field g : f.get("supplementalGroups").list()) {
            Long v = g.integer();
            if (v != null) {
                groups.add(v);
            }
        }
        Map<String, String> sysctls = new LinkedHashMap<>();
        for (Field s : f.get("sysctls").list()) {
            String name = s.get("name").required();
            if (name != null && !namespacedSysctl(name)) {
                s.get("name").error("sysctl " + name + " is not namespaced; a pod may set only net.*, kernel.shm*, kernel.msg*, kernel.sem and fs.mqueue.*");
            } else if (name != null) {
                sysctls.put(name, s.get("value").string(""));
            }
        }
        String procMount = f.get("procMount").string();
        if (procMount != null && !procMount.equals("Default") && !procMount.equals("Unmasked")) {
            f.get("procMount").error("must be Default or Unmasked");
        }
        SecurityContext.SeccompProfile seccomp = null;
        Field profile = f.get("seccompProfile");
        if (profile.present()) {
            String type = profile.get("type").required();
            String localhost = profile.get("localhostProfile").string();
            if (type != null && !List.of("RuntimeDefault", "Unconfined", "Localhost").contains(type)) {
                profile.get("type").error("must be RuntimeDefault, Unconfined or Localhost");
            } else if ("Localhost".equals(type) && (localhost == null || localhost.isEmpty())) {
                profile.get("localhostProfile").error("is required when type is Localhost");
            } else if (localhost != null && (localhost.startsWith("/") || List.of(localhost.split("/")).contains(".."))) {
                profile.get("localhostProfile").error("must be a relative path without \"..\" (it is read under berth's seccomp directory)");
            } else if (type != null) {
                seccomp = new SecurityContext.SeccompProfile(type, "Localhost".equals(type) ? localhost : null);
            }
        }
        Long user = f.get("runAsUser").integer();
        if (user != null && user < 0) {
            f.get("runAsUser").error("must not be negative");
        }
        return new SecurityContext(user, f.get("runAsGroup").integer(),
                f.get("runAsNonRoot").present() ? f.get("runAsNonRoot").bool(false) : null,
                pod ? null : f.get("readOnlyRootFilesystem").present() ? f.get("readOnlyRootFilesystem").bool(false) : null,
                pod ? null : f.get("privileged").present() ? f.get("privileged").bool(false) : null,
                pod ? null : f.get("allowPrivilegeEscalation").present() ? f.get("allowPrivilegeEscalation").bool(true) : null,
                caps.get("add").strings(), caps.get("drop").strings(), procMount,
                pod ? f.get("fsGroup").integer() : null, groups, sysctls, seccomp);
    }

    private static ContainerPort port(Field p) {
        Field number = p.get("containerPort");
        Long containerPort = number.integer();
        if (containerPort == null) {
            if (!number.present()) {
                number.error("required");
            }
            return null;
        }
        if (containerPort < 1 || containerPort > 65535) {
            number.error("port " + containerPort + " is outside 1..65535");
        }
        Field host = p.get("hostPort");
        Long hostPort = host.integer();
        if (hostPort != null && (hostPort < 1 || hostPort > 65535)) {
            host.error("port " + hostPort + " is outside 1..65535");
        }
        Field nameField = p.get("name");
        String name = nameField.string();
        if (name != null) {
            check(nameField, Names.checkPortName(name));
        }
        Field protocolField = p.get("protocol");
        String protocol = protocolField.string("TCP");
        if (!Set.of("TCP", "UDP", "SCTP").contains(protocol)) {
            protocolField.error("must be TCP, UDP or SCTP, got \"" + protocol + "\"");
        }
        return new ContainerPort(name, containerPort.intValue(), protocol,
                hostPort == null ? 0 : hostPort.intValue(), p.get("hostIP").string());
    }

    /** A log size limit: a byte quantity (10Mi, 500k) from 64Ki to 1Ti. */
    private static void logSize(Field f, String value) {
        long bytes;
        try {
            bytes = dev.berth.api.Quantities.ceilLong(value.strip());
        } catch (RuntimeException e) {
            f.error("\"" + value + "\" is not a quantity of bytes (such as 10Mi or 500k)");
            return;
        }
        if (bytes < LogLimits.SMALLEST || bytes > (1L << 40)) {
            f.error("must be from 64Ki to 1Ti, got " + value);
        }
    }

    private static Probe probe(Field p, Set<String> portNames, boolean readiness) {
        if (!p.present()) {
            return null;
        }
        ProbeAction action = handler(p, List.of("exec", "httpGet", "tcpSocket", "grpc"), "a probe", portNames);
        int initialDelay = nonNegative(p.get("initialDelaySeconds"), 0, 0);
        int period = nonNegative(p.get("periodSeconds"), 10, 1);
        int timeout = nonNegative(p.get("timeoutSeconds"), 1, 1);
        int success = nonNegative(p.get("successThreshold"), 1, 1);
        int failure = nonNegative(p.get("failureThreshold"), 3, 1);
        if (!readiness && success != 1) {
            p.get("successThreshold").error("must be 1 for liveness and startup probes");
        }
        return action == null ? null : new Probe(action, initialDelay, period, timeout, success, failure);
    }

    /**
     * The one handler a probe or hook names, among {@code allowed}; null (with the error said)
     * when there is none, more than one, or a bad one.
     */
    private static ProbeAction handler(Field p, List<String> allowed, String what, Set<String> portNames) {
        List<String> handlers = new ArrayList<>();
        for (String h : allowed) {
            if (p.get(h).present()) {
                handlers.add(h);
            }
        }
        if (handlers.size() != 1) {
            String names = String.join(", ", allowed.subList(0, allowed.size() - 1)) + " or " + allowed.get(allowed.size() - 1);
            p.error(handlers.isEmpty() ? what + " needs exactly one handler (" + names + "), found none"
                    : what + " needs exactly one handler (" + names + "), found " + String.join(" and ", handlers));
            return null;
        }
        String handler = handlers.get(0);
        Field h = p.get(handler);
        return switch (handler) {
            case "exec" -> {
                List<String> command = h.get("command").strings();
                if (command.isEmpty()) {
                    h.get("command").error("required: the command to run");
                }
                yield new ProbeAction.Exec(command);
            }
            case "httpGet" -> {
                PortRef port = probePort(h.get("port"), portNames);
                Map<String, String> headers = new LinkedHashMap<>();
                for (Field header : h.get("httpHeaders").list()) {
                    String headerName = header.get("name").required();
                    if (headerName != null) {
                        headers.put(headerName, header.get("value").string(""));
                    }
                }
                String scheme = h.get("scheme").string("HTTP");
                if (!scheme.equals("HTTP") && !scheme.equals("HTTPS")) {
                    h.get("scheme").error("must be HTTP or HTTPS");
                }
                yield port == null ? null : new ProbeAction.HttpGet(port, h.get("path").string("/"), h.get("host").string(), scheme, headers);
            }
            case "tcpSocket" -> {
                PortRef port = probePort(h.get("port"), portNames);
                yield port == null ? null : new ProbeAction.TcpSocket(port, h.get("host").string());
            }
            default -> {
                Field portField = h.get("port");
                Long port = portField.integer();
                if (port == null || port < 1 || port > 65535) {
                    portField.error(port == null ? "required: a port number" : "port " + port + " is outside 1..65535");
                    yield null;
                }
                yield new ProbeAction.Grpc(port.intValue(), h.get("service").string());
            }
        };
    }

    /** A {@code lifecycle.postStart} or {@code preStop} handler: exec, httpGet or sleep. */
    private static Hook hook(Field h, Set<String> portNames) {
        if (!h.present()) {
            return null;
        }
        if (h.get("tcpSocket").present()) {
            h.get("tcpSocket").error("tcpSocket is not supported in lifecycle hooks (Kubernetes does not run it either); use exec or httpGet");
            return null;
        }
        if (h.get("sleep").present()) {
            if (h.get("exec").present() || h.get("httpGet").present()) {
                h.error("a hook needs exactly one handler (exec, httpGet or sleep), found more than one");
                return null;
            }
            return new Hook(null, nonNegative(h.get("sleep").get("seconds"), 0, 0));
        }
        ProbeAction action = handler(h, List.of("exec", "httpGet"), "a hook", portNames);
        return action == null ? null : new Hook(action, 0);
    }

    private static int nonNegative(Field f, int fallback, int minimum) {
        int v = f.integer(fallback);
        if (v < minimum) {
            f.error("must be at least " + minimum);
            return fallback;
        }
        return v;
    }

    private static PortRef probePort(Field field, Set<String> portNames) {
        if (!field.present()) {
            field.error("required");
            return null;
        }
        PortRef port = field.portRef();
        if (port != null && port.isNamed() && !portNames.contains(port.name())) {
            field.error("no port named \"" + port.name() + "\" in this container's ports"
                    + (portNames.isEmpty() ? "" : " (named: " + String.join(", ", new java.util.TreeSet<>(portNames)) + ")"));
            return null;
        }
        return port;
    }

    private List<EnvVar> env(Field env, String namespace) {
        List<EnvVar> vars = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Field e : env.list()) {
            String name = e.get("name").required();
            if (name == null) {
                continue;
            }
            if (!names.add(name)) {
                e.get("name").warning("\"" + name + "\" is set twice; the last value wins");
            }
            Field from = e.get("valueFrom");
            if (!from.present()) {
                vars.add(new EnvVar(name, e.get("value").string(""), null));
                continue;
            }
            if (e.get("value").present()) {
                e.get("value").error("value and valueFrom cannot both be set");
            }
            List<String> sources = new ArrayList<>();
            for (String s : List.of("configMapKeyRef", "secretKeyRef", "fieldRef", "resourceFieldRef")) {
                if (from.get(s).present()) {
                    sources.add(s);
                }
            }
            if (sources.size() != 1) {
                from.error("needs exactly one of configMapKeyRef, secretKeyRef, fieldRef, resourceFieldRef"
                        + (sources.isEmpty() ? ", found none" : ", found " + String.join(" and ", sources)));
                continue;
            }
            Field ref = from.get(sources.get(0));
            EnvVar.ValueFrom valueFrom = switch (sources.get(0)) {
                case "configMapKeyRef", "secretKeyRef" -> {
                    String objectName = ref.get("name").required();
                    String key = ref.get("key").required();
                    boolean optional = ref.get("optional").bool(false);
                    boolean configMap = sources.get(0).equals("configMapKeyRef");
                    if (objectName != null && key != null) {
                        references.add(new Reference(configMap ? ObjectKind.CONFIG_MAP : ObjectKind.SECRET,
                                objectName, key, namespace, optional, ref));
                    }
                    yield configMap ? new EnvVar.ConfigMapKeyRef(objectName, key, optional)
                            : new EnvVar.SecretKeyRef(objectName, key, optional);
                }
                case "fieldRef" -> new EnvVar.FieldRef(ref.get("fieldPath").required());
                default -> new EnvVar.ResourceFieldRef(ref.get("containerName").string(),
                        ref.get("resource").required(), ref.get("divisor").string());
            };
            vars.add(new EnvVar(name, null, valueFrom));
        }
        return vars;
    }

    private List<EnvFrom> envFrom(Field envFrom, String namespace) {
        List<EnvFrom> sources = new ArrayList<>();
        for (Field e : envFrom.list()) {
            boolean configMap = e.get("configMapRef").present();
            boolean secret = e.get("secretRef").present();
            if (configMap == secret) {
                e.error("needs exactly one of configMapRef and secretRef");
                continue;
            }
            Field ref = e.get(configMap ? "configMapRef" : "secretRef");
            String name = ref.get("name").required();
            boolean optional = ref.get("optional").bool(false);
            ObjectKind kind = configMap ? ObjectKind.CONFIG_MAP : ObjectKind.SECRET;
            if (name != null) {
                references.add(new Reference(kind, name, null, namespace, optional, ref));
            }
            sources.add(new EnvFrom(kind, name, e.get("prefix").string(), optional));
        }
        return sources;
    }

    /** @param pod the pod's name, or its workload's: a remote volume substituted is the named volume {@code POD-VOLUME} */
    private List<Volume> volumes(Field volumes, String pod, String namespace) {
        List<Volume> result = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Field v : volumes.list()) {
            Field nameField = v.get("name");
            String name = nameField.required();
            if (name == null) {
                continue;
            }
            check(nameField, Names.checkLabel(name));
            if (!names.add(name)) {
                nameField.error("duplicate volume name \"" + name + "\"");
            }
            List<String> kinds = new ArrayList<>();
            for (String k : VOLUME_TYPES) {
                if (v.get(k).present()) {
                    kinds.add(k);
                }
            }
            String remote = REMOTE_VOLUMES.stream().filter(k -> v.get(k).present()).findFirst().orElse(null);
            if (remote != null && kinds.isEmpty()) {
                String local = pod + "-" + name;
                v.get(remote).entries(); // its server, path…: nothing of it applies, reported once here
                if (substituteVolumes) {
                    v.get(remote).warning(remote + " needs storage one host does not have: volume \"" + name + "\" is the local named volume "
                            + local + " (--substitute-volumes)");
                } else {
                    v.get(remote).error(remote + " needs storage one host does not have: use a persistentVolumeClaim (a local named volume)"
                            + " or a hostPath, or pass --substitute-volumes to make it the local named volume " + local);
                }
                result.add(new Volume(name, new Volume.PersistentVolumeClaim(local, false)));
                continue;
            }
            String unsupported = UNSUPPORTED_VOLUMES.stream().filter(k -> v.get(k).present()).findFirst().orElse(null);
            if (unsupported != null && kinds.isEmpty()) {
                v.get(unsupported).error(unsupported + " volumes are not supported yet; the supported types are " + String.join(", ", VOLUME_TYPES));
                continue;
            }
            if (kinds.size() != 1) {
                v.error(kinds.isEmpty()
                        ? "needs one of " + String.join(", ", VOLUME_TYPES) + " (others are not supported)"
                        : "needs exactly one source, found " + String.join(" and ", kinds));
                continue;
            }
            Field s = v.get(kinds.get(0));
            Volume.Source source = switch (kinds.get(0)) {
                case "emptyDir" -> new Volume.EmptyDir(s.get("medium").string(), s.get("sizeLimit").quantity());
                case "hostPath" -> {
                    String path = s.get("path").required();
                    if (path != null && !path.startsWith("/")) {
                        s.get("path").error("must be an absolute path");
                    } else if (path != null && java.nio.file.Path.of(path).normalize().getNameCount() == 0) {
                        s.get("path").warning("hostPath / gives the pod the host's whole file system (read-write unless the mount is readOnly)");
                    }
                    yield new Volume.HostPath(path, s.get("type").string(""));
                }
                case "configMap" -> {
                    String cm = s.get("name").required();
                    boolean optional = s.get("optional").bool(false);
                    if (cm != null) {
                        references.add(new Reference(ObjectKind.CONFIG_MAP, cm, null, namespace, optional, s));
                    }
                    yield new Volume.ConfigMap(cm, items(s.get("items"), "key"), mode(s.get("defaultMode")), optional);
                }
                case "secret" -> {
                    String secret = s.get("secretName").required();
                    boolean optional = s.get("optional").bool(false);
                    if (secret != null) {
                        references.add(new Reference(ObjectKind.SECRET, secret, null, namespace, optional, s));
                    }
                    yield new Volume.Secret(secret, items(s.get("items"), "key"), mode(s.get("defaultMode")), optional);
                }
                case "persistentVolumeClaim" -> {
                    String claim = s.get("claimName").required();
                    if (claim != null) {
                        references.add(new Reference(ObjectKind.PERSISTENT_VOLUME_CLAIM, claim, null, namespace, false, s));
                    }
                    yield new Volume.PersistentVolumeClaim(claim, s.get("readOnly").bool(false));
                }
                default -> new Volume.DownwardApi(items(s.get("items"), "fieldRef"), mode(s.get("defaultMode")));
            };
            result.add(new Volume(name, source));
        }
        return result;
    }

    private static List<Volume.Item> items(Field items, String keyField) {
        List<Volume.Item> result = new ArrayList<>();
        for (Field i : items.list()) {
            String key = keyField.equals("fieldRef") ? i.get("fieldRef").get("fieldPath").required() : i.get(keyField).required();
            String path = i.get("path").required();
            if (path != null && (path.startsWith("/") || List.of(path.split("/")).contains(".."))) {
                i.get("path").error("must be a relative path without \"..\"");
            }
            result.add(new Volume.Item(key, path, mode(i.get("mode"))));
        }
        return result;
    }

    private static Integer mode(Field f) {
        Long m = f.integer();
        if (m != null && (m < 0 || m > 0777)) {
            f.error("must be between 0 and 0777 (octal)");
            return null;
        }
        return m == null ? null : m.intValue();
    }

    private static void check(Field field, String problem) {
        if (problem != null) {
            field.error(problem);
        }
    }
}
