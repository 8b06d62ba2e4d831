package io.ioth.tcpip.testing;

import io.ioth.tcpip.link.FrameLink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A link for packet-trace tests: the test {@link #inject injects} frames (bytes in) and {@link #take takes} what the
 * stack transmitted (bytes out). Transmitted frames are copied to byte arrays and released at once; injected frames
 * are pooled buffers, so Netty's leak detector sees any frame the stack forgets to release.
 */
public final class TraceLink implements FrameLink {
    private final ArrayDeque<ByteBuf> in = new ArrayDeque<>();
    private final ArrayDeque<byte[]> out = new ArrayDeque<>();
    private final int maxFrameSize;
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private boolean closed;

    public TraceLink() {
        this(1514);
    }

    public TraceLink(int maxFrameSize) {
        this.maxFrameSize = maxFrameSize;
    }

    /** Queues a frame for the stack's next pollIngress. */
    public void inject(byte[] frame) {
        ByteBuf b = alloc.directBuffer(frame.length);
        b.writeBytes(frame);
        in.add(b);
    }

    public void inject(String hex) {
        inject(Hex.decode(hex));
    }

    /** Queues a frame whose buffer is shared (a retained duplicate, as a switch flood delivers it). */
    public ByteBuf injectShared(byte[] frame) {
        ByteBuf b = alloc.directBuffer(frame.length);
        b.writeBytes(frame);
        in.add(b.retainedDuplicate());
        return b;
    }

    /** The next frame the stack sent, or null. */
    public byte[] take() {
        return out.poll();
    }

    public List<byte[]> takeAll() {
        List<byte[]> l = new ArrayList<>(out);
        out.clear();
        return l;
    }

    public int transmittedPending() {
        return out.size();
    }

    @Override
    public int receive(FrameSink sink, int maxFrames) {
        int n = 0;
        ByteBuf f;
        while (n < maxFrames && (f = in.poll()) != null) {
            n++;
            sink.onFrame(f);
        }
        return n;
    }

    @Override
    public boolean transmit(ByteBuf frame) {
        try {
            if (closed || frame.readableBytes() > maxFrameSize) {
                return false;
            }
            out.add(ByteBufUtil.getBytes(frame));
            return true;
        } finally {
            frame.release();
        }
    }

    @Override
    public int maxFrameSize() {
        return maxFrameSize;
    }

    @Override
    public ByteBufAllocator allocator() {
        return alloc;
    }

    @Override
    public void close() {
        closed = true;
        ByteBuf f;
        while ((f = in.poll()) != null) {
            f.release();
        }
    }
}
