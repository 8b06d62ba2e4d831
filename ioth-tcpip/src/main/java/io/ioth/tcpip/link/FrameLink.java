package io.ioth.tcpip.link;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The engine's only device SPI: an Ethernet link that frames go in and out of. A VDE plug, the
 * embedded switch, a pcap-recording decorator and test pipes all implement it; the engine knows
 * nothing else about its wire.
 *
 * <p>Threading: called only by the stack's owner thread. Nothing blocks.
 */
public interface FrameLink extends AutoCloseable {

    /** Receives frames from the link. The sink owns each frame and must release it. */
    @FunctionalInterface
    interface FrameSink {
        void onFrame(ByteBuf frame);
    }

    /**
     * Hands up to {@code maxFrames} frames that have arrived to {@code sink}, without blocking.
     *
     * @return the number of frames delivered
     */
    int receive(FrameSink sink, int maxFrames);

    /**
     * Sends one frame (Ethernet header included, no FCS), taking ownership of it.
     *
     * @return {@code false} if the link dropped it (counted by the link)
     */
    boolean transmit(ByteBuf frame);

    /** Pushes out frames the link queued. */
    default void flush() {}

    /** The largest frame the link carries, Ethernet header included (1514 for an MTU of 1500). */
    int maxFrameSize();

    /** Where transmit buffers should come from (pooled direct memory for native wires). */
    ByteBufAllocator allocator();

    /** Whether frames can flow now. */
    default boolean isUp() { return true; }

    /**
     * How many frames the wire holds on their way to this link before it drops them: a drop-tail queue with no
     * backpressure toward the sender (a real {@code vde_switch} drops a frame when its socket buffer toward our port
     * is full, about 90 full-size frames), or 0 when the wire pushes back or queues plenty. TCP neither advertises
     * nor sends more than this many segments' worth of window on a connection over this link (like Linux's per-route
     * {@code window} clamp and {@code snd_cwnd_clamp}), scaled up on long paths, so a fast sender cannot overrun the
     * queue and lose a window's tail on every burst.
     */
    default int inboundQueueFrames() { return 0; }

    @Override
    default void close() {}
}
