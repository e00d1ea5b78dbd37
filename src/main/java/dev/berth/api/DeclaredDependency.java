package dev.berth.api;

/**
 * One target of a {@code berth.dev/depends-on[.CONTAINER]} annotation.
 *
 * @param container  the waiting container, or null when the annotation applies to every container
 * @param target     {@code CONTAINER} (same pod), {@code POD} (its app containers) or {@code POD/CONTAINER}
 * @param annotation the annotation key
 * @param where      {@code FILE:LINE: field path} of the annotation, the start of any message about it
 */
public record DeclaredDependency(
        String container, String target, StartCondition condition, String annotation, String where) {}
