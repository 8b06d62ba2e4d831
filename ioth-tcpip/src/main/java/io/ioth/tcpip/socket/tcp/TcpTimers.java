package io.ioth.tcpip.socket.tcp;

import io.ioth.tcpip.iface.NetError;
/**
 * The timers of a connection (gVisor {@code tcp/timer.go}; Linux {@code tcp_timer.c}), kept as deadline fields in
 * the socket (smoltcp's {@code Timer}) and run by {@link TcpStack#onTimer} when the earliest is due:
 *
 * <ul>
 *   <li>retransmission (RFC 6298 §5; SYN and SYN-ACK retries, RFC 9293 §3.8.3 R2 abort);</li>
 *   <li>on SACK connections, RACK's reordering timer and the tail loss probe (RFC 8985 §6.3, §7;
 *       {@link SackRecovery});</li>
 *   <li>persist: zero-window probes with back-off (RFC 9293 §3.8.6.1) and the sender-SWS override timeout
 *       (§3.8.6.2.1);</li>
 *   <li>delayed ACK (RFC 9293 §3.8.6.3);</li>
 *   <li>keepalive (RFC 1122 §4.2.3.6);</li>
 *   <li>TIME-WAIT (2*MSL, RFC 9293 §3.10.7.4) and the FIN-WAIT-2 timeout of closed sockets (Linux
 *       tcp_fin_timeout).</li>
 * </ul>
 *
 * The stack keeps one wheel timer per connection at the earliest deadline and re-arms lazily: moving a deadline
 * later (every ACK moves the RTO) never touches the wheel; an early expiry finds nothing due and re-arms
 * (gVisor's lazy timer).
 *
 * <p>Static functions; not thread-safe (owner thread).
 */
final class TcpTimers {
    private TcpTimers() {
    }

    static void run(final TcpSocket s, final long now) {
        if (s.stateAt <= now) {
            s.stateAt = TcpSocket.NONE;
            if (s.state == TcpState.TIME_WAIT) {
                s.toClosed(0);
                return;
            }
            if (s.state == TcpState.FIN_WAIT_2 && s.appClosed) {
                // Linux tcp_keepalive_timer on an orphaned FIN-WAIT-2: tcp_send_active_reset, then done
                TcpOutput.sendRst(s, s.sndMax, now);
                s.toClosed(0);
                return;
            }
        }
        if (s.rtoAt <= now) {
            s.rtoAt = TcpSocket.NONE;
            retransmitTimeout(s, now);
            if (s.state == TcpState.CLOSED) {
                return;
            }
        }
        if (s.reoAt <= now) {
            s.reoAt = TcpSocket.NONE;
            SackRecovery.reorderTimeout(s, now);
        }
        if (s.tlpAt <= now) {
            s.tlpAt = TcpSocket.NONE;
            SackRecovery.probeTimeout(s, now);
        }
        if (s.persistAt <= now) {
            s.persistAt = TcpSocket.NONE;
            persist(s, now);
            if (s.state == TcpState.CLOSED) {
                return;
            }
        }
        if (s.delAckAt <= now) {
            s.delAckAt = TcpSocket.NONE;
            if (s.state.isSynchronized()) {
                s.stack.stats.inc(TcpCounter.DELAYED_ACKS);
                TcpOutput.sendAck(s, now);
            }
        }
        if (s.keepAliveAt <= now) {
            s.keepAliveAt = TcpSocket.NONE;
            keepAlive(s, now);
        }
    }

    /** RFC 6298 §5.4-5.6 and RFC 5681 §3.1 on a timeout; RFC 9293 §3.8.3 R2: give up after the retries. */
    static void retransmitTimeout(final TcpSocket s, final long now) {
        final TcpStack st = s.stack;
        final TcpConfig c = st.config;
        switch (s.state) {
            case SYN_SENT:
                if (s.retransmits >= c.synRetries) {
                    st.stats.inc(TcpCounter.ATTEMPT_FAILS);
                    st.stats.inc(TcpCounter.ABORT_ON_TIMEOUT);
                    s.toClosed(s.softError != 0 ? s.softError : NetError.ETIMEDOUT);
                    return;
                }
                s.retransmits++;
                s.rtt.backoff++; // RFC 6298 §5.5
                s.synRetransmitted = true;
                s.rtTiming = false;
                st.stats.inc(TcpCounter.TIMEOUTS);
                st.stats.inc(TcpCounter.RETRANS_SEGS);
                s.totalRetrans++;
                TcpOutput.sendSyn(s, now);
                return;
            case SYN_RECEIVED:
                if (s.retransmits >= c.synAckRetries) {
                    st.stats.inc(TcpCounter.ATTEMPT_FAILS);
                    if (s.passive) {
                        s.appClosed = true;
                        s.toClosed(0); // a half-open connection nobody completed leaves the SYN queue
                    } else {
                        s.toClosed(NetError.ETIMEDOUT);
                    }
                    return;
                }
                s.retransmits++;
                s.rtt.backoff++;
                s.synRetransmitted = true;
                s.rtTiming = false;
                st.stats.inc(TcpCounter.SYNACK_RETRANS);
                s.totalRetrans++;
                TcpOutput.sendSynAck(s, now);
                return;
            case ESTABLISHED:
            case CLOSE_WAIT:
            case FIN_WAIT_1:
            case CLOSING:
            case LAST_ACK:
                break;
            default:
                return;
        }
        if (s.sndUna == s.sndMax) {
            return; // nothing outstanding (the timer was stale)
        }
        if (s.retransmits >= c.retries2) {
            st.stats.inc(TcpCounter.ABORT_ON_TIMEOUT);
            s.toClosed(s.softError != 0 ? s.softError : NetError.ETIMEDOUT);
            return;
        }
        st.stats.inc(TcpCounter.TIMEOUTS);
        s.rtoTimeouts++;
        if (s.retransmits == 0 && !s.inRecovery) {
            // RFC 5681 §3.1: "When a TCP sender detects segment loss using the retransmission timer and the given
            // segment has not yet been resent by way of the retransmission timer, the value of ssthresh MUST be set
            // to no more than the value given in equation (4)". A timeout during fast recovery keeps the ssthresh
            // that recovery set: one reduction per loss episode (Linux tcp_enter_loss).
            if (s.sackOk) {
                LossUndo.begin(s, true); // a spurious timeout can be undone (RFC 3522, LossUndo)
            }
            s.lossFlightSize();
            s.cs.ssthresh = s.cc.ssthreshOnLoss(s.cs, now);
        }
        // "Furthermore, upon a timeout (as specified in [RFC2988]) cwnd MUST be set to no more than the loss window,
        // LW, which equals 1 full-sized segment"
        s.cs.cwnd = s.sndMss;
        s.cc.onRetransmitTimeout(s.cs, now);
        // RFC 6582 §3.2 step 4 (after a timeout): "record the highest sequence number transmitted in the variable
        // recover, and exit the fast recovery procedure if applicable"; RFC 6675 §5.1: "RecoveryPoint MUST be set to
        // HighData ... the loss recovery algorithm outlined in this document MUST be terminated"
        s.recover = s.sndMax;
        s.inRecovery = false;
        s.dupAcks = 0;
        s.retransmits++;
        s.rtt.backoff++; // RFC 6298 §5.5 "back off the timer"
        if (s.sackOk) {
            // Every unSACKed byte below RecoveryPoint is lost and is resent once, in order, as cwnd allows (Linux
            // tcp_enter_loss / TCP_CA_Loss). The scoreboard is kept (RFC 6675 §5.1, Errata 1610: reneging is
            // detected on the cumulative ACK instead, SackScoreboard#covers), so SACKed data is not resent.
            st.stats.inc(TcpCounter.SACK_LOSS_RECOVERIES);
            s.lossMode = true;
            s.reoAt = TcpSocket.NONE;
            s.tlpAt = TcpSocket.NONE;
            s.tlpOut = false;
            s.rxtLog = null;
            s.highRxt = s.sndUna;
            final int covered = SackRecovery.retransmit(s, s.sndUna, s.sndMss, now); // §5.4
            s.highRxt = s.sndUna + covered;
            s.rtoAt = now + s.rtt.current(c.rtoMaxNanos); // §5.6
            return;
        }
        // go back N: resend from SND.UNA in slow start (BSD, Linux without SACK)
        s.sndNxt = s.sndUna;
        final int covered = TcpOutput.retransmit(s, s.sndUna, s.sndMss, now); // §5.4 "Retransmit the earliest segment"
        if (Seq.gt(s.sndUna + covered, s.sndNxt)) {
            s.sndNxt = s.sndUna + covered;
        }
        s.rtoAt = now + s.rtt.current(c.rtoMaxNanos); // §5.6
    }

    /** RFC 9293 §3.8.6.1 zero-window probing, and the §3.8.6.2.1 override when a small window holds data back. */
    static void persist(final TcpSocket s, final long now) {
        final TcpStack st = s.stack;
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
        final boolean pending = s.sndq.size() > s.sndNxt - s.sndBufSeq
                || (s.finQueued && Seq.leq(s.sndNxt, s.finSeq));
        if (s.sndUna != s.sndMax || !pending) {
            s.persistBackoff = 0; // something in flight (the RTO covers it) or nothing to send
            return;
        }
        if (s.probesOut >= st.config.retries2) {
            // Linux tcp_probe_timer: max_probes = tcp_retries2, then tcp_write_err
            st.stats.inc(TcpCounter.ABORT_ON_TIMEOUT);
            s.toClosed(NetError.ETIMEDOUT);
            return;
        }
        final int wndRoom = s.sndUna + s.sndWnd - s.sndNxt;
        if (wndRoom > 0) {
            // "(d) ... the data is PUSHed and the override timeout occurs": send what fits
            final int off = s.sndNxt - s.sndBufSeq;
            final int avail = s.sndq.size() - off;
            final int len = Math.min(Math.min(avail, s.sndMss), wndRoom);
            final boolean fin = s.finQueued && Seq.leq(s.sndNxt, s.finSeq) && len == avail && wndRoom > len;
            if (len > 0 || fin) {
                TcpOutput.emit(s, s.sndNxt, TcpOutput.ACK | TcpOutput.PSH | (fin ? TcpOutput.FIN : 0), off, len,
                        now);
                s.bytesSent += len;
                if (len < s.sndMss) {
                    s.sndSml = s.sndNxt + len;
                }
                s.sndNxt += len + (fin ? 1 : 0);
                if (Seq.gt(s.sndNxt, s.sndMax)) {
                    s.sndMax = s.sndNxt;
                }
                s.lastSendNanos = now;
                s.rtoAt = now + s.rtt.current(st.config.rtoMaxNanos);
                s.persistBackoff = 0;
                return;
            }
        }
        st.stats.inc(TcpCounter.ZERO_WINDOW_PROBES);
        TcpOutput.sendProbe(s, now);
        s.probesOut++;
        s.persistBackoff++;
        s.persistAt = now + TcpOutput.persistTimeout(s);
    }

    /** RFC 1122 §4.2.3.6 keepalive: after {@code idle} without anything from the peer, probe every
     * {@code interval}; after {@code count} unanswered probes, reset and report ETIMEDOUT (Linux). */
    static void keepAlive(final TcpSocket s, final long now) {
        if (!s.keepAlive) {
            return;
        }
        switch (s.state) {
            case ESTABLISHED:
            case CLOSE_WAIT:
            case FIN_WAIT_2:
                break;
            default:
                return;
        }
        if (s.sndUna != s.sndMax || s.sndq.size() > s.sndNxt - s.sndBufSeq) {
            // data outstanding or waiting: the retransmission/persist timers watch the peer (Linux
            // tcp_keepalive_timer "goto resched")
            s.keepAliveAt = now + s.keepAliveIdle;
            return;
        }
        final long idleFor = now - s.lastRecvNanos;
        if (idleFor < s.keepAliveIdle) {
            s.keepAliveAt = s.lastRecvNanos + s.keepAliveIdle;
            s.probesOut = 0;
            return;
        }
        if (s.probesOut >= s.keepAliveProbes) {
            s.stack.stats.inc(TcpCounter.ABORT_ON_TIMEOUT);
            TcpOutput.sendRst(s, s.sndMax, now);
            s.toClosed(s.softError != 0 ? s.softError : NetError.ETIMEDOUT);
            return;
        }
        s.stack.stats.inc(TcpCounter.KEEPALIVE_PROBES);
        TcpOutput.sendProbe(s, now);
        s.probesOut++;
        s.keepAliveAt = now + s.keepAliveIntvl;
    }
}
