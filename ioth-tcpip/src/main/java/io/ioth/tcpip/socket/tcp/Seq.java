package io.ioth.tcpip.socket.tcp;

/**
 * Sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4: "all arithmetic dealing with sequence numbers must be
 * performed modulo 2**32"). Sequence numbers are raw {@code int}s; a raw {@code <} on them is a review blocker
 * (style.md §3 principle 5): compare only through these helpers, as lwIP's {@code TCP_SEQ_LT} and gVisor's
 * {@code seqnum.Value.LessThan} do. Two numbers compare correctly when they are less than 2^31 apart.
 *
 * <p>Static helpers; thread-safe.
 */
public final class Seq {
    private Seq() {
    }

    /** {@code a < b}. */
    public static boolean lt(final int a, final int b) {
        return a - b < 0;
    }

    /** {@code a <= b}. */
    public static boolean leq(final int a, final int b) {
        return a - b <= 0;
    }

    /** {@code a > b}. */
    public static boolean gt(final int a, final int b) {
        return a - b > 0;
    }

    /** {@code a >= b}. */
    public static boolean geq(final int a, final int b) {
        return a - b >= 0;
    }

    /** {@code lo <= x < hi}: x lies in the half-open window starting at lo. */
    public static boolean inRange(final int x, final int lo, final int hi) {
        return leq(lo, x) && lt(x, hi);
    }

    /** {@code lo <= x <= hi}. */
    public static boolean between(final int lo, final int x, final int hi) {
        return leq(lo, x) && leq(x, hi);
    }

    public static int max(final int a, final int b) {
        return gt(a, b) ? a : b;
    }

    public static int min(final int a, final int b) {
        return lt(a, b) ? a : b;
    }

    /** Unsigned text, as tcpdump prints sequence numbers. */
    public static String str(final int s) {
        return Integer.toUnsignedString(s);
    }
}
