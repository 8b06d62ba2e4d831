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
    /** The frame size the stack is given: {@link #MAX_FRAME} unless a larger MTU was asked for. */
    private final int maxFrame;

    public VdeFrameLink(final VdePlug plug, final ByteBufAllocator allocator) {
        this(plug, allocator, MAX_FRAME);
    }

    /**
     * A link whose frames are at most {@code maxFrame} bytes (an MTU of {@code maxFrame - 14}; jumbo frames on a
     * wire that carries them).
     *
     * @throws IllegalArgumentException if the plug cannot carry frames that large
     */
    public VdeFrameLink(final VdePlug plug, final ByteBufAllocator allocator, final int maxFrame) {
        if (maxFrame > plug.maxFrameSize()) {
            throw new IllegalArgumentException("MTU " + (maxFrame - 14) + " needs " + maxFrame + "-byte frames; "
                    + plug.vnl() + " carries at most " + plug.maxFrameSize() + " (MTU " + (plug.maxFrameSize() - 14)
                    + ")");
        }
        this.plug = plug;
        this.allocator = allocator;
        this.maxFrame = maxFrame;
    }

    /** Opens the wire {@code vnl} (the vde:// handshake happens here, bounded by the options' connect timeout). */
    public static VdeFrameLink open(final String vnl, final VdeOptions options) throws IOException {
        return new VdeFrameLink(Vde.open(vnl, options), options.allocator());
    }

    /** {@link #open(String, VdeOptions)} with an interface MTU of {@code mtu} (frames of {@code mtu + 14} bytes). */
    public static VdeFrameLink open(final String vnl, final VdeOptions options, final int mtu) throws IOException {
        final VdePlug p = Vde.open(vnl, options);
        try {
            return new VdeFrameLink(p, options.allocator(), mtu + 14);
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
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
        // unless the identity asked for more (IothIdentity#withMtu, checked against the plug in the constructor)
        return Math.min(plug.maxFrameSize(), maxFrame);
    }

    @Override
    public int inboundQueueFrames() {
        return plug.inboundQueueFrames();
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
