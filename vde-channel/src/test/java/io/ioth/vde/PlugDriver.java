package io.ioth.vde;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;

import java.util.ArrayDeque;
import java.util.HexFormat;

/**
 * Test helper: drives plugs from the test thread with a {@link VdePoller}, copies every received
 * frame to a byte[] (releasing the buffer at once) and awaits with bounded deadlines, never sleeping.
 */
final class PlugDriver implements AutoCloseable {
    final VdePoller poller = new VdePoller();

    void add(VdePlug... plugs) {
        for (VdePlug p : plugs) poller.add(p);
    }

    /** Frames received by one plug and not yet taken. */
    static final class Inbox implements FrameHandler {
        final ArrayDeque<byte[]> frames = new ArrayDeque<>();

        @Override
        public void onFrame(ByteBuf frame) {
            try {
                frames.add(ByteBufUtil.getBytes(frame));
            } finally {
                frame.release();
            }
        }
    }

    /** Reads every plug once (up to 64 frames each). */
    void drain(VdePlug plug, Inbox inbox) {
        while (plug.read(inbox, 64) > 0) {
            // keep going
        }
    }

    /** Waits at most {@code timeoutMs} for {@code plug} to deliver a frame; returns it or null. */
    byte[] await(VdePlug plug, Inbox inbox, long timeoutMs) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (true) {
            plug.read(inbox, 64);
            if (!inbox.frames.isEmpty()) return inbox.frames.poll();
            long left = deadline - System.nanoTime();
            if (left <= 0) return null;
            poller.await(Math.min(left, 50_000_000L));
        }
    }

    /** Waits at most {@code timeoutMs} until {@code condition} holds, reading {@code plug} meanwhile. */
    boolean awaitCondition(VdePlug plug, Inbox inbox, long timeoutMs, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (true) {
            plug.read(inbox, 64);
            if (condition.getAsBoolean()) return true;
            long left = deadline - System.nanoTime();
            if (left <= 0) return false;
            poller.await(Math.min(left, 50_000_000L));
        }
    }

    /** Sends a copy of {@code frame} in a pooled direct buffer. */
    static boolean send(VdePlug plug, byte[] frame) {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(frame.length);
        b.writeBytes(frame);
        return plug.write(b);
    }

    /** An Ethernet frame: dst, src, EtherType 0x88b5 (local experimental), then {@code payloadLen} bytes of {@code tag}. */
    static byte[] frame(String dst, String src, int payloadLen, int tag) {
        HexFormat h = HexFormat.of();
        byte[] f = new byte[14 + payloadLen];
        System.arraycopy(h.parseHex(dst), 0, f, 0, 6);
        System.arraycopy(h.parseHex(src), 0, f, 6, 6);
        f[12] = (byte) 0x88;
        f[13] = (byte) 0xb5;
        for (int i = 0; i < payloadLen; i++) f[14 + i] = (byte) (tag + i);
        return f;
    }

    @Override
    public void close() {
        poller.close();
    }
}
