package io.ioth.tcpip.socket.tcp;

/**
 * TCP counters of one stack, named after RFC 4022 (TCP-MIB) objects where there is one and after Linux's
 * {@code /proc/net/netstat} TcpExt fields otherwise. Drops are counted separately by {@link TcpDrop}.
 *
 * <p>Immutable; thread-safe.
 */
public enum TcpCounter {
    /** tcpActiveOpens: CLOSED -> SYN-SENT. */
    ACTIVE_OPENS,
    /** tcpPassiveOpens: LISTEN -> SYN-RECEIVED (including connections created from SYN cookies). */
    PASSIVE_OPENS,
    /** tcpAttemptFails: SYN-SENT/SYN-RECEIVED -> CLOSED (or back to LISTEN). */
    ATTEMPT_FAILS,
    /** tcpEstabResets: ESTABLISHED/CLOSE-WAIT -> CLOSED by a RST. */
    ESTAB_RESETS,
    /** tcpInSegs. */
    IN_SEGS,
    /** tcpOutSegs (excluding retransmissions). */
    OUT_SEGS,
    /** tcpRetransSegs. */
    RETRANS_SEGS,
    /** tcpOutRsts. */
    OUT_RSTS,
    /** tcpInErrs: segments with a bad checksum, header or options. */
    IN_ERRS,
    /** Retransmission timeouts (Linux TCPTimeouts). */
    TIMEOUTS,
    /** Fast retransmits (RFC 5681 §3.2; Linux TCPFastRetrans counts the segments). */
    FAST_RETRANSMITS,
    /** NewReno partial ACKs (RFC 6582 §3.2 step 3). */
    PARTIAL_ACKS,
    /** Delayed ACKs sent when the delayed-ACK timer fired (Linux DelayedACKs). */
    DELAYED_ACKS,
    /** Pure ACKs sent (any reason). */
    PURE_ACKS_SENT,
    /** Challenge ACKs sent (RFC 5961; Linux TCPChallengeACK). */
    CHALLENGE_ACKS,
    /** Zero-window probes sent (RFC 9293 §3.8.6.1). */
    ZERO_WINDOW_PROBES,
    /** Keepalive probes sent (RFC 1122 §4.2.3.6). */
    KEEPALIVE_PROBES,
    /** SYN cookies sent (Linux SyncookiesSent). */
    SYNCOOKIES_SENT,
    /** Connections established from a valid cookie (SyncookiesRecv). */
    SYNCOOKIES_RECV,
    /** SYN-ACKs retransmitted. */
    SYNACK_RETRANS,
    /** Out-of-order segments queued (Linux TCPOFOQueue). */
    OOO_QUEUED,
    /** SACK blocks received from peers. */
    SACK_BLOCKS_RECEIVED,
    /** TIME-WAIT connections reused by a new SYN (RFC 6191; Linux TWRecycled). */
    TIME_WAIT_REUSED,
    /** Connections that reached TIME-WAIT. */
    TIME_WAITS,
    /** Connections aborted by a timeout (Linux TCPAbortOnTimeout). */
    ABORT_ON_TIMEOUT,
    /** Connections reset because data arrived after close() (Linux TCPAbortOnData/TCPAbortOnClose). */
    ABORT_ON_DATA,
    /** Path MTU reductions applied to connections (ICMP fragmentation needed). */
    PMTU_UPDATES,
    /** SACK-based loss recoveries entered (RFC 6675 §5; Linux TCPSackRecovery). Also counted in FAST_RETRANSMITS. */
    SACK_RECOVERIES,
    /** Rescue retransmissions (RFC 6675 NextSeg rule 4). */
    SACK_RESCUE_RETRANSMITS,
    /** Timeouts on SACK connections, recovered by retransmitting only the unSACKed data (Linux's Loss state). */
    SACK_LOSS_RECOVERIES,
    /** Retransmissions found lost in turn and resent before the timer (Linux TCPLostRetransmit). */
    LOST_RETRANSMITS,
    /** Tail loss probes sent (RFC 8985 §7; Linux TCPLossProbes). */
    TLP_PROBES,
    /** Retransmitted probes acknowledged: a tail loss repaired without the timer (Linux TCPLossProbeRecovery). */
    TLP_LOSS_REPAIRED,
    /** Connections that saw reordering (a hole filled without a retransmission; RFC 8985 reordering_seen). */
    REORDERING_SEEN,
    /** Cumulative ACKs that fell on SACKed data: the receiver reneged (RFC 2018 §8; Linux TCPSACKReneging). */
    SACK_RENEGING,
    /** D-SACK blocks received (RFC 2883; Linux TCPDSACKRecv). */
    DSACKS_RECEIVED,
    /** New segments that could not leave because the local transmit queue was full (kept unsent, as Linux's
     * tcp_write_xmit does). */
    LOCAL_QUEUE_FULL,
    /** Receive-buffer increases made by auto-tuning (Linux tcp_rcv_space_adjust). */
    RCVBUF_AUTOTUNED,
    /** Reordered duplicate ACKs accepted although older than TS.Recent (Linux tcp_disordered_ack; PAWS exemption). */
    DISORDERED_ACKS,
    /** Loss responses undone because D-SACKs showed every retransmission of the episode arrived twice (RFC 3708;
     * Linux TCPDSACKUndo). */
    UNDO_DSACK,
    /** Fast recoveries undone because the ACK that ended them echoed a timestamp older than the first
     * retransmission: the original had arrived (RFC 3522 Eifel detection; Linux TCPFullUndo/TCPPartialUndo). */
    UNDO_TIMESTAMP,
    /** Retransmission timeouts found spurious and undone (RFC 3522 with RFC 4015's response; Linux TCPLossUndo). */
    UNDO_RTO,
    /** Rounds in which a D-SACK widened RACK's reordering window (RFC 8985 §6.2 step 4, reo_wnd_mult += 1). */
    RACK_REO_WND_RAISED,
    /** Slow starts ended by HyStart++'s RTT-increase test (RFC 9406 §4.2; Linux TCPHystartDelayDetect). */
    HYSTART_EXITS,
    /** Send-buffer increases made by auto-tuning (Linux tcp_sndbuf_expand). */
    SNDBUF_AUTOTUNED;

    static final TcpCounter[] VALUES = values();
}
