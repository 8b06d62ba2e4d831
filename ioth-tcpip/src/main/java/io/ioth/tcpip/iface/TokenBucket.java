package io.ioth.tcpip.iface;

/**
 * A token bucket in nanoseconds of credit: {@code rate} tokens per second, at most {@code burst} saved up. Used to
 * rate-limit ICMP errors (RFC 1812 §4.3.2.8: "a token bucket ... the router MUST be able to limit the rate at which
 * ICMP error messages are generated"), the way Linux's {@code icmp_global_allow} does. Time is an argument; a
 * clock that goes backwards refills nothing.
 *
 * <p>Not thread-safe: owner thread only.
 */
public final class TokenBucket {
    private final long cost;
    private final long capacity;
    private long credit;
    private long last;
    private boolean started;

    /**
     * @param ratePerSecond tokens added per second (> 0)
     * @param burst         tokens the bucket holds (> 0); it starts full
     */
    public TokenBucket(final int ratePerSecond, final int burst) {
        if (ratePerSecond <= 0 || burst <= 0) {
            throw new IllegalArgumentException("rate and burst must be > 0");
        }
        this.cost = 1_000_000_000L / ratePerSecond;
        this.capacity = cost * burst;
        this.credit = capacity;
    }

    /** Takes one token if there is one. */
    public boolean tryAcquire(final long nowNanos) {
        if (!started) {
            started = true;
            last = nowNanos;
        }
        final long elapsed = nowNanos - last;
        if (elapsed > 0) {
            credit = Math.min(capacity, credit + elapsed);
            last = nowNanos;
        }
        if (credit >= cost) {
            credit -= cost;
            return true;
        }
        return false;
    }

    /** Tokens available now (for tests). */
    public long tokens() {
        return credit / cost;
    }
}
