package io.ioth.vde;

import io.netty.buffer.ByteBuf;

/**
 * Receives frames read from a {@link VdePlug}. Called on the plug's owner thread.
 *
 * <p>The handler owns the frame: it must release it (or pass it on to someone who will). A frame may
 * share its memory with frames delivered to other ports of an in-JVM switch, so it must be treated
 * as read-only.
 */
@FunctionalInterface
public interface FrameHandler {
    void onFrame(ByteBuf frame);
}
