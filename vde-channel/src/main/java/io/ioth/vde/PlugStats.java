package io.ioth.vde;

/**
 * Counters of one plug. Written only by the owner thread; other threads may read them at any time
 * and see values that are at most slightly stale.
 */
public final class PlugStats {
    private volatile long framesIn, bytesIn, framesOut, bytesOut;
    private final long[] drops = new long[DropReason.VALUES.length];

    /** Owner thread only. */
    public void received(int bytes) {
        framesIn++;
        bytesIn += bytes;
    }

    /** Owner thread only. */
    public void sent(int bytes) {
        framesOut++;
        bytesOut += bytes;
    }

    /** Owner thread only. */
    public void dropped(DropReason reason) {
        drops[reason.ordinal()]++;
    }

    public long framesIn() { return framesIn; }
    public long bytesIn() { return bytesIn; }
    public long framesOut() { return framesOut; }
    public long bytesOut() { return bytesOut; }
    public long drops(DropReason reason) { return drops[reason.ordinal()]; }

    public long totalDrops() {
        long n = 0;
        for (long d : drops) n += d;
        return n;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder()
                .append("in=").append(framesIn).append('/').append(bytesIn).append("B out=")
                .append(framesOut).append('/').append(bytesOut).append('B');
        for (DropReason r : DropReason.VALUES) {
            long d = drops[r.ordinal()];
            if (d != 0) sb.append(' ').append(r.name().toLowerCase()).append('=').append(d);
        }
        return sb.toString();
    }
}
