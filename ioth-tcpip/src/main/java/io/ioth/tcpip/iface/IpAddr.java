package io.ioth.tcpip.iface;

import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.Ipv6Addr;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The stack's family-neutral address: 128 bits in two {@code long}s {@code (hi, lo)}, first byte most significant.
 * An IPv4 address {@code a.b.c.d} is carried as the IPv4-mapped IPv6 address {@code ::ffff:a.b.c.d} (RFC 4291
 * §2.5.5.2), so routes, sockets and (later) TCP's 4-tuples are the same code for both families, as in Linux's
 * dual-stack sockets.
 *
 * <ul>
 *   <li>{@code ::} ({@link #ANY_HI}, {@link #ANY_LO}): the wildcard of any family (an unbound dual-stack socket).</li>
 *   <li>{@code ::ffff:0.0.0.0} ({@link #V4_ANY_LO}): the IPv4 wildcard ({@code INADDR_ANY}).</li>
 * </ul>
 *
 * <p>{@code InetAddress} appears only in the conversion helpers for the API edge. Static helpers; thread-safe.
 */
public final class IpAddr {
    public static final int FAMILY_V4 = 4;
    public static final int FAMILY_V6 = 6;

    public static final long ANY_HI = 0L;
    public static final long ANY_LO = 0L;
    /** {@code ::ffff:0:0/96}: the IPv4-mapped prefix (RFC 4291 §2.5.5.2). */
    public static final long V4_MAPPED = 0x0000_ffff_0000_0000L;
    /** {@code ::ffff:0.0.0.0}, the IPv4 wildcard. */
    public static final long V4_ANY_LO = V4_MAPPED;

    private IpAddr() {
    }

    /** The {@code lo} half of an IPv4 address ({@code hi} is 0). */
    public static long v4(final int addr) {
        return V4_MAPPED | (addr & 0xffff_ffffL);
    }

    /** Whether {@code (hi, lo)} is an IPv4(-mapped) address. */
    public static boolean isV4(final long hi, final long lo) {
        return hi == 0 && (lo >>> 32) == 0xffffL;
    }

    /** The IPv4 address in a mapped {@code lo}. */
    public static int v4Of(final long lo) {
        return (int) lo;
    }

    public static int family(final long hi, final long lo) {
        return isV4(hi, lo) ? FAMILY_V4 : FAMILY_V6;
    }

    /** {@code ::}, the any-family wildcard. */
    public static boolean isAny(final long hi, final long lo) {
        return hi == 0 && lo == 0;
    }

    /** {@code ::} or {@code 0.0.0.0}. */
    public static boolean isWildcard(final long hi, final long lo) {
        return hi == 0 && (lo == 0 || lo == V4_ANY_LO);
    }

    public static boolean isMulticast(final long hi, final long lo) {
        return isV4(hi, lo) ? Ipv4Addr.isMulticast(v4Of(lo)) : Ipv6Addr.isMulticast(hi);
    }

    /**
     * Whether a socket bound to {@code (bHi, bLo)} covers destination {@code (hi, lo)}: equal, or a wildcard of the
     * destination's family ({@code ::} covers both).
     */
    public static boolean covers(final long bHi, final long bLo, final long hi, final long lo) {
        if (bHi == hi && bLo == lo) {
            return true;
        }
        if (bHi == 0 && bLo == 0) {
            return true;
        }
        return bHi == 0 && bLo == V4_ANY_LO && isV4(hi, lo);
    }

    /** Whether two bound addresses overlap: one covers the other (the bind-conflict rule of Linux's inet_bind). */
    public static boolean overlaps(final long aHi, final long aLo, final long bHi, final long bLo) {
        return covers(aHi, aLo, bHi, bLo) || covers(bHi, bLo, aHi, aLo);
    }

    /** Converts at the API edge. */
    public static InetAddress toInetAddress(final long hi, final long lo) {
        try {
            if (isV4(hi, lo)) {
                final int a = v4Of(lo);
                return InetAddress.getByAddress(new byte[]{(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8),
                        (byte) a});
            }
            final byte[] b = new byte[16];
            for (int i = 0; i < 8; i++) {
                b[i] = (byte) (hi >>> (56 - 8 * i));
                b[8 + i] = (byte) (lo >>> (56 - 8 * i));
            }
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // cannot happen: the length is 4 or 16
        }
    }

    /** {@code hi} of an {@code InetAddress} (0 for IPv4). */
    public static long hiOf(final InetAddress a) {
        if (a instanceof Inet4Address) {
            return 0L;
        }
        final byte[] b = a.getAddress();
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[i] & 0xff);
        }
        return v;
    }

    /** {@code lo} of an {@code InetAddress} (IPv4-mapped for IPv4). */
    public static long loOf(final InetAddress a) {
        final byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            return v4((b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff));
        }
        if (!(a instanceof Inet6Address)) {
            throw new IllegalArgumentException("unsupported address " + a);
        }
        long v = 0;
        for (int i = 8; i < 16; i++) {
            v = (v << 8) | (b[i] & 0xff);
        }
        return v;
    }

    /** Dotted quad for IPv4, RFC 5952 text for IPv6. */
    public static String format(final long hi, final long lo) {
        return isV4(hi, lo) ? Ipv4Addr.format(v4Of(lo)) : Ipv6Addr.format(hi, lo);
    }
}
