package io.ioth.vde;

import io.netty.buffer.ByteBuf;

/**
 * One port on a virtual Ethernet: frames in, frames out.
 *
 * <p>Threading: a plug belongs to one owner thread (a stack's event loop). {@link #read},
 * {@link #write}, {@link #flush} and {@link #close} are called on that thread only; nothing blocks.
 * Readiness is waited for with a {@link VdePoller} that the owner registers the plug with, so no
 * plug needs a thread of its own (the one exception is {@link Vde#stream} over arbitrary Java
 * streams, which cannot be polled). {@link #stats()} and {@link #isOpen()} may be read from any thread.
 */
public interface VdePlug extends AutoCloseable {

    /** The wire's description, e.g. {@code vde:///tmp/sw[3]}. */
    Vnl vnl();

    /**
     * Hands up to {@code maxFrames} frames that have arrived to {@code handler}, without blocking.
     * Also services the wire's control events (switch death, reconnection), reported to the listener.
     *
     * @return the number of frames delivered
     */
    int read(FrameHandler handler, int maxFrames);

    /**
     * Sends one frame, taking ownership of it (it is always released). Never blocks: if the wire
     * cannot take it now it is queued (bounded) until the poller reports the wire writable.
     *
     * @return {@code false} if the frame was dropped (the reason is counted in {@link #stats()})
     */
    boolean write(ByteBuf frame);

    /** Pushes out queued frames if the wire accepts them now. */
    void flush();

    /** The largest frame (Ethernet header included, no FCS) this wire carries without loss. */
    int maxFrameSize();

    /**
     * How many full-size frames the far side of this wire holds on their way to us before it drops them (a drop-tail
     * queue with no backpressure toward the sender, vde-protocol.md §6.6), or 0 when it pushes back or queues plenty.
     * A stack uses it to keep TCP's advertised window below what the wire can hold.
     */
    default int inboundQueueFrames() { return 0; }

    /** Whether the wire is up (it may be down while an auto-reconnecting plug waits for its switch). */
    boolean isConnected();

    boolean isOpen();

    PlugStats stats();

    void listener(PlugListener listener);

    /** Releases the port, the sockets, their files and any child process. Idempotent. */
    @Override
    void close();
}
