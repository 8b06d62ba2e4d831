package io.ioth.tcpip.socket.tcp.congestion;

/**
 * The congestion-control variables of one connection (RFC 5681 §2), in bytes, owned by the connection and handed
 * to its {@link CongestionControl} (Linux keeps them in {@code tcp_sock} the same way: the algorithm is a set of
 * operations on them). The connection keeps the read-only inputs current before each call.
 *
 * <p>Loss recovery (fast retransmit and NewReno, RFC 6582; SACK-based recovery, RFC 6675, with PRR, RFC 6937) is
 * done by the connection, not by the algorithm: the algorithm only answers {@link CongestionControl#ssthreshOnLoss}
 * and grows {@link #cwnd} outside recovery. {@link Cubic} keeps its own epoch variables in its instance.
 *
 * <p>Not thread-safe: owner thread.
 */
public final class CongestionState {
    /** SMSS: the effective send MSS in bytes. Input. */
    public int mss;
    /** cwnd in bytes. Read and written by the algorithm (and by the connection's loss recovery). */
    public int cwnd;
    /** ssthresh in bytes; {@link Integer#MAX_VALUE} until the first loss (RFC 5681 §3.1: "arbitrarily high"). */
    public int ssthresh = Integer.MAX_VALUE;
    /** FlightSize (RFC 5681 §2): bytes sent and not yet cumulatively acknowledged; for
     * {@link CongestionControl#ssthreshOnLoss}, at most cwnd (see {@code TcpSocket.lossFlightSize}). Input. */
    public int flightSize;
    /** Smoothed RTT in nanoseconds (0 before the first sample). Input. */
    public long srttNanos;
    /** Lowest RTT sample seen, nanoseconds (0 before the first sample). Input. */
    public long minRttNanos;
    /** Initial window in segments (RFC 6928: 10). Input. */
    public int initialWindowSegments = 10;
    /** Whether the sender was limited by the application rather than by cwnd when the ACK arrived (RFC 7661
     * "cwnd-limited"); growing cwnd while application-limited inflates it without evidence. Input. */
    public boolean cwndLimited = true;

    /** RFC 6928 §2 / Linux {@code tcp_init_cwnd}: IW = initialWindowSegments * SMSS. */
    public int initialWindow() {
        return Math.max(1, initialWindowSegments) * Math.max(1, mss);
    }

    /** RFC 5681 §3.1 eq. (4): {@code max(FlightSize / 2, 2*SMSS)}. */
    public int halfFlight() {
        return Math.max(flightSize / 2, 2 * mss);
    }

    @Override
    public String toString() {
        return "cwnd=" + cwnd + " ssthresh=" + (ssthresh == Integer.MAX_VALUE ? "inf" : Integer.toString(ssthresh))
                + " mss=" + mss + " flight=" + flightSize;
    }
}
