package io.ioth.tcpip.socket.tcp.congestion;

/**
 * Reno's window policy (RFC 5681 §3.1) as used by NewReno (RFC 6582; the recovery itself is the connection's):
 *
 * <ul>
 *   <li>slow start while {@code cwnd < ssthresh}: {@code cwnd += min(N, L*SMSS)} per ACK, with Appropriate Byte
 *       Counting's limit {@code L = 2} (RFC 3465 §2.2), so that delayed ACKs do not halve the growth rate;</li>
 *   <li>congestion avoidance: one SMSS per cwnd of acknowledged bytes (RFC 5681 §3.1, the byte-counting variant of
 *       RFC 3465 §2.1);</li>
 *   <li>on loss {@code ssthresh = max(FlightSize / 2, 2*SMSS)} (RFC 5681 eq. (4)).</li>
 * </ul>
 *
 * cwnd does not grow while the sender is application-limited (RFC 7661 §4.2, Linux {@code tcp_is_cwnd_limited}).
 *
 * <p>Not thread-safe: one instance per connection.
 */
public final class NewReno implements CongestionControl {
    /** The factory; stateless, shareable. */
    public static final Factory FACTORY = new Factory() {
        @Override
        public CongestionControl create() {
            return new NewReno();
        }

        @Override
        public String name() {
            return "newreno";
        }

        @Override
        public String toString() {
            return "newreno";
        }
    };

    /** Bytes acknowledged since cwnd last grew in congestion avoidance. */
    private int bytesAcked;

    @Override
    public String name() {
        return "newreno";
    }

    @Override
    public void init(final CongestionState s, final long nowNanos) {
        s.cwnd = s.initialWindow();
        bytesAcked = 0;
    }

    @Override
    public void onAck(final CongestionState s, final int ackedBytes, final long nowNanos) {
        if (!s.cwndLimited || ackedBytes <= 0) {
            return;
        }
        if (s.cwnd < s.ssthresh) {
            // RFC 5681 §3.1 eq. (2) with RFC 3465's L = 2*SMSS
            s.cwnd = (int) Math.min((long) s.cwnd + Math.min(ackedBytes, 2 * s.mss), Integer.MAX_VALUE / 2);
            return;
        }
        // RFC 3465 §2.1: "cwnd is incremented by SMSS when bytes_acked >= cwnd"
        bytesAcked += ackedBytes;
        if (bytesAcked >= s.cwnd) {
            bytesAcked -= s.cwnd;
            s.cwnd = (int) Math.min((long) s.cwnd + s.mss, Integer.MAX_VALUE / 2);
        }
    }

    @Override
    public int ssthreshOnLoss(final CongestionState s, final long nowNanos) {
        bytesAcked = 0;
        return s.halfFlight();
    }

    @Override
    public void onRetransmitTimeout(final CongestionState s, final long nowNanos) {
        bytesAcked = 0;
    }
}
