package dev.berth.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.kubernetes.client.proto.Runtime;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Request bodies in Kubernetes' protobuf encoding ({@code application/vnd.kubernetes.protobuf}),
 * which typed clients send (kubectl's {@code create} subcommands, helm's release Secrets): the
 * {@code k8s\0} envelope ({@code runtime.Unknown}) holds the object's apiVersion and kind and its
 * message, read with the message types of the official Java client ({@code client-java-proto}) and
 * turned into the JSON the real server would have been sent: times as RFC 3339, quantities and
 * int-or-strings as themselves, bytes as base64, maps as objects, absent optional fields left out.
 */
final class Protobuf {
    private Protobuf() {}

    static final String TYPE = "application/vnd.kubernetes.protobuf";
    private static final byte[] MAGIC = {'k', '8', 's', 0};
    private static final List<Descriptors.FileDescriptor> FILES = List.of(io.kubernetes.client.proto.V1.getDescriptor(),
            io.kubernetes.client.proto.V1Apps.getDescriptor(), io.kubernetes.client.proto.V1Batch.getDescriptor(),
            io.kubernetes.client.proto.V1Networking.getDescriptor(), io.kubernetes.client.proto.V1Rbac.getDescriptor(),
            io.kubernetes.client.proto.V1Policy.getDescriptor(), io.kubernetes.client.proto.V1Authorization.getDescriptor(),
            io.kubernetes.client.proto.V1Authentication.getDescriptor(), io.kubernetes.client.proto.V1Storage.getDescriptor(),
            io.kubernetes.client.proto.V1Scheduling.getDescriptor(), io.kubernetes.client.proto.V1Autoscaling.getDescriptor(),
            io.kubernetes.client.proto.V1Certificates.getDescriptor(), io.kubernetes.client.proto.V1Admissionregistration.getDescriptor(),
            io.kubernetes.client.proto.Meta.getDescriptor());
    /**
     * Go writes every non-pointer field into protobuf, set or not, where its JSON leaves out the
     * empty ones: so empty strings and zero times are left out, and zeros and falses too, but for
     * these fields, pointers in Go, whose 0 or false means something other than "not set".
     */
    private static final java.util.Set<String> ZERO_MEANS_SOMETHING = java.util.Set.of("replicas", "automountServiceAccountToken",
            "runAsUser", "runAsGroup", "fsGroup", "runAsNonRoot", "privileged", "allowPrivilegeEscalation", "readOnlyRootFilesystem",
            "terminationGracePeriodSeconds", "activeDeadlineSeconds", "backoffLimit", "completions", "parallelism", "suspend",
            "successfulJobsHistoryLimit", "failedJobsHistoryLimit", "revisionHistoryLimit", "startingDeadlineSeconds",
            "ttlSecondsAfterFinished", "enableServiceLinks", "hostUsers", "setHostnameAsFQDN", "shareProcessNamespace", "defaultMode",
            "mode", "optional", "immutable", "gracePeriodSeconds", "partition", "maxUnavailable", "maxSurge", "seconds", "nanos");

    /** Message types by proto package and name: {@code k8s.io.api.apps.v1/Deployment}. */
    private static volatile Map<String, Descriptors.Descriptor> types;

    /** The object a protobuf body holds, as JSON. */
    static ObjectNode read(byte[] body) {
        if (body.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(body, MAGIC.length), MAGIC)) {
            throw ApiError.badRequest("a protobuf body must begin with the k8s\\0 envelope");
        }
        try {
            Runtime.Unknown unknown = Runtime.Unknown.parseFrom(ByteString.copyFrom(body, MAGIC.length, body.length - MAGIC.length));
            String apiVersion = unknown.getTypeMeta().getApiVersion();
            String kind = unknown.getTypeMeta().getKind();
            Descriptors.Descriptor type = types().get(protoPackage(apiVersion) + "/" + kind);
            if (type == null) { // DeleteOptions and the other meta types are sent as v1 or meta.k8s.io/v1
                type = types().get("k8s.io.apimachinery.pkg.apis.meta.v1/" + kind);
            }
            if (type == null) {
                throw ApiError.unsupportedMediaType(TYPE + " for " + apiVersion + " " + kind);
            }
            DynamicMessage message = DynamicMessage.parseFrom(type, unknown.getRaw());
            ObjectNode json = (ObjectNode) toJson(message);
            ObjectNode out = Objects.F.objectNode().put("apiVersion", apiVersion).put("kind", kind);
            out.setAll(json);
            return out;
        } catch (InvalidProtocolBufferException e) {
            throw ApiError.badRequest("the protobuf body cannot be read: " + e.getMessage());
        }
    }

    /** {@code apps/v1} → {@code k8s.io.api.apps.v1}; {@code rbac.authorization.k8s.io/v1} → {@code k8s.io.api.rbac.v1}. */
    private static String protoPackage(String apiVersion) {
        int slash = apiVersion.indexOf('/');
        String group = slash < 0 ? "core" : apiVersion.substring(0, slash);
        String version = apiVersion.substring(slash + 1);
        return "k8s.io.api." + group.split("\\.")[0] + "." + version;
    }

    private static Map<String, Descriptors.Descriptor> types() {
        Map<String, Descriptors.Descriptor> t = types;
        if (t == null) {
            t = new HashMap<>();
            for (Descriptors.FileDescriptor f : FILES) {
                for (Descriptors.Descriptor d : f.getMessageTypes()) {
                    t.put(f.getPackage() + "/" + d.getName(), d);
                }
            }
            types = t;
        }
        return t;
    }

    private static JsonNode toJson(Message m) {
        String type = m.getDescriptorForType().getFullName();
        switch (type) {
            case "k8s.io.apimachinery.pkg.apis.meta.v1.Time", "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime" -> {
                long seconds = (long) field(m, "seconds", 0L);
                int nanos = (int) field(m, "nanos", 0);
                Instant at = Instant.ofEpochSecond(seconds, type.endsWith("MicroTime") ? nanos / 1000 * 1000 : 0);
                return Objects.F.textNode(at.toString());
            }
            case "k8s.io.apimachinery.pkg.util.intstr.IntOrString" -> {
                return (long) field(m, "type", 0L) == 1 ? Objects.F.textNode((String) field(m, "strVal", ""))
                        : Objects.F.numberNode((int) field(m, "intVal", 0));
            }
            case "k8s.io.apimachinery.pkg.api.resource.Quantity" -> {
                return Objects.F.textNode((String) field(m, "string", ""));
            }
            case "k8s.io.apimachinery.pkg.runtime.RawExtension", "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1" -> {
                ByteString raw = (ByteString) field(m, "raw", field(m, "Raw", ByteString.EMPTY));
                return raw.isEmpty() ? Objects.F.objectNode() : ObjectStore.parse(raw.toStringUtf8());
            }
            default -> {
                ObjectNode o = Objects.F.objectNode();
                for (Descriptors.FieldDescriptor f : m.getDescriptorForType().getFields()) {
                    if (f.isRepeated()) {
                        if (m.getRepeatedFieldCount(f) == 0) {
                            continue;
                        }
                        if (f.isMapField()) {
                            ObjectNode map = o.putObject(f.getName());
                            for (Object entry : (List<?>) m.getField(f)) {
                                Message e = (Message) entry;
                                Descriptors.FieldDescriptor k = e.getDescriptorForType().findFieldByName("key");
                                Descriptors.FieldDescriptor v = e.getDescriptorForType().findFieldByName("value");
                                map.set(String.valueOf(e.getField(k)), value(v, e.getField(v)));
                            }
                        } else {
                            ArrayNode list = o.putArray(f.getName());
                            for (Object item : (List<?>) m.getField(f)) {
                                list.add(value(f, item));
                            }
                        }
                    } else if (m.hasField(f)) {
                        JsonNode v = value(f, m.getField(f));
                        if (!empty(f, v)) {
                            o.set(f.getName(), v);
                        }
                    }
                }
                return o;
            }
        }
    }

    private static boolean empty(Descriptors.FieldDescriptor f, JsonNode v) {
        if (v.isTextual()) {
            return v.asText().isEmpty() || v.asText().equals("1970-01-01T00:00:00Z") && f.getJavaType() == Descriptors.FieldDescriptor.JavaType.MESSAGE;
        }
        if (v.isNumber() || v.isBoolean()) {
            return !ZERO_MEANS_SOMETHING.contains(f.getName()) && (v.isBoolean() ? !v.asBoolean() : v.asDouble() == 0);
        }
        return false;
    }

    private static Object field(Message m, String name, Object absent) {
        Descriptors.FieldDescriptor f = m.getDescriptorForType().findFieldByName(name);
        return f == null || !m.hasField(f) ? absent : m.getField(f);
    }

    private static JsonNode value(Descriptors.FieldDescriptor f, Object v) {
        return switch (f.getJavaType()) {
            case MESSAGE -> toJson((Message) v);
            case STRING -> Objects.F.textNode((String) v);
            case BOOLEAN -> Objects.F.booleanNode((Boolean) v);
            case INT -> Objects.F.numberNode((Integer) v);
            case LONG -> Objects.F.numberNode((Long) v);
            case FLOAT -> Objects.F.numberNode((Float) v);
            case DOUBLE -> Objects.F.numberNode((Double) v);
            case BYTE_STRING -> Objects.F.textNode(Base64.getEncoder().encodeToString(((ByteString) v).toByteArray()));
            case ENUM -> Objects.F.textNode(((Descriptors.EnumValueDescriptor) v).getName());
        };
    }
}
