package io.ioth.tcpip.stats;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The counters of one stack: per-layer {@link Counter}s and per-reason {@link DropReason}s, backed by one
 * {@code long[]} (gVisor {@code tcpip.Stats}).
 *
 * <p>Threading: written only by the stack's owner thread (the {@code inc}/{@code add}/{@code drop} methods);
 * readable from any thread at any time. Writes are opaque stores of a plain read-modify-write (single writer), so a
 * reader never sees a torn value and never a forever-stale one, and the hot path has no fence (the same scheme as
 * vde-channel's {@code PlugStats}).
 */
public final class StackStats {
    private static final VarHandle C = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int DROPS = Counter.VALUES.length;

    private final long[] c = new long[DROPS + DropReason.VALUES.length];

    /** Owner thread only. */
    public void inc(Counter counter) {
        final int i = counter.ordinal();
        C.setOpaque(c, i, c[i] + 1);
    }

    /** Owner thread only. */
    public void add(Counter counter, long n) {
        final int i = counter.ordinal();
        C.setOpaque(c, i, c[i] + n);
    }

    /** Counts a drop. Owner thread only. */
    public void drop(DropReason reason) {
        final int i = DROPS + reason.ordinal();
        C.setOpaque(c, i, c[i] + 1);
    }

    /** Any thread. */
    public long get(Counter counter) {
        return (long) C.getOpaque(c, counter.ordinal());
    }

    /** Any thread. */
    public long drops(DropReason reason) {
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

    /** The non-zero counters, e.g. {@code ETH_IN_FRAMES=3 ... drop.ETH_OTHER_HOST=1}. Any thread. */
    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder();
        for (Counter k : Counter.VALUES) {
            final long v = get(k);
            if (v != 0) {
                sb.append(sb.length() == 0 ? "" : " ").append(k.name()).append('=').append(v);
            }
        }
        for (DropReason r : DropReason.VALUES) {
            final long v = drops(r);
            if (v != 0) {
                sb.append(sb.length() == 0 ? "" : " ").append("drop.").append(r.name()).append('=').append(v);
            }
        }
        return sb.toString();
    }
}
