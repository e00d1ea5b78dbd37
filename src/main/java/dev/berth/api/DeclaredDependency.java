package dev.berth.api;

/**
 * One target of a {@code berth.dev/depends-on[.CONTAINER]} annotation.
 *
 * @param container  the waiting container, or null when the annotation applies to every container
 * @param target     {@code CONTAINER} (same pod), {@code POD} (its app containers) or {@code POD/CONTAINER}
 * @param annotation the annotation key
 * @param source     where the annotation is written
 * @param field      the annotation's field path, e.g. {@code metadata.annotations["berth.dev/depends-on"]}
 */
public record DeclaredDependency(
        String container, String target, StartCondition condition, String annotation, Source source, String field) {

    /** {@code FILE:LINE: field path}, the start of any message about this annotation. */
    public String where() {
        return source + ": " + field;
    }
}
