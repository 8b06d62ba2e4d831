package io.ioth.tcpip.socket.tcp;

import io.ioth.tcpip.storage.SipHash;

/**
 * The keyed functions that make a stack's TCP numbers unguessable to off-path attackers, all SipHash-2-4 under
 * secrets fixed at stack creation ({@link TcpConfig.Builder#secret}; random by default, injectable for tests):
 *
 * <ul>
 *   <li>{@link #isn}: RFC 6528 §3, {@code ISN = M + F(localip, localport, remoteip, remoteport, secretkey)} with
 *       {@code M} a timer ticking every 4 microseconds.</li>
 *   <li>{@link #tsOffset}: RFC 7323 §5.4 / Linux {@code secure_tcp_ts_off}: a per address-pair offset added to the
 *       timestamp clock, so TSval does not reveal the uptime. It depends on the addresses only, so a SYN cookie's
 *       TSval can be checked without state.</li>
 *   <li>{@link #portOffset} / {@link #portTableIndex}: RFC 6056 §3.3.4 Algorithm 4, the functions F and G.</li>
 *   <li>{@link #cookieHash}: the two hashes of a SYN cookie (Linux {@code cookie_hash}).</li>
 * </ul>
 *
 * <p>Immutable; thread-safe.
 */
public final class TcpSecrets {
    private final long k0;
    private final long k1;

    public TcpSecrets(final long k0, final long k1) {
        this.k0 = k0;
        this.k1 = k1;
    }

    private static long ports(final int localPort, final int remotePort, final long extra) {
        return (long) (localPort & 0xffff) << 48 | (long) (remotePort & 0xffff) << 32 | (extra & 0xffff_ffffL);
    }

    /**
     * RFC 6528 §3: "ISN = M + F(localip, localport, remoteip, remoteport, secretkey) where M is the 4 microsecond
     * timer".
     */
    public int isn(final long localHi, final long localLo, final int localPort, final long remoteHi,
                   final long remoteLo, final int remotePort, final long nowNanos) {
        final long f = SipHash.hash(k0, k1, localHi ^ Long.rotateLeft(remoteHi, 17), localLo,
                remoteLo, ports(localPort, remotePort, 0x6528));
        return (int) f + (int) (nowNanos / 4_000L);
    }

    /** RFC 7323 §5.4: the random offset of the timestamp clock for an address pair. */
    public int tsOffset(final long localHi, final long localLo, final long remoteHi, final long remoteLo) {
        return (int) SipHash.hash(k1, k0, localHi ^ Long.rotateLeft(remoteHi, 29), localLo, remoteLo, 0x7323L);
    }

    /** RFC 6056 §3.3.4 Algorithm 4, F(local_IP, remote_IP, remote_port, secret_key1). */
    public int portOffset(final long localHi, final long localLo, final long remoteHi, final long remoteLo,
                          final int remotePort) {
        return (int) SipHash.hash(k0 ^ 0x6056L, k1, localHi ^ Long.rotateLeft(remoteHi, 7), localLo, remoteLo,
                remotePort & 0xffff);
    }

    /** RFC 6056 §3.3.4 Algorithm 4, G(local_IP, remote_IP, remote_port, secret_key2). */
    public int portTableIndex(final long localHi, final long localLo, final long remoteHi, final long remoteLo,
                              final int remotePort) {
        return (int) SipHash.hash(k1 ^ 0x6056L, k0, localHi ^ Long.rotateLeft(remoteHi, 7), localLo, remoteLo,
                remotePort & 0xffff);
    }

    /** A SYN-cookie hash over the 4-tuple and {@code extra} (Linux {@code cookie_hash(saddr, daddr, sport, dport,
     * count, c)}); {@code which} selects one of two independent functions. */
    int cookieHash(final int which, final long localHi, final long localLo, final int localPort,
                   final long remoteHi, final long remoteLo, final int remotePort, final int extra) {
        final long a = which == 0 ? k0 : k1;
        final long b = which == 0 ? ~k1 : ~k0;
        return (int) SipHash.hash(a, b, localHi ^ Long.rotateLeft(remoteHi, 11), localLo, remoteLo,
                ports(localPort, remotePort, extra));
    }
}
