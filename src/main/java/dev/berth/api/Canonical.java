package dev.berth.api;

import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * berth's records as canonical JSON values: record components in declaration order, map keys
 * sorted, nulls and {@link Source} locations left out (where a field was written is not part of
 * what it means), a sealed variant named by a {@code "@type"} key. Equal specs give equal bytes.
 */
public final class Canonical {
    private Canonical() {}

    public static Object of(Object value) {
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Enum<?> e) {
            return e.name();
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(v -> out.add(of(v)));
            return out;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new TreeMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), of(v)));
            return out;
        }
        if (value instanceof Record record) {
            Map<String, Object> out = new LinkedHashMap<>();
            if (record.getClass().getInterfaces().length > 0 && record.getClass().getInterfaces()[0].isSealed()) {
                out.put("@type", record.getClass().getSimpleName());
            }
            for (RecordComponent c : record.getClass().getRecordComponents()) {
                if (c.getType() == Source.class) {
                    continue;
                }
                try {
                    Object v = c.getAccessor().invoke(record);
                    if (v != null) {
                        out.put(c.getName(), of(v));
                    }
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
            return out;
        }
        throw new IllegalArgumentException("not a value berth serialises: " + value.getClass());
    }

    /** Reads canonical JSON (as {@link Json#parse} returns it) back into a value of {@code type}. */
    @SuppressWarnings("unchecked")
    public static <T> T read(Object json, Class<T> type) {
        return (T) read(json, (java.lang.reflect.Type) type);
    }

    private static Object read(Object json, java.lang.reflect.Type type) {
        if (json == null) {
            return null;
        }
        if (type instanceof java.lang.reflect.ParameterizedType p) {
            Class<?> raw = (Class<?>) p.getRawType();
            if (List.class.isAssignableFrom(raw)) {
                List<Object> out = new ArrayList<>();
                for (Object item : (List<?>) json) {
                    out.add(read(item, p.getActualTypeArguments()[0]));
                }
                return out;
            }
            if (Map.class.isAssignableFrom(raw)) {
                Map<String, Object> out = new LinkedHashMap<>();
                ((Map<?, ?>) json).forEach((k, v) -> out.put((String) k, read(v, p.getActualTypeArguments()[1])));
                return out;
            }
        }
        Class<?> c = (Class<?>) type;
        if (c == String.class || c == Boolean.class || c == boolean.class) {
            return json;
        }
        if (c == int.class || c == Integer.class) {
            return ((Number) json).intValue();
        }
        if (c == long.class || c == Long.class) {
            return ((Number) json).longValue();
        }
        if (c.isEnum()) {
            for (Object constant : c.getEnumConstants()) {
                if (((Enum<?>) constant).name().equals(json)) {
                    return constant;
                }
            }
            throw new IllegalArgumentException("no " + c.getSimpleName() + " " + json);
        }
        Map<?, ?> map = (Map<?, ?>) json;
        if (c.isSealed()) {
            for (Class<?> variant : c.getPermittedSubclasses()) {
                if (variant.getSimpleName().equals(map.get("@type"))) {
                    return read(json, variant);
                }
            }
            throw new IllegalArgumentException("no " + c.getSimpleName() + " " + map.get("@type"));
        }
        RecordComponent[] components = c.getRecordComponents();
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            Object v = map.get(components[i].getName());
            if (components[i].getType() == Source.class) {
                args[i] = Source.NONE;
            } else if (v == null) {
                args[i] = emptyOf(components[i].getType());
            } else {
                args[i] = read(v, components[i].getGenericType());
            }
        }
        try {
            var constructor = c.getDeclaredConstructor(types);
            constructor.setAccessible(true);
            return constructor.newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("cannot read " + c.getSimpleName() + ": " + e, e);
        }
    }

    /** What a left-out component reads back as: null, or false and 0 for primitives. */
    private static Object emptyOf(Class<?> type) {
        if (type == boolean.class) {
            return false;
        }
        if (type == int.class) {
            return 0;
        }
        if (type == long.class) {
            return 0L;
        }
        return null;
    }

    public static String json(Object value) {
        return Json.write(of(value));
    }

    /** The hex sha256 of the canonical JSON. */
    public static String hash(Object value) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(json(value).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
