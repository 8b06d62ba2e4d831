package io.ioth.vde;

import io.netty.channel.IoEvent;
import io.netty.channel.IoHandle;
import io.netty.channel.IoRegistration;

/**
 * A plug registered with a {@link VdeIoHandler}. The handler calls {@link #handle} once per loop
 * iteration after waiting, so the handle can drain a bounded batch of frames and flush its backlog.
 * {@link #reading} gives the usual implementation.
 */
public interface VdeIoHandle extends IoHandle {

    /** The plug whose descriptors the handler waits on. */
    VdePlug plug();

    /** Frames per loop iteration that {@link #reading} drains before letting other work run. */
    int DEFAULT_BATCH = 64;

    /**
     * A handle that, on each loop iteration, flushes the plug's write backlog and hands up to
     * {@link #DEFAULT_BATCH} received frames to {@code frames}. Closing it closes the plug.
     */
    static VdeIoHandle reading(VdePlug plug, FrameHandler frames) {
        return new VdeIoHandle() {
            @Override
            public VdePlug plug() { return plug; }

            @Override
            public void handle(IoRegistration registration, IoEvent event) {
                plug.flush();
                plug.read(frames, DEFAULT_BATCH);
            }

            @Override
            public void close() { plug.close(); }
        };
    }
}
