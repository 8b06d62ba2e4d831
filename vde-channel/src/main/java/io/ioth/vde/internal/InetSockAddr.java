package io.ioth.vde.internal;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

/**
 * Encodes and decodes Linux {@code struct sockaddr_in} / {@code sockaddr_in6} in a {@link NativeMemory}
 * block, with addresses as primitives so that the datagram hot paths allocate nothing.
 *
 * <pre>
 * sockaddr_in  (16): family u16 (host order) | port u16 BE | addr 4 BE | zero 8
 * sockaddr_in6 (28): family u16 (host order) | port u16 BE | flowinfo u32 | addr 16 BE | scope_id u32 (host)
 * </pre>
 *
 * A v4 address is an {@code int} whose most significant byte is the first octet; a v6 address is
 * two {@code long}s ({@code hi} = octets 0-7, {@code lo} = 8-15), most significant byte first.
 * Thread contract: stateless; the memory block belongs to its caller's thread.
 */
public final class InetSockAddr {
    public static final int SIZE_IN = 16, SIZE_IN6 = 28, MAX = 28;
    private static final boolean LE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private InetSockAddr() {}

    public static int putV4(NativeMemory m, int off, int addr, int port) {
        m.putLong(off, 0);
        m.putLong(off + 8, 0);
        m.putShort(off, (short) LibC.AF_INET);
        putPort(m, off, port);
        m.putInt(off + 4, be(addr));
        return SIZE_IN;
    }

    public static int putV6(NativeMemory m, int off, long hi, long lo, int port, int scopeId) {
        m.putShort(off, (short) LibC.AF_INET6);
        putPort(m, off, port);
        m.putInt(off + 4, 0); // flowinfo
        m.putLong(off + 8, be(hi));
        m.putLong(off + 16, be(lo));
        m.putInt(off + 24, scopeId);
        return SIZE_IN6;
    }

    /** Encodes {@code a:port}; returns the sockaddr length. A null address is the family's wildcard (v4 unless {@code v6}). */
    public static int put(NativeMemory m, int off, InetAddress a, int port, boolean v6) {
        if (a == null) return v6 ? putV6(m, off, 0, 0, port, 0) : putV4(m, off, 0, port);
        if (a instanceof Inet4Address) return putV4(m, off, v4(a), port);
        byte[] b = a.getAddress();
        int scope = ((Inet6Address) a).getScopeId();
        return putV6(m, off, bytesToLong(b, 0), bytesToLong(b, 8), port, scope);
    }

    public static int family(NativeMemory m, int off) { return m.getShort(off) & 0xffff; }

    public static int port(NativeMemory m, int off) {
        return ((m.getByte(off + 2) & 0xff) << 8) | (m.getByte(off + 3) & 0xff);
    }

    public static int v4(NativeMemory m, int off) { return be(m.getInt(off + 4)); }

    public static long v6Hi(NativeMemory m, int off) { return be(m.getLong(off + 8)); }

    public static long v6Lo(NativeMemory m, int off) { return be(m.getLong(off + 16)); }

    public static int v6Scope(NativeMemory m, int off) { return m.getInt(off + 24); }

    /** Decodes a sockaddr (cold paths and tests only: allocates). */
    public static InetSocketAddress decode(NativeMemory m, int off) {
        int fam = family(m, off);
        byte[] b;
        if (fam == LibC.AF_INET) {
            b = new byte[4];
            intToBytes(v4(m, off), b, 0);
        } else if (fam == LibC.AF_INET6) {
            b = new byte[16];
            longToBytes(v6Hi(m, off), b, 0);
            longToBytes(v6Lo(m, off), b, 8);
        } else {
            throw new IllegalArgumentException("not an inet sockaddr: family " + fam);
        }
        try {
            InetAddress a = fam == LibC.AF_INET6 && v6Scope(m, off) != 0
                    ? Inet6Address.getByAddress(null, b, v6Scope(m, off)) : InetAddress.getByAddress(b);
            return new InetSocketAddress(a, port(m, off));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    public static int v4(InetAddress a) {
        byte[] b = a.getAddress();
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    public static long bytesToLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) v = (v << 8) | (b[off + i] & 0xff);
        return v;
    }

    static void longToBytes(long v, byte[] b, int off) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }

    static void intToBytes(int v, byte[] b, int off) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    private static void putPort(NativeMemory m, int off, int port) {
        m.putByte(off + 2, (byte) (port >>> 8));
        m.putByte(off + 3, (byte) port);
    }

    private static int be(int v) { return LE ? Integer.reverseBytes(v) : v; }

    private static long be(long v) { return LE ? Long.reverseBytes(v) : v; }
}
