package io.ioth.tcpip.socket.tcp;

/**
 * RFC 6298 round-trip estimation and retransmission timeout, in nanoseconds:
 *
 * <pre>
 *   first sample R:   SRTT = R, RTTVAR = R/2                                   (§2.2)
 *   later samples R': RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R'|,  SRTT = 7/8 SRTT + 1/8 R'   (§2.3)
 *   RTO = SRTT + max(G, 4*RTTVAR), clamped to [rtoMin, rtoMax]                (§2.2-2.5)
 *   on expiry: RTO doubles (back off, §5.5) until a new sample arrives (§5.7 note)
 * </pre>
 *
 * Karn's rule (§3: no samples from retransmitted segments) is the caller's: it only feeds unambiguous samples.
 * G, the clock granularity, is 1 ms (the timer wheel's tick). The floor is a tunable (Linux's 200 ms by default;
 * RFC 6298 §2.4 suggests 1 s).
 *
 * <p>Not thread-safe: owner thread.
 */
final class RttEstimator {
    static final long GRANULARITY_NANOS = 1_000_000L;

    long srtt;
    long rttvar;
    long minRtt;
    long latestRtt;
    boolean hasSample;
    /** The base RTO (without backoff). */
    long rto;
    /** Number of consecutive doublings (RFC 6298 §5.5). */
    int backoff;

    RttEstimator(final long initialRto) {
        rto = initialRto;
    }

    void sample(final long r0, final long rtoMin, final long rtoMax) {
        final long r = Math.max(r0, 1_000L); // a 0 sample (same tick) would collapse RTTVAR; 1 us floor
        latestRtt = r;
        if (!hasSample) {
            srtt = r;
            rttvar = r / 2;
            minRtt = r;
            hasSample = true;
        } else {
            final long delta = Math.abs(srtt - r);
            rttvar = rttvar - (rttvar >> 2) + (delta >> 2);
            srtt = srtt - (srtt >> 3) + (r >> 3);
            minRtt = Math.min(minRtt, r);
        }
        rto = clamp(srtt + Math.max(GRANULARITY_NANOS, 4 * rttvar), rtoMin, rtoMax);
        backoff = 0; // a new valid sample ends the back-off (RFC 6298 §5.7 note, Linux tcp_ack_update_rtt)
    }

    /** The timeout to arm now: {@code min(RTO * 2^backoff, rtoMax)}. */
    long current(final long rtoMax) {
        if (backoff >= 30) {
            return rtoMax;
        }
        final long v = rto << backoff;
        return v <= 0 || v > rtoMax ? rtoMax : v;
    }

    static long clamp(final long v, final long lo, final long hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
