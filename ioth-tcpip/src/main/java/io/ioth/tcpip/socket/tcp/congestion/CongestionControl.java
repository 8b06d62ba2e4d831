package io.ioth.tcpip.socket.tcp.congestion;

/**
 * A congestion-control algorithm (Linux {@code struct tcp_congestion_ops}; smoltcp
 * {@code socket/tcp/congestion.rs}): the policy for cwnd and ssthresh, pluggable per stack
 * ({@code TcpConfig.Builder.congestionControl}) and per socket ({@code TcpSocket.setCongestionControl}). One
 * instance per connection, made by a {@link Factory}; it may keep private per-connection state (CUBIC's W_max and
 * epoch).
 *
 * <p>The connection calls, in its own words:
 * <ul>
 *   <li>{@link #init} once, when the connection is established: set cwnd to the initial window;</li>
 *   <li>{@link #onAck} for every ACK that acknowledges new data while not in loss recovery: slow start or
 *       congestion avoidance;</li>
 *   <li>{@link #ssthreshOnLoss} when loss is detected (fast retransmit, RTO), once per loss episode: the new
 *       ssthresh; the connection then sets cwnd (NewReno: ssthresh + 3*SMSS, RFC 6582; SACK: PRR down to ssthresh,
 *       RFC 6937; the loss window after an RTO);</li>
 *   <li>{@link #onRecoveryEnd}, {@link #onRetransmitTimeout}, {@link #onRttSample}, {@link #onIdleRestart} as
 *       hooks.</li>
 * </ul>
 *
 * <p>Not thread-safe: owner thread.
 */
public interface CongestionControl {

    /** Makes one instance per connection. Implementations are immutable and shareable between stacks. */
    interface Factory {
        CongestionControl create();

        /** e.g. "newreno", "cubic" (Linux {@code tcp_congestion_control} names). */
        String name();
    }

    String name();

    /**
     * The algorithm a Linux {@code tcp_congestion_control} name selects: "reno"/"newreno" ({@link NewReno}) or
     * "cubic" ({@link Cubic}).
     *
     * @throws IllegalArgumentException for any other name
     */
    static Factory forName(final String name) {
        switch (name) {
            case "reno":
            case "newreno":
                return NewReno.FACTORY;
            case "cubic":
                return Cubic.FACTORY;
            default:
                throw new IllegalArgumentException("unknown congestion control: " + name);
        }
    }

    /** The connection is established: RFC 5681 §3.1 / RFC 6928: {@code cwnd = IW}. */
    void init(CongestionState s, long nowNanos);

    /**
     * New data was cumulatively acknowledged outside loss recovery.
     *
     * @param ackedBytes bytes newly acknowledged by this ACK
     */
    void onAck(CongestionState s, int ackedBytes, long nowNanos);

    /** The ssthresh to set on loss (RFC 5681 §3.1 eq. (4) for Reno). Called before recovery starts. */
    int ssthreshOnLoss(CongestionState s, long nowNanos);

    /** Fast recovery ended with a full ACK (RFC 6582 §3.2 step 3). The connection has already set cwnd. */
    default void onRecoveryEnd(CongestionState s, long nowNanos) {
    }

    /** The retransmission timer expired; the connection has set ssthresh and the loss window already. */
    default void onRetransmitTimeout(CongestionState s, long nowNanos) {
    }

    /**
     * The last loss response proved spurious (D-SACK, RFC 3708; timestamps, RFC 3522) and the connection took it
     * back: it has already restored cwnd and ssthresh to their values before the reduction (Linux
     * {@code tcp_undo_cwnd_reduction}); the algorithm restores its own state (RFC 9438 §4.9).
     */
    default void onUndo(CongestionState s, long nowNanos) {
    }

    /** A valid RTT measurement (RFC 6298; Karn's rule already applied). */
    default void onRttSample(CongestionState s, long rttNanos, long nowNanos) {
    }

    /**
     * The connection sends after an idle period longer than the RTO: RFC 5681 §4.1 restart window,
     * {@code cwnd = min(RW, cwnd)} with {@code RW = min(IW, cwnd)}.
     */
    default void onIdleRestart(CongestionState s, long nowNanos) {
        s.cwnd = Math.min(s.cwnd, s.initialWindow());
    }
}
