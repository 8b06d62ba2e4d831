package io.ioth.tcpip.wire;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Lists of domain names in DNS wire format without compression (RFC 1035 §3.1: length-prefixed labels ending with a
 * zero-length root label), as carried by the RA DNSSL option (RFC 8106 §5.2) and the DHCPv6 Domain Search List
 * option (RFC 8415 §10, RFC 3646 §4). Parsing is bounds-checked and returns null on malformed input; it allocates
 * (control-plane messages, never on a hot path).
 *
 * <p>Stateless; thread-safe.
 */
public final class DomainNames {
    /** RFC 1035 §2.3.4: labels are 63 octets or less, names 255 octets or less. */
    public static final int MAX_LABEL = 63;
    public static final int MAX_NAME = 255;

    private DomainNames() {
    }

    /**
     * The names in {@code buf[off, off+len)}, e.g. {@code ["example.com", "lan"]}, or null if malformed: a label
     * length with the compression bits (0xc0), a label running past the end, a name longer than 255 octets, or a
     * final name without its root label.
     *
     * @param padded zero bytes may follow the last name (RFC 8106 §5.2: "the remaining octets other than the
     *               encoding parts of the domain names are filled with zeros")
     */
    public static List<String> parse(final ByteBuf buf, final int off, final int len, final boolean padded) {
        final List<String> out = new ArrayList<>(2);
        final int end = off + len;
        int p = off;
        final StringBuilder sb = new StringBuilder();
        while (p < end) {
            if (buf.getUnsignedByte(p) == 0) {
                if (!padded) {
                    return null; // an empty name (the root alone) is not a search domain
                }
                for (int q = p; q < end; q++) {
                    if (buf.getByte(q) != 0) {
                        return null; // padding must be zeros, and a name cannot start with the root label
                    }
                }
                break;
            }
            sb.setLength(0);
            int nameLen = 1;
            for (;;) {
                if (p >= end) {
                    return null; // no root label
                }
                final int l = buf.getUnsignedByte(p++);
                if (l == 0) {
                    break;
                }
                if (l > MAX_LABEL || p + l > end) {
                    return null; // compression pointer / extended label type, or overrun
                }
                nameLen += l + 1;
                if (nameLen > MAX_NAME) {
                    return null;
                }
                if (sb.length() > 0) {
                    sb.append('.');
                }
                for (int i = 0; i < l; i++) {
                    final int c = buf.getUnsignedByte(p + i);
                    // keep names printable; a '.' inside a label would change the name's meaning
                    sb.append(c > 0x20 && c < 0x7f && c != '.' ? (char) c : '?');
                }
                p += l;
            }
            out.add(sb.toString());
        }
        return out;
    }

    /** Encoded length of {@code names} (each: labels + 1 per label + the root byte). */
    public static int encodedLength(final String... names) {
        int n = 0;
        for (String s : names) {
            final String t = trim(s);
            n += t.isEmpty() ? 1 : t.getBytes(StandardCharsets.US_ASCII).length + 2;
        }
        return n;
    }

    /** Writes {@code names} at {@code index}; returns the index after them. */
    public static int encode(final ByteBuf buf, final int index, final String... names) {
        int p = index;
        for (String s : names) {
            final String t = trim(s);
            if (!t.isEmpty()) {
                for (String label : t.split("\\.")) {
                    final byte[] b = label.getBytes(StandardCharsets.US_ASCII);
                    if (b.length == 0 || b.length > MAX_LABEL) {
                        throw new IllegalArgumentException("bad label in " + s);
                    }
                    buf.setByte(p++, b.length);
                    buf.setBytes(p, b);
                    p += b.length;
                }
            }
            buf.setByte(p++, 0);
        }
        return p;
    }

    private static String trim(final String s) {
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
