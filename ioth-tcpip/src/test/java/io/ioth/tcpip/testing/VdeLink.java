package io.ioth.tcpip.testing;

import io.ioth.tcpip.link.FrameLink;
import io.ioth.vde.FrameHandler;
import io.ioth.vde.VdePlug;
import io.ioth.vde.sw.EmbeddedPlug;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * Test-scope adapter: a vde-channel {@link VdePlug} (a real {@code vde://} switch port or an embedded
 * {@code switch://} port) as the engine's {@link FrameLink}. The transport will have its own (style.md §2:
 * {@code VdeFrameLink}, the only class importing both).
 */
public final class VdeLink implements FrameLink {
    private final VdePlug plug;
    private final Adapter adapter = new Adapter();

    public VdeLink(VdePlug plug) {
        this.plug = plug;
    }

    public VdePlug plug() {
        return plug;
    }

    private static final class Adapter implements FrameHandler {
        FrameSink sink;

        @Override
        public void onFrame(ByteBuf frame) {
            sink.onFrame(frame);
        }
    }

    @Override
    public int receive(FrameSink sink, int maxFrames) {
        adapter.sink = sink;
        return plug.read(adapter, maxFrames);
    }

    @Override
    public boolean transmit(ByteBuf frame) {
        return plug.write(frame);
    }

    @Override
    public void flush() {
        plug.flush();
    }

    @Override
    public int maxFrameSize() {
        return Math.min(plug.maxFrameSize(), 1514);
    }

    @Override
    public int inboundQueueFrames() {
        return plug.inboundQueueFrames();
    }

    @Override
    public ByteBufAllocator allocator() {
        return PooledByteBufAllocator.DEFAULT;
    }

    @Override
    public boolean isUp() {
        return plug.isConnected();
    }

    /** When the embedded switch's impaired link next delivers a frame (simulated time), or Long.MAX_VALUE. */
    public long nextDeadlineNanos() {
        return plug instanceof EmbeddedPlug e ? e.nextDeadlineNanos() : Long.MAX_VALUE;
    }

    @Override
    public void close() {
        plug.close();
    }
}
