package io.ioth.tcpip.socket.tcp;

import io.ioth.tcpip.iface.IpAddr;
import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.wire.Checksum;
import io.ioth.tcpip.wire.IpProtocol;
import io.ioth.tcpip.wire.TcpOptions;
import io.ioth.tcpip.wire.TcpPacket;
import io.ioth.tcpip.wire.TcpRepr;
import io.netty.buffer.ByteBuf;

/**
 * What a connection sends, and when (smoltcp's {@code dispatch}, lwIP's {@code tcp_out.c}). Two kinds of segments
 * leave, as lwIP's file header puts it:
 *
 * <ul>
 *   <li><b>queued</b>: SYN, data and FIN, from the send sequence space; {@link #output} sends what the send window
 *       (RFC 9293 §3.8.6), the congestion window (RFC 5681), Nagle (RFC 9293 §3.7.4, Minshall's variant as Linux)
 *       and sender silly-window avoidance (RFC 9293 §3.8.6.2.1) allow; retransmissions come from the same bytes;</li>
 *   <li><b>direct</b>: pure ACKs, challenge ACKs, window and keepalive probes, RSTs, SYN-cookie SYN-ACKs: built
 *       and sent at once, never queued.</li>
 * </ul>
 *
 * Every segment carries the current ACK and window (so data piggybacks the ACK and cancels a delayed one), the
 * timestamp option when negotiated and SACK blocks when out-of-order data is held.
 *
 * <p>Static functions of the connection; not thread-safe (owner thread).
 */
final class TcpOutput {
    static final int ACK = TcpPacket.ACK_FLAG;
    static final int SYN = TcpPacket.SYN;
    static final int FIN = TcpPacket.FIN;
    static final int RST = TcpPacket.RST;
    static final int PSH = TcpPacket.PSH;

    private TcpOutput() {
    }

    /** Sends what is due: the SYN of an active open, data/FIN as the windows allow, then an ACK if one is owed. */
    static void output(final TcpSocket s, final long now) {
        if (s.pendingMtu != 0) {
            final int mtu = s.pendingMtu;
            s.pendingMtu = 0;
            s.pathMtuChanged(mtu, now);
        }
        switch (s.state) {
            case SYN_SENT:
                if (s.sndNxt == s.iss) {
                    sendSyn(s, now);
                }
                return;
            case SYN_RECEIVED:
                if (s.ackNow) {
                    sendAck(s, now);
                }
                return;
            case ESTABLISHED:
            case FIN_WAIT_1:
                if (s.stack.config.receiveBufferAutoTuning) {
                    TcpInput.rcvSpaceAdjust(s, now);
                }
                trySend(s, now);
                if (s.ackNow) {
                    sendAck(s, now);
                }
                return;
            case CLOSE_WAIT:
            case CLOSING:
            case LAST_ACK:
                trySend(s, now);
                if (s.ackNow) {
                    sendAck(s, now);
                }
                return;
            case FIN_WAIT_2:
                if (s.stack.config.receiveBufferAutoTuning) {
                    TcpInput.rcvSpaceAdjust(s, now); // still receiving (half-close)
                }
                if (s.ackNow) {
                    sendAck(s, now);
                }
                return;
            case TIME_WAIT:
                if (s.ackNow) {
                    sendAck(s, now);
                }
                return;
            default:
                return;
        }
    }

    /** RFC 9293 §3.10.1: {@code <SEQ=ISS><CTL=SYN>}; the RTO starts at its initial value (RFC 6298 §2.1). */
    static void sendSyn(final TcpSocket s, final long now) {
        emit(s, s.iss, SYN, 0, 0, now);
        s.sndNxt = s.iss + 1;
        s.sndMax = s.iss + 1;
        if (s.retransmits == 0) {
            s.rtTiming = true;
            s.rtSeq = s.iss + 1;
            s.rtStartNanos = now;
        }
        s.rtoAt = now + s.rtt.current(s.stack.config.rtoMaxNanos);
    }

    /** RFC 9293 §3.10.7.2: {@code <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>}. */
    static void sendSynAck(final TcpSocket s, final long now) {
        emit(s, s.iss, SYN | ACK, 0, 0, now);
        s.sndNxt = s.iss + 1;
        s.sndMax = s.iss + 1;
        if (s.retransmits == 0) {
            s.rtTiming = true;
            s.rtSeq = s.iss + 1;
            s.rtStartNanos = now;
        }
        s.rtoAt = now + s.rtt.current(s.stack.config.rtoMaxNanos);
    }

    /**
     * {@code <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>}, where SND.NXT is the next new sequence number (SND.MAX): after a
     * timeout SND.NXT went back to SND.UNA for the retransmissions, and an ACK carrying that old number would be
     * unacceptable to a receiver that already holds later data (BSD tcp_output: "For ACK only packets, we do not
     * want the sequence number of the retransmitted packet ... use snd_max"; Linux never moves snd_nxt back).
     */
    static void sendAck(final TcpSocket s, final long now) {
        emit(s, s.sndMax, ACK, 0, 0, now);
        s.stack.stats.inc(TcpCounter.PURE_ACKS_SENT);
    }

    /** A window or keepalive probe: {@code <SEQ=SND.UNA-1><ACK=RCV.NXT><CTL=ACK>}, an old sequence number that the
     * peer must answer with an ACK carrying its window (Linux {@code tcp_xmit_probe_skb}). */
    static void sendProbe(final TcpSocket s, final long now) {
        emit(s, s.sndUna - 1, ACK, 0, 0, now);
    }

    /** {@code <SEQ=seq><CTL=RST>} from a connection (ABORT, data after close, keepalive timeout). */
    static void sendRst(final TcpSocket s, final int seq, final long now) {
        final TcpStack st = s.stack;
        reply(st, s.localHi, s.localLo, s.localPort, s.remoteHi, s.remoteLo, s.remotePort, seq, s.rcvNxt,
                RST | ACK, now);
    }

    /**
     * Sends new data (and a FIN) as the windows allow. SND.NXT may be behind SND.MAX after a timeout without SACK
     * (go-back-N): the bytes up to SND.MAX are resent in order from the same queue. During SACK-based recovery
     * ({@link SackRecovery#send}) the scoreboard chooses between retransmissions and new data.
     */
    static void trySend(final TcpSocket s, final long now) {
        final TcpStack st = s.stack;
        final int mss = s.sndMss;
        boolean sentAny = false;
        if (s.sndUna == s.sndMax && now - s.lastSendNanos > s.rtt.current(st.config.rtoMaxNanos)
                && s.cc != null && !s.sndq.isEmpty()) {
            // RFC 5681 §4.1: after an idle period longer than the RTO, restart from the restart window
            s.cs.flightSize = 0;
            s.cc.onIdleRestart(s.cs, now);
        }
        if (s.sackOk && (s.inRecovery || s.lossMode)) {
            sentAny = SackRecovery.send(s, now);
        } else {
            while (true) {
                // FlightSize for the window check: with SACK, SACKed bytes have left the network (RFC 6675 §5 step
                // (3): limited transmit governed by pipe); without, RFC 3042 allows one new segment for each of the
                // first two duplicate ACKs
                long flight = s.sndNxt - s.sndUna;
                long allowance = 0;
                if (s.board != null) {
                    flight -= s.board.sackedBytesIn(s.sndUna, s.sndNxt);
                } else if (!s.inRecovery && !Seq.lt(s.sndNxt, s.sndMax)) {
                    allowance = (long) Math.min(s.dupAcks, 2) * mss;
                }
                final int n = sendNew(s, s.cs.cwnd + allowance - flight, now);
                if (n <= 0) {
                    break;
                }
                sentAny = true;
            }
        }
        if (!sentAny && s.sndUna == s.sndMax && s.rtoAt == TcpSocket.NONE && s.persistAt == TcpSocket.NONE
                && (s.sndq.size() > s.sndNxt - s.sndBufSeq || (s.finQueued && Seq.leq(s.sndNxt, s.finSeq)))) {
            // Nothing in flight and something waits on the window (zero, or too small to pass SWS avoidance):
            // the persist timer probes it (RFC 9293 §3.8.6.1) or sends anyway when the override timeout fires.
            s.persistAt = now + persistTimeout(s);
        }
    }

    /**
     * Sends one segment at SND.NXT if the send window, {@code cwndRoom}, Nagle and sender SWS avoidance allow.
     *
     * @return the sequence space sent (data plus FIN), 0 if nothing could be
     */
    static int sendNew(final TcpSocket s, final long cwndRoom, final long now) {
        final TcpStack st = s.stack;
        final int mss = s.sndMss;
        int off = s.sndNxt - s.sndBufSeq;
        if (off < 0) {
            off = 0;
        }
        final int avail = Math.max(0, s.sndq.size() - off);
        final boolean finPending = s.finQueued && Seq.leq(s.sndNxt, s.finSeq);
        if (avail == 0 && !finPending) {
            return 0;
        }
        final int wndRoom = s.sndUna + s.sndWnd - s.sndNxt;
        final long room = Math.min(wndRoom, cwndRoom);
        final int len = (int) Math.max(0, Math.min(Math.min(avail, mss), room));
        // the FIN goes with the last data if the window holds one more sequence number (Linux counts it)
        final boolean fin = finPending && len == avail && wndRoom > len && cwndRoom > len;
        if (len == 0 && !fin) {
            return 0;
        }
        if (len < mss && !fin) {
            // RFC 9293 §3.8.6.2.1 (sender SWS): a short segment only if it takes all queued data or at least
            // half the largest window the peer offered; and (§3.7.4 Nagle, Minshall's form) not while an
            // earlier short segment is unacknowledged, unless TCP_NODELAY
            final boolean nagleOk = s.noDelay || !Seq.gt(s.sndSml, s.sndUna);
            final boolean swsOk = len == avail || len >= s.maxSndWnd / 2;
            if (!(swsOk && nagleOk)) {
                return 0;
            }
        }
        final int seq = s.sndNxt;
        final boolean retransmission = Seq.lt(seq, s.sndMax);
        int flags = ACK;
        if (len > 0 && len == avail) {
            flags |= PSH;
        }
        if (fin) {
            flags |= FIN;
        }
        final int rc = emit(s, seq, flags, off, len, now);
        if (rc == NetError.ENOBUFS && !retransmission) {
            // The local queue is full: the segment did not leave. Like Linux (tcp_write_xmit stops when
            // tcp_transmit_skb fails, snd_nxt unmoved), it stays unsent and goes with a later ACK; cwnd stops growing
            // by itself, as the flight no longer fills it (RFC 7661). Sending past a full queue would only make holes.
            st.stats.inc(TcpCounter.LOCAL_QUEUE_FULL);
            if (s.sndUna == s.sndMax && s.persistAt == TcpSocket.NONE) {
                s.persistAt = now + persistTimeout(s); // nothing in flight to clock a retry
            }
            return 0;
        }
        if (retransmission) {
            s.totalRetrans++;
            s.bytesRetrans += len;
            st.stats.inc(TcpCounter.RETRANS_SEGS);
        } else {
            s.bytesSent += len;
            if (!s.rtTiming && len > 0) {
                s.rtTiming = true;
                s.rtSeq = seq + len;
                s.rtStartNanos = now;
            }
        }
        if (len > 0 && len < mss) {
            s.sndSml = seq + len;
        }
        s.sndNxt = seq + len + (fin ? 1 : 0);
        if (Seq.gt(s.sndNxt, s.sndMax)) {
            s.sndMax = s.sndNxt;
        }
        s.lastSendNanos = now;
        if (s.rtoAt == TcpSocket.NONE) {
            s.rtoAt = now + s.rtt.current(st.config.rtoMaxNanos);
        }
        s.persistAt = TcpSocket.NONE;
        if (s.sackOk && !retransmission) {
            SackRecovery.schedulePto(s, now); // RFC 8985 §7.2: "after transmitting new data"
        }
        return len + (fin ? 1 : 0);
    }

    static long persistTimeout(final TcpSocket s) {
        final TcpConfig c = s.stack.config;
        // Linux tcp_probe0_base: max(RTO, TCP_RTO_MIN), doubled per unanswered probe, capped at TCP_RTO_MAX
        final long base = Math.max(s.rtt.rto, c.rtoMinNanos);
        final int b = Math.min(s.persistBackoff, 30);
        final long t = base << b;
        return t <= 0 || t > c.rtoMaxNanos ? c.rtoMaxNanos : t;
    }

    /**
     * Retransmits one segment of at most {@code maxLen} data bytes starting at {@code seq} (fast retransmit, NewReno
     * partial ACK, SACK recovery, RTO), with the FIN if it ends there. Not limited by cwnd; the first segment is sent
     * even if the window shrank (Linux {@code tcp_retransmit_skb}).
     *
     * @return the sequence space it covered (0 if there was nothing at {@code seq})
     */
    static int retransmit(final TcpSocket s, final int seq, final int maxLen, final long now) {
        int off = seq - s.sndBufSeq;
        if (off < 0) {
            off = 0;
        }
        final int avail = Math.max(0, s.sndq.size() - off);
        final int len = Math.max(0, Math.min(avail, Math.min(maxLen, s.sndMss)));
        final boolean fin = s.finQueued && Seq.lt(s.finSeq, s.sndMax) && seq + len == s.finSeq;
        if (len == 0 && !fin) {
            return 0;
        }
        int flags = ACK;
        if (len > 0 && len == avail) {
            flags |= PSH;
        }
        if (fin) {
            flags |= FIN;
        }
        emit(s, seq, flags, off, len, now);
        s.totalRetrans++;
        s.bytesRetrans += len;
        s.lastSendNanos = now;
        s.stack.stats.inc(TcpCounter.RETRANS_SEGS);
        s.rtTiming = false; // Karn's rule (RFC 6298 §3): no sample from retransmitted data
        return len + (fin ? 1 : 0);
    }

    /**
     * Builds and transmits one segment of a connection: header, options, ACK and window, and {@code len} payload
     * bytes copied from the send queue at {@code dataOff}.
     *
     * @return what {@link TcpNetwork#transmit} answered
     */
    static int emit(final TcpSocket s, final int seq, final int flags, final int dataOff, final int len,
                    final long now) {
        final TcpStack st = s.stack;
        final TcpRepr r = st.outRepr;
        final TcpOptions o = r.options.clear();
        final boolean syn = (flags & SYN) != 0;
        final boolean ack = (flags & ACK) != 0;
        if (syn) {
            // RFC 9293 §3.7.1: MSS only in SYNs; RFC 7323 §2.2/§3.2: WS and TS in a SYN-ACK only if the SYN had them
            o.mss = s.advMss;
            if (s.wsOk) {
                o.windowScale = s.rcvScale;
            }
            o.sackPermitted = s.sackOk;
            if (s.tsOk) {
                o.hasTimestamp = true;
                o.tsVal = s.tsNow(now);
                o.tsEcr = ack ? s.tsRecent : 0;
            }
        } else {
            if (s.tsOk) {
                o.hasTimestamp = true;
                o.tsVal = s.tsNow(now);
                o.tsEcr = s.tsRecent;
            }
            if (s.sackOk && ack && (s.sackBlkCount > 0 || s.dsackPending)) {
                // RFC 2018 §3: at most 4 blocks, 3 with timestamps (40 option bytes); a D-SACK block first, once
                // (RFC 2883 §4), then the most recent blocks
                final int max = s.tsOk ? 3 : 4;
                int k = 0;
                if (s.dsackPending) {
                    o.sackBlocks[0] = s.dsackL;
                    o.sackBlocks[1] = s.dsackR;
                    s.dsackPending = false;
                    k = 1;
                }
                final int n = Math.min(s.sackBlkCount, max - k);
                if (n > 0) {
                    System.arraycopy(s.sackBlk, 0, o.sackBlocks, 2 * k, 2 * n);
                }
                o.sackBlockCount = k + n;
            }
        }
        final int window;
        if (syn) {
            window = s.synWindow();
            if (ack) {
                s.rcvAdvEdge = s.rcvNxt + window;
            }
        } else if (ack || (flags & RST) == 0) {
            window = s.selectWindow() >>> s.rcvScale;
        } else {
            window = 0;
        }
        final int hl = TcpPacket.HEADER_LEN + o.bufferLen();
        final ByteBuf b = st.net.allocSegment(hl + len);
        final int start = b.writerIndex();
        b.writerIndex(start + hl + len);
        if (len > 0) {
            s.sndq.copy(dataOff, len, b, start + hl);
        }
        r.srcPort = s.localPort;
        r.dstPort = s.remotePort;
        r.seq = seq;
        r.ack = ack ? s.rcvNxt : 0;
        r.flags = flags;
        r.window = window;
        r.urgent = 0;
        r.payloadLen = len;
        r.emit(st.outPkt.wrap(b, start, hl + len), pseudo(s.localHi, s.localLo, s.remoteHi, s.remoteLo, hl + len));
        if (ack) {
            s.lastAckSentUpdate();
        }
        s.segsOut++;
        st.stats.inc(TcpCounter.OUT_SEGS);
        return st.net.transmit(s, s.localHi, s.localLo, s.remoteHi, s.remoteLo, b, now);
    }

    /** A segment without a connection: RSTs for strays (RFC 9293 §3.10.7.1), RSTs of connections. */
    static void reply(final TcpStack st, final long srcHi, final long srcLo, final int srcPort, final long dstHi,
                      final long dstLo, final int dstPort, final int seq, final int ack, final int flags,
                      final long now) {
        final TcpRepr r = st.outRepr;
        r.options.clear();
        final int hl = TcpPacket.HEADER_LEN;
        final ByteBuf b = st.net.allocSegment(hl);
        final int start = b.writerIndex();
        b.writerIndex(start + hl);
        r.srcPort = srcPort;
        r.dstPort = dstPort;
        r.seq = seq;
        r.ack = (flags & ACK) != 0 ? ack : 0;
        r.flags = flags;
        r.window = 0;
        r.urgent = 0;
        r.payloadLen = 0;
        r.emit(st.outPkt.wrap(b, start, hl), pseudo(srcHi, srcLo, dstHi, dstLo, hl));
        if ((flags & RST) != 0) {
            st.stats.inc(TcpCounter.OUT_RSTS);
        }
        st.stats.inc(TcpCounter.OUT_SEGS);
        st.net.transmit(null, srcHi, srcLo, dstHi, dstLo, b, now);
    }

    /**
     * The RST answering a segment nobody wants (RFC 9293 §3.10.7.1): if it had ACK, {@code <SEQ=SEG.ACK><CTL=RST>};
     * else {@code <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>}.
     */
    static void resetFor(final TcpStack st, final Segment seg, final long now) {
        final TcpRepr in = seg.repr;
        if (seg.hasAck()) {
            reply(st, seg.dstHi, seg.dstLo, in.dstPort, seg.srcHi, seg.srcLo, in.srcPort, in.ack, 0, RST, now);
        } else {
            reply(st, seg.dstHi, seg.dstLo, in.dstPort, seg.srcHi, seg.srcLo, in.srcPort, 0,
                    in.seq + seg.segLen(), RST | ACK, now);
        }
    }

    /** A SYN-ACK whose ISN is a SYN cookie (RFC 4987 §3.6); nothing is remembered. */
    static void sendCookieSynAck(final TcpStack st, final TcpListener l, final Segment seg, final int cookie,
                                 final int mss, final long now) {
        final TcpConfig c = st.config;
        final TcpRepr in = seg.repr;
        final TcpOptions peer = in.options;
        final TcpRepr r = st.outRepr;
        final TcpOptions o = r.options.clear();
        o.mss = mss;
        if (c.timestamps && peer.hasTimestamp) {
            final boolean ws = c.windowScaling && peer.windowScale >= 0;
            final boolean sack = c.sack && peer.sackPermitted;
            if (ws) {
                o.windowScale = c.receiveWindowScale();
            }
            o.sackPermitted = sack;
            o.hasTimestamp = true;
            final int tsOffset = c.randomTsOffset ? c.secrets.tsOffset(seg.dstHi, seg.dstLo, seg.srcHi, seg.srcLo)
                    : 0;
            o.tsVal = SynCookies.tsWithOptions((int) (now / 1_000_000L) + tsOffset, ws ? peer.windowScale : -1,
                    sack);
            o.tsEcr = peer.tsVal;
        }
        final int hl = TcpPacket.HEADER_LEN + o.bufferLen();
        final ByteBuf b = st.net.allocSegment(hl);
        final int start = b.writerIndex();
        b.writerIndex(start + hl);
        r.srcPort = in.dstPort;
        r.dstPort = in.srcPort;
        r.seq = cookie;
        r.ack = in.seq + 1;
        r.flags = SYN | ACK;
        r.window = Math.min(l.rcvBufSize, 65535);
        r.urgent = 0;
        r.payloadLen = 0;
        r.emit(st.outPkt.wrap(b, start, hl), pseudo(seg.dstHi, seg.dstLo, seg.srcHi, seg.srcLo, hl));
        st.stats.inc(TcpCounter.SYNCOOKIES_SENT);
        st.stats.inc(TcpCounter.OUT_SEGS);
        st.net.transmit(null, seg.dstHi, seg.dstLo, seg.srcHi, seg.srcLo, b, now);
    }

    /** The pseudo-header partial checksum (RFC 9293 §3.1; RFC 8200 §8.1 for IPv6). */
    static int pseudo(final long srcHi, final long srcLo, final long dstHi, final long dstLo, final int len) {
        if (IpAddr.isV4(srcHi, srcLo)) {
            return Checksum.pseudoHeaderV4(IpAddr.v4Of(srcLo), IpAddr.v4Of(dstLo), IpProtocol.TCP, len);
        }
        return Checksum.pseudoHeaderV6(srcHi, srcLo, dstHi, dstLo, IpProtocol.TCP, len);
    }
}
