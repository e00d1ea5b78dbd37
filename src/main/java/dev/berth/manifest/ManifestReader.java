package dev.berth.manifest;

import dev.berth.api.BerthException;
import dev.berth.api.Disposition;
import dev.berth.api.ManifestException;
import dev.berth.api.Manifests;
import dev.berth.api.ObjectKind;
import dev.berth.api.ObjectSpec;
import dev.berth.api.Owner;
import dev.berth.api.Rollout;
import dev.berth.api.PodSpec;
import dev.berth.api.PortRef;
import dev.berth.api.ServiceSpec;
import dev.berth.api.Source;
import dev.berth.ingress.Route;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;

/**
 * Reads manifest files into berth's records: Pods, workloads expanded into pods, ConfigMaps,
 * Secrets, PersistentVolumeClaims and Services. Every problem of every file is collected and
 * reported at once, as {@code FILE:LINE: field: what is wrong}.
 *
 * <p>Pods made from workloads are named deterministically: a Deployment {@code web} with 3
 * replicas gives {@code web-0}, {@code web-1}, {@code web-2}; a DaemonSet {@code agent} gives
 * {@code agent-0} (one node: this host); a Job {@code migrate} with 2 completions gives
 * {@code migrate-0} and {@code migrate-1}.
 */
public final class ManifestReader {

    /**
     * @param allowMissingRefs missing ConfigMaps, Secrets and PVCs are warnings, not errors
     * @param strict           fields berth does not apply on one host are errors, not warnings
     * @param substituteVolumes  cloud and storage-cluster volume types become local named volumes
     * @param ingressPort        the host port of berth's ingress pod, which serves the Ingresses; 0: no ingress
     */
    /** @param allowEmpty no manifest at all reads as nothing wanted (a reconcile's emptied source), not as an error */
    public record Options(boolean allowMissingRefs, boolean strict, boolean substituteVolumes, int ingressPort, boolean allowEmpty) {
        public static final Options DEFAULT = new Options(false, false, false, 0);

        public Options(boolean allowMissingRefs, boolean strict, boolean substituteVolumes, int ingressPort) {
            this(allowMissingRefs, strict, substituteVolumes, ingressPort, false);
        }

        public Options allowingEmpty() {
            return new Options(allowMissingRefs, strict, substituteVolumes, ingressPort, true);
        }
    }

    /**
     * The kinds berth plays, with their apiVersion (checked without loading the Kubernetes schema);
     * every other built-in kind is accepted, checked and reported as not applied.
     */
    private static final Map<String, String> PLAYED = Map.ofEntries(Map.entry("Pod", "v1"), Map.entry("ConfigMap", "v1"),
            Map.entry("Secret", "v1"), Map.entry("PersistentVolumeClaim", "v1"), Map.entry("Service", "v1"), Map.entry("List", "v1"),
            Map.entry("ReplicationController", "v1"), Map.entry("Deployment", "apps/v1"), Map.entry("DaemonSet", "apps/v1"),
            Map.entry("StatefulSet", "apps/v1"), Map.entry("ReplicaSet", "apps/v1"), Map.entry("Job", "batch/v1"));
    /** Why a built-in kind berth accepts is not applied on one host. */
    private static final Map<String, String> NOT_APPLIED = Map.ofEntries(
            Map.entry("ServiceAccount", "no API server: containers get no token"),
            Map.entry("Role", "no API server to authorize"), Map.entry("ClusterRole", "no API server to authorize"),
            Map.entry("RoleBinding", "no API server to authorize"), Map.entry("ClusterRoleBinding", "no API server to authorize"),
            Map.entry("PodSecurityPolicy", "no admission control; each pod's securityContext is applied as written"),
            Map.entry("PodDisruptionBudget", "no voluntary disruptions (drains) on one host"),
            Map.entry("NetworkPolicy", "pods on berth's bridge reach each other freely"),
            Map.entry("HorizontalPodAutoscaler", "no metrics: replicas stay as written"),
            Map.entry("LimitRange", "no admission defaults: each container's resources are applied as written"),
            Map.entry("ResourceQuota", "no quota on one host"), Map.entry("PriorityClass", "no scheduler, no preemption"),
            Map.entry("PersistentVolume", "claims get local named volumes"), Map.entry("StorageClass", "claims get local named volumes"),
            Map.entry("Ingress", "no ingress controller without --ingress-port PORT; reach Services through hostPort or NodePort"),
            Map.entry("IngressClass", "no ingress controller"), Map.entry("Endpoints", "berth computes Service endpoints from readiness"),
            Map.entry("CronJob", "no scheduler of Jobs; run its jobTemplate as a Job"));
    private static final int MAX_REPLICAS = 1000;

    private final InputStream stdin;

    public ManifestReader(InputStream stdin) {
        this.stdin = stdin;
    }

    public Manifests read(List<String> paths, Options options) {
        Problems problems = new Problems();
        Run run = new Run(problems, options);
        for (ManifestFiles.Document d : new ManifestFiles(stdin).read(paths, problems, options.allowEmpty())) {
            run.document(Field.root(d.root(), d.file(), problems), options);
        }
        run.checkReferences(options);
        run.bindClaims(options);
        run.ingress(options);
        if (problems.hasErrors()) {
            throw new ManifestException(problems.errors());
        }
        if (run.dispositions.isEmpty() && !options.allowEmpty()) {
            // as kubectl's "no objects passed to apply": an empty file is a mistake, not success
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "nothing to play in " + String.join(", ", paths)
                    + ": the manifests are empty, or hold only comments, ---, or kinds that berth does not apply");
        }
        return new Manifests(run.pods, run.objects, run.services, problems.warnings(), run.dispositions);
    }

    /** The state of one read: what was found so far, by name, for the duplicate and reference checks. */
    private static final class Run {
        private final Problems problems;
        private final List<PodReader.Reference> references = new ArrayList<>();
        private final PodReader podReader;
        private final List<PodSpec> pods = new ArrayList<>();
        private final List<ObjectSpec> objects = new ArrayList<>();
        private final List<ServiceSpec> services = new ArrayList<>();
        private final Map<String, Source> names = new HashMap<>();
        private final List<Disposition> dispositions = new ArrayList<>();
        /** ServiceAccounts by {@code NAMESPACE/NAME}: what pods' serviceAccountName resolves against. */
        private final Set<String> serviceAccounts = new HashSet<>();
        /** PersistentVolumes by name and claims by {@code NAMESPACE/NAME}, for binding claims to volumes. */
        private final Map<String, Field> persistentVolumes = new LinkedHashMap<>();
        private final Map<String, Field> claims = new LinkedHashMap<>();
        /** The paths of every Ingress, their Services resolved once every file is read. */
        private final List<IngressPath> ingressPaths = new ArrayList<>();
        private final Map<String, Field> ingresses = new LinkedHashMap<>();
        private final FieldCheck fieldCheck;

        Run(Problems problems, ManifestReader.Options options) {
            this.problems = problems;
            this.fieldCheck = new FieldCheck(problems, options.strict());
            this.podReader = new PodReader(references, options.substituteVolumes());
        }

        private void notApplied(String kind, String name, Field doc, Field kindField) {
            report(kind, name, doc, Disposition.Fate.NOT_APPLIED, NOT_APPLIED.get(kind), List.of());
            kindField.warning(kind + "/" + name + ": accepted, not applied on one host: " + NOT_APPLIED.get(kind));
        }

        private void report(String kind, String name, Field doc, Disposition.Fate fate, String detail, List<String> podNames) {
            dispositions.add(new Disposition(kind, name, doc.get("metadata").get("namespace").string("default"), fate, detail, podNames,
                    doc.get("metadata").get("name").source()));
        }

        void document(Field doc, ManifestReader.Options options) {
            if (!doc.present()) {
                return;
            }
            if (!(doc.node() instanceof org.yaml.snakeyaml.nodes.MappingNode m) || m.getValue().isEmpty()) {
                doc.entries(); // not an object: said there; an empty one: nothing to read
                return;
            }
            Field kindField = doc.get("kind");
            String kind = kindField.required();
            if (kind == null) {
                return;
            }
            Field apiVersion = doc.get("apiVersion");
            String version = apiVersion.required();
            boolean played = PLAYED.containsKey(kind);
            KubernetesSchema.Kind builtIn = played ? null : KubernetesSchema.get().kind(kind);
            if (!played && builtIn == null) {
                report(kind, doc.get("metadata").get("name").string("?"), doc, Disposition.Fate.NOT_APPLIED,
                        "custom resource: berth knows no controller for it", List.of());
                kindField.warning("custom resource " + kind + (version == null ? "" : " (" + version + ")")
                        + ": accepted, not applied (berth knows no controller for it)");
                return;
            }
            List<String> versions = played ? List.of(PLAYED.get(kind)) : builtIn.apiVersions();
            if (version != null && !versions.contains(version)) {
                apiVersion.error(kind + " needs apiVersion " + String.join(" or ", versions) + ", got \"" + version + "\"");
            }
            if (kind.equals("List")) {
                List<Field> items = doc.get("items").list();
                for (int i = 0; i < items.size(); i++) {
                    document(items.get(i).under(doc.path().isEmpty() ? "items[" + i + "]" : doc.path() + ".items[" + i + "]"), options);
                }
                return;
            }
            Field metadata = doc.get("metadata");
            Field nameField = metadata.get("name");
            String name = nameField.required();
            if (name == null) {
                if (metadata.get("generateName").present()) {
                    metadata.get("generateName").error("not supported: berth needs a fixed name to find the object again");
                }
                return;
            }
            String nameProblem = Names.checkSubdomain(name);
            if (nameProblem != null) {
                nameField.error(nameProblem);
                return;
            }
            Field namespace = metadata.get("namespace");
            if (namespace.present() && namespace.string() != null) {
                String nsProblem = Names.checkLabel(namespace.string());
                if (nsProblem != null) {
                    namespace.error(nsProblem);
                }
            }
            switch (played || Set.of("Namespace", "ServiceAccount", "PersistentVolume", "Ingress").contains(kind) ? kind : "") {
                case "Pod" -> {
                    if (addPod(podReader.read(name, metadata, doc.get("spec"), null), nameField)) {
                        report(kind, name, doc, Disposition.Fate.PLAYED, "pod", List.of(name));
                    }
                }
                case "Deployment", "DaemonSet", "Job", "StatefulSet", "ReplicaSet", "ReplicationController" -> workload(kind, name, doc, nameField);
                case "Service" -> service(name, doc, nameField);
                case "ConfigMap", "Secret", "PersistentVolumeClaim" -> object(kind, name, doc, nameField);
                case "Namespace" -> {
                    if (unique(kind, name, nameField)) {
                        report(kind, name, doc, Disposition.Fate.CREATED, "a name its objects keep: in Service names, fieldRef metadata.namespace", List.of());
                    }
                }
                case "ServiceAccount" -> {
                    if (unique(kind, name, nameField)) {
                        serviceAccounts.add(doc.get("metadata").get("namespace").string("default") + "/" + name);
                        notApplied(kind, name, doc, kindField);
                    }
                }
                case "Ingress" -> {
                    if (unique(kind, name, nameField)) {
                        ingressRoutes(name, doc);
                        report(kind, name, doc, Disposition.Fate.NOT_APPLIED, NOT_APPLIED.get(kind), List.of());
                        ingresses.put(name, doc);
                    }
                }
                case "PersistentVolume" -> {
                    if (unique(kind, name, nameField)) {
                        persistentVolumes.put(name, doc);
                        report(kind, name, doc, Disposition.Fate.NOT_APPLIED, "no claim in the manifests binds it", List.of());
                    }
                }
                default -> {
                    if (unique(kind, name, nameField)) {
                        notApplied(kind, name, doc, kindField);
                    }
                }
            }
            fieldCheck.document(doc, kind, played);
        }

        private void workload(String kind, String name, Field doc, Field nameField) {
            Field spec = doc.get("spec");
            Field template = spec.get("template");
            Field podMetadata = template.get("metadata");
            Field podSpec = template.get("spec");
            if (!podSpec.present()) {
                podSpec.error("required: the pod template (with at least one container)");
                return;
            }
            int count = switch (kind) {
                case "Deployment", "StatefulSet", "ReplicaSet", "ReplicationController" -> bounded(spec.get("replicas"), 1);
                case "Job" -> bounded(spec.get("completions"), 1);
                default -> 1;
            };
            if (kind.equals("Job")) {
                Field restart = podSpec.get("restartPolicy");
                String policy = restart.string();
                if ("Always".equals(policy)) {
                    restart.error("a Job's pods must have restartPolicy Never or OnFailure");
                }
            } else {
                Field restart = podSpec.get("restartPolicy");
                String policy = restart.string();
                if (policy != null && !policy.equals("Always")) {
                    restart.error("a " + kind + "'s pods must have restartPolicy Always");
                }
            }
            Map<String, String> labels = podMetadata.get("labels").stringMap();
            // a ReplicationController's selector is a plain map; the others' are matchLabels
            Field selector = kind.equals("ReplicationController") ? spec.get("selector") : spec.get("selector").get("matchLabels");
            for (Map.Entry<String, String> e : selector.stringMap().entrySet()) {
                if (!e.getValue().equals(labels.get(e.getKey()))) {
                    selector.error("selects " + e.getKey() + "=" + e.getValue() + ", which the template's labels do not have");
                }
            }
            List<Field> claimTemplates = kind.equals("StatefulSet") ? spec.get("volumeClaimTemplates").list() : List.of();
            List<dev.berth.api.Volume> claimed = new ArrayList<>();
            for (Field t : claimTemplates) {
                String claim = t.get("metadata").get("name").required();
                if (claim != null) {
                    claimed.add(new dev.berth.api.Volume(claim, new dev.berth.api.Volume.PersistentVolumeClaim(claim + "-" + name + "-0", false)));
                }
            }
            PodSpec template0 = podReader.read(name, doc.get("metadata").get("namespace").string("default"), podMetadata, podSpec,
                    new Owner(kind, name, 0), claimed);
            if (kind.equals("Job") && !podSpec.get("restartPolicy").present()) {
                template0 = template0.withRestartPolicy("Never");
            }
            if (count == 0) {
                names.putIfAbsent(kind + "/" + name, nameField.source());
            }
            int parallelism = kind.equals("Job") ? Math.max(1, bounded(spec.get("parallelism"), 1)) : 0;
            int backoffLimit = kind.equals("Job") ? bounded(spec.get("backoffLimit"), 6) : 0;
            int deadline = 0;
            if (kind.equals("Job") && spec.get("activeDeadlineSeconds").present()) {
                Long seconds = spec.get("activeDeadlineSeconds").integer();
                if (seconds == null || seconds < 1 || seconds > Integer.MAX_VALUE) {
                    spec.get("activeDeadlineSeconds").error("must be a whole number of seconds, at least 1");
                } else {
                    deadline = seconds.intValue();
                }
            }
            Rollout rollout = kind.equals("Deployment") ? rollout(spec) : null;
            rollout = Rollout.DEFAULT.equals(rollout) ? null : rollout; // the pods of a Deployment that does not say keep the hash they had
            String parallel = kind.equals("StatefulSet") && "Parallel".equals(spec.get("podManagementPolicy").string()) ? "Parallel" : null;
            List<String> podNames = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String podName = name + "-" + i;
                PodSpec pod = template0.withIdentity(podName, new Owner(kind, name, i, parallelism, backoffLimit, deadline, rollout, parallel));
                if (kind.equals("StatefulSet")) {
                    pod = statefulPod(pod, spec, name, i, claimTemplates, doc.get("metadata").get("namespace").string("default"));
                }
                if (addPod(pod, nameField)) {
                    podNames.add(podName);
                }
            }
            String detail = count + (count == 1 ? " pod" : " pods") + switch (kind) {
                case "Job" -> ", run to completion";
                case "DaemonSet" -> " on the one node, this host";
                case "StatefulSet" -> count > 1 ? ", " + (parallel != null ? "in parallel" : "each once the one before is ready") : "";
                default -> "";
            };
            report(kind, name, doc, Disposition.Fate.PLAYED, detail, podNames);
        }

        /**
         * Pod {@code i} of a StatefulSet: its own claim {@code TEMPLATE-NAME-i} for each
         * volumeClaimTemplate (kept across down, as claims are), with OrderedReady a wait for pod
         * {@code i-1} to be ready, and {@code serviceName} as its subdomain ({@code NAME-i.SERVICE}).
         */
        private PodSpec statefulPod(PodSpec pod, Field spec, String name, int i, List<Field> claimTemplates, String namespace) {
            Field policyField = spec.get("podManagementPolicy");
            String policy = policyField.string("OrderedReady");
            if (!policy.equals("OrderedReady") && !policy.equals("Parallel")) {
                policyField.error("must be OrderedReady or Parallel");
            }
            List<dev.berth.api.Volume> volumes = new ArrayList<>();
            for (dev.berth.api.Volume v : pod.volumes()) {
                boolean template = claimTemplates.stream().anyMatch(t -> v.name().equals(t.get("metadata").get("name").string()));
                volumes.add(template ? new dev.berth.api.Volume(v.name(), new dev.berth.api.Volume.PersistentVolumeClaim(v.name() + "-" + name + "-" + i, false)) : v);
            }
            for (Field t : claimTemplates) {
                String claim = t.get("metadata").get("name").string();
                if (claim != null) {
                    Map<String, String> data = new LinkedHashMap<>();
                    String storage = t.get("spec").get("resources").get("requests").get("storage").quantity();
                    if (storage != null) {
                        data.put("storage", storage);
                    }
                    String claimName = claim + "-" + name + "-" + i;
                    if (unique("PersistentVolumeClaim", claimName, t.get("metadata").get("name"))) {
                        objects.add(new ObjectSpec(ObjectKind.PERSISTENT_VOLUME_CLAIM, claimName, namespace, data, t.source()));
                    }
                }
            }
            List<dev.berth.api.DeclaredDependency> dependsOn = new ArrayList<>(pod.dependsOn());
            if (i > 0 && policy.equals("OrderedReady")) {
                dependsOn.add(new dev.berth.api.DeclaredDependency(null, name + "-" + (i - 1), dev.berth.api.StartCondition.READY,
                        "podManagementPolicy: OrderedReady", policyField.source(), spec.path() + ".podManagementPolicy"));
            }
            return pod.withStatefulIdentity(volumes, dependsOn, spec.get("serviceName").string());
        }

        /** A Deployment's {@code strategy}, {@code minReadySeconds} and {@code progressDeadlineSeconds}. */
        private static Rollout rollout(Field spec) {
            Field strategy = spec.get("strategy");
            String type = strategy.get("type").string(Rollout.DEFAULT.type());
            if (!type.equals("RollingUpdate") && !type.equals("Recreate")) {
                strategy.get("type").error("must be RollingUpdate or Recreate");
            }
            Field rolling = strategy.get("rollingUpdate");
            String surge = intOrPercent(rolling.get("maxSurge"), Rollout.DEFAULT.maxSurge());
            String unavailable = intOrPercent(rolling.get("maxUnavailable"), Rollout.DEFAULT.maxUnavailable());
            if (surge.matches("0+%?") && unavailable.matches("0+%?")) {
                rolling.error("maxSurge and maxUnavailable cannot both be 0");
            }
            return new Rollout(type, surge, unavailable, seconds(spec.get("minReadySeconds"), 0),
                    Math.max(1, seconds(spec.get("progressDeadlineSeconds"), Rollout.DEFAULT.progressDeadlineSeconds())));
        }

        private static int seconds(Field f, int fallback) {
            Long n = f.integer();
            if (n == null) {
                return fallback;
            }
            if (n < 0 || n > 86_400) {
                f.error("must be between 0 and 86400 seconds");
                return fallback;
            }
            return n.intValue();
        }

        private static String intOrPercent(Field f, String fallback) {
            String value = f.present() ? f.intOrString() : fallback;
            if (value == null || !Rollout.valid(value)) {
                f.error("must be a number or a percentage, such as 1 or 25%");
                return fallback;
            }
            return value;
        }

        private static int bounded(Field f, int fallback) {
            Long n = f.integer();
            if (n == null) {
                return fallback;
            }
            if (n < 0 || n > MAX_REPLICAS) {
                f.error("must be between 0 and " + MAX_REPLICAS);
                return 0;
            }
            return n.intValue();
        }

        private boolean addPod(PodSpec pod, Field nameField) {
            if (unique("Pod", pod.name(), nameField)) {
                pods.add(pod);
                return true;
            }
            return false;
        }

        /** Pod names are unique across namespaces: berth runs one machine, and containers are named after their pod. */
        private boolean unique(String kind, String name, Field nameField) {
            Source first = names.putIfAbsent(kind + "/" + name, nameField.source());
            if (first != null) {
                nameField.error("duplicate " + kind + " \"" + name + "\" (first defined at " + first + ")");
                return false;
            }
            return true;
        }

        private void object(String kind, String name, Field doc, Field nameField) {
            String namespace = doc.get("metadata").get("namespace").string("default");
            Map<String, String> data = new LinkedHashMap<>();
            ObjectKind objectKind;
            switch (kind) {
                case "ConfigMap" -> {
                    objectKind = ObjectKind.CONFIG_MAP;
                    putKeys(data, doc.get("data"), false);
                    putKeys(data, doc.get("binaryData"), true);
                }
                case "Secret" -> {
                    objectKind = ObjectKind.SECRET;
                    putKeys(data, doc.get("data"), true);
                    putKeys(data, doc.get("stringData"), false);
                    doc.get("type").string(); // any type: its data is what a pod uses (a pull Secret's too)
                }
                default -> {
                    objectKind = ObjectKind.PERSISTENT_VOLUME_CLAIM;
                    doc.get("spec").get("volumeName").string(); // read when claims are bound to volumes, after every file
                    String storage = doc.get("spec").get("resources").get("requests").get("storage").quantity();
                    if (storage != null) {
                        data.put("storage", storage);
                    }
                }
            }
            if (unique(kind, name, nameField)) {
                objects.add(new ObjectSpec(objectKind, name, namespace, data, nameField.source()));
                if (objectKind == ObjectKind.PERSISTENT_VOLUME_CLAIM) {
                    claims.put(namespace + "/" + name, doc);
                }
                report(kind, name, doc, Disposition.Fate.CREATED, objectKind == ObjectKind.PERSISTENT_VOLUME_CLAIM ? "the named volume " + name
                        : data.size() + (data.size() == 1 ? " key" : " keys"), List.of());
            }
        }

        private static void putKeys(Map<String, String> data, Field field, boolean base64) {
            for (Map.Entry<String, Field> e : field.entries().entrySet()) {
                String problem = Names.checkConfigKey(e.getKey());
                if (problem != null) {
                    e.getValue().error(problem);
                    continue;
                }
                String value = e.getValue().string();
                if (value == null) {
                    continue;
                }
                if (base64) {
                    try {
                        value = new String(Base64.getMimeDecoder().decode(value), StandardCharsets.UTF_8);
                    } catch (IllegalArgumentException ex) {
                        e.getValue().error("not valid base64");
                        continue;
                    }
                }
                data.put(e.getKey(), value);
            }
        }

        private void service(String name, Field doc, Field nameField) {
            Field spec = doc.get("spec");
            String namespace = doc.get("metadata").get("namespace").string("default");
            Field typeField = spec.get("type");
            String type = typeField.string("ClusterIP");
            if (!Set.of("ClusterIP", "NodePort", "LoadBalancer").contains(type)) {
                typeField.error("must be ClusterIP, NodePort or LoadBalancer, got \"" + type + "\"");
            }
            List<ServiceSpec.Port> ports = new ArrayList<>();
            for (Field p : spec.get("ports").list()) {
                Field portField = p.get("port");
                Long port = portField.integer();
                if (port == null || port < 1 || port > 65535) {
                    portField.error(port == null ? "required" : "port " + port + " is outside 1..65535");
                    continue;
                }
                PortRef target = p.get("targetPort").present() ? p.get("targetPort").portRef() : PortRef.of(port.intValue());
                Field nodePortField = p.get("nodePort");
                int nodePort = nodePortField.integer(0);
                if (nodePortField.present() && (nodePort < 30000 || nodePort > 32767)) {
                    nodePortField.error("must be in 30000..32767");
                }
                ports.add(new ServiceSpec.Port(p.get("name").string(), port.intValue(), target,
                        p.get("protocol").string("TCP"), nodePort));
            }
            if (unique("Service", name, nameField)) {
                services.add(new ServiceSpec(name, namespace, type, spec.get("selector").stringMap(), ports, nameField.source()));
                report("Service", name, doc, Disposition.Fate.PLAYED, type + (spec.get("clusterIP").string("").equals("None") ? " (headless)" : "")
                        + ", port" + (ports.size() == 1 ? " " : "s ") + String.join(", ", ports.stream().map(p -> p.port() + "").toList()), List.of());
            }
        }

        void checkReferences(ManifestReader.Options options) {
            for (PodReader.Reference r : references) {
                if (r.kind() == null) {
                    if (!serviceAccounts.contains(r.namespace() + "/" + r.name())) {
                        missing(r.field(), "ServiceAccount \"" + r.name() + "\"", "", "add it (berth accepts it, with nothing to apply), or pass --allow-missing-refs", options);
                    }
                    continue;
                }
                ObjectSpec target = objects.stream()
                        .filter(o -> o.kind() == r.kind() && o.name().equals(r.name()) && o.namespace().equals(r.namespace()))
                        .findFirst().orElse(null);
                if (target == null) {
                    if (!r.optional()) {
                        missing(r.field(), r.kind().kubernetesName() + " \"" + r.name() + "\"", "", "add it, "
                                + (r.kind() == ObjectKind.PERSISTENT_VOLUME_CLAIM ? "" : "mark the reference optional: true, ") + "or pass --allow-missing-refs", options);
                    }
                } else if (r.key() != null && !target.data().containsKey(r.key()) && !r.optional()) {
                    r.field().error(r.kind().kubernetesName() + " \"" + r.name() + "\" has no key \"" + r.key() + "\"");
                }
            }
        }

        /**
         * A reference to an object that is not in the manifests: an error that says how to fix
         * it, or with {@code --allow-missing-refs} a warning that says what happens instead.
         */
        private static void missing(Field field, String object, String instead, String fix, ManifestReader.Options options) {
            String message = object + " is not in the given manifests";
            if (options.allowMissingRefs()) {
                field.warning(message + " (allowed by --allow-missing-refs)" + instead);
            } else {
                field.error(message + "; " + fix);
            }
        }

        /**
         * Binds claims to the manifests' PersistentVolumes as Kubernetes does: by the claim's
         * {@code volumeName}, by a volume's {@code claimRef}, or to the first free volume of the
         * claim's {@code storageClassName}. A claim bound to a hostPath or local volume uses that
         * path; bound to any other type, it keeps its local named volume.
         */
        void bindClaims(ManifestReader.Options options) {
            Map<String, String> paths = new HashMap<>();
            Set<String> bound = new HashSet<>();
            for (Map.Entry<String, Field> c : claims.entrySet()) {
                String claim = c.getKey();
                Field spec = c.getValue().get("spec");
                Field volumeName = spec.get("volumeName");
                String className = spec.get("storageClassName").string("");
                String pv = volumeName.string();
                if (pv != null && !persistentVolumes.containsKey(pv)) {
                    missing(volumeName, "PersistentVolume \"" + pv + "\"", ": the claim gets a local named volume",
                            "add it, or leave volumeName out for a local named volume", options);
                    continue;
                }
                if (pv == null) {
                    pv = persistentVolumes.entrySet().stream().filter(e -> claim.equals(claimRef(e.getValue()))).map(Map.Entry::getKey)
                            .findFirst().orElse(null);
                }
                if (pv == null && !className.isEmpty()) {
                    pv = persistentVolumes.entrySet().stream().filter(e -> !bound.contains(e.getKey()) && claimRef(e.getValue()) == null
                            && className.equals(e.getValue().get("spec").get("storageClassName").string(""))).map(Map.Entry::getKey)
                            .findFirst().orElse(null);
                }
                if (pv == null || !bound.add(pv)) {
                    continue;
                }
                Field pvSpec = persistentVolumes.get(pv).get("spec");
                Field pathField = pvSpec.get("hostPath").present() ? pvSpec.get("hostPath").get("path") : pvSpec.get("local").get("path");
                String path = pathField.string();
                if (path != null && !path.startsWith("/")) {
                    pathField.error("must be an absolute path");
                    path = null;
                }
                String name = claim.substring(claim.indexOf('/') + 1);
                if (path != null) {
                    paths.put(claim, path);
                }
                redispose("PersistentVolumeClaim", name, "bound to PersistentVolume " + pv
                        + (path != null ? ": the host's " + path : ": the named volume " + name + " (its storage is not on this host)"));
                redispose("PersistentVolume", pv, "bound to claim " + name + (path != null ? ": the host's " + path : ": a local named volume"));
            }
            if (paths.isEmpty()) {
                return;
            }
            pods.replaceAll(pod -> pod.withVolumes(pod.volumes().stream().map(v -> v.source() instanceof dev.berth.api.Volume.PersistentVolumeClaim c
                    && paths.containsKey(pod.namespace() + "/" + c.claimName())
                    ? new dev.berth.api.Volume(v.name(), new dev.berth.api.Volume.PersistentVolumeClaim(c.claimName(), c.readOnly(),
                    paths.get(pod.namespace() + "/" + c.claimName()))) : v).toList()));
        }

        /** {@code NAMESPACE/NAME} of the claim a PersistentVolume is reserved for, or null. */
        private static String claimRef(Field pv) {
            Field ref = pv.get("spec").get("claimRef");
            String name = ref.get("name").string();
            return name == null ? null : ref.get("namespace").string("default") + "/" + name;
        }

        private void redispose(String kind, String name, String detail) {
            redispose(kind, name, Disposition.Fate.CREATED, detail, List.of());
        }

        private void redispose(String kind, String name, Disposition.Fate fate, String detail, List<String> podNames) {
            dispositions.replaceAll(d -> d.kind().equals(kind) && d.name().equals(name)
                    ? new Disposition(kind, name, d.namespace(), fate, detail, podNames, d.source()) : d);
        }

        /** One path of an Ingress rule, before its Service's port is known. */
        private record IngressPath(String ingress, String host, String path, boolean exact, String namespace, Field service) {}

        /** Reads an Ingress's rules and default backend (its tls and annotations are not applied: berth serves plain HTTP). */
        private void ingressRoutes(String name, Field doc) {
            Field spec = doc.get("spec");
            String namespace = doc.get("metadata").get("namespace").string("default");
            spec.get("ingressClassName").string(); // whatever the class, berth's is the one controller here
            if (spec.get("defaultBackend").present()) {
                ingressPaths.add(new IngressPath(name, Route.ANY_HOST, "/", false, namespace, spec.get("defaultBackend").get("service")));
            }
            for (Field rule : spec.get("rules").list()) {
                Field hostField = rule.get("host");
                String host = hostField.string(Route.ANY_HOST);
                if (!host.equals(Route.ANY_HOST) && Names.checkSubdomain(host.replaceFirst("^\\*\\.", "")) != null) {
                    hostField.error("must be a DNS name, optionally starting with \"*.\", got \"" + host + "\"");
                }
                for (Field p : rule.get("http").get("paths").list()) {
                    Field typeField = p.get("pathType");
                    String type = typeField.required();
                    if (type != null && !Set.of("Exact", "Prefix", "ImplementationSpecific").contains(type)) {
                        typeField.error("must be Exact, Prefix or ImplementationSpecific");
                    }
                    String path = p.get("path").string("/");
                    if (!path.startsWith("/") || path.contains(" ")) {
                        p.get("path").error("must be an absolute path without spaces");
                    }
                    ingressPaths.add(new IngressPath(name, host, path, "Exact".equals(type), namespace, p.get("backend").get("service")));
                }
            }
        }

        /**
         * The Ingresses' routes to their Services and, with {@code --ingress-port}, the pod that
         * serves them; a backend Service not in the manifests is a warning (its requests get 502).
         */
        void ingress(ManifestReader.Options options) {
            List<Route> routes = new ArrayList<>();
            Map<String, Integer> pathsOf = new LinkedHashMap<>();
            for (IngressPath p : ingressPaths) {
                String serviceName = p.service().get("name").required();
                Field port = p.service().get("port");
                Long number = port.get("number").integer();
                String portName = port.get("name").string();
                if (serviceName == null) {
                    continue;
                }
                ServiceSpec service = services.stream().filter(s -> s.name().equals(serviceName) && s.namespace().equals(p.namespace()))
                        .findFirst().orElse(null);
                if (service == null) {
                    p.service().get("name").warning("Service \"" + serviceName + "\" is not in the given manifests: the ingress answers 502 for it");
                }
                if (number == null && service != null && portName != null) {
                    number = service.ports().stream().filter(sp -> portName.equals(sp.name())).map(sp -> (long) sp.port()).findFirst().orElse(null);
                    if (number == null) {
                        port.get("name").error("Service \"" + serviceName + "\" has no port named \"" + portName + "\"");
                    }
                }
                if (number == null) {
                    if (portName == null) {
                        port.error("required: number or name");
                    }
                    continue;
                }
                routes.add(new Route(p.host(), p.path(), p.exact(), serviceName + "." + p.namespace() + ".svc.cluster.local", number.intValue()));
                pathsOf.merge(p.ingress(), 1, Integer::sum);
            }
            if (options.ingressPort() == 0 || routes.isEmpty()) {
                ingresses.forEach((name, doc) -> doc.get("kind").warning("Ingress/" + name + ": accepted, not applied on one host: "
                        + NOT_APPLIED.get("Ingress")));
                return;
            }
            ingresses.values().stream().map(doc -> doc.get("spec").get("tls")).filter(Field::present)
                    .forEach(tls -> tls.warning("not applied on one host: berth's ingress serves plain HTTP on --ingress-port"));
            MappingNode pod = (MappingNode) new org.yaml.snakeyaml.Yaml().compose(new java.io.StringReader(IngressPod.manifest(options.ingressPort(), routes)));
            document(Field.root(pod, IngressPod.NAME, problems), options);
            pathsOf.forEach((ingress, n) -> redispose("Ingress", ingress, Disposition.Fate.PLAYED,
                    n + (n == 1 ? " path" : " paths") + " served on port " + options.ingressPort() + " by berth's ingress pod", List.of(IngressPod.NAME)));
        }
    }
}
