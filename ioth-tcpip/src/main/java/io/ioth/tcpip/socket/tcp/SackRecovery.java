package io.ioth.tcpip.socket.tcp;

/**
 * SACK-based loss recovery (RFC 6675) with Proportional Rate Reduction (RFC 6937, the PRR-SSRB bound, as Linux
 * {@code tcp_cwnd_reduction}), for connections that negotiated SACK; the others use NewReno (RFC 6582) in
 * {@link TcpInput}. The RFC's variables map onto the connection:
 *
 * <pre>
 *   HighACK       SND.UNA                 HighData       SND.MAX (exclusive; the RFC counts octets)
 *   HighRxt       {@link TcpSocket#highRxt}          RescueRxt      {@link TcpSocket#rescueRxt}
 *   RecoveryPoint {@link TcpSocket#recover}          DupThresh      {@link TcpSocket#DUP_THRESH}
 *   pipe          {@link #pipe} (recomputed from the scoreboard when needed: O(SACK ranges))
 * </pre>
 *
 * The ACK side ({@link TcpInput}) updates the scoreboard, counts duplicate ACKs, {@link #enter}s recovery and runs
 * {@link #prr} for every ACK in it; the sending side ({@link TcpOutput#trySend}) calls {@link #send}: step (C), which
 * sends while {@code cwnd - pipe >= SMSS}, each segment chosen by NextSeg(). After a retransmission timeout the same
 * sending loop runs in "loss mode" ({@link TcpSocket#lossMode}): every unSACKed byte below RecoveryPoint is lost.
 *
 * <p>Three additions from RACK-TLP (RFC 8985), which Linux runs by default, expressed with what RFC 6675 tracks
 * (ranges with the time they were first SACKed, not per-segment records):
 * <ul>
 *   <li><b>time-based IsLost()</b> ({@link #lostEnd}): a hole is also lost once data above it has been SACKed for a
 *       reordering window (RACK.reo_wnd, §6.2 step 4: 0 in recovery, else min_RTT/4 while fewer than DupThresh
 *       segments are SACKed), so one SACK is enough in a small window; once reordering has been seen (a hole
 *       filled without a retransmission, §6.2 step 3), DupThresh no longer counts and every hole waits the window
 *       ({@link TcpSocket#reoAt} runs the check when it ends), which widens by min_RTT/4 per round that brings a
 *       D-SACK (up to SRTT; the receiver side sends D-SACKs, RFC 2883);</li>
 *   <li><b>lost retransmissions</b> ({@link RetransmitLog}): a retransmission overtaken by data sent after it is
 *       lost and is resent first (NextSeg() "rule 0"), instead of waiting for the retransmission timer;</li>
 *   <li><b>tail loss probes</b> (§7, {@link #probeTimeout}): when no ACK comes back for 2 SRTT in the open state, one
 *       segment (new data, or the last one sent) goes out to draw SACK feedback.</li>
 * </ul>
 *
 * <p>Static functions of the connection; not thread-safe (owner thread).
 */
final class SackRecovery {
    /** RFC 8985 §7.2: WCDelAckT, the worst-case delayed ACK timer added to the PTO when one segment is in flight. */
    static final long WC_DEL_ACK_NANOS = 200_000_000L;
    /** The floor of the PTO: Linux 4.x's 10 ms (tcp_schedule_loss_probe; current Linux adds only 2 ms to 2 SRTT, but
     * measured on the vde path at sub-millisecond RTTs a 2 ms floor fired probes into every scheduling gap of a loaded
     * host: LinuxTcpThroughputTest senders(), 12-21 probes per 8 MB, and cwnd reductions after them). */
    static final long MIN_PTO_NANOS = 10_000_000L;
    static final long PTO_SLACK_NANOS = 2_000_000L;

    private SackRecovery() {
    }

    /**
     * RFC 8985 §6.2 step 4, RACK.reo_wnd: before reordering was seen, 0 in recovery (and when DupThresh segments are
     * SACKed: the count in {@link SackScoreboard#lostBoundary}); otherwise min_RTT / 4, at most SRTT.
     */
    static long reorderWindow(final TcpSocket s) {
        if (!s.reorderSeen && (s.inRecovery || s.lossMode)) {
            return 0;
        }
        if (!s.rtt.hasSample) {
            return s.reorderSeen ? Long.MAX_VALUE / 4 : 0;
        }
        return Math.min(s.reoWndMult * (s.rtt.minRtt / 4), s.rtt.srtt);
    }

    /**
     * A D-SACK arrived (RFC 2883: the peer got something twice, a spurious retransmission). RFC 8985 §6.2 step 4:
     * "If RACK.dsack_round is None AND any DSACK option is present on latest received ACK: RACK.dsack_round = SND.NXT,
     * RACK.reo_wnd_mult += 1, RACK.reo_wnd_persist = 16".
     */
    static void dsackReceived(final TcpSocket s, final int l, final int r) {
        if (s.tlpOut && s.tlpRetrans && Seq.geq(l, s.tlpStart) && Seq.leq(r, s.tlpHigh)) {
            s.tlpOut = false; // §7.4.1: the probe was a duplicate: no loss, no reduction
        }
        if (s.dsackRoundSet && Seq.geq(s.sndUna, s.dsackRound)) {
            s.dsackRoundSet = false;
        }
        if (!s.dsackRoundSet) {
            s.dsackRoundSet = true;
            s.dsackRound = s.sndMax;
            s.reoWndMult = Math.min(s.reoWndMult + 1, 1024);
            s.reoWndPersist = 16;
        }
    }

    /** Fast or timeout recovery ended: "RACK.reo_wnd_persist -= 1; If RACK.reo_wnd_persist <= 0: RACK.reo_wnd_mult
     * = 1" (RFC 8985 §6.2 step 4). */
    static void recoveryEnded(final TcpSocket s) {
        s.rxtLog = null;
        if (--s.reoWndPersist <= 0) {
            s.reoWndPersist = 0;
            s.reoWndMult = 1;
        }
    }

    /**
     * The end of the lost region: every unSACKed byte below it is lost (IsLost() is true), none at or above it. In
     * loss mode everything below RecoveryPoint is lost too (Linux {@code tcp_enter_loss} marks it so).
     */
    static int lostEnd(final TcpSocket s, final long now) {
        int e = s.board == null ? s.sndUna : s.board.lostBoundary(s.reorderSeen ? 0 : TcpSocket.DUP_THRESH,
                s.sndMss, s.sndUna, now, reorderWindow(s));
        if (s.lossMode) {
            final int rp = Seq.min(s.recover, s.sndMax);
            if (Seq.gt(rp, e)) {
                e = rp;
            }
        }
        return e;
    }

    /** IsLost(seq) (for an unSACKed {@code seq}). */
    static boolean isLost(final TcpSocket s, final int seq, final long now) {
        return Seq.lt(seq, lostEnd(s, now));
    }

    /**
     * RFC 6675 §4 SetPipe(): for each unSACKed octet between HighACK and HighData, one if IsLost() is false, and one
     * more if it was retransmitted (at or below HighRxt); retransmissions known lost do not count.
     */
    static int pipe(final TcpSocket s, final long now) {
        final int una = s.sndUna;
        final int max = s.sndMax;
        final SackScoreboard b = s.board;
        final int lost = lostEnd(s, now);
        int p = (max - lost) - (b == null ? 0 : b.sackedBytesIn(lost, max));
        final int rx = Seq.min(s.highRxt, max);
        if (Seq.gt(rx, una)) {
            p += (rx - una) - (b == null ? 0 : b.sackedBytesIn(una, rx));
        }
        if (s.rxtLog != null) {
            p -= s.rxtLog.lostBytes(una, b);
        }
        return Math.max(0, p);
    }

    /**
     * After an ACK or a timer: in the open state, recovery starts if IsLost(HighACK + 1) (RFC 6675 §5 steps (1)-(2),
     * (4)); in recovery, holes that became lost by time are sent by the next output. Then the reordering timer is
     * set for the next hole that will become lost by time (RACK's reordering timer, RFC 8985 §6.3).
     */
    static void checkLosses(final TcpSocket s, final int delivered, final long now) {
        s.reoAt = TcpSocket.NONE;
        if (s.board == null || s.lossMode || !Seq.lt(s.sndUna, s.sndMax)) {
            return;
        }
        if (!s.inRecovery && Seq.geq(s.sndUna, s.recover) && isLost(s, s.sndUna, now)) {
            enter(s, delivered, now);
        }
        if (s.board != null) {
            lostEnd(s, now); // computes nextLossAt
            final long at = s.board.nextLossAt;
            if (at != Long.MAX_VALUE && at > now) {
                s.reoAt = at;
            }
        }
    }

    /** The reordering timer: a hole may have become lost by time. */
    static void reorderTimeout(final TcpSocket s, final long now) {
        if (!s.state.isSynchronized() || s.cc == null || !s.sackOk) {
            return;
        }
        final boolean was = s.inRecovery;
        checkLosses(s, 0, now);
        if (s.inRecovery) {
            if (was) {
                detectLostRetransmits(s, now);
                prr(s, 0, now);
            }
            s.stack.markDirty(s); // step (C) in the next egress
        }
    }

    /** Marks the retransmissions of this recovery that were overtaken ({@link RetransmitLog#update}). */
    static void detectLostRetransmits(final TcpSocket s, final long now) {
        if (s.rxtLog == null) {
            return;
        }
        final int found = s.rxtLog.update(s.sndUna, s.board, s.sndMax, s.reorderSeen ? 0 : TcpSocket.DUP_THRESH,
                s.sndMss, now, reorderWindow(s), s.rtt.hasSample ? s.rtt.minRtt : 0);
        if (found > 0) {
            s.lostRetransmits += found;
            s.stack.stats.add(TcpCounter.LOST_RETRANSMITS, found);
        }
    }

    /** Retransmits and records the retransmission in the log. @return the sequence space covered */
    static int retransmit(final TcpSocket s, final int seq, final int maxLen, final long now) {
        final int covered = TcpOutput.retransmit(s, seq, maxLen, now);
        if (covered > 0) {
            if (s.rxtLog == null) {
                s.rxtLog = new RetransmitLog();
            }
            s.rxtLog.add(seq, seq + covered, s.sndMax, now);
            LossUndo.stamp(s, seq, covered, now);
            LossUndo.retransmitted(s, seq, covered, now);
        }
        return covered;
    }

    // ------------------------------------------------------------------ tail loss probe (RFC 8985 §7)

    /**
     * TLP_schedule_timer (RFC 8985 §7.2), after new data was sent or an ACK arrived: in the open state, with data
     * outstanding and no probe outstanding, PTO = 2 SRTT (+ WCDelAckT with one segment in flight, else 2 ms; at least
     * 10 ms as Linux 4.x), never later than the retransmission timer.
     */
    static void schedulePto(final TcpSocket s, final long now) {
        if (!s.sackOk || s.inRecovery || s.lossMode || s.tlpOut || s.sndUna == s.sndMax || s.cc == null) {
            s.tlpAt = TcpSocket.NONE;
            return;
        }
        long pto;
        if (s.rtt.hasSample) {
            pto = 2 * s.rtt.srtt + (s.sndMax - s.sndUna <= s.sndMss ? WC_DEL_ACK_NANOS : PTO_SLACK_NANOS);
            pto = Math.max(pto, MIN_PTO_NANOS);
        } else {
            pto = 1_000_000_000L;
        }
        final long at = now + pto;
        s.tlpAt = s.rtoAt != TcpSocket.NONE && at >= s.rtoAt ? TcpSocket.NONE : at;
    }

    /**
     * TLP_send_probe (RFC 8985 §7.3): "If a previously unsent segment exists AND the receive window allows, send that
     * segment"; else retransmit the last segment sent. The retransmission timer restarts; one probe per episode.
     */
    static void probeTimeout(final TcpSocket s, final long now) {
        if (!s.sackOk || s.inRecovery || s.lossMode || s.tlpOut || s.sndUna == s.sndMax || s.cc == null) {
            return;
        }
        switch (s.state) {
            case ESTABLISHED:
            case CLOSE_WAIT:
            case FIN_WAIT_1:
            case CLOSING:
            case LAST_ACK:
                break;
            default:
                return;
        }
        int sent = s.sndNxt == s.sndMax ? TcpOutput.sendNew(s, s.sndMss, now) : 0;
        boolean retrans = false;
        if (sent <= 0) {
            final boolean finOut = s.finQueued && Seq.lt(s.finSeq, s.sndMax);
            final int dataTop = finOut ? s.finSeq : s.sndMax;
            final int start = Seq.max(s.sndUna, dataTop - s.sndMss);
            sent = TcpOutput.retransmit(s, start, dataTop - start, now);
            retrans = true;
            s.tlpStart = start;
            LossUndo.stamp(s, start, sent, now);
        }
        if (sent <= 0) {
            return;
        }
        s.stack.stats.inc(TcpCounter.TLP_PROBES);
        s.tlpProbes++;
        s.tlpOut = true;
        s.tlpRetrans = retrans;
        s.tlpHigh = s.sndMax;
        s.tlpAt = TcpSocket.NONE;
        s.rtoAt = now + s.rtt.current(s.stack.config.rtoMaxNanos); // §7.3 "TLP_arm_RTO"
    }

    /**
     * RFC 8985 §7.4 on an ACK at or beyond the probe: a probe of new data needs nothing more (losses show up as
     * SACK holes); a retransmitted probe that got acknowledged repaired a loss, which calls for a congestion response
     * (Linux {@code tcp_process_tlp_ack}: CWR, cwnd = ssthresh), unless a D-SACK showed that the original arrived
     * too ({@link #dsackReceived} clears the probe then; without D-SACK from the peer we take the safe side).
     *
     * @return whether the window was reduced (this ACK then does not grow it)
     */
    static boolean tlpAcked(final TcpSocket s, final long now) {
        if (!s.tlpOut || Seq.lt(s.sndUna, s.tlpHigh)) {
            return false;
        }
        s.tlpOut = false;
        if (s.tlpRetrans && !s.inRecovery && !s.lossMode) {
            s.stack.stats.inc(TcpCounter.TLP_LOSS_REPAIRED);
            s.lossFlightSize();
            s.cs.ssthresh = s.cc.ssthreshOnLoss(s.cs, now);
            s.cs.cwnd = Math.max(s.sndMss, Math.min(s.cs.cwnd, s.cs.ssthresh));
            s.cc.onRecoveryEnd(s.cs, now);
            return true;
        }
        return false;
    }

    /**
     * RFC 6675 §5 step (4): "Invoke fast retransmit and enter loss recovery": RecoveryPoint = HighData; ssthresh from
     * the congestion control (RFC 6675 says FlightSize/2 for Reno; CUBIC takes 0.7); the first unacknowledged segment
     * retransmitted at once, "set both HighRxt and RescueRxt to the highest sequence number in the retransmitted
     * segment"; PRR starts (RFC 6937 §3.1: prr_delivered = prr_out = 0; RecoverFS, for which the RFC takes SND.NXT -
     * SND.UNA, is cwnd before the reduction, as Linux's prior_cwnd: ssthresh derives from it too) and sets cwnd for
     * this ACK; step (C) follows in output.
     */
    static void enter(final TcpSocket s, final int delivered, final long now) {
        final TcpStack st = s.stack;
        st.stats.inc(TcpCounter.FAST_RETRANSMITS);
        st.stats.inc(TcpCounter.SACK_RECOVERIES);
        s.fastRetransmits++;
        s.sackRecoveries++;
        s.recoverFs = Math.max(1, s.cs.cwnd);
        LossUndo.begin(s, false);
        s.lossFlightSize();
        s.cs.ssthresh = s.cc.ssthreshOnLoss(s.cs, now);
        s.recover = s.sndMax;
        s.inRecovery = true;
        s.lossMode = false;
        s.dupAcks = 0;
        s.prrDelivered = 0;
        s.prrOut = 0;
        s.reoAt = TcpSocket.NONE;
        s.tlpAt = TcpSocket.NONE;
        s.tlpOut = false; // the recovery covers the probe's episode (Linux tcp_init_cwnd_reduction)
        s.rxtLog = null;
        s.highRxt = s.sndUna;
        final int len = retransmit(s, s.sndUna, s.sndMss, now);
        s.highRxt = s.sndUna + len;
        s.rescueRxt = s.highRxt;
        s.prrOut += len;
        // Linux re-arms the timer when it retransmits the head (tcp_xmit_retransmit_queue)
        s.rtoAt = now + s.rtt.current(st.config.rtoMaxNanos);
        prr(s, delivered, now);
    }

    /**
     * RFC 6937 §3.1, on every ACK during recovery (the PRR-SSRB reduction bound):
     * <pre>
     *   prr_delivered += DeliveredData
     *   if (pipe > ssthresh)  sndcnt = CEIL(prr_delivered * ssthresh / RecoverFS) - prr_out
     *   else                  sndcnt = MIN(ssthresh - pipe, MAX(prr_delivered - prr_out, DeliveredData) + MSS)
     *   cwnd = pipe + sndcnt
     * </pre>
     * so that the window comes down to ssthresh smoothly over one round trip instead of halving at once and
     * stalling (Reno's cwnd = ssthresh) or bursting (RFC 3517's "cwnd - pipe" after a burst of losses).
     */
    static void prr(final TcpSocket s, final int delivered, final long now) {
        if (delivered > 0) {
            s.prrDelivered += delivered;
        }
        final int pipe = pipe(s, now);
        final long ssthresh = s.cs.ssthresh;
        long sndcnt;
        if (pipe > ssthresh) {
            sndcnt = ((long) s.prrDelivered * ssthresh + s.recoverFs - 1) / s.recoverFs - s.prrOut;
        } else {
            final long limit = Math.max((long) s.prrDelivered - s.prrOut, delivered) + s.sndMss;
            sndcnt = Math.min(ssthresh - pipe, limit);
        }
        if (sndcnt < 0) {
            sndcnt = 0;
        }
        s.cs.cwnd = (int) Math.min(pipe + sndcnt, Integer.MAX_VALUE / 2);
    }

    /**
     * RFC 6675 §5 step (C): "If cwnd - pipe >= 1 SMSS, the sender SHOULD transmit one or more segments", each chosen
     * by NextSeg():
     * <ol>
     *   <li>the first unSACKed, lost octet above HighRxt (below the highest SACK) is retransmitted: HighRxt moves;</li>
     *   <li>else previously unsent data, if the receiver's window allows;</li>
     *   <li>else the first unSACKed octet above HighRxt and below the highest SACK, lost or not;</li>
     *   <li>else, once per recovery, a "rescue" retransmission of the highest unSACKed octets, once HighACK passed
     *       RescueRxt; RescueRxt = RecoveryPoint, HighRxt unchanged.</li>
     * </ol>
     * In loss mode (after a timeout) only rules 1 and 2 apply, as in Linux's Loss state.
     *
     * @return whether anything was sent
     */
    static boolean send(final TcpSocket s, final long now) {
        final int mss = s.sndMss;
        boolean sent = false;
        for (int guard = 0; guard < 1 << 16; guard++) {
            final long room = (long) s.cs.cwnd - pipe(s, now);
            if (room < mss) {
                break;
            }
            final SackScoreboard b = s.board;
            // rule 0 (RetransmitLog): a retransmission found lost is resent first
            final int li = s.rxtLog == null ? -1 : s.rxtLog.firstLost();
            if (li >= 0) {
                final int ls = Seq.max(s.rxtLog.start(li), s.sndUna);
                final int le = s.rxtLog.end(li);
                final int len = retransmit(s, ls, Math.min(le - ls, mss), now);
                if (len <= 0) {
                    break;
                }
                s.prrOut += len;
                sent = true;
                continue;
            }
            final int from = Seq.max(s.highRxt, s.sndUna);
            final int hole = b == null ? from : b.nextHole(from);
            // rule 1: a lost hole above HighRxt (lostEnd is at most the start of the highest SACKed range)
            if (Seq.lt(hole, lostEnd(s, now))) {
                final int end = b == null ? s.sndMax : b.holeEnd(hole, s.sndMax);
                final int len = retransmit(s, hole, Math.min(end - hole, mss), now);
                if (len <= 0) {
                    break;
                }
                s.highRxt = hole + len; // (C.2)
                s.prrOut += len; // (C.4) and RFC 6937 "prr_out += (data sent)"
                sent = true;
                continue;
            }
            // rule 2: new data (C.3: HighData moves with SND.MAX)
            if (s.sndNxt == s.sndMax) {
                final int n = TcpOutput.sendNew(s, room, now);
                if (n > 0) {
                    s.prrOut += n;
                    sent = true;
                    continue;
                }
            }
            if (s.lossMode) {
                break;
            }
            // rule 3: a hole above HighRxt not yet deemed lost
            if (b != null && Seq.lt(hole, b.highestSacked(s.sndUna))) {
                final int end = b.holeEnd(hole, s.sndMax);
                final int len = retransmit(s, hole, Math.min(end - hole, mss), now);
                if (len <= 0) {
                    break;
                }
                s.highRxt = hole + len;
                s.prrOut += len;
                sent = true;
                continue;
            }
            // rule 4: rescue retransmission, "one segment of up to SMSS octets that MUST include the highest
            // outstanding unSACKed sequence number"
            if (Seq.gt(s.sndUna, s.rescueRxt)) {
                s.rescueRxt = s.recover;
                final boolean finOut = s.finQueued && Seq.lt(s.finSeq, s.sndMax);
                final int dataTop = finOut ? s.finSeq : s.sndMax;
                final boolean topSacked = b != null && b.highestSacked(s.sndUna) == dataTop;
                int start = dataTop;
                int len = 0;
                if (!(finOut && topSacked)) {
                    final int hiEnd = topSacked ? b.topStart() : dataTop;
                    // not below HighRxt: those octets' retransmission is already in flight (a choice of ours; the
                    // rule's purpose is the unretransmitted tail)
                    final int lo = Seq.max(Seq.max(b == null ? s.sndUna : b.holeStart(hiEnd, s.sndUna), s.sndUna),
                            s.highRxt);
                    start = Seq.max(lo, hiEnd - mss);
                    len = Math.max(0, hiEnd - start);
                }
                if (len > 0 || (finOut && Seq.geq(s.finSeq, s.highRxt))) {
                    final int covered = retransmit(s, start, len, now);
                    if (covered > 0) {
                        s.prrOut += covered;
                        s.rescueRetransmits++;
                        s.stack.stats.inc(TcpCounter.SACK_RESCUE_RETRANSMITS);
                        sent = true;
                        continue;
                    }
                }
            }
            break;
        }
        return sent;
    }
}
