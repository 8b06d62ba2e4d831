package io.ioth.tcpip.testing;

import io.netty.buffer.ByteBufUtil;

/** Hex text (whitespace ignored) to bytes and back. */
public final class Hex {
    private Hex() {
    }

    public static byte[] decode(String hex) {
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

    public static String encode(byte[] b) {
        return ByteBufUtil.hexDump(b);
    }

    /** Groups of 4 hex digits, 16 bytes per line: readable in assertion messages. */
    public static String pretty(byte[] b) {
        StringBuilder sb = new StringBuilder();
        String h = encode(b);
        for (int i = 0; i < h.length(); i += 4) {
            if (i > 0) {
                sb.append(i % 32 == 0 ? '\n' : ' ');
            }
            sb.append(h, i, Math.min(i + 4, h.length()));
        }
        return sb.toString();
    }
}
