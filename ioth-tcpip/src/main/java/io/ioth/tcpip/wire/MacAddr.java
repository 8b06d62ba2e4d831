package io.ioth.tcpip.wire;

import io.netty.buffer.ByteBuf;

/**
 * 48-bit IEEE 802 MAC addresses kept in the low 48 bits of a {@code long} (first octet most significant), so the hot
 * path carries no objects (style.md §3 principle 8). Static helpers only; thread-safe.
 */
public final class MacAddr {
    public static final long BROADCAST = 0xffff_ffff_ffffL;
    public static final long UNSPECIFIED = 0L;
    public static final int LEN = 6;
    private static final long MASK = 0xffff_ffff_ffffL;

    private MacAddr() {
    }

    /** Reads 6 bytes at absolute index {@code index}. */
    public static long get(ByteBuf buf, int index) {
        return ((long) buf.getUnsignedShort(index) << 32) | (buf.getInt(index + 2) & 0xffffffffL);
    }

    /** Writes 6 bytes at absolute index {@code index}. */
    public static void set(ByteBuf buf, int index, long mac) {
        buf.setShort(index, (int) (mac >>> 32));
        buf.setInt(index + 2, (int) mac);
    }

    /** I/G bit set: group address (IEEE 802-2014 §8.2). Broadcast is also multicast. */
    public static boolean isMulticast(long mac) {
        return (mac & 0x0100_0000_0000L) != 0;
    }

    public static boolean isBroadcast(long mac) {
        return (mac & MASK) == BROADCAST;
    }

    public static boolean isUnicast(long mac) {
        return !isMulticast(mac);
    }

    /** U/L bit set: locally administered. */
    public static boolean isLocal(long mac) {
        return (mac & 0x0200_0000_0000L) != 0;
    }

    /** Ethernet multicast MAC for an IPv4 group: 01:00:5e + low 23 bits (RFC 1112 §6.4). */
    public static long ofIpv4Multicast(int group) {
        return 0x0100_5e00_0000L | (group & 0x7f_ffff);
    }

    /** Ethernet multicast MAC for an IPv6 group: 33:33 + last 32 bits (RFC 2464 §7). */
    public static long ofIpv6Multicast(long groupLo) {
        return 0x3333_0000_0000L | (groupLo & 0xffffffffL);
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff} (or '-' separated). Configuration input: throws on bad syntax. */
    public static long parse(String s) {
        if (s.length() != 17) {
            throw new IllegalArgumentException("not a MAC address: " + s);
        }
        long v = 0;
        for (int i = 0; i < 6; i++) {
            int p = i * 3;
            if (i > 0 && s.charAt(p - 1) != ':' && s.charAt(p - 1) != '-') {
                throw new IllegalArgumentException("not a MAC address: " + s);
            }
            int hi = Character.digit(s.charAt(p), 16);
            int lo = Character.digit(s.charAt(p + 1), 16);
            if (hi < 0 || lo < 0) {
                throw new IllegalArgumentException("not a MAC address: " + s);
            }
            v = (v << 8) | (hi << 4) | lo;
        }
        return v;
    }

    /** Formats as lower-case {@code aa:bb:cc:dd:ee:ff}. */
    public static String format(long mac) {
        StringBuilder sb = new StringBuilder(17);
        appendTo(sb, mac);
        return sb.toString();
    }

    public static void appendTo(StringBuilder sb, long mac) {
        for (int i = 5; i >= 0; i--) {
            int b = (int) (mac >>> (i * 8)) & 0xff;
            sb.append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 0xf, 16));
            if (i > 0) {
                sb.append(':');
            }
        }
    }
}
