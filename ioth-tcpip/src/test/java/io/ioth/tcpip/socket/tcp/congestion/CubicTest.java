package io.ioth.tcpip.socket.tcp.congestion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * CUBIC (RFC 9438) against its formulas: the window an ACK clock produces, sampled at given times, compared with
 * W_cubic(t) = C (t - K)^3 + W_max (§4.2) and W_est (§4.3); the reduction by beta = 0.7 (§4.6), fast convergence
 * (§4.7) and the stage after a timeout (§4.8). Windows are in bytes in {@link CongestionState}; SMSS is 1000 here so
 * that segments read directly.
 */
class CubicTest {
    static final int MSS = 1000;
    static final long MS = 1_000_000L;

    /** A connection state after a loss at {@code wmaxSegments}: ssthresh and cwnd = 0.7 W_max, recovery over. */
    static CongestionState afterLossAt(final Cubic c, final int wmaxSegments, final long rttNanos) {
        final CongestionState s = new CongestionState();
        s.mss = MSS;
        s.srttNanos = rttNanos;
        s.minRttNanos = rttNanos;
        c.init(s, 0);
        s.cwnd = wmaxSegments * MSS;
        s.flightSize = s.cwnd;
        s.ssthresh = c.ssthreshOnLoss(s, 0);
        s.cwnd = s.ssthresh;
        c.onRecoveryEnd(s, 0);
        return s;
    }

    /**
     * Runs an ACK clock from {@code t0}: each RTT, one ACK of one segment per segment of cwnd, evenly spaced.
     *
     * @return the time after the last RTT
     */
    static long clock(final Cubic c, final CongestionState s, final long t0, final long rtt, final int rtts) {
        long t = t0;
        for (int r = 0; r < rtts; r++) {
            final int n = Math.max(1, s.cwnd / MSS);
            for (int i = 0; i < n; i++) {
                s.flightSize = s.cwnd;
                c.onAck(s, MSS, t + rtt * i / n);
            }
            t += rtt;
        }
        return t;
    }

    static double wCubic(final double t, final double k, final double wmax) {
        return Cubic.C * Math.pow(t - k, 3) + wmax;
    }

    /** §4.3: W_est after {@code rtts} round trips from cwnd_epoch: alpha_cubic per RTT, 1 once past cwnd_prior. */
    static double wEst(final double epoch, final double prior, final int rtts) {
        final double alpha = 3 * (1 - 0.7) / (1 + 0.7);
        final double n1 = (prior - epoch) / alpha;
        return rtts <= n1 ? epoch + alpha * rtts : prior + (rtts - n1);
    }

    @Test
    void rfc9438_4_6_multiplicativeDecrease_ssthreshIsBetaTimesFlightSize_beta0_7() {
        final Cubic c = new Cubic();
        final CongestionState s = afterLossAt(c, 100, 100 * MS);
        assertEquals(70 * MSS, s.ssthresh, "ssthresh = flight_size * 0.7");
        assertEquals(100.0, c.wMax(), 1e-9, "W_max = cwnd before the reduction");
        // and never below 2 segments (§4.6 "cwnd = max(ssthresh, 2)")
        s.cwnd = 2 * MSS;
        s.flightSize = 2 * MSS;
        assertEquals(2 * MSS, c.ssthreshOnLoss(s, 0));
    }

    @Test
    void rfc9438_4_7_fastConvergence_releasesBandwidthWhenWmaxShrinks() {
        final Cubic c = new Cubic();
        final CongestionState s = afterLossAt(c, 100, 100 * MS);
        s.cwnd = 80 * MSS; // the next loss comes below the previous W_max
        s.flightSize = s.cwnd;
        assertEquals(56 * MSS, c.ssthreshOnLoss(s, 0));
        assertEquals(80 * (1 + 0.7) / 2, c.wMax(), 1e-9, "W_max = cwnd * (1 + beta) / 2");

        final Cubic plain = new Cubic(false);
        final CongestionState p = afterLossAt(plain, 100, 100 * MS);
        p.cwnd = 80 * MSS;
        p.flightSize = p.cwnd;
        plain.ssthreshOnLoss(p, 0);
        assertEquals(80.0, plain.wMax(), 1e-9, "without fast convergence: W_max = cwnd");
    }

    @Test
    void rfc9438_4_2_windowFollowsTheCubicFunctionOfTime() {
        final Cubic c = new Cubic();
        final long rtt = 100 * MS;
        final CongestionState s = afterLossAt(c, 100, rtt);
        // K = cubic_root((W_max - cwnd_epoch) / C) = cbrt(30 / 0.4)
        final double k = Math.cbrt(30 / 0.4);
        long t = 0;
        for (int second = 1; second <= 8; second++) {
            t = clock(c, s, t, rtt, 10);
            if (second == 1) {
                assertEquals(k, c.k(), 1e-9, "K");
            }
            // the window is the larger of the cubic curve and the Reno-friendly estimate (§4.3), which catches up
            // after about 6 s at this RTT: alpha_cubic per RTT up to cwnd_prior = 100, then 1
            final double west = wEst(70, 100, second * 10);
            final double want = Math.max(wCubic(t / 1e9, k, 100), west);
            final double got = (double) s.cwnd / MSS;
            assertEquals(want, got, Math.max(1.5, want * 0.02),
                    "cwnd at t = " + second + " s: W_cubic(t) = " + wCubic(t / 1e9, k, 100) + ", W_est = " + west
                            + ", cwnd = " + got);
            if (second <= 5) {
                assertTrue(wCubic(t / 1e9, k, 100) > west, "the cubic region until 5 s");
            }
        }
        // the plateau: cwnd is at W_max when t = K (concave before, convex after)
        final Cubic c2 = new Cubic();
        final CongestionState q = afterLossAt(c2, 100, rtt);
        final long tk = clock(c2, q, 0, rtt, (int) Math.round(k * 10));
        assertEquals(100.0, (double) q.cwnd / MSS, 1.5, "cwnd reaches W_max at t = K: " + tk / 1e9);
    }

    @Test
    void rfc9438_4_3_renoFriendlyRegion_atShortRtts_cwndFollowsWest() {
        final Cubic c = new Cubic();
        final long rtt = MS; // 1 ms: W_cubic grows slowly per RTT, the AIMD estimate wins
        final CongestionState s = afterLossAt(c, 100, rtt);
        clock(c, s, 0, rtt, 20);
        // W_est = cwnd_epoch + alpha_cubic per RTT, alpha_cubic = 3 (1 - 0.7) / (1 + 0.7)
        final double alpha = 3 * (1 - 0.7) / (1 + 0.7);
        assertEquals(wEst(70, 100, 20), (double) s.cwnd / MSS, 0.5, "W_est after 20 RTTs");
        assertEquals(70 + alpha * 20, wEst(70, 100, 20), 1e-9);
        assertTrue(wCubic(0.02, c.k(), 100) < (double) s.cwnd / MSS, "the cubic curve is below: Reno-friendly");
        // once W_est reaches cwnd_prior (100), alpha_cubic = 1: Reno's one segment per RTT
        final long t = clock(c, s, 20 * rtt, rtt, 60); // W_est passes 100 after about 57 RTTs
        final double before = (double) s.cwnd / MSS;
        clock(c, s, t, rtt, 20);
        assertEquals(before + 20, (double) s.cwnd / MSS, 1.0, "alpha = 1 above cwnd_prior");
    }

    @Test
    void rfc9438_4_8_afterATimeout_theStageStartsWithK0_andWmaxAtItsStart() {
        final Cubic c = new Cubic();
        final CongestionState s = afterLossAt(c, 100, 100 * MS);
        c.onRetransmitTimeout(s, 0);
        s.cwnd = MSS;
        s.ssthresh = 20 * MSS;
        long t = clock(c, s, 0, 100 * MS, 5); // slow start: 1, 2, 4, 8, 16 -> 20 and beyond
        assertTrue(s.cwnd >= 20 * MSS, "slow start up to ssthresh: " + s.cwnd);
        assertEquals(0.0, c.k(), 1e-9, "K = 0");
        assertTrue(c.wMax() >= 20 && c.wMax() < 40, "W_max = cwnd at the start of congestion avoidance: " + c.wMax());
        assertTrue(t > 0);
    }

    @Test
    void rfc9438_5_8_noGrowthWhileApplicationLimited() {
        final Cubic c = new Cubic();
        final CongestionState s = afterLossAt(c, 100, 100 * MS);
        s.cwndLimited = false;
        final int before = s.cwnd;
        clock(c, s, 0, 100 * MS, 50);
        assertEquals(before, s.cwnd);
    }

    /**
     * §4.9 (spurious congestion events): after a reduction proved spurious, the connection restores cwnd and
     * ssthresh, and CUBIC its W_max, K and epoch: the window then grows exactly as if no loss had happened.
     */
    @Test
    void rfc9438_4_9_spuriousCongestionEvent_undoRestoresWmaxKAndTheEpoch() {
        final long rtt = 100 * MS;
        final Cubic c = new Cubic();
        final CongestionState s = afterLossAt(c, 100, rtt);
        long t = clock(c, s, 0, rtt, 20); // 2 s into the stage: K = cbrt(30 / 0.4) = 4.2 s
        final double wmax = c.wMax();
        final double k = c.k();
        final int cwnd = s.cwnd;
        final int ssthresh = s.ssthresh;
        assertEquals(Math.cbrt(30 / Cubic.C), k, 1e-9);
        // a (spurious) loss at cwnd < W_max: fast convergence lowers W_max, ssthresh and cwnd drop to 0.7 cwnd
        s.flightSize = s.cwnd;
        s.ssthresh = c.ssthreshOnLoss(s, t);
        s.cwnd = s.ssthresh;
        c.onRecoveryEnd(s, t);
        assertTrue(c.wMax() < wmax);
        // undone (LossUndo): the connection restores cwnd and ssthresh, CUBIC the rest
        s.cwnd = cwnd;
        s.ssthresh = ssthresh;
        c.onUndo(s, t);
        assertEquals(wmax, c.wMax(), 1e-9);
        assertEquals(k, c.k(), 1e-9);
        // the curve continues where it was: a twin that never saw the loss grows the same
        final Cubic twin = new Cubic();
        final CongestionState u = afterLossAt(twin, 100, rtt);
        clock(twin, u, 0, rtt, 20);
        clock(c, s, t, rtt, 20);
        clock(twin, u, t, rtt, 20);
        assertEquals(u.cwnd, s.cwnd, 2 * MSS);
    }

    @Test
    void selectableByName_asLinuxTcpCongestionControl() {
        assertSame(Cubic.FACTORY, CongestionControl.forName("cubic"));
        assertSame(NewReno.FACTORY, CongestionControl.forName("reno"));
        assertSame(NewReno.FACTORY, CongestionControl.forName("newreno"));
        assertThrows(IllegalArgumentException.class, () -> CongestionControl.forName("bbr"));
        assertEquals("cubic", Cubic.FACTORY.create().name());
    }
}
