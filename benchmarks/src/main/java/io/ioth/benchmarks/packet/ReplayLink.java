package io.ioth.benchmarks.packet;

import io.ioth.tcpip.link.FrameLink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * A wire that replays one frame forever and swallows what is sent: each {@link #receive} hands the
 * sink fresh copies of the template, in pooled direct buffers from the link's allocator, as a VDE
 * plug does with what it reads (the engine owns and releases them); {@link #transmit} counts the
 * frame and releases it, as a plug does once the bytes are in the kernel. The engine sees a link
 * that never runs dry and never pushes back, so a benchmark measures the stack and not a wire.
 * The cost a real link would have too (a pooled allocation and a copy of the frame per frame
 * received) is inside every figure; {@link LinkBaselineBenchmark} measures it alone.
 *
 * <p>The benchmarks' equivalent of the test-only {@code ReplayLink} of ioth-tcpip's
 * {@code SteadyStateAllocationTest}, with counters the benchmarks check at tear-down and a
 * capture of one transmitted frame to check what the stack sent. Owner thread only.
 */
public final class ReplayLink implements FrameLink {
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final int maxFrameSize;
    /** The frame replayed, direct so each copy is a memcpy; null: nothing arrives. */
    private ByteBuf template;
    private boolean captureNext;
    private byte[] captured;
    private long received, transmitted, transmittedBytes;

    public ReplayLink(int maxFrameSize) {
        this.maxFrameSize = maxFrameSize;
    }

    /** From now on every frame received is a copy of {@code frame}; null stops the replay. */
    public void replay(byte[] frame) {
        if (template != null) template.release();
        template = null;
        if (frame != null) template = alloc.directBuffer(frame.length).writeBytes(frame);
    }

    /** Keeps a copy of the next transmitted frame for {@link #captured()}. */
    public void captureNext() {
        captureNext = true;
        captured = null;
    }

    /** The frame kept by {@link #captureNext()}, or null if none was sent since. */
    public byte[] captured() {
        return captured;
    }

    @Override
    public int receive(FrameSink sink, int maxFrames) {
        ByteBuf t = template;
        if (t == null) return 0;
        int len = t.readableBytes();
        for (int i = 0; i < maxFrames; i++) {
            ByteBuf b = alloc.directBuffer(len);
            b.writeBytes(t, 0, len);
            sink.onFrame(b);
        }
        received += maxFrames;
        return maxFrames;
    }

    @Override
    public boolean transmit(ByteBuf frame) {
        transmitted++;
        transmittedBytes += frame.readableBytes();
        if (captureNext) {
            captured = ByteBufUtil.getBytes(frame);
            captureNext = false;
        }
        frame.release();
        return true;
    }

    @Override
    public int maxFrameSize() {
        return maxFrameSize;
    }

    @Override
    public ByteBufAllocator allocator() {
        return alloc;
    }

    /** Frames handed to the engine. */
    public long received() {
        return received;
    }

    /** Frames the engine sent. */
    public long transmitted() {
        return transmitted;
    }

    /** Bytes of the frames the engine sent (Ethernet header included). */
    public long transmittedBytes() {
        return transmittedBytes;
    }

    @Override
    public void close() {
        replay(null);
    }
}
