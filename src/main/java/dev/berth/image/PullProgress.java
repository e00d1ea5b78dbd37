package dev.berth.image;

/** What a pull tells as it goes; called from the threads that fetch layers, so implementations are thread-safe. */
public interface PullProgress {
    /** The name was resolved to this registry's repository, and its manifest is {@code digest}. */
    default void resolved(String name, String digest) {}

    /** A layer of the image: fetched next, or already in the store. */
    default void layer(String digest, long size, boolean inStore) {}

    /** Bytes of a layer read (negative: taken back, when a download starts over). */
    default void bytes(String digest, long n) {}

    /** A layer's connection broke off or stalled, and it is asked for again: why, and from where. */
    default void retrying(String digest, String why) {}

    /** A layer fetched, checked against its digests and unpacked. */
    default void done(String digest) {}
}
