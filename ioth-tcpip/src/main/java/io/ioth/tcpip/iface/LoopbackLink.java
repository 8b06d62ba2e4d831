package io.ioth.tcpip.iface;

import io.ioth.tcpip.link.FrameLink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.ArrayDeque;

/**
 * The link of the loopback interface: a bounded in-memory queue, so a frame sent to the stack's own addresses is
 * received at the next {@code pollIngress} without touching a wire (smoltcp {@code phy/loopback.rs}; Linux {@code lo}).
 * Frames carry an Ethernet header with zero MACs, as Linux's loopback device does, so the ingress path and pcap
 * capture need no special case. Delivery is deferred to the next poll: a reply never re-enters the stack while it is
 * processing the request.
 *
 * <p>Not thread-safe: owner thread only.
 */
public final class LoopbackLink implements FrameLink {
    private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>();
    private final int capacity;
    private final int maxFrameSize;
    private final ByteBufAllocator allocator;
    private long dropped;
    private boolean closed;

    public LoopbackLink(final int mtu, final int capacity, final ByteBufAllocator allocator) {
        this.capacity = capacity;
        this.maxFrameSize = mtu + 14;
        this.allocator = allocator;
    }

    @Override
    public int receive(final FrameSink sink, final int maxFrames) {
        int n = 0;
        ByteBuf f;
        while (n < maxFrames && (f = queue.pollFirst()) != null) {
            n++;
            sink.onFrame(f);
        }
        return n;
    }

    @Override
    public boolean transmit(final ByteBuf frame) {
        if (closed || queue.size() >= capacity || frame.readableBytes() > maxFrameSize) {
            dropped++;
            frame.release();
            return false;
        }
        queue.addLast(frame);
        return true;
    }

    /** Frames waiting to be received. */
    public int pending() {
        return queue.size();
    }

    public long dropped() {
        return dropped;
    }

    @Override
    public int maxFrameSize() {
        return maxFrameSize;
    }

    @Override
    public ByteBufAllocator allocator() {
        return allocator;
    }

    @Override
    public void close() {
        closed = true;
        ByteBuf f;
        while ((f = queue.pollFirst()) != null) {
            f.release();
        }
    }
}
