package io.ioth.transport.internal;

import io.ioth.tcpip.link.FrameLink;
import io.ioth.vde.FrameHandler;
import io.ioth.vde.Vde;
import io.ioth.vde.VdeOptions;
import io.ioth.vde.VdePlug;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.io.IOException;

/**
 * A vde-channel {@link VdePlug} as the engine's {@link FrameLink}: the only class that imports both the engine and
 * the wire (style.md §2, transport-ioth). Frames are handed through untouched, in both directions: no copy, no
 * allocation per frame (the adapter between the two sink types is one reused object).
 *
 * <p>Threading: the stack's owner thread (its event loop), like the plug (VdePlug's owner-thread contract).
 */
public final class VdeFrameLink implements FrameLink {
    /** The Ethernet MTU the stack is given: 1500 bytes of IP in a 1514-byte frame (no FCS; RFC 894). */
    public static final int MAX_FRAME = 1514;

    private final VdePlug plug;
    private final ByteBufAllocator allocator;
    private final Adapter adapter = new Adapter();

    public VdeFrameLink(final VdePlug plug, final ByteBufAllocator allocator) {
        this.plug = plug;
        this.allocator = allocator;
    }

    /** Opens the wire {@code vnl} (the vde:// handshake happens here, bounded by the options' connect timeout). */
    public static VdeFrameLink open(final String vnl, final VdeOptions options) throws IOException {
        return new VdeFrameLink(Vde.open(vnl, options), options.allocator());
    }

    public VdePlug plug() {
        return plug;
    }

    /** Hands the plug's frames to the engine's sink; one reused adapter, so nothing is captured per call. */
    private static final class Adapter implements FrameHandler {
        FrameSink sink;

        @Override
        public void onFrame(final ByteBuf frame) {
            sink.onFrame(frame);
        }
    }

    @Override
    public int receive(final FrameSink sink, final int maxFrames) {
        adapter.sink = sink;
        return plug.read(adapter, maxFrames);
    }

    @Override
    public boolean transmit(final ByteBuf frame) {
        return plug.write(frame);
    }

    @Override
    public void flush() {
        plug.flush();
    }

    @Override
    public int maxFrameSize() {
        // vde_switch carries frames up to 1518 bytes (vde-protocol.md); the stack uses the Ethernet MTU of 1500
        return Math.min(plug.maxFrameSize(), MAX_FRAME);
    }

    @Override
    public ByteBufAllocator allocator() {
        return allocator;
    }

    @Override
    public boolean isUp() {
        return plug.isConnected();
    }

    @Override
    public void close() {
        plug.close();
    }

    @Override
    public String toString() {
        return "VdeFrameLink(" + plug.vnl() + ")";
    }
}
