package io.ioth.vde.internal;

import io.ioth.vde.FrameHandler;
import io.ioth.vde.VdePlug;
import io.ioth.vde.VdePoller;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Test frames, stream records (vde-protocol.md §2) and a bounded wait on a poller. */
final class StreamFrames {
    private StreamFrames() {}

    /** A frame of {@code len} bytes: broadcast destination, a source MAC carrying {@code id}, then a counting pattern. */
    static byte[] frame(int len, int id) {
        byte[] f = new byte[len];
        for (int i = 0; i < len; i++) f[i] = (byte) (i * 7 + id);
        for (int i = 0; i < Math.min(6, len); i++) f[i] = (byte) 0xff;
        if (len > 11) {
            f[6] = 0x02; // locally administered unicast source
            f[11] = (byte) id;
        }
        return f;
    }

    /** The stream encoding of one record: 2-byte big-endian length, then the bytes. */
    static byte[] record(byte[] frame) {
        return record(frame.length, frame);
    }

    static byte[] record(int announced, byte[] body) {
        byte[] r = new byte[2 + body.length];
        r[0] = (byte) (announced >> 8);
        r[1] = (byte) announced;
        System.arraycopy(body, 0, r, 2, body.length);
        return r;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    static ByteBuf direct(byte[] bytes) {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length);
        return b.writeBytes(bytes);
    }

    /** A handler that copies each frame to a byte array and releases it. */
    static final class Collector implements FrameHandler {
        final List<byte[]> frames = new ArrayList<>();

        @Override
        public void onFrame(ByteBuf frame) {
            try {
                frames.add(ByteBufUtil.getBytes(frame));
            } finally {
                frame.release();
            }
        }
    }

    /** Polls and reads {@code plug} until {@code done} holds; fails after 10 s. */
    static void pump(VdePoller poller, VdePlug plug, FrameHandler handler, BooleanSupplier done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!done.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) throw new AssertionError("timed out waiting; stats " + plug.stats());
            poller.await(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            plug.read(handler, 64);
            plug.flush();
        }
    }
}
