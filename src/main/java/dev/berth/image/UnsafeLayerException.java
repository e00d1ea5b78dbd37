package dev.berth.image;

import dev.berth.api.BerthException;

/** A layer that would write outside its directory, or is otherwise refused; nothing of it is kept. */
public final class UnsafeLayerException extends BerthException {
    public UnsafeLayerException(String message) {
        super(Kind.INVALID_INPUT, message);
    }
}
