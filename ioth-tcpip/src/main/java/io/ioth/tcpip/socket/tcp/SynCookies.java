package io.ioth.tcpip.socket.tcp;

/**
 * SYN cookies (RFC 4987 §3.6), encoded as Linux's {@code secure_tcp_syn_cookie}: when a listener's SYN queue is
 * full, the ISN of the SYN-ACK carries the state, and nothing is kept.
 *
 * <pre>
 *   count  = now / 60 s                                     (a minute counter; cookies live 2 counts)
 *   cookie = H0(4-tuple) + SEG.SEQ(peer ISN) + (count &lt;&lt; 24)
 *            + ((H1(4-tuple, count) + mssIndex) &amp; 0xffffff)
 * </pre>
 *
 * The returning ACK acknowledges {@code cookie + 1}: subtracting H0 and the peer's ISN gives the count in the top 8
 * bits; with it, H1 is recomputed and the low 24 bits must decode to a valid MSS index (the chance of a forged ACK
 * passing is 4 in 2^24 per guess, as Linux's). The MSS index picks the largest table entry not above the peer's MSS.
 *
 * <p>With timestamps (RFC 7323), the SYN-ACK's TSval also carries the peer's window scale (4 bits, 0xf = none)
 * and SACK-permitted (1 bit) in its low 6 bits, and is kept at or below the real clock (Linux
 * {@code cookie_init_timestamp}); the ACK's TSecr echoes them back. Without timestamps a cookie connection has
 * neither window scaling nor SACK.
 *
 * <p>Static; thread-safe.
 */
final class SynCookies {
    static final long PERIOD_NANOS = 60_000_000_000L;
    static final int MAX_AGE = 2;
    private static final int COOKIE_BITS = 24;
    private static final int COOKIE_MASK = (1 << COOKIE_BITS) - 1;
    /** Linux {@code msstab} (IPv4) and {@code msstab} of syncookies.c for IPv6. */
    static final int[] MSS_V4 = {536, 1300, 1440, 1460};
    static final int[] MSS_V6 = {1220, 1400, 1440, 8940};
    static final int TS_BITS = 6;
    static final int TS_MASK = (1 << TS_BITS) - 1;
    static final int TS_WSCALE_NONE = 0xf;
    static final int TS_SACK = 0x10;

    private SynCookies() {
    }

    static int count(final long nowNanos) {
        return (int) Math.floorDiv(nowNanos, PERIOD_NANOS);
    }

    /** The index of the largest table MSS not above the peer's. */
    static int mssIndex(final int peerMss, final boolean v6) {
        final int[] t = v6 ? MSS_V6 : MSS_V4;
        for (int i = t.length - 1; i > 0; i--) {
            if (peerMss >= t[i]) {
                return i;
            }
        }
        return 0;
    }

    static int mss(final int index, final boolean v6) {
        return (v6 ? MSS_V6 : MSS_V4)[index];
    }

    static int encode(final TcpSecrets sec, final long lHi, final long lLo, final int lPort, final long rHi,
                      final long rLo, final int rPort, final int peerIsn, final int mssIndex, final long nowNanos) {
        final int count = count(nowNanos);
        return sec.cookieHash(0, lHi, lLo, lPort, rHi, rLo, rPort, 0) + peerIsn + (count << COOKIE_BITS)
                + ((sec.cookieHash(1, lHi, lLo, lPort, rHi, rLo, rPort, count) + mssIndex) & COOKIE_MASK);
    }

    /**
     * @return the MSS index carried by {@code cookie}, or -1 if it is not one of ours or has expired
     */
    static int decode(final TcpSecrets sec, final long lHi, final long lLo, final int lPort, final long rHi,
                      final long rLo, final int rPort, final int peerIsn, final int cookie, final int tableLength,
                      final long nowNanos) {
        final int count = count(nowNanos);
        final int c = cookie - sec.cookieHash(0, lHi, lLo, lPort, rHi, rLo, rPort, 0) - peerIsn;
        final int diff = (count - (c >>> COOKIE_BITS)) & ((1 << (32 - COOKIE_BITS)) - 1);
        if (diff >= MAX_AGE) {
            return -1;
        }
        final int data = (c - sec.cookieHash(1, lHi, lLo, lPort, rHi, rLo, rPort, count - diff)) & COOKIE_MASK;
        return data < tableLength ? data : -1;
    }

    /** TSval for a cookie SYN-ACK: the clock with its low bits replaced by the options, never ahead of the clock. */
    static int tsWithOptions(final int tsNow, final int peerWscale, final boolean sack) {
        int options = peerWscale >= 0 ? peerWscale & 0xf : TS_WSCALE_NONE;
        if (sack) {
            options |= TS_SACK;
        }
        int ts = (tsNow & ~TS_MASK) | options;
        if (Seq.gt(ts, tsNow)) {
            ts -= TS_MASK + 1;
        }
        return ts;
    }
}
