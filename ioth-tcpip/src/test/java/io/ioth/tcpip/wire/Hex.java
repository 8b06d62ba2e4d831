package io.ioth.tcpip.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

/** Test helper: hex text (whitespace ignored) to bytes and back. */
final class Hex {
    private Hex() {
    }

    static byte[] decode(String hex) {
        String s = hex.replaceAll("\\s+", "");
        if ((s.length() & 1) != 0) {
            throw new IllegalArgumentException("odd hex length");
        }
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    static String encode(ByteBuf buf, int offset, int length) {
        return ByteBufUtil.hexDump(buf, offset, length);
    }

    static String encode(byte[] b) {
        return ByteBufUtil.hexDump(b);
    }

    /** An unpooled heap buffer over a copy of {@code bytes} (not leak-tracked). */
    static ByteBuf wrap(byte[] bytes) {
        return Unpooled.wrappedBuffer(bytes.clone());
    }

    /** A buffer of {@code n} bytes all 0xa5, so any field emit leaves unwritten shows (smoltcp test_construct). */
    static ByteBuf filledA5(int n) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) 0xa5);
        return Unpooled.wrappedBuffer(b);
    }
}
