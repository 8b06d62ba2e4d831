package io.ioth.tcpip.socket.tcp.congestion;

/**
 * CUBIC (RFC 9438), Linux's default: after a loss, cwnd follows a cubic function of the time since the congestion
 * avoidance stage began, flat around the window where the loss happened and probing steeply away from it, so its
 * growth does not depend on the RTT the way Reno's one-segment-per-RTT does.
 *
 * <pre>
 *   W_cubic(t) = C * (t - K)^3 + W_max                        §4.2, Figure 1; C = 0.4
 *   K          = cubic_root((W_max - cwnd_epoch) / C)         §4.2, Figure 2
 *   target     = W_cubic(t + RTT), clamped to [cwnd, 1.5 cwnd]  §4.2
 *   per ACK:     cwnd += (target - cwnd) / cwnd                §4.4-4.5 (concave and convex regions)
 *   W_est     += alpha_cubic * segments_acked / cwnd,          §4.3 (Reno-friendly region: cwnd = W_est when
 *                alpha_cubic = 3 (1 - beta) / (1 + beta), 1 once W_est >= cwnd_prior          W_cubic(t) < W_est)
 *   on loss:     ssthresh = flight_size * beta, beta = 0.7     §4.6
 *                W_max = cwnd, or cwnd (1 + beta) / 2 if cwnd < W_max (fast convergence)    §4.7
 *   on timeout:  the next stage starts with K = 0 and W_max = cwnd_epoch                      §4.8
 * </pre>
 *
 * Windows are in segments in the RFC and in bytes in {@link CongestionState}; this class computes in segments
 * ({@code cwnd / SMSS}, doubles) and carries the fractional bytes between ACKs. Time is the {@code nowNanos} of each
 * call (no clock is read); RTT is the connection's smoothed RTT. Slow start (below ssthresh) is RFC 5681's with
 * RFC 3465's L = 2, as in {@link NewReno} (no HyStart++, RFC 9406, yet: slow start ends at the first loss). cwnd does not grow while the
 * sender is application-limited (RFC 9438 §5.8 via RFC 7661).
 *
 * <p>Not thread-safe: one instance per connection.
 */
public final class Cubic implements CongestionControl {
    /** §5: "C SHOULD be set to 0.4". */
    public static final double C = 0.4;
    /** §4.6: "beta_cubic SHOULD be set to 0.7". */
    public static final double BETA = 0.7;
    /** §4.3: alpha_cubic = 3 * (1 - beta_cubic) / (1 + beta_cubic). */
    public static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);

    /** The factory, with fast convergence (§4.7) on; stateless, shareable. */
    public static final Factory FACTORY = factory(true);

    /** A factory; {@code fastConvergence} per RFC 9438 §4.7 (on in Linux, tcp_cubic fast_convergence=1). */
    public static Factory factory(final boolean fastConvergence) {
        return new Factory() {
            @Override
            public CongestionControl create() {
                return new Cubic(fastConvergence);
            }

            @Override
            public String name() {
                return "cubic";
            }

            @Override
            public String toString() {
                return "cubic";
            }
        };
    }

    private final boolean fastConvergence;
    /** W_max in segments; 0 until the first congestion event. */
    private double wMax;
    /** K in seconds. */
    private double k;
    /** Whether a congestion avoidance stage (epoch) is running, and when it began. */
    private boolean epochRunning;
    private long epochStart;
    /** cwnd_epoch, W_est and cwnd_prior, in segments. */
    private double cwndEpoch;
    private double wEst;
    private double cwndPrior;
    /** The next stage follows a timeout (§4.8). */
    private boolean afterTimeout;
    /** Fractional bytes of growth not yet applied. */
    private double carry;
    /** The state before the last reduction, for {@link #onUndo} (RFC 9438 §4.9: W_max, K, the epoch, W_est and
     * cwnd_prior as they were). */
    private double priorWMax;
    private double priorK;
    private boolean priorEpochRunning;
    private long priorEpochStart;
    private double priorCwndEpoch;
    private double priorWEst;
    private double priorCwndPrior;
    private boolean priorAfterTimeout;
    private boolean priorSaved;

    public Cubic() {
        this(true);
    }

    public Cubic(final boolean fastConvergence) {
        this.fastConvergence = fastConvergence;
    }

    @Override
    public String name() {
        return "cubic";
    }

    @Override
    public void init(final CongestionState s, final long nowNanos) {
        s.cwnd = s.initialWindow();
        wMax = 0;
        k = 0;
        epochRunning = false;
        afterTimeout = false;
        carry = 0;
    }

    @Override
    public void onAck(final CongestionState s, final int ackedBytes, final long nowNanos) {
        if (!s.cwndLimited || ackedBytes <= 0) {
            return;
        }
        final int mss = Math.max(1, s.mss);
        if (s.cwnd < s.ssthresh) {
            // §4.10: slow start (RFC 5681 §3.1 with RFC 3465 L = 2)
            s.cwnd = (int) Math.min((long) s.cwnd + Math.min(ackedBytes, 2 * mss), Integer.MAX_VALUE / 2);
            return;
        }
        final double cwnd = (double) s.cwnd / mss;
        if (!epochRunning) {
            startEpoch(cwnd, nowNanos);
        }
        final double t = (nowNanos - epochStart) / 1e9;
        final double rtt = s.srttNanos / 1e9;
        final double segmentsAcked = (double) ackedBytes / mss;
        // §4.3 Reno-friendly region
        final double alpha = wEst >= cwndPrior ? 1.0 : ALPHA;
        wEst += alpha * segmentsAcked / cwnd;
        final double next;
        if (wCubic(t) < wEst) {
            next = wEst; // "cwnd SHOULD be set to W_est at each reception of a new ACK"
        } else {
            // §4.4 / §4.5: "cwnd MUST be incremented by (target - cwnd) / cwnd for each received new ACK"
            final double target = Math.min(Math.max(wCubic(t + rtt), cwnd), 1.5 * cwnd);
            next = cwnd + (target - cwnd) / cwnd * segmentsAcked;
        }
        if (next > cwnd) {
            carry += (next - cwnd) * mss;
            final long add = (long) carry;
            carry -= add;
            s.cwnd = (int) Math.min(s.cwnd + add, Integer.MAX_VALUE / 2);
        }
    }

    /** §4.2: a congestion avoidance stage begins; §4.8 after a timeout: K = 0, W_max = cwnd_epoch. */
    private void startEpoch(final double cwnd, final long nowNanos) {
        epochRunning = true;
        epochStart = nowNanos;
        cwndEpoch = cwnd;
        wEst = cwnd; // §4.3: "W_est is set equal to cwnd_epoch at the start of the congestion avoidance stage"
        if (afterTimeout || wMax <= cwnd) {
            // §4.8; and when cwnd already passed W_max (slow start after a timeout, or no loss yet) the plateau is
            // where we are (Linux bictcp_update: bic_K = 0, origin = cwnd)
            wMax = cwnd;
            k = 0;
        } else {
            k = Math.cbrt((wMax - cwndEpoch) / C);
        }
        afterTimeout = false;
        carry = 0;
    }

    /** §4.2 Figure 1, in segments; {@code t} in seconds since the stage began. */
    double wCubic(final double t) {
        final double d = t - k;
        return C * d * d * d + wMax;
    }

    @Override
    public int ssthreshOnLoss(final CongestionState s, final long nowNanos) {
        savePrior();
        final int mss = Math.max(1, s.mss);
        final double cwnd = (double) s.cwnd / mss;
        // §4.7 fast convergence: "if (cwnd < W_max and fast convergence enabled) W_max = cwnd * (1 + beta_cubic) / 2
        // else W_max = cwnd"
        wMax = fastConvergence && cwnd < wMax ? cwnd * (1 + BETA) / 2 : cwnd;
        cwndPrior = cwnd; // §4.6 "cwnd_prior = cwnd"
        epochRunning = false;
        carry = 0;
        // §4.6 "ssthresh = flight_size * beta_cubic", "cwnd = max(ssthresh, 2)" (segments)
        return (int) Math.max((long) (s.flightSize * BETA), 2L * mss);
    }

    @Override
    public void onRecoveryEnd(final CongestionState s, final long nowNanos) {
        epochRunning = false; // the next ACK in congestion avoidance starts the stage at cwnd = ssthresh
    }

    @Override
    public void onRetransmitTimeout(final CongestionState s, final long nowNanos) {
        epochRunning = false;
        afterTimeout = true;
    }

    /**
     * RFC 9438 §4.9 (spurious congestion events): the reduction was undone (the connection restored cwnd and
     * ssthresh); W_max, K, the epoch and W_est return to their values before it, so the cubic curve continues as if
     * the event had not happened.
     */
    @Override
    public void onUndo(final CongestionState s, final long nowNanos) {
        if (!priorSaved) {
            return;
        }
        priorSaved = false;
        wMax = priorWMax;
        k = priorK;
        epochRunning = priorEpochRunning;
        epochStart = priorEpochStart;
        cwndEpoch = priorCwndEpoch;
        wEst = priorWEst;
        cwndPrior = priorCwndPrior;
        afterTimeout = priorAfterTimeout;
        carry = 0;
    }

    private void savePrior() {
        priorSaved = true;
        priorWMax = wMax;
        priorK = k;
        priorEpochRunning = epochRunning;
        priorEpochStart = epochStart;
        priorCwndEpoch = cwndEpoch;
        priorWEst = wEst;
        priorCwndPrior = cwndPrior;
        priorAfterTimeout = afterTimeout;
    }

    @Override
    public void onIdleRestart(final CongestionState s, final long nowNanos) {
        s.cwnd = Math.min(s.cwnd, s.initialWindow());
        epochRunning = false; // a new stage from the restart window (RFC 9438 §5.8: no growth while idle)
    }

    // ------------------------------------------------------------------ state, for tests and TCP_INFO-like dumps

    /** W_max in segments. */
    public double wMax() {
        return wMax;
    }

    /** K in seconds of the running stage. */
    public double k() {
        return k;
    }

    /** W_est in segments. */
    public double wEst() {
        return wEst;
    }

    @Override
    public String toString() {
        return "cubic{wmax=" + wMax + " K=" + k + " west=" + wEst + "}";
    }
}
