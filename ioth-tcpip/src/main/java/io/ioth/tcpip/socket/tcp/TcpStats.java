package io.ioth.tcpip.socket.tcp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The TCP counters of one stack: {@link TcpCounter}s and per-reason {@link TcpDrop}s in one {@code long[]} (the
 * scheme of {@code io.ioth.tcpip.stats.StackStats}).
 *
 * <p>Threading: written only by the stack's owner thread; readable from any thread (opaque single-writer stores:
 * never torn, never forever stale, no fence on the hot path).
 */
public final class TcpStats {
    private static final VarHandle C = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int DROPS = TcpCounter.VALUES.length;

    private final long[] c = new long[DROPS + TcpDrop.VALUES.length];

    /** Owner thread only. */
    public void inc(final TcpCounter counter) {
        final int i = counter.ordinal();
        C.setOpaque(c, i, c[i] + 1);
    }

    /** Owner thread only. */
    public void add(final TcpCounter counter, final long n) {
        final int i = counter.ordinal();
        C.setOpaque(c, i, c[i] + n);
    }

    /** Owner thread only. */
    public void drop(final TcpDrop reason) {
        final int i = DROPS + reason.ordinal();
        C.setOpaque(c, i, c[i] + 1);
    }

    /** Any thread. */
    public long get(final TcpCounter counter) {
        return (long) C.getOpaque(c, counter.ordinal());
    }

    /** Any thread. */
    public long drops(final TcpDrop reason) {
        return (long) C.getOpaque(c, DROPS + reason.ordinal());
    }

    /** Sum of all drop counters. Any thread. */
    public long totalDrops() {
        long n = 0;
        for (int i = DROPS; i < c.length; i++) {
            n += (long) C.getOpaque(c, i);
        }
        return n;
    }

    /** The non-zero counters, e.g. {@code ACTIVE_OPENS=1 OUT_SEGS=3 drop.PAWS=1}. Any thread. */
    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder();
        for (TcpCounter k : TcpCounter.VALUES) {
            final long v = get(k);
            if (v != 0) {
                sb.append(sb.length() == 0 ? "" : " ").append(k.name()).append('=').append(v);
            }
        }
        for (TcpDrop r : TcpDrop.VALUES) {
            final long v = drops(r);
            if (v != 0) {
                sb.append(sb.length() == 0 ? "" : " ").append("drop.").append(r.name()).append('=').append(v);
            }
        }
        return sb.toString();
    }
}
