package io.ioth.vde;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Counters of one plug. Written only by the owner thread; other threads may read them at any time
 * and see values that are at most slightly stale (opaque accesses: no fences on the hot path, but
 * a reader never sees a torn or forever-stale value).
 */
public final class PlugStats {
    private static final VarHandle C = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int FRAMES_IN = 0, BYTES_IN = 1, FRAMES_OUT = 2, BYTES_OUT = 3, DROPS = 4;

    private final long[] c = new long[DROPS + DropReason.VALUES.length];

    private void add(int i, long n) {
        C.setOpaque(c, i, c[i] + n); // single writer: a plain read of our own last write is exact
    }

    private long get(int i) {
        return (long) C.getOpaque(c, i);
    }

    /** Owner thread only. */
    public void received(int bytes) {
        add(FRAMES_IN, 1);
        add(BYTES_IN, bytes);
    }

    /** Owner thread only. */
    public void sent(int bytes) {
        add(FRAMES_OUT, 1);
        add(BYTES_OUT, bytes);
    }

    /** Owner thread only. */
    public void dropped(DropReason reason) {
        add(DROPS + reason.ordinal(), 1);
    }

    public long framesIn() { return get(FRAMES_IN); }
    public long bytesIn() { return get(BYTES_IN); }
    public long framesOut() { return get(FRAMES_OUT); }
    public long bytesOut() { return get(BYTES_OUT); }
    public long drops(DropReason reason) { return get(DROPS + reason.ordinal()); }

    public long totalDrops() {
        long n = 0;
        for (int i = DROPS; i < c.length; i++) n += get(i);
        return n;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder()
                .append("in=").append(framesIn()).append('/').append(bytesIn()).append("B out=")
                .append(framesOut()).append('/').append(bytesOut()).append('B');
        for (DropReason r : DropReason.VALUES) {
            long d = drops(r);
            if (d != 0) sb.append(' ').append(r.name().toLowerCase()).append('=').append(d);
        }
        return sb.toString();
    }
}
