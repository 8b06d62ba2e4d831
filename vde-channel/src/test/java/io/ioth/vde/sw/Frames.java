package io.ioth.vde.sw;

import io.ioth.vde.FrameHandler;
import io.ioth.vde.VdePlug;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;

import java.util.ArrayList;
import java.util.List;

/** Packet-trace helpers: build frames, read everything a plug has as hex strings. */
final class Frames {
    private Frames() {}

    static final long A = 0x02000000000aL, B = 0x02000000000bL, C = 0x02000000000cL;
    static final long BROADCAST = 0xffffffffffffL;
    static final long GROUP = 0x03000000000aL; // bit 0 of the first byte set: a group address

    /** dst, src, EtherType 0x88b5 (local experimental), then the payload bytes. */
    static ByteBuf frame(long dst, long src, int... payload) {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(14 + payload.length);
        b.writeShort((int) (dst >>> 32)).writeInt((int) dst);
        b.writeShort((int) (src >>> 32)).writeInt((int) src);
        b.writeShort(0x88b5);
        for (int p : payload) b.writeByte(p);
        return b;
    }

    static String hex(long dst, long src, int... payload) {
        ByteBuf f = frame(dst, src, payload);
        try {
            return ByteBufUtil.hexDump(f);
        } finally {
            f.release();
        }
    }

    /** Everything readable now, as hex, frames released. */
    static List<String> drain(VdePlug plug) {
        List<String> out = new ArrayList<>();
        FrameHandler h = f -> {
            try {
                out.add(ByteBufUtil.hexDump(f));
            } finally {
                f.release();
            }
        };
        while (plug.read(h, 16) > 0) {
            // keep reading
        }
        return out;
    }
}
