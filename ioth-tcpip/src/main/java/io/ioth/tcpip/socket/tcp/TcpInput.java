package io.ioth.tcpip.socket.tcp;

import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.wire.TcpOptions;
import io.ioth.tcpip.wire.TcpRepr;

/**
 * SEGMENT ARRIVES for an existing connection (RFC 9293 §3.10.7.3 SYN-SENT and §3.10.7.4 the other states), in the
 * RFC's order and words, with the RFC 5961 blind-attack defences, RFC 7323 PAWS and timestamp rules, RFC 2018 SACK
 * generation, and the ACK processing of RFC 5681 / RFC 6582 / RFC 6298. Numbered like Seastar's
 * {@code input_handle_other_state}:
 *
 * <pre>
 *   0. PAWS (RFC 7323 §5.3)
 *   1. check the sequence number (acceptability, trimming to the window)
 *   2. check the RST bit (RFC 5961 §3: exact match resets, in-window challenges)
 *   4. check the SYN bit (RFC 5961 §4: challenge ACK)
 *   5. check the ACK field (RFC 5961 §5 range; window update; retransmission queue; congestion)
 *   6. (URG: ignored, the data is delivered in line)
 *   7. process the segment text
 *   8. check the FIN bit
 * </pre>
 *
 * The caller ({@link TcpStack#input}) then runs {@link TcpOutput#output}: data the ACK let through, then the ACK
 * owed, exactly once (Linux {@code tcp_data_snd_check} then {@code tcp_ack_snd_check}).
 *
 * <p>Static functions of the connection; not thread-safe (owner thread).
 */
final class TcpInput {
    private TcpInput() {
    }

    static void process(final TcpSocket s, final Segment seg, final long now) {
        s.segsIn++;
        switch (s.state) {
            case SYN_SENT:
                synSent(s, seg, now);
                return;
            case CLOSED:
            case LISTEN:
                s.stack.stats.drop(TcpDrop.NO_SOCKET);
                if (!seg.rst()) {
                    TcpOutput.resetFor(s.stack, seg, now);
                }
                return;
            default:
                other(s, seg, now);
        }
    }

    // ================================================================== SYN-SENT (RFC 9293 §3.10.7.3)

    private static void synSent(final TcpSocket s, final Segment seg, final long now) {
        final TcpStack st = s.stack;
        final TcpRepr r = seg.repr;
        boolean ackAcceptable = false;
        // first check the ACK bit
        if (seg.hasAck()) {
            // "If SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a reset (unless the RST bit is set, if so drop the
            // segment and return) <SEQ=SEG.ACK><CTL=RST>"
            if (Seq.leq(r.ack, s.iss) || Seq.gt(r.ack, s.sndNxt)) {
                st.stats.drop(TcpDrop.SYN_SENT_BAD_ACK);
                if (!seg.rst()) {
                    TcpOutput.resetFor(st, seg, now);
                }
                return;
            }
            ackAcceptable = true; // "If SND.UNA < SEG.ACK =< SND.NXT, then the ACK is acceptable"
        }
        // second check the RST bit: RFC 5961 §3.2 "the RST is acceptable if the ACK field acknowledges the SYN"
        if (seg.rst()) {
            if (ackAcceptable) {
                st.stats.inc(TcpCounter.ATTEMPT_FAILS);
                s.toClosed(NetError.ECONNREFUSED); // "signal to the user 'error: connection reset'"
            } else {
                st.stats.drop(TcpDrop.SYN_SENT_BAD_RST);
            }
            return;
        }
        // fourth check the SYN bit
        if (!seg.syn()) {
            st.stats.drop(TcpDrop.SYN_SENT_NO_SYN); // "fifth, if neither of the SYN or RST bits is set ..."
            return;
        }
        s.irs = r.seq;
        s.rcvNxt = r.seq + 1;
        s.rcvWup = s.rcvNxt;
        s.lastRecvNanos = now;
        negotiate(s, r.options, now);
        if (ackAcceptable) {
            // "SND.UNA should be advanced to equal SEG.ACK ... If SND.UNA > ISS (our SYN has been ACKed), change the
            // connection state to ESTABLISHED, form an ACK segment <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and send it."
            s.sndUna = r.ack;
            synAcked(s, now);
            // RFC 7323 §2.2: "The window field in a segment where the SYN bit is set ... MUST NOT be scaled"
            s.sndWnd = r.window;
            s.sndWl1 = r.seq;
            s.sndWl2 = r.ack;
            s.maxSndWnd = s.sndWnd;
            s.rcvAdvEdge = s.rcvNxt + s.synWindow();
            s.established(now);
            s.raise(TcpSocket.CONNECTED | TcpSocket.WRITABLE);
            s.ackNow = true;
            // "If there are other controls or text in the segment, then continue processing at the sixth step"
            seg.init();
            seg.seq = r.seq + 1;
            if (seg.len > 0 || seg.fin) {
                trimToWindow(s, seg);
                text(s, seg, now);
            }
            return;
        }
        // simultaneous open: "Otherwise, enter SYN-RECEIVED, form a SYN,ACK segment <SEQ=ISS><ACK=RCV.NXT>
        // <CTL=SYN,ACK> and send it. Set the variables: SND.WND <- SEG.WND SND.WL1 <- SEG.SEQ SND.WL2 <- SEG.ACK"
        s.state = TcpState.SYN_RECEIVED;
        s.sndWnd = r.window;
        s.sndWl1 = r.seq;
        s.sndWl2 = r.ack;
        s.maxSndWnd = s.sndWnd;
        s.rtTiming = false;
        TcpOutput.sendSynAck(s, now);
    }

    /**
     * Narrows the options our SYN offered (the {@code ok} flags hold the offer) to those the peer's SYN also carries
     * (RFC 7323 §2.2 / §3.2: both SYNs; RFC 2018 §2) and takes its MSS (RFC 9293 §3.7.1: 536, or 1220 for IPv6, when
     * absent).
     */
    static void negotiate(final TcpSocket s, final TcpOptions o, final long now) {
        s.peerMss = o.mss != 0 ? o.mss
                : (s.ipHeaderLen == 20 ? TcpStack.DEFAULT_MSS_V4 : TcpStack.DEFAULT_MSS_V6);
        s.wsOk = s.wsOk && o.windowScale >= 0;
        s.sndScale = s.wsOk ? o.windowScale : 0;
        if (!s.wsOk) {
            s.rcvScale = 0;
        }
        s.sackOk = s.sackOk && o.sackPermitted;
        s.tsOk = s.tsOk && o.hasTimestamp;
        if (s.tsOk) {
            s.tsRecent = o.tsVal;
            s.tsRecentNanos = now;
        }
        s.updateSndMss();
    }

    /** Our SYN is acknowledged: the handshake RTT is a sample unless the SYN was retransmitted (Karn). */
    private static void synAcked(final TcpSocket s, final long now) {
        final TcpConfig c = s.stack.config;
        if (s.rtTiming && !s.synRetransmitted) {
            rttSample(s, now - s.rtStartNanos, now);
        }
        s.rtTiming = false;
        s.rtoAt = TcpSocket.NONE;
        s.retransmits = 0;
        s.rtt.backoff = 0;
        if (Seq.gt(s.sndNxt, s.sndUna)) {
            s.rtoAt = now + s.rtt.current(c.rtoMaxNanos);
        }
    }

    static void rttSample(final TcpSocket s, final long rtt, final long now) {
        final TcpConfig c = s.stack.config;
        s.rtt.sample(rtt, c.rtoMinNanos, c.rtoMaxNanos);
        s.cs.srttNanos = s.rtt.srtt;
        s.cs.minRttNanos = s.rtt.minRtt;
        if (s.cc != null) {
            s.cc.onRttSample(s.cs, rtt, now);
        }
    }

    // ================================================================== the other states (RFC 9293 §3.10.7.4)

    /**
     * Linux {@code tcp_disordered_ack}: a segment that fails PAWS only because the path reordered it is still
     * acceptable when it is (1) a pure ACK at RCV.NXT, (2) a duplicate ACK (SEG.ACK = SND.UNA), (3) that would not
     * update the send window, and (4) whose timestamp is older than TS.Recent by less than the RTO (replay window).
     * Dropping such ACKs would throw away the SACK blocks of a reordered stream of duplicate ACKs, and with them the
     * sender's loss detection (seen through wirefilter with reordering: thousands of PAWS drops, then RTOs).
     */
    private static boolean disorderedAck(final TcpSocket s, final Segment seg, final long now) {
        final TcpRepr r = seg.repr;
        if (!seg.hasAck() || seg.syn() || (r.flags & TcpOutput.FIN) != 0 || r.payloadLen != 0 || r.seq != s.rcvNxt
                || r.ack != s.sndUna) {
            return false;
        }
        final long nwin = (long) r.window << s.sndScale;
        final boolean mayUpdateWindow = Seq.gt(r.seq, s.sndWl1)
                || (r.seq == s.sndWl1 && (nwin > (s.sndWnd & 0xffffffffL) || nwin == 0)); // tcp_may_update_window
        if (mayUpdateWindow) {
            return false;
        }
        final long rtoMs = s.rtt.current(s.stack.config.rtoMaxNanos) / 1_000_000L; // TS clocks tick in ms
        return (s.tsRecent - r.options.tsVal) <= rtoMs;
    }

    private static void other(final TcpSocket s, final Segment seg, final long now) {
        final TcpStack st = s.stack;
        final TcpRepr r = seg.repr;
        final TcpOptions o = r.options;
        s.lastRecvNanos = now;

        // 0. PAWS (RFC 7323 §5.3 R1): "If there is a Timestamps option in the arriving segment, SEG.TSval <
        // TS.Recent, TS.Recent is valid, and if the RST bit is not set, then treat the arriving segment as not
        // acceptable: Send an acknowledgment in reply as specified in RFC 793 page 69 and drop the segment."
        if (s.tsOk && o.hasTimestamp && !seg.rst() && Seq.lt(o.tsVal, s.tsRecent)) {
            if (now - s.tsRecentNanos > TcpSocket.PAWS_IDLE_NANOS) {
                s.tsRecent = o.tsVal; // §5.5: TS.Recent invalid after 24 days of idleness
                s.tsRecentNanos = now;
            } else if (disorderedAck(s, seg, now)) {
                // accepted: a duplicate ACK that a reordering path delivered late (its SACK blocks still count)
                st.stats.inc(TcpCounter.DISORDERED_ACKS);
            } else {
                st.stats.drop(TcpDrop.PAWS);
                if (r.payloadLen > 0 && Seq.leq(r.seq + r.payloadLen, s.rcvNxt)) {
                    dsack(s, r.seq, r.seq + r.payloadLen);
                }
                oowAck(s, seg, now);
                return;
            }
        }

        // Linux tcp_check_req: a retransmitted SYN in SYN-RECEIVED means our SYN-ACK was lost: send it again
        if (s.state == TcpState.SYN_RECEIVED && seg.syn() && !seg.hasAck() && r.seq == s.irs) {
            TcpOutput.emit(s, s.iss, TcpOutput.SYN | TcpOutput.ACK, 0, 0, now);
            st.stats.inc(TcpCounter.SYNACK_RETRANS);
            return;
        }
        // Simultaneous open: the peer's SYN-ACK reaches us in SYN-RECEIVED. RFC 9293's sequence test would drop it
        // and converge through two extra ACKs; Linux lets it through as the ACK of our SYN
        // (tcp_validate_incoming "goto pass"); so do we.
        final boolean simOpenSynAck = s.state == TcpState.SYN_RECEIVED && !s.passive && seg.syn() && seg.hasAck()
                && r.seq + 1 == s.rcvNxt && r.ack == s.sndNxt;

        seg.init();
        if (seg.syn()) {
            seg.seq = r.seq + 1; // the SYN occupies the first sequence number
        }

        // 1. check the sequence number
        if (!simOpenSynAck) {
            int wnd = s.rcvAdvEdge - s.rcvNxt;
            if (wnd < 0) {
                wnd = 0;
            }
            final int segLen = seg.segLen();
            final boolean acceptable;
            if (segLen == 0) {
                acceptable = wnd == 0 ? r.seq == s.rcvNxt : Seq.inRange(r.seq, s.rcvNxt, s.rcvNxt + wnd);
            } else {
                acceptable = wnd > 0 && (Seq.inRange(r.seq, s.rcvNxt, s.rcvNxt + wnd)
                        || Seq.inRange(r.seq + segLen - 1, s.rcvNxt, s.rcvNxt + wnd));
            }
            if (!acceptable) {
                if (wnd == 0 && r.seq == s.rcvNxt) {
                    // "If the RCV.WND is zero, no segments will be acceptable, but special allowance should be made
                    // to accept valid ACKs, URGs, and RSTs." The text is dropped (and the ACK tells the window);
                    // a bare FIN is taken, as Linux does ("Some stacks are known to send bare FIN packets").
                    if (seg.len > 0) {
                        seg.len = 0;
                        seg.fin = false;
                        s.ackNow = true;
                    }
                } else if (seg.rst()) {
                    st.stats.drop(TcpDrop.RST_OUT_OF_WINDOW); // RFC 5961 §3.2: "silently discarded"
                    return;
                } else if (s.finReceived && seg.fin && r.seq + segLen == s.rcvNxt) {
                    // a retransmission of the peer's FIN (our ACK was lost). TIME-WAIT: "Acknowledge it, and
                    // restart the 2 MSL timeout."
                    if (s.state == TcpState.TIME_WAIT) {
                        s.stateAt = now + st.config.timeWaitNanos;
                    }
                    st.stats.drop(TcpDrop.DUPLICATE_DATA);
                    TcpOutput.sendAck(s, now);
                    return;
                } else {
                    // "If an incoming segment is not acceptable, an acknowledgment should be sent in reply (unless
                    // the RST bit is set, if so drop the segment and return): <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>"
                    final boolean duplicate = segLen > 0 && Seq.leq(r.seq + segLen, s.rcvNxt);
                    st.stats.drop(duplicate ? TcpDrop.DUPLICATE_DATA : TcpDrop.OUT_OF_WINDOW);
                    if (duplicate && r.payloadLen > 0) {
                        dsack(s, r.seq, r.seq + r.payloadLen);
                    }
                    oowAck(s, seg, now);
                    return;
                }
            } else {
                trimToWindow(s, seg);
            }
        }

        // RFC 7323 §4.3 (2): "If SEG.TSval >= TS.Recent and SEG.SEQ <= Last.ACK.sent, then SEG.TSval is copied to
        // TS.Recent; otherwise, it is ignored."
        if (s.tsOk && o.hasTimestamp && Seq.geq(o.tsVal, s.tsRecent) && Seq.leq(r.seq, s.rcvWup)) {
            s.tsRecent = o.tsVal;
            s.tsRecentNanos = now;
        }

        // 2. check the RST bit (RFC 5961 §3.2)
        if (seg.rst()) {
            if (r.seq != s.rcvNxt) {
                // "If the RST bit is set and the sequence number does not exactly match the next expected sequence
                // value, yet is within the current receive window, TCP MUST send an acknowledgment (challenge ACK)"
                st.stats.drop(TcpDrop.RST_NOT_EXACT);
                challengeAck(s, now);
                return;
            }
            resetReceived(s);
            return;
        }

        // 4. check the SYN bit (RFC 5961 §4.2): "the receiver MUST send an ACK (challenge ACK) to the remote peer"
        if (seg.syn() && !simOpenSynAck) {
            st.stats.drop(TcpDrop.SYN_IN_WINDOW);
            challengeAck(s, now);
            return;
        }

        // 5. check the ACK field: "if the ACK bit is off, drop the segment and return"
        if (!seg.hasAck()) {
            st.stats.drop(TcpDrop.NO_ACK);
            return;
        }
        if (s.state == TcpState.SYN_RECEIVED) {
            // "If SND.UNA < SEG.ACK =< SND.NXT, then enter ESTABLISHED state and continue processing with the
            // variables: SND.WND <- SEG.WND, SND.WL1 <- SEG.SEQ, SND.WL2 <- SEG.ACK"
            if (!(Seq.lt(s.sndUna, r.ack) && Seq.leq(r.ack, s.sndNxt))) {
                // "If the segment acknowledgment is not acceptable, form a reset segment <SEQ=SEG.ACK><CTL=RST>"
                st.stats.drop(TcpDrop.SYN_RECEIVED_BAD_ACK);
                TcpOutput.resetFor(st, seg, now);
                return;
            }
            if (s.passive && s.listener != null && s.listener.acceptQueueFull()) {
                // Linux (tcp_check_req -> listen_overflow): drop the ACK, stay half-open; the SYN-ACK
                // retransmission makes the peer ACK again once there is room
                st.stats.drop(TcpDrop.LISTEN_OVERFLOW);
                return;
            }
            s.sndUna = r.ack;
            synAcked(s, now);
            s.sndWnd = seg.syn() ? r.window : r.window << s.sndScale;
            s.sndWl1 = r.seq;
            s.sndWl2 = r.ack;
            s.maxSndWnd = Math.max(s.maxSndWnd, s.sndWnd);
            s.established(now);
            if (s.passive) {
                if (s.listener != null) {
                    s.listener.promote(s);
                }
            } else {
                s.raise(TcpSocket.CONNECTED | TcpSocket.WRITABLE);
            }
        } else if (!ack(s, seg, now)) {
            return;
        }

        // our FIN acknowledged?
        if (s.finQueued && Seq.gt(s.sndUna, s.finSeq)) {
            switch (s.state) {
                case FIN_WAIT_1:
                    // "In addition to the processing for the ESTABLISHED state, if the FIN segment is now
                    // acknowledged, then enter FIN-WAIT-2 and continue processing in that state."
                    s.state = TcpState.FIN_WAIT_2;
                    if (s.appClosed) {
                        s.stateAt = Math.min(s.stateAt, now + st.config.finWait2TimeoutNanos);
                    }
                    break;
                case CLOSING:
                    // "if the ACK acknowledges our FIN, then enter the TIME-WAIT state; otherwise, ignore"
                    enterTimeWait(s, now);
                    return;
                case LAST_ACK:
                    // "The only thing that can arrive in this state is an acknowledgment of our FIN. If our FIN is
                    // now acknowledged, delete the TCB, enter the CLOSED state, and return."
                    s.toClosed(0);
                    return;
                default:
                    break;
            }
        }
        if (s.state == TcpState.TIME_WAIT) {
            return;
        }

        // 6. URG: not supported beyond delivering the data in line (RFC 6093 §5, Linux SO_OOBINLINE behaviour)

        // 7. process the segment text
        if (seg.len > 0) {
            if (s.finReceived || !s.state.canReceive()) {
                st.stats.drop(TcpDrop.DATA_AFTER_FIN); // "This should not occur since a FIN has been received"
            } else if (s.appClosed && Seq.gt(seg.seq + seg.len, s.rcvNxt)) {
                // the application closed: nobody will read this. Linux tcp_rcv_state_process resets
                // (RFC 9293 §3.10.4; RFC 2525 §2.17)
                st.stats.drop(TcpDrop.DATA_AFTER_CLOSE);
                st.stats.inc(TcpCounter.ABORT_ON_DATA);
                TcpOutput.sendRst(s, s.sndMax, now);
                s.toClosed(NetError.ECONNRESET);
                return;
            } else {
                text(s, seg, now);
                return; // text() also runs the FIN check
            }
        }
        // 8. check the FIN bit
        fin(s, seg, now);
    }

    /** Cuts what lies before RCV.NXT (received already) and after the window's right edge. */
    static void trimToWindow(final TcpSocket s, final Segment seg) {
        final int skip = s.rcvNxt - seg.seq;
        if (skip > 0) {
            if (seg.len > 0) {
                dsack(s, seg.seq, seg.seq + Math.min(skip, seg.len)); // RFC 2883 §4: the part received before
            }
            if (skip >= seg.len) {
                if (seg.len > 0) {
                    s.ackNow = true; // a duplicate: ACK at once (Linux tcp_data_queue "A retransmit ... force ack")
                }
                if (seg.fin && seg.seq + seg.len != s.rcvNxt) {
                    seg.fin = false; // that FIN was processed already
                }
                seg.payloadOffset += seg.len;
                seg.len = 0;
                seg.seq = s.rcvNxt;
            } else {
                seg.payloadOffset += skip;
                seg.len -= skip;
                seg.seq = s.rcvNxt;
                s.ackNow = true;
            }
        }
        final int room = s.rcvAdvEdge - seg.seq;
        if (seg.len > room) {
            seg.len = Math.max(room, 0);
            seg.fin = false;
            s.ackNow = true;
        }
    }

    // ------------------------------------------------------------------ 2. RST

    /** An acceptable RST (RFC 9293 §3.10.7.4 second check), per state. */
    private static void resetReceived(final TcpSocket s) {
        final TcpStack st = s.stack;
        switch (s.state) {
            case SYN_RECEIVED:
                st.stats.inc(TcpCounter.ATTEMPT_FAILS);
                if (s.passive) {
                    // "If this connection was initiated with a passive OPEN ... return this connection to LISTEN
                    // state and return." The listener needs nothing: forget the half-open connection.
                    s.appClosed = true;
                    s.toClosed(0);
                } else {
                    // "If this connection was initiated with an active OPEN ... the connection was refused"
                    s.toClosed(NetError.ECONNREFUSED);
                }
                return;
            case ESTABLISHED:
            case CLOSE_WAIT:
                st.stats.inc(TcpCounter.ESTAB_RESETS);
                s.toClosed(NetError.ECONNRESET);
                return;
            case FIN_WAIT_1:
            case FIN_WAIT_2:
                s.toClosed(NetError.ECONNRESET);
                return;
            default:
                // CLOSING, LAST-ACK, TIME-WAIT: "enter the CLOSED state, delete the TCB, and return"
                s.toClosed(0);
        }
    }

    // ------------------------------------------------------------------ 5. ACK (ESTABLISHED and after)

    /**
     * The ACK field in a synchronized state. RFC 5961 §5.2: the ACK is acceptable if
     * {@code (SND.UNA - MAX.SND.WND) =< SEG.ACK =< SND.NXT} (SND.MAX here: after a timeout SND.NXT went back).
     *
     * @return false if the segment was dropped
     */
    static boolean ack(final TcpSocket s, final Segment seg, final long now) {
        final TcpStack st = s.stack;
        final TcpRepr r = seg.repr;
        final int ack = r.ack;
        if (Seq.gt(ack, s.sndMax)) {
            // RFC 9293: "If the ACK acks something not yet sent (SEG.ACK > SND.NXT), then send an ACK, drop the
            // segment, and return."
            st.stats.drop(TcpDrop.ACK_UNSENT);
            challengeAck(s, now);
            return false;
        }
        if (Seq.lt(ack, s.sndUna - s.maxSndWnd)) {
            // RFC 5961 §5.2: "All incoming segments whose ACK value doesn't satisfy the above condition MUST be
            // discarded and an ACK sent back."
            st.stats.drop(TcpDrop.ACK_TOO_OLD);
            challengeAck(s, now);
            return false;
        }
        s.probesOut = 0; // the peer answers: probes (window, keepalive) start over (Linux tcp_ack)
        final int win = r.window << s.sndScale;
        // RFC 5681 §2 DUPLICATE ACKNOWLEDGMENT: (a) outstanding data, (b) no data, (c) SYN and FIN off,
        // (d) SEG.ACK == SND.UNA, (e) the advertised window unchanged
        final boolean classicDup = ack == s.sndUna && Seq.lt(s.sndUna, s.sndMax) && r.payloadLen == 0
                && !seg.syn() && !seg.fin && win == s.sndWnd;
        if (s.sackOk && s.cc != null) {
            sackAck(s, seg, ack, classicDup, now);
        } else if (Seq.gt(ack, s.sndUna)) {
            newAck(s, seg, ack, now);
        } else if (classicDup) {
            dupAck(s, now);
        }
        // RFC 9293: "If SND.UNA =< SEG.ACK =< SND.NXT, the send window should be updated. If (SND.WL1 < SEG.SEQ or
        // (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK)), set SND.WND <- SEG.WND, set SND.WL1 <- SEG.SEQ, and set
        // SND.WL2 <- SEG.ACK."
        if (Seq.geq(ack, s.sndUna) && (Seq.lt(s.sndWl1, r.seq) || (s.sndWl1 == r.seq && Seq.leq(s.sndWl2, ack)))) {
            final int old = s.sndWnd;
            s.sndWnd = win;
            s.sndWl1 = r.seq;
            s.sndWl2 = ack;
            if (win > s.maxSndWnd) {
                s.maxSndWnd = win;
            }
            if (win > old) {
                // the window opened: stop probing (RFC 9293 §3.8.6.1); output sends what it allows
                s.persistAt = TcpSocket.NONE;
                s.persistBackoff = 0;
            }
        }
        if (s.sendBlocked) {
            s.expandSendBuffer();
            if (s.sendSpace() > 0) {
                s.sendBlocked = false;
                s.raise(TcpSocket.WRITABLE);
            }
        }
        return true;
    }

    /**
     * Records the segment's SACK blocks on the scoreboard (RFC 6675 §4 Update()).
     *
     * @return the bytes newly SACKed
     */
    private static int sack(final TcpSocket s, final Segment seg, final long now) {
        final TcpOptions o = seg.repr.options;
        if (!s.sackOk || o.sackBlockCount == 0) {
            return 0;
        }
        final TcpStats stats = s.stack.stats;
        stats.add(TcpCounter.SACK_BLOCKS_RECEIVED, o.sackBlockCount);
        // RFC 2883 §4: a D-SACK block is the first one, covered by the cumulative ACK or inside the second block
        final int l0 = o.sackBlocks[0];
        final int r0 = o.sackBlocks[1];
        if (Seq.leq(r0, seg.repr.ack) || (o.sackBlockCount > 1 && Seq.geq(l0, o.sackBlocks[2])
                && Seq.leq(r0, o.sackBlocks[3]))) {
            stats.inc(TcpCounter.DSACKS_RECEIVED);
            SackRecovery.dsackReceived(s, l0, r0);
            LossUndo.dsack(s, l0, r0, now); // RFC 3708: every retransmission of the episode duplicated: undo
        }
        if (s.board == null) {
            s.board = new SackScoreboard();
        }
        final int newly = s.board.update(o.sackBlocks, o.sackBlockCount, s.sndUna, s.sndMax, now);
        if (s.board.isEmpty()) {
            s.board = null;
        }
        return newly;
    }

    /** SND.UNA < SEG.ACK =< SND.MAX without SACK: new data acknowledged, NewReno (RFC 6582). */
    private static void newAck(final TcpSocket s, final Segment seg, final int ack, final long now) {
        final TcpStack st = s.stack;
        final TcpConfig c = st.config;
        final int acked = ack - s.sndUna;
        final int priorFlight = s.sndMax - s.sndUna;
        final long prevRto = s.rtoAt;
        advanceUna(s, seg, ack, now);
        final int mss = s.sndMss;
        if (s.inRecovery) {
            if (Seq.geq(ack, s.recover)) {
                // RFC 6582 §3.2 step 3, full acknowledgment: "Set cwnd to either (1) min (ssthresh, max(FlightSize,
                // SMSS) + SMSS) or (2) ssthresh ... Exit the fast recovery procedure."
                s.inRecovery = false;
                s.dupAcks = 0;
                s.cs.cwnd = Math.min(s.cs.ssthresh, Math.max(s.cs.flightSize, mss) + mss);
                s.cc.onRecoveryEnd(s.cs, now);
            } else {
                // partial acknowledgment: "retransmit the first unacknowledged segment ... deflate the congestion
                // window by the amount of new data acknowledged by the Cumulative Acknowledgment field. If the
                // partial ACK acknowledges at least one SMSS of new data, then add back SMSS bytes ... reset the
                // retransmit timer [on the first partial ACK only: the Impatient variant, §4]"
                st.stats.inc(TcpCounter.PARTIAL_ACKS);
                TcpOutput.retransmit(s, s.sndUna, s.sndMss, now);
                s.cs.cwnd = Math.max(mss, s.cs.cwnd - acked + (acked >= mss ? mss : 0));
                if (s.partialAcked) {
                    s.rtoAt = prevRto == TcpSocket.NONE ? now + s.rtt.current(c.rtoMaxNanos) : prevRto;
                }
                s.partialAcked = true;
            }
        } else {
            s.dupAcks = 0;
            growCwnd(s, acked, priorFlight, now);
        }
    }

    /** RFC 5681 §3.1 growth outside recovery, if the window was the limit (RFC 7661; Linux tcp_is_cwnd_limited). */
    private static void growCwnd(final TcpSocket s, final int acked, final int priorFlight, final long now) {
        s.cs.cwndLimited = s.cs.cwnd < s.cs.ssthresh ? s.cs.cwnd < 2 * priorFlight
                : priorFlight + s.sndMss >= s.cs.cwnd;
        if (s.cc != null) {
            s.cc.onAck(s.cs, acked, now);
            // the interface's clamp bounds what we put in flight as well (Linux snd_cwnd_clamp): the drop-tail queue
            // it protects may be in front of the peer (a vde_switch drops toward a slow vde_plug just the same)
            final int clamp = s.cwndClamp();
            if (s.cs.cwnd > clamp) {
                s.cs.cwnd = clamp;
            }
        }
    }

    /**
     * An ACK on a SACK connection (RFC 6675 §5): the scoreboard, then per state (Linux's {@code tcp_ca_state}):
     * <ul>
     *   <li>fast recovery: (A) a cumulative ACK at or beyond RecoveryPoint ends it with cwnd = ssthresh (RFC 6937
     *       §3.1); (B) otherwise PRR sets cwnd for what the ACK delivered and {@link TcpOutput#output} sends per
     *       NextSeg() ({@link SackRecovery});</li>
     *   <li>loss recovery after a timeout: slow start until SND.UNA passes RecoveryPoint; no fast recovery begins
     *       before (RFC 6675 §5.1);</li>
     *   <li>otherwise: growth, and recovery starts at the DupThresh-th duplicate ACK or as soon as IsLost(HighACK+1)
     *       (RFC 6675 §5 steps (1)-(2), (4)), IsLost by count or by time ({@link SackRecovery#lostEnd}).</li>
     * </ul>
     * Reordering is detected here (RFC 8985 §6.2 step 3), D-SACKs in {@link #sack}, and a tail loss probe's outcome
     * in {@link SackRecovery#tlpAcked}.
     */
    private static void sackAck(final TcpSocket s, final Segment seg, final int ack, final boolean classicDup,
                                final long now) {
        final TcpStack st = s.stack;
        final int priorFlight = s.sndMax - s.sndUna;
        final int oldUna = s.sndUna;
        SackScoreboard b = s.board;
        int sackedBefore = b == null ? 0 : b.sackedBytes();
        // for reordering detection: the unSACKed bytes below the highest SACK that were never retransmitted
        final int prevHigh = b == null ? oldUna : b.highestSacked(oldUna);
        final int rxFrom = Seq.max(s.highRxt, oldUna);
        final int holesBefore = Seq.lt(rxFrom, prevHigh) ? (prevHigh - rxFrom) - b.sackedBytesIn(rxFrom, prevHigh)
                : 0;
        int acked = 0;
        if (Seq.gt(ack, s.sndUna)) {
            acked = ack - s.sndUna;
            if (b != null && b.covers(ack)) {
                // RFC 2018 §8: the receiver discarded data it had SACKed; forget the board so that it is resent
                st.stats.inc(TcpCounter.SACK_RENEGING);
                s.board = null;
                sackedBefore = 0;
            }
            advanceUna(s, seg, ack, now);
        }
        final int newlySacked = sack(s, seg, now);
        b = s.board;
        final int delivered = acked + (b == null ? 0 : b.sackedBytes()) - sackedBefore;
        if (holesBefore > 0 && !s.reorderSeen) {
            // RFC 8985 §6.2 step 3: data below the highest SACK that was never retransmitted arrived late: reordering
            final int from = Seq.max(rxFrom, s.sndUna);
            final int holesAfter = Seq.lt(from, prevHigh)
                    ? (prevHigh - from) - (b == null ? 0 : b.sackedBytesIn(from, prevHigh)) : 0;
            if (holesAfter < holesBefore) {
                s.reorderSeen = true;
                st.stats.inc(TcpCounter.REORDERING_SEEN);
            }
        }
        // RFC 6675 §2: "a segment that arrives carrying a SACK block that identifies previously unacknowledged and
        // un-SACKed octets between HighACK and HighData" (with or without data, window change, new ACK); a peer that
        // negotiated SACK and sends plain duplicates is still heard (RFC 5681 §2)
        final boolean dup = newlySacked > 0 || (classicDup && seg.repr.options.sackBlockCount == 0);
        if (dup) {
            s.dupAcksIn++;
        }
        final boolean tlpReduced = SackRecovery.tlpAcked(s, now);
        if ((s.inRecovery || s.lossMode) && acked > 0 && LossUndo.packetDelayed(s, seg.repr.options)
                && (s.lossMode || Seq.geq(s.sndUna, s.recover) || LossUndo.noRetransmissionOut(s))) {
            // RFC 3522 Eifel detection: this ACK was sent for an original segment sent before the first
            // retransmission (Linux tcp_try_undo_recovery / tcp_try_undo_partial / tcp_try_undo_loss)
            LossUndo.undo(s, s.lossMode ? TcpCounter.UNDO_RTO : TcpCounter.UNDO_TIMESTAMP, now);
        }
        if (s.inRecovery) {
            if (Seq.geq(s.sndUna, s.recover)) {
                // (A) "An incoming cumulative ACK for a sequence number greater than RecoveryPoint signals the end of
                // loss recovery"; RFC 6937 §3.1: "at the end of recovery ... cwnd = ssthresh" (Linux
                // tcp_end_cwnd_reduction)
                s.inRecovery = false;
                s.dupAcks = 0;
                SackRecovery.recoveryEnded(s);
                s.cs.cwnd = s.cs.ssthresh;
                s.cc.onRecoveryEnd(s.cs, now);
                SackRecovery.checkLosses(s, 0, now);
                SackRecovery.schedulePto(s, now);
                return;
            }
            // (B) Update() done; lost retransmissions; SetPipe() and PRR's sndcnt; (C) NextSeg() runs in output
            SackRecovery.detectLostRetransmits(s, now);
            SackRecovery.prr(s, delivered, now);
            SackRecovery.checkLosses(s, delivered, now);
            return;
        }
        if (s.lossMode) {
            if (acked > 0) {
                growCwnd(s, acked, priorFlight, now);
            }
            s.dupAcks = 0;
            if (Seq.lt(s.sndUna, s.recover)) {
                // RFC 6675 §5.1: "a new recovery phase ... MUST NOT be initiated until HighACK is greater than or
                // equal to the new value of RecoveryPoint"
                SackRecovery.detectLostRetransmits(s, now);
                return;
            }
            s.lossMode = false;
            SackRecovery.recoveryEnded(s);
        } else if (acked > 0) {
            // RFC 6675 §5: "If the incoming ACK is a cumulative acknowledgment, the TCP MUST reset DupAcks to zero."
            s.dupAcks = 0;
            if (!tlpReduced) {
                growCwnd(s, acked, priorFlight, now);
            }
        }
        if (dup) {
            s.dupAcks++;
        }
        // RFC 6675 §5 (1) DupAcks >= DupThresh (until reordering is seen: then only time counts, RFC 8985), or
        // (2) IsLost(HighACK + 1) by count or time; "If no previous loss event has occurred on the connection or the
        // cumulative acknowledgment point is beyond the last value of RecoveryPoint"
        if (s.dupAcks >= TcpSocket.DUP_THRESH && !s.reorderSeen && Seq.lt(s.sndUna, s.sndMax)
                && Seq.geq(s.sndUna, s.recover)) {
            SackRecovery.enter(s, delivered, now);
        } else {
            SackRecovery.checkLosses(s, delivered, now);
        }
        SackRecovery.schedulePto(s, now); // RFC 8985 §7.2: on an ACK
        LossUndo.ackProcessed(s);
    }

    /**
     * SND.UNA advances to {@code ack}: the acknowledged bytes leave the send queue and the scoreboard, RTT sampling
     * (RFC 6298 §3, Karn; RFC 7323 §4), the retransmission timer (RFC 6298 §5.2-5.3).
     */
    private static void advanceUna(final TcpSocket s, final Segment seg, final int ack, final long now) {
        final TcpConfig c = s.stack.config;
        final TcpOptions o = seg.repr.options;
        final int acked = ack - s.sndUna;
        // "Any segments on the retransmission queue that are thereby entirely acknowledged are removed."
        final int dataEnd = s.sndBufSeq + s.sndq.size();
        final int upTo = Seq.min(ack, dataEnd);
        final int dataAcked = upTo - s.sndBufSeq;
        if (dataAcked > 0) {
            s.sndq.drop(dataAcked);
            s.sndBufSeq = upTo;
        }
        s.sndUna = ack;
        if (Seq.lt(s.sndNxt, ack)) {
            s.sndNxt = ack;
        }
        s.bytesAcked += acked;
        if (s.board != null) {
            s.board.ackedTo(ack);
            if (s.board.isEmpty()) {
                s.board = null;
            }
        }
        // RTT (RFC 6298 §3, Karn: only segments never retransmitted); with timestamps, the echo is unambiguous
        // (RFC 7323 §4) and gives the sample that ends a back-off after retransmissions
        if (s.rtTiming && Seq.geq(ack, s.rtSeq)) {
            rttSample(s, now - s.rtStartNanos, now);
            s.rtTiming = false;
        } else if (s.tsOk && o.hasTimestamp && s.rtt.backoff > 0) {
            final int ms = s.tsNow(now) - o.tsEcr;
            if (ms >= 0 && ms < 3_600_000) {
                rttSample(s, ms * 1_000_000L, now);
            }
        }
        s.retransmits = 0;
        // RFC 6298 §5.2 / §5.3: all acknowledged -> timer off; else restart it
        s.rtoAt = s.sndUna == s.sndMax ? TcpSocket.NONE : now + s.rtt.current(c.rtoMaxNanos);
        s.cs.flightSize = s.sndMax - s.sndUna;
    }

    /** A duplicate ACK (RFC 5681 §3.2, RFC 6582 §3.2). */
    private static void dupAck(final TcpSocket s, final long now) {
        final TcpStack st = s.stack;
        s.dupAcksIn++;
        final int mss = s.sndMss;
        if (s.inRecovery) {
            // RFC 5681 §3.2 step 4: "For each additional duplicate ACK received (after the third), cwnd MUST be
            // incremented by SMSS."
            s.cs.cwnd += mss;
            return;
        }
        s.dupAcks++;
        if (s.dupAcks != 3) {
            return; // RFC 3042 limited transmit: output() may send one new segment for each of the first two
        }
        // RFC 6582 §3.2 step 2: "If the Cumulative Acknowledgment field didn't cover more than 'recover'" do not
        // enter fast retransmit (the losses belong to a window already recovered)
        if (!Seq.gt(s.sndUna, s.recover)) {
            return;
        }
        // "the value of recover is incremented to the value of the highest sequence number transmitted";
        // RFC 5681 §3.2 step 2-3: ssthresh per eq. (4), retransmit, cwnd = ssthresh + 3*SMSS
        s.lossFlightSize();
        s.cs.ssthresh = s.cc.ssthreshOnLoss(s.cs, now);
        s.recover = s.sndMax;
        s.inRecovery = true;
        s.partialAcked = false;
        st.stats.inc(TcpCounter.FAST_RETRANSMITS);
        s.fastRetransmits++;
        TcpOutput.retransmit(s, s.sndUna, mss, now);
        s.cs.cwnd = s.cs.ssthresh + 3 * mss;
        s.rtoAt = now + s.rtt.current(st.config.rtoMaxNanos);
    }

    // ------------------------------------------------------------------ 7. text

    private static void text(final TcpSocket s, final Segment seg, final long now) {
        if (seg.len > 0) {
            receive(s, seg, now);
        }
        fin(s, seg, now);
    }

    /**
     * In-window data (RFC 9293 §3.10.7.4 seventh step): in order into the receive queue (and whatever it connects in
     * the out-of-order queue), else held out of order; then the ACK policy.
     */
    private static void receive(final TcpSocket s, final Segment seg, final long now) {
        final TcpStack st = s.stack;
        final TcpConfig c = st.config;
        final int len = seg.len;
        if (c.receiveBufferAutoTuning) {
            rcvRttMeasure(s, seg, now);
        }
        if (seg.seq == s.rcvNxt) {
            s.rcvq.append(seg.buf, seg.payloadOffset, len, st.net.alloc());
            s.rcvNxt += len;
            s.bytesReceived += len;
            if (len > s.rcvMss) {
                s.rcvMss = Math.min(len, s.advMss); // Linux tcp_measure_rcv_mss
            }
            boolean filled = false;
            if (s.ooo != null && !s.ooo.isEmpty()) {
                final int before = s.ooo.bytes();
                final int n0 = s.rcvNxt;
                s.rcvNxt = s.ooo.drainTo(s.rcvNxt, s.rcvq, st.net.alloc());
                st.oooBytes -= before - s.ooo.bytes();
                s.bytesReceived += s.rcvNxt - n0;
                filled = true;
                if (s.ooo.isEmpty()) {
                    s.ooo = null;
                }
            }
            if (s.sackBlkCount > 0) {
                sackRemove(s);
            }
            s.raise(TcpSocket.READABLE);
            // RFC 5681 §4.2: an ACK for at least every second full-sized segment (Linux: more than one rcv_mss since
            // the last ACK), at once when a segment fills a gap; otherwise delayed (RFC 9293 §3.8.6.3 < 0.5 s)
            s.ackCoalesce = !filled;
            if (filled || !c.delayedAck || s.quickAcks > 0 || s.rcvNxt - s.rcvWup > s.rcvMss) {
                s.ackNow = true;
                if (s.quickAcks > 0) {
                    s.quickAcks--;
                }
            } else if (s.delAckAt == TcpSocket.NONE) {
                s.delAckAt = now + c.delayedAckNanos;
            }
            return;
        }
        // out of order: RFC 5681 §4.2 "A TCP receiver SHOULD send an immediate duplicate ACK when an out-of-order
        // segment arrives."
        s.ackNow = true;
        if (st.oooBytes + len > c.maxOooBytesPerStack) {
            st.stats.drop(TcpDrop.OOO_QUEUE_FULL);
            return;
        }
        if (s.ooo == null) {
            s.ooo = new OooQueue();
        }
        final int added = s.ooo.insert(seg.seq, seg.buf.retainedSlice(seg.payloadOffset, len), s.rcvNxt,
                c.maxOooSegments);
        if (added < 0) {
            st.stats.drop(TcpDrop.OOO_QUEUE_FULL);
            if (s.ooo.isEmpty()) {
                s.ooo = null;
            }
            return;
        }
        if (added > 0) {
            st.oooBytes += added;
            st.stats.inc(TcpCounter.OOO_QUEUED);
        } else {
            dsack(s, seg.seq, seg.seq + len); // held already: a duplicate above RCV.NXT (RFC 2883 §4.2)
        }
        if (s.sackOk) {
            sackAdd(s, seg.seq, seg.seq + len);
        }
    }

    /**
     * RFC 2883 §4: reports a duplicate in the first SACK block of the next ACK ("A D-SACK block is only used to
     * report a duplicate contiguous sequence of data received by the receiver in the most recent packet"), once.
     */
    private static void dsack(final TcpSocket s, final int l, final int r) {
        if (s.sackOk && Seq.lt(l, r)) {
            s.dsackPending = true;
            s.dsackL = l;
            s.dsackR = r;
        }
    }

    /**
     * RFC 2018 §4: "The first SACK block ... MUST specify the contiguous block of data containing the segment which
     * triggered this ACK"; the others repeat the most recently reported blocks. Linux {@code tcp_sack_new_ofo_skb}:
     * merge what the new range touches, put it first, keep at most four.
     */
    private static void sackAdd(final TcpSocket s, final int l, final int r) {
        if (s.sackBlk == null) {
            s.sackBlk = new int[8];
        }
        final int[] b = s.sackBlk;
        int nl = l;
        int nr = r;
        int w = 0;
        for (int i = 0; i < s.sackBlkCount; i++) {
            final int bl = b[2 * i];
            final int br = b[2 * i + 1];
            if (Seq.leq(bl, nr) && Seq.geq(br, nl)) {
                nl = Seq.min(nl, bl);
                nr = Seq.max(nr, br);
            } else {
                b[2 * w] = bl;
                b[2 * w + 1] = br;
                w++;
            }
        }
        if (w == 4) {
            w = 3; // forget the oldest
        }
        System.arraycopy(b, 0, b, 2, 2 * w);
        b[0] = nl;
        b[1] = nr;
        s.sackBlkCount = w + 1;
    }

    /** RCV.NXT moved: blocks it reached are delivered (Linux {@code tcp_sack_remove}). */
    private static void sackRemove(final TcpSocket s) {
        final int[] b = s.sackBlk;
        int w = 0;
        for (int i = 0; i < s.sackBlkCount; i++) {
            if (Seq.gt(b[2 * i], s.rcvNxt)) {
                b[2 * w] = b[2 * i];
                b[2 * w + 1] = b[2 * i + 1];
                w++;
            }
        }
        s.sackBlkCount = w;
        if (w == 0) {
            s.sackBlk = null;
        }
    }

    // ------------------------------------------------------------------ 8. FIN

    private static void fin(final TcpSocket s, final Segment seg, final long now) {
        if (s.finReceived) {
            return;
        }
        if (seg.fin) {
            final int at = seg.seq + seg.len;
            if (at == s.rcvNxt) {
                finReceived(s, now);
                return;
            }
            if (Seq.gt(at, s.rcvNxt)) {
                s.oooFin = true; // held with the out-of-order data until the gap fills
                s.oooFinSeq = at;
                s.ackNow = true;
                return;
            }
        }
        if (s.oooFin && s.oooFinSeq == s.rcvNxt) {
            finReceived(s, now);
        }
    }

    /** RFC 9293 §3.10.7.4 eighth: "advance RCV.NXT over the FIN, and send an acknowledgment for the FIN". */
    private static void finReceived(final TcpSocket s, final long now) {
        s.rcvNxt += 1;
        s.finReceived = true;
        s.oooFin = false;
        s.ackNow = true;
        s.delAckAt = TcpSocket.NONE;
        s.raise(TcpSocket.READABLE | TcpSocket.INPUT_SHUTDOWN);
        switch (s.state) {
            case SYN_RECEIVED:
            case ESTABLISHED:
                s.state = TcpState.CLOSE_WAIT; // "Enter the CLOSE-WAIT state."
                break;
            case FIN_WAIT_1:
                // "If our FIN has been ACKed (perhaps in this segment), then enter TIME-WAIT, start the time-wait
                // timer, turn off the other timers; otherwise, enter the CLOSING state."
                if (s.finQueued && Seq.gt(s.sndUna, s.finSeq)) {
                    enterTimeWait(s, now);
                } else {
                    s.state = TcpState.CLOSING;
                }
                break;
            case FIN_WAIT_2:
                enterTimeWait(s, now); // "Enter the TIME-WAIT state. Start the time-wait timer"
                break;
            default:
                break;
        }
    }

    static void enterTimeWait(final TcpSocket s, final long now) {
        s.state = TcpState.TIME_WAIT;
        s.stack.stats.inc(TcpCounter.TIME_WAITS);
        s.rtoAt = TcpSocket.NONE;
        s.reoAt = TcpSocket.NONE;
        s.tlpAt = TcpSocket.NONE;
        s.persistAt = TcpSocket.NONE;
        s.keepAliveAt = TcpSocket.NONE;
        s.delAckAt = TcpSocket.NONE;
        s.rxtLog = null;
        s.stateAt = now + s.stack.config.timeWaitNanos;
        s.sndq.clear();
        if (s.ooo != null) {
            s.stack.oooBytes -= s.ooo.bytes();
            s.ooo.clear();
            s.ooo = null;
        }
        s.sackBlk = null;
        s.sackBlkCount = 0;
        s.board = null;
    }

    // ------------------------------------------------------------------ ACKs that answer bad segments

    /**
     * A challenge ACK {@code <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>} (RFC 5961 §3.2, §4.2, §5.2), rate limited per stack
     * (RFC 5961 §7, Linux tcp_challenge_ack_limit) and per connection (Linux tcp_invalid_ratelimit).
     */
    static void challengeAck(final TcpSocket s, final long now) {
        final TcpStack st = s.stack;
        if (!oowAllowed(s, now) || !st.allowChallengeAck(now)) {
            st.stats.drop(TcpDrop.ACK_RATE_LIMITED);
            return;
        }
        st.stats.inc(TcpCounter.CHALLENGE_ACKS);
        TcpOutput.sendAck(s, now);
    }

    /**
     * The ACK answering an unacceptable segment (RFC 9293 §3.10.7.4 first check). Segments with data or SYN are
     * always answered (the peer needs the ACK to recover); pure ACKs at most once per
     * {@link TcpConfig#oowAckIntervalNanos} (Linux {@code tcp_oow_rate_limited}), so two stacks cannot loop on
     * each other's out-of-window ACKs.
     */
    static void oowAck(final TcpSocket s, final Segment seg, final long now) {
        if (seg.repr.payloadLen > 0 || seg.syn() || seg.fin) {
            TcpOutput.sendAck(s, now);
            return;
        }
        if (!oowAllowed(s, now)) {
            s.stack.stats.drop(TcpDrop.ACK_RATE_LIMITED);
            return;
        }
        TcpOutput.sendAck(s, now);
    }

    private static boolean oowAllowed(final TcpSocket s, final long now) {
        if (now - s.lastOowAckNanos < s.stack.config.oowAckIntervalNanos) {
            return false;
        }
        s.lastOowAckNanos = now;
        return true;
    }

    // ------------------------------------------------------------------ receive-buffer auto-tuning

    /**
     * The receiver's RTT estimate (Linux {@code tcp_rcv_rtt_measure_ts} / {@code tcp_rcv_rtt_measure}): with
     * timestamps, the age of the TSval our ACK carried, echoed by a full-sized data segment (RFC 7323 §4.3 TS.Recent
     * makes the echo the ACK that released the data); without, the time the peer takes to send one window. Samples
     * only lower the estimate unless they come from timestamps (a window can take longer to fill than an RTT when
     * the sender is limited).
     */
    static void rcvRttMeasure(final TcpSocket s, final Segment seg, final long now) {
        final TcpOptions o = seg.repr.options;
        if (s.tsOk && o.hasTimestamp) {
            if (o.tsEcr == 0 || o.tsEcr == s.rcvRttLastTsEcr || seg.len < s.rcvMss) {
                return;
            }
            s.rcvRttLastTsEcr = o.tsEcr;
            final int ms = s.tsNow(now) - o.tsEcr;
            if (ms < 0 || ms > 3_600_000) {
                return;
            }
            rcvRttUpdate(s, Math.max(1, ms) * 1_000_000L, false);
            return;
        }
        if (s.rcvRttStart != 0 && Seq.lt(s.rcvNxt, s.rcvRttSeq)) {
            return;
        }
        if (s.rcvRttStart != 0) {
            rcvRttUpdate(s, Math.max(1_000L, now - s.rcvRttStart), true);
        }
        s.rcvRttSeq = s.rcvNxt + Math.max(s.rcvAdvEdge - s.rcvNxt, s.rcvMss);
        s.rcvRttStart = now;
    }

    /** Linux {@code tcp_rcv_rtt_update}: window-based samples are upper bounds (keep the least); timestamp samples
     * are smoothed with gain 1/8, taken only while the application keeps up (an unread queue delays the echo). */
    private static void rcvRttUpdate(final TcpSocket s, final long sample, final boolean windowBased) {
        if (s.rcvRttMin == 0 || sample < s.rcvRttMin) {
            s.rcvRttMin = sample;
        }
        final long old = s.rcvRtt;
        if (old == 0 || sample < old) {
            s.rcvRtt = sample;
        } else if (!windowBased && s.rcvq.isEmpty()) {
            s.rcvRtt = old - (old >> 3) + (sample >> 3);
        }
    }

    /**
     * Receive-buffer auto-tuning (Linux {@code tcp_rcv_space_adjust}, "dynamic right-sizing"): once per receiver
     * RTT, if the application read more than ever before in one RTT ({@code copied}), the buffer becomes
     * <pre>
     *   rcvwin = 2 * copied + 16 * advmss                                  (losses, small variations)
     *   rcvwin += 2 * rcvwin * (copied - previous) / previous               (the sender is still growing)
     * </pre>
     * up to the stack's maximum ({@link TcpConfig#maxReceiveBufferSize}). It only grows; the advertised window
     * follows from the free space ({@link TcpSocket#selectWindow}), and an ACK announces a large opening at once.
     * Runs from {@link TcpOutput#output}, which has the time; the application's read only records the bytes.
     */
    static void rcvSpaceAdjust(final TcpSocket s, final long now) {
        final long rtt = s.rcvRtt;
        if (rtt == 0 || now - s.rcvSpaceTime < rtt) {
            return;
        }
        final int copiedSeq = s.copiedSeq();
        final int copied = copiedSeq - s.rcvSpaceSeq;
        if (copied > s.rcvSpace) {
            if (!s.rcvBufLocked) {
                final TcpConfig c = s.stack.config;
                long rcvwin = 2L * copied + 16L * s.advMss;
                rcvwin += 2 * (rcvwin * (copied - s.rcvSpace) / Math.max(1, s.rcvSpace));
                final int target = (int) Math.min(rcvwin, c.maxReceiveBufferSize);
                if (target > s.rcvBufSize) {
                    s.rcvBufSize = target;
                    s.stack.stats.inc(TcpCounter.RCVBUF_AUTOTUNED);
                    checkWindowUpdate(s);
                }
            }
            s.rcvSpace = copied;
        }
        s.rcvSpaceSeq = copiedSeq;
        s.rcvSpaceTime = now;
    }

    // ------------------------------------------------------------------ window updates as the application reads

    /**
     * After the application read: if the window can open by at least two segments or half the buffer (Linux
     * {@code tcp_cleanup_rbuf}: "rcv_window_now ... new_window >= 2 * rcv_window_now"; RFC 9293 §3.8.6.2.2 keeps the
     * steps at least one MSS), send the update now rather than waiting for the next data segment.
     */
    static void checkWindowUpdate(final TcpSocket s) {
        if (s.finReceived || !s.state.canReceive()) {
            return;
        }
        int cur = s.rcvAdvEdge - s.rcvNxt;
        if (cur < 0) {
            cur = 0;
        }
        final int maxWin = s.maxWindow();
        final int free = Math.min(s.freeReceiveSpace(), maxWin);
        final int opened = free - cur;
        if (opened > 0 && (opened >= 2 * s.rcvMss || opened >= s.rcvBufSize / 2)) {
            s.ackNow = true;
            s.stack.markDirty(s);
        }
    }
}
