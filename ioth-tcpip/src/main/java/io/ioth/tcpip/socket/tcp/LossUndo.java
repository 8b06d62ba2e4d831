package io.ioth.tcpip.socket.tcp;

/**
 * Undo of a spurious loss response (Linux {@code tcp_try_undo_dsack}, {@code tcp_try_undo_recovery},
 * {@code tcp_try_undo_partial}, {@code tcp_try_undo_loss}; the state is Linux's {@code undo_marker},
 * {@code undo_retrans}, {@code prior_cwnd}, {@code prior_ssthresh} and {@code retrans_stamp}). When a loss episode
 * begins (SACK fast recovery, a retransmission timeout) the window before the reduction is saved and every
 * retransmission of the episode is recorded. The reduction is taken back when the episode proves spurious:
 *
 * <ul>
 *   <li><b>D-SACK</b> (RFC 3708 §3): every retransmission of the episode was reported as a duplicate by the receiver
 *       (RFC 2883): the originals had all arrived, nothing was lost (reordering, or delayed ACKs);</li>
 *   <li><b>timestamps</b> (RFC 3522 Eifel detection §2): the ACK that completes the episode (or, with no
 *       retransmission still unacknowledged, a partial ACK) echoes a TSval older than the first retransmission's: the
 *       segment that filled the hole was an original, delayed, not a retransmission.</li>
 * </ul>
 *
 * The response is Linux's {@code tcp_undo_cwnd_reduction} (RFC 4015's, without its RTO adaptation):
 * {@code cwnd = max(cwnd, prior_cwnd)}, {@code ssthresh = max(ssthresh, prior_ssthresh)}, and the congestion control
 * restores its own state ({@link io.ioth.tcpip.socket.tcp.congestion.CongestionControl#onUndo}; RFC 9438 §4.9).
 * Late D-SACKs may still undo after the episode ended, until the next one begins (Linux keeps undo_marker).
 *
 * <p>Retransmissions are recorded by range (at most {@link #CAPACITY} per episode; beyond that only the timestamp
 * test can undo). A D-SACK proves the retransmissions it overlaps: a duplicate of an original that was never
 * retransmitted (the network duplicated it) proves nothing.
 *
 * <p>Allocated at a connection's first loss episode. Not thread-safe: owner thread.
 */
final class LossUndo {
    static final int CAPACITY = 64;

    /** An episode's reduction may still be undone. */
    boolean armed;
    /** SND.UNA when the episode began (Linux undo_marker). */
    int marker;
    int priorCwnd;
    int priorSsthresh;
    /** The episode began with a retransmission timeout. */
    boolean fromRto;
    /** Retransmissions not yet proven spurious (Linux undo_retrans). */
    int pending;
    /** More retransmissions than {@link #CAPACITY}: D-SACKs cannot prove them all. */
    boolean overflow;
    private final int[] start = new int[CAPACITY];
    private final int[] end = new int[CAPACITY];
    private final boolean[] proven = new boolean[CAPACITY];
    private int n;

    /**
     * An episode begins (before the reduction): Linux {@code tcp_init_undo} with {@code prior_ssthresh =
     * tcp_current_ssthresh()} (at least 3/4 cwnd) and {@code prior_cwnd = cwnd}.
     */
    static void begin(final TcpSocket s, final boolean rto) {
        LossUndo u = s.undo;
        if (u == null) {
            u = new LossUndo();
            s.undo = u;
        }
        final int cwnd = s.cs.cwnd;
        // retransmissions of the previous episode still unacknowledged stay: the segment they carry may be resent by
        // this one, and a D-SACK of one of the two copies must not prove the episode spurious
        int w = 0;
        if (u.armed || u.n > 0) {
            for (int i = 0; i < u.n; i++) {
                final int from = Seq.max(u.start[i], s.sndUna);
                if (!u.proven[i] && Seq.lt(from, u.end[i])
                        && (s.board == null || s.board.sackedBytesIn(from, u.end[i]) < u.end[i] - from)) {
                    u.start[w] = from;
                    u.end[w] = u.end[i];
                    u.proven[w] = false;
                    w++;
                }
            }
        }
        u.armed = true;
        u.marker = s.sndUna;
        u.priorCwnd = cwnd;
        u.priorSsthresh = Math.max(s.cs.ssthresh, (cwnd >> 1) + (cwnd >> 2));
        u.fromRto = rto;
        u.pending = w;
        u.overflow = false;
        u.n = w;
    }

    /** A retransmission of {@code [seq, seq + len)} left during the episode. */
    static void retransmitted(final TcpSocket s, final int seq, final int len, final long now) {
        final LossUndo u = s.undo;
        if (u == null || !u.armed || len <= 0) {
            return;
        }
        u.pending++;
        if (u.n == CAPACITY) {
            u.overflow = true;
            return;
        }
        u.start[u.n] = seq;
        u.end[u.n] = seq + len;
        u.proven[u.n] = false;
        u.n++;
    }

    /**
     * A D-SACK for {@code [l, r)} arrived (RFC 3708 §3: "the TCP sender ... detects that the retransmission was
     * spurious when it receives a D-SACK for every retransmitted segment"). Each retransmission it overlaps is
     * proven once.
     *
     * @return whether the episode is now proven spurious and was undone
     */
    static boolean dsack(final TcpSocket s, final int l, final int r, final long now) {
        final LossUndo u = s.undo;
        if (u == null || !u.armed || u.overflow || !Seq.lt(u.marker, r)) {
            return false;
        }
        // one D-SACK reports one duplicate arrival: it proves one copy of each segment it covers (Linux undo_retrans
        // -= pcount of the D-SACKed skb), not every retransmission of the same range
        int creditedTo = l;
        for (int i = 0; i < u.n; i++) {
            if (!u.proven[i] && Seq.lt(u.start[i], r) && Seq.lt(l, u.end[i]) && Seq.geq(u.start[i], creditedTo)) {
                u.proven[i] = true;
                u.pending--;
                creditedTo = u.end[i];
            }
        }
        if (u.pending <= 0 && u.n > 0) {
            undo(s, TcpCounter.UNDO_DSACK, now);
            return true;
        }
        return false;
    }

    /**
     * RFC 3522 §2 (Eifel detection): "If ... the value of the Timestamp Echo Reply field of the acceptable ACK's
     * Timestamps option is smaller than the value of RetransmitTS, then ... the retransmission was spurious"
     * (Linux {@code tcp_packet_delayed}).
     */
    static boolean packetDelayed(final TcpSocket s, final io.ioth.tcpip.wire.TcpOptions o) {
        final LossUndo u = s.undo;
        return u != null && u.armed && s.rxStampSet && s.tsOk && o.hasTimestamp && o.tsEcr != 0
                && Seq.lt(o.tsEcr, s.rxStamp);
    }

    /**
     * Any retransmission (of an episode, or a tail loss probe) of {@code [seq, seq + len)}: RetransmitTS (RFC 3522
     * §2) is the TSval of the first retransmission still unacknowledged, whichever episode sent it (Linux sets
     * retrans_stamp at the first retransmission and clears it only once none is outstanding): an older copy of the
     * same segment, sent by an earlier episode or a probe, may be what fills the hole, and its echo proves nothing.
     */
    static void stamp(final TcpSocket s, final int seq, final int len, final long now) {
        if (!s.tsOk || len <= 0) {
            return;
        }
        if (!s.rxStampSet) {
            s.rxStampSet = true;
            s.rxStamp = s.tsNow(now);
            s.rxStampHigh = seq + len;
        } else if (Seq.gt(seq + len, s.rxStampHigh)) {
            s.rxStampHigh = seq + len;
        }
    }

    /** After an ACK: RetransmitTS is forgotten once every retransmitted byte is cumulatively acknowledged, outside
     * recovery (Linux: retrans_stamp = 0 in the Open state when !tcp_any_retrans_done). */
    static void ackProcessed(final TcpSocket s) {
        if (s.rxStampSet && !s.inRecovery && !s.lossMode && Seq.geq(s.sndUna, s.rxStampHigh)) {
            s.rxStampSet = false;
        }
    }

    /** Whether no retransmission of the episode is still unacknowledged (Linux {@code retrans_out == 0}). */
    static boolean noRetransmissionOut(final TcpSocket s) {
        final LossUndo u = s.undo;
        if (u == null || u.overflow) {
            return false;
        }
        for (int i = 0; i < u.n; i++) {
            final int from = Seq.max(u.start[i], s.sndUna);
            if (!u.proven[i] && Seq.lt(from, u.end[i])
                    && (s.board == null || s.board.sackedBytesIn(from, u.end[i]) < u.end[i] - from)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Takes the episode's reduction back (Linux {@code tcp_undo_cwnd_reduction}): cwnd and ssthresh as they were,
     * the congestion control's own state restored, recovery left. A fast recovery that proved spurious shows
     * reordering (RFC 8985 §6.2: from then on, losses are detected by time, with a reordering window).
     */
    static void undo(final TcpSocket s, final TcpCounter why, final long now) {
        final LossUndo u = s.undo;
        u.armed = false;
        s.stack.stats.inc(why);
        s.spuriousUndos++;
        s.cs.cwnd = Math.max(s.cs.cwnd, u.priorCwnd);
        if (u.priorSsthresh > s.cs.ssthresh) {
            s.cs.ssthresh = u.priorSsthresh;
        }
        if (s.cc != null) {
            s.cc.onUndo(s.cs, now);
        }
        if (!u.fromRto && !s.reorderSeen) {
            s.reorderSeen = true;
            s.stack.stats.inc(TcpCounter.REORDERING_SEEN);
        }
        if (u.fromRto) {
            s.rtt.backoff = 0; // RFC 4015 §2: the timeout was spurious; the back-off with it
        }
        if (s.inRecovery || s.lossMode) {
            s.inRecovery = false;
            s.lossMode = false;
            s.dupAcks = 0;
            s.rxtLog = null; // (RACK's reo_wnd_persist only counts recoveries that stand: Linux tcp_try_undo_recovery)
        }
        // the reduction is gone: a loss found from now on starts an episode of its own (RFC 6675 §5's RecoveryPoint
        // rule keeps one reduction per window, and this window has none any more)
        s.recover = s.sndUna;
    }
}
