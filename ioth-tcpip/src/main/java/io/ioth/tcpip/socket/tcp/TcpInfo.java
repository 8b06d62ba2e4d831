package io.ioth.tcpip.socket.tcp;

/**
 * A snapshot of one connection's state and statistics, shaped after Linux's {@code struct tcp_info}
 * ({@code getsockopt(TCP_INFO)}, {@code ss -ti}). Filled by {@link TcpSocket#info(TcpInfo)} into a caller-owned
 * instance (nothing allocated per call). Times are in microseconds like Linux's fields; sizes in bytes.
 *
 * <p>Not thread-safe: a plain value holder.
 */
public final class TcpInfo {
    public TcpState state;
    /** Options negotiated: timestamps, SACK, window scaling; the shifts (snd = peer's, rcv = ours). */
    public boolean timestamps;
    public boolean sack;
    public boolean windowScaling;
    public int sndWscale;
    public int rcvWscale;
    /** Current RTO (with back-off) and the RFC 6298 estimates, microseconds. */
    public long rtoMicros;
    public long srttMicros;
    public long rttvarMicros;
    public long minRttMicros;
    /** Effective send MSS and the receive-side estimate of the peer's MSS. */
    public int sndMss;
    public int rcvMss;
    /** Path MTU in use. */
    public int pmtu;
    /** Congestion window and slow-start threshold, bytes (Linux reports segments; multiply by sndMss). */
    public int cwnd;
    public int ssthresh;
    public String congestionControl;
    /** Bytes in flight (SND.MAX - SND.UNA), unacknowledged bytes queued, bytes not yet sent. */
    public int bytesInFlight;
    public int sendQueued;
    public int sendWindow;
    /** The window we advertise and the bytes waiting to be read / held out of order. */
    public int receiveWindow;
    public int receiveQueued;
    public int outOfOrderBytes;
    public int sendBufferSize;
    public int receiveBufferSize;
    /** Consecutive RTO back-offs (Linux tcpi_backoff / tcpi_retransmits). */
    public int backoff;
    /** Counters over the connection's life. */
    public long bytesSent;
    public long bytesRetrans;
    public long bytesAcked;
    public long bytesReceived;
    public long segsOut;
    public long segsIn;
    public long totalRetrans;
    public long fastRetransmits;
    public long rtoTimeouts;
    public long dupAcksReceived;
    public long sackedBytes;
    /** In fast recovery (NewReno, or SACK-based with PRR). */
    public boolean inRecovery;
    /** Recovering from a retransmission timeout with SACK (Linux's Loss state). */
    public boolean inLossRecovery;
    /** SACK-based recoveries entered (RFC 6675 §5) and rescue retransmissions sent (NextSeg rule 4). */
    public long sackRecoveries;
    public long rescueRetransmits;
    /** Retransmissions found lost in turn ({@link RetransmitLog}; Linux TCPLostRetransmit). */
    public long lostRetransmits;
    /** Tail loss probes sent (RFC 8985 §7; Linux TCPLossProbes). */
    public long tlpProbes;
    /** Loss responses undone as spurious (D-SACK, RFC 3708; timestamps, RFC 3522; {@link LossUndo}). */
    public long spuriousUndos;
    /** Reordering was observed (RACK.reordering_seen, RFC 8985): recovery waits a reordering window. */
    public boolean reorderingSeen;
    /** Receiver-side RTT estimate and the per-RTT read target of receive-buffer auto-tuning (Linux tcpi_rcv_rtt,
     * tcpi_rcv_space). */
    public long rcvRttMicros;
    public int rcvSpace;
    /** Times since the last send / receive, microseconds. */
    public long lastDataSentMicrosAgo;
    public long lastReceivedMicrosAgo;

    @Override
    public String toString() {
        return state + " rto:" + rtoMicros / 1000.0 + "ms rtt:" + srttMicros / 1000.0 + "/" + rttvarMicros / 1000.0
                + "ms mss:" + sndMss + " cwnd:" + cwnd + " ssthresh:"
                + (ssthresh == Integer.MAX_VALUE ? "inf" : Integer.toString(ssthresh)) + " " + congestionControl
                + " bytes_sent:" + bytesSent + " bytes_retrans:" + bytesRetrans + " bytes_acked:" + bytesAcked
                + " bytes_received:" + bytesReceived + " segs_out:" + segsOut + " segs_in:" + segsIn
                + " retrans:" + totalRetrans + " fast:" + fastRetransmits + " rto_timeouts:" + rtoTimeouts
                + (timestamps ? " ts" : "") + (sack ? " sack" : "") + (windowScaling ? " wscale:" + sndWscale + ","
                + rcvWscale : "") + " rcv_wnd:" + receiveWindow + " rcvbuf:" + receiveBufferSize + " rcv_rtt:"
                + rcvRttMicros / 1000.0 + "ms unacked:" + bytesInFlight + " sack_recoveries:" + sackRecoveries;
    }
}
