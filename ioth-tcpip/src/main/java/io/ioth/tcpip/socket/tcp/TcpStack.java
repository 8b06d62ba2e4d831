package io.ioth.tcpip.socket.tcp;

import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.iface.IpAddr;
import io.ioth.tcpip.socket.ReadyList;
import io.ioth.tcpip.wire.TcpPacket;
import io.ioth.tcpip.wire.TcpRepr;
import io.ioth.tcpip.wire.WireError;
import io.netty.buffer.ByteBuf;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The TCP of one stack: its connections (by 4-tuple), listeners and bound ports, the per-stack tunables
 * ({@link TcpConfig}) and counters ({@link TcpStats}). Independent of the IP layer: it sees TCP segments with their
 * addresses and talks down through a {@link TcpNetwork}, so the same code runs in the segment-level test harness
 * and on the stack ({@link TcpLayer} adapts it to the engine's {@code IpProtocolHandler}).
 *
 * <h2>Driving it</h2>
 * <pre>{@code
 * tcp.input(src, dst, segment, now);   // ingress: one segment (borrowed); replies may leave at once
 * tcp.onTimer(cookie, now);            // a timer scheduled through TcpNetwork.schedule expired
 * tcp.pollEgress(now);                 // egress: connections the application wrote to, read from or closed
 * }</pre>
 * Protocol code never calls the application: it raises events on the sockets (ready list).
 *
 * <p><b>Threading:</b> not thread-safe. A TCP stack belongs to its engine's owner thread; only {@link #stats()}
 * may be read from other threads.
 */
public final class TcpStack {
    /** RFC 9293 §3.7.1: the MSS assumed when a SYN carries none (IPv4); RFC 8200 §5 for IPv6. */
    static final int DEFAULT_MSS_V4 = 536;
    static final int DEFAULT_MSS_V6 = 1220;
    /** Floor of the effective MSS (Linux TCP_MIN_MSS is 88; a tiny path MTU must not give zero-byte segments). */
    static final int MIN_MSS = 64;

    final TcpConfig config;
    final TcpNetwork net;
    final ReadyList readyList;
    final RandomGenerator random;
    final TcpStats stats = new TcpStats();
    final FlowTable flows;
    final PortTable ports;

    // scratch, one per stack (single-threaded)
    final TcpPacket inPkt = new TcpPacket();
    final TcpPacket outPkt = new TcpPacket();
    final TcpRepr outRepr = new TcpRepr();
    final Segment seg = new Segment();
    private TcpSocket routeScratch;

    /** Out-of-order bytes held by all connections (bounded by {@link TcpConfig#maxOooBytesPerStack}). */
    long oooBytes;

    // timer slots: cookie = generation << 32 | slot
    private TcpSocket[] slots = new TcpSocket[16];
    private int[] gens = new int[16];
    private int[] free = new int[16];
    private int freeCount;
    private int slotHigh;

    private TcpSocket dirtyHead;
    private TcpSocket dirtyTail;

    private long challengeSecond = Long.MIN_VALUE;
    private int challengeCount;
    /** ISN for the SYN being handled, when it reuses a TIME-WAIT connection (RFC 6191 / Linux tw_snd_nxt). */
    private boolean isnOverride;
    private int isnOverrideValue;
    /** Answers {@link TcpEndpoint#bind}'s "is it ours"; set by {@link TcpLayer}. Null: any address. */
    AddressOracle addresses;
    private boolean closed;

    /** What TCP asks the IP layer about addresses. */
    public interface AddressOracle {
        boolean isLocal(long hi, long lo);

        boolean isBroadcast(long hi, long lo);
    }

    public TcpStack(final TcpConfig config, final TcpNetwork net, final ReadyList readyList,
                    final RandomGenerator random) {
        this.config = Objects.requireNonNull(config, "config");
        this.net = Objects.requireNonNull(net, "net");
        this.readyList = Objects.requireNonNull(readyList, "readyList");
        this.random = Objects.requireNonNull(random, "random");
        this.flows = new FlowTable(random.nextLong());
        this.ports = new PortTable(this);
    }

    public TcpConfig config() {
        return config;
    }

    /** The counters; any thread. */
    public TcpStats stats() {
        return stats;
    }

    public void setAddressOracle(final AddressOracle oracle) {
        addresses = oracle;
    }

    /** A new socket (CLOSED): set options, then {@link TcpSocket#connect} (or bind first). */
    public TcpSocket open() {
        checkOpen();
        return new TcpSocket(this);
    }

    /** A new listener: {@link TcpListener#bind}, then {@link TcpListener#listen}. */
    public TcpListener openListener() {
        checkOpen();
        return new TcpListener(this);
    }

    /** Connections in the table (every state but LISTEN and CLOSED). */
    public int connections() {
        return flows.size();
    }

    /** Out-of-order payload bytes held by all connections. */
    public long outOfOrderBytes() {
        return oooBytes;
    }

    boolean isLocalAddress(final long hi, final long lo) {
        return addresses == null || addresses.isLocal(hi, lo);
    }

    boolean isBroadcast(final long hi, final long lo) {
        return addresses != null && addresses.isBroadcast(hi, lo);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("TCP stack closed");
        }
    }

    // ================================================================== ingress

    /**
     * One TCP segment addressed to this stack (the readable bytes of {@code segment}; borrowed: TCP retains slices of
     * what it keeps). Validates it (RFC 9293 §3.1 checksum and header; counted drops), then hands it to its
     * connection, its listener, or answers with RST (RFC 9293 §3.10.7.1).
     */
    public void input(final long srcHi, final long srcLo, final long dstHi, final long dstLo, final ByteBuf segment,
                      final long now) {
        if (closed) {
            return;
        }
        stats.inc(TcpCounter.IN_SEGS);
        final int len = segment.readableBytes();
        final TcpPacket p = inPkt.wrap(segment, segment.readerIndex(), len);
        WireError e = p.checkLen();
        if (!e.ok()) {
            stats.inc(TcpCounter.IN_ERRS);
            stats.drop(e == WireError.BAD_HEADER_LEN ? TcpDrop.BAD_HEADER_LEN : TcpDrop.TRUNCATED);
            return;
        }
        final Segment sg = seg;
        final TcpRepr r = sg.repr;
        e = r.parse(p, TcpOutput.pseudo(srcHi, srcLo, dstHi, dstLo, len), config.checksumPolicy);
        if (!e.ok()) {
            stats.inc(TcpCounter.IN_ERRS);
            stats.drop(e == WireError.BAD_CHECKSUM ? TcpDrop.BAD_CHECKSUM
                    : e == WireError.MALFORMED_OPTION ? TcpDrop.MALFORMED_OPTION : TcpDrop.TRUNCATED);
            return;
        }
        final int fl = r.flags;
        if ((fl & (TcpPacket.SYN | TcpPacket.FIN)) == (TcpPacket.SYN | TcpPacket.FIN)) {
            stats.drop(TcpDrop.SYN_FIN);
            return;
        }
        if ((fl & (TcpPacket.SYN | TcpPacket.RST)) == (TcpPacket.SYN | TcpPacket.RST)) {
            stats.drop(TcpDrop.SYN_RST);
            return;
        }
        if (r.srcPort == 0 || r.dstPort == 0) {
            stats.drop(TcpDrop.BAD_PORT);
            return;
        }
        sg.srcHi = srcHi;
        sg.srcLo = srcLo;
        sg.dstHi = dstHi;
        sg.dstLo = dstLo;
        sg.buf = segment;
        sg.payloadOffset = p.payloadOffset();
        sg.init();
        try {
            TcpSocket s = flows.lookup(dstHi, dstLo, r.dstPort, srcHi, srcLo, r.srcPort);
            if (s != null && s.state == TcpState.TIME_WAIT
                    && (fl & (TcpPacket.SYN | TcpPacket.ACK_FLAG | TcpPacket.RST)) == TcpPacket.SYN
                    && timeWaitAcceptsSyn(s, sg)) {
                // RFC 6191 / RFC 9293 §3.10.7.4 note: a new incarnation may reuse a TIME-WAIT pair if its SYN is
                // newer (Linux tcp_timewait_state_process TCP_TW_SYN: isn = tw_snd_nxt + 65535 + 2)
                stats.inc(TcpCounter.TIME_WAIT_REUSED);
                isnOverride = true;
                isnOverrideValue = s.sndNxt + 65535 + 2;
                s.toClosed(0);
                s = null;
            }
            if (s != null) {
                s.ackCoalesce = false;
                TcpInput.process(s, sg, now);
                if (s.state != TcpState.CLOSED) {
                    if (config.ackCoalescing && s.state == TcpState.ESTABLISHED && (!s.ackNow || s.ackCoalesce)) {
                        // GRO-like (TcpConfig#ackCoalescing): what this segment calls for (an ACK of in-order data,
                        // data the ACK lets out) leaves with the rest of the batch's at egress, as one ACK
                        markDirty(s);
                    } else {
                        TcpOutput.output(s, now);
                        arm(s);
                    }
                }
                return;
            }
            final TcpListener l = ports.listener(dstHi, dstLo, r.dstPort);
            if (l != null) {
                listenInput(l, sg, now);
                return;
            }
            if ((fl & TcpPacket.RST) != 0) {
                stats.drop(TcpDrop.RST_NO_SOCKET); // "An incoming segment containing a RST is discarded."
                return;
            }
            // RFC 9293 §3.10.7.1 CLOSED: "An incoming segment not containing a RST causes a RST to be sent"
            stats.drop(TcpDrop.NO_SOCKET);
            TcpOutput.resetFor(this, sg, now);
        } finally {
            sg.buf = null;
            isnOverride = false;
        }
    }

    private static boolean timeWaitAcceptsSyn(final TcpSocket s, final Segment sg) {
        final TcpRepr r = sg.repr;
        return Seq.gt(r.seq, s.rcvNxt)
                || (s.tsOk && r.options.hasTimestamp && Seq.gt(r.options.tsVal, s.tsRecent));
    }

    // ================================================================== LISTEN (RFC 9293 §3.10.7.2)

    private void listenInput(final TcpListener l, final Segment sg, final long now) {
        final TcpRepr r = sg.repr;
        // "first, check for a RST: An incoming RST segment could not be valid since it could not have been sent in
        // response to anything sent by this incarnation of the connection. An incoming RST should be ignored."
        if (sg.rst()) {
            stats.drop(TcpDrop.LISTEN_RST);
            return;
        }
        // "second, check for an ACK: Any acknowledgment is bad if it arrives on a connection still in the LISTEN
        // state. An acceptable reset segment should be formed for any arriving ACK-bearing segment."
        // Unless it returns a SYN cookie.
        if (sg.hasAck()) {
            if (!sg.syn() && config.synCookies && now - l.lastCookieNanos < SynCookies.MAX_AGE
                    * SynCookies.PERIOD_NANOS) {
                if (cookieAck(l, sg, now)) {
                    return;
                }
                stats.drop(TcpDrop.BAD_COOKIE);
            } else {
                stats.drop(TcpDrop.NO_SOCKET);
            }
            TcpOutput.resetFor(this, sg, now);
            return;
        }
        // "third, check for a SYN"
        if (!sg.syn()) {
            stats.drop(TcpDrop.LISTEN_OTHER); // "Any other control or text-bearing segment ... drop it and return"
            return;
        }
        if (isBroadcast(sg.dstHi, sg.dstLo) || IpAddr.isMulticast(sg.dstHi, sg.dstLo)) {
            stats.drop(TcpDrop.NOT_UNICAST);
            return;
        }
        if (l.acceptQueueFull()) {
            stats.drop(TcpDrop.LISTEN_OVERFLOW); // Linux tcp_conn_request: sk_acceptq_is_full -> drop
            return;
        }
        if (l.synQueueFull()) {
            if (config.synCookies) {
                cookieSynAck(l, sg, now);
            } else {
                stats.drop(TcpDrop.SYN_QUEUE_FULL);
            }
            return;
        }
        final TcpSocket c = new TcpSocket(this);
        c.inherit(l);
        c.passive = true;
        c.localHi = sg.dstHi;
        c.localLo = sg.dstLo;
        c.localPort = r.dstPort;
        c.remoteHi = sg.srcHi;
        c.remoteLo = sg.srcLo;
        c.remotePort = r.srcPort;
        c.ipHeaderLen = IpAddr.isV4(sg.srcHi, sg.srcLo) ? 20 : 40;
        final int mtu = net.route(c, now);
        if (mtu < 0) {
            stats.drop(TcpDrop.NO_ROUTE);
            return;
        }
        c.pathMtu = mtu;
        c.iss = isnOverride ? isnOverrideValue
                : config.isnFunction.isn(c.localHi, c.localLo, c.localPort, c.remoteHi, c.remoteLo, c.remotePort,
                now);
        c.tsOffset = config.randomTsOffset ? config.secrets.tsOffset(c.localHi, c.localLo, c.remoteHi, c.remoteLo)
                : 0;
        // "Set RCV.NXT to SEG.SEQ+1, IRS is set to SEG.SEQ, and any other control or text should be queued for
        // processing later. ISS should be selected and a SYN segment sent of the form
        // <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>. SND.NXT is set to ISS+1 and SND.UNA to ISS."
        c.irs = r.seq;
        c.rcvNxt = r.seq + 1;
        c.rcvWup = c.rcvNxt;
        c.rcvScale = config.receiveWindowScale();
        c.advMss = Math.max(MIN_MSS, mtu - c.ipHeaderLen - 20);
        c.rcvMss = Math.min(c.advMss, DEFAULT_MSS_V4);
        c.wsOk = config.windowScaling;
        c.sackOk = config.sack;
        c.tsOk = config.timestamps;
        TcpInput.negotiate(c, r.options, now);
        c.sndUna = c.iss;
        c.sndNxt = c.iss;
        c.sndMax = c.iss;
        c.sndBufSeq = c.iss + 1;
        c.recover = c.iss;
        c.sndSml = c.iss;
        c.sndWnd = r.window; // unscaled in a SYN (RFC 7323 §2.2)
        c.sndWl1 = r.seq;
        c.sndWl2 = 0;
        c.maxSndWnd = r.window;
        c.state = TcpState.SYN_RECEIVED;
        c.lastRecvNanos = now;
        c.segsIn = 1;
        flows.insert(c);
        l.addSyn(c);
        stats.inc(TcpCounter.PASSIVE_OPENS);
        TcpOutput.sendSynAck(c, now);
        arm(c);
    }

    /** RFC 4987 §3.6: the SYN queue is full; answer with a cookie and keep nothing. */
    private void cookieSynAck(final TcpListener l, final Segment sg, final long now) {
        final TcpRepr r = sg.repr;
        final boolean v6 = !IpAddr.isV4(sg.srcHi, sg.srcLo);
        final int mtu = routeMtu(sg, now);
        if (mtu < 0) {
            stats.drop(TcpDrop.NO_ROUTE);
            return;
        }
        final int peerMss = r.options.mss != 0 ? r.options.mss : (v6 ? DEFAULT_MSS_V6 : DEFAULT_MSS_V4);
        final int idx = SynCookies.mssIndex(peerMss, v6);
        final int cookie = SynCookies.encode(config.secrets, sg.dstHi, sg.dstLo, r.dstPort, sg.srcHi, sg.srcLo,
                r.srcPort, r.seq, idx, now);
        final int ourMss = Math.max(MIN_MSS, mtu - (v6 ? 40 : 20) - 20);
        TcpOutput.sendCookieSynAck(this, l, sg, cookie, ourMss, now);
        l.lastCookieNanos = now;
    }

    /** An ACK to a listener: if it returns a valid SYN cookie, the connection is created ESTABLISHED. */
    private boolean cookieAck(final TcpListener l, final Segment sg, final long now) {
        final TcpRepr r = sg.repr;
        final boolean v6 = !IpAddr.isV4(sg.srcHi, sg.srcLo);
        final int cookie = r.ack - 1;
        final int peerIsn = r.seq - 1;
        final int idx = SynCookies.decode(config.secrets, sg.dstHi, sg.dstLo, r.dstPort, sg.srcHi, sg.srcLo,
                r.srcPort, peerIsn, cookie, (v6 ? SynCookies.MSS_V6 : SynCookies.MSS_V4).length, now);
        if (idx < 0) {
            return false;
        }
        if (l.acceptQueueFull()) {
            stats.drop(TcpDrop.LISTEN_OVERFLOW);
            return true; // dropped silently; the peer's data retransmission retries
        }
        boolean ts = false;
        boolean sack = false;
        int peerWs = -1;
        if (config.timestamps && r.options.hasTimestamp) {
            final int bits = r.options.tsEcr & SynCookies.TS_MASK;
            ts = true;
            sack = config.sack && (bits & SynCookies.TS_SACK) != 0;
            final int w = bits & 0xf;
            peerWs = config.windowScaling && w != SynCookies.TS_WSCALE_NONE ? Math.min(w, 14) : -1;
        }
        final TcpSocket c = new TcpSocket(this);
        c.inherit(l);
        c.passive = true;
        c.localHi = sg.dstHi;
        c.localLo = sg.dstLo;
        c.localPort = r.dstPort;
        c.remoteHi = sg.srcHi;
        c.remoteLo = sg.srcLo;
        c.remotePort = r.srcPort;
        c.ipHeaderLen = v6 ? 40 : 20;
        final int mtu = net.route(c, now);
        if (mtu < 0) {
            stats.drop(TcpDrop.NO_ROUTE);
            return true;
        }
        c.pathMtu = mtu;
        c.iss = cookie;
        c.irs = peerIsn;
        c.sndUna = r.ack;
        c.sndNxt = r.ack;
        c.sndMax = r.ack;
        c.sndBufSeq = r.ack;
        c.recover = r.ack;
        c.sndSml = r.ack;
        c.rcvNxt = r.seq;
        c.rcvWup = r.seq;
        c.rcvAdvEdge = r.seq + Math.min(l.rcvBufSize, 65535); // what the cookie SYN-ACK advertised
        c.peerMss = SynCookies.mss(idx, v6);
        c.advMss = Math.max(MIN_MSS, mtu - c.ipHeaderLen - 20);
        c.rcvMss = Math.min(c.advMss, DEFAULT_MSS_V4);
        c.tsOk = ts;
        c.sackOk = sack;
        c.wsOk = peerWs >= 0;
        c.sndScale = c.wsOk ? peerWs : 0;
        c.rcvScale = c.wsOk ? config.receiveWindowScale() : 0;
        if (ts) {
            c.tsRecent = r.options.tsVal;
            c.tsRecentNanos = now;
            c.tsOffset = config.randomTsOffset ? config.secrets.tsOffset(c.localHi, c.localLo, c.remoteHi,
                    c.remoteLo) : 0;
        }
        c.updateSndMss();
        c.sndWnd = r.window << c.sndScale;
        c.sndWl1 = r.seq;
        c.sndWl2 = r.ack;
        c.maxSndWnd = c.sndWnd;
        flows.insert(c);
        stats.inc(TcpCounter.PASSIVE_OPENS);
        stats.inc(TcpCounter.SYNCOOKIES_RECV);
        c.established(now);
        l.addAccept(c);
        // the ACK may carry data already
        TcpInput.process(c, sg, now);
        if (c.state != TcpState.CLOSED) {
            TcpOutput.output(c, now);
            arm(c);
        }
        return true;
    }

    /** The path MTU toward a segment's source, for stateless replies. */
    private int routeMtu(final Segment sg, final long now) {
        if (routeScratch == null) {
            routeScratch = new TcpSocket(this);
        }
        final TcpSocket t = routeScratch;
        t.localHi = sg.dstHi;
        t.localLo = sg.dstLo;
        t.remoteHi = sg.srcHi;
        t.remoteLo = sg.srcLo;
        t.localPort = sg.repr.dstPort;
        t.remotePort = sg.repr.srcPort;
        return net.route(t, now);
    }

    /** RFC 5961 §7: at most {@link TcpConfig#challengeAckLimit} challenge ACKs per second for the whole stack. */
    boolean allowChallengeAck(final long now) {
        final long second = Math.floorDiv(now, 1_000_000_000L);
        if (second != challengeSecond) {
            challengeSecond = second;
            challengeCount = 0;
        }
        if (challengeCount >= config.challengeAckLimit) {
            return false;
        }
        challengeCount++;
        return true;
    }

    // ================================================================== ICMP errors

    /**
     * An ICMP error about a segment we sent (RFC 5927 §4.1: acted upon only if the quoted sequence number is in
     * flight). Fragmentation needed / packet too big lowers the path MTU (RFC 1191, RFC 8201) and resends with the
     * new MSS; in SYN-SENT an unreachable aborts the attempt (Linux); otherwise the error is soft (RFC 1122
     * §4.2.3.9): reported only if the connection later times out.
     */
    public void icmpError(final long localHi, final long localLo, final int localPort, final long remoteHi,
                          final long remoteLo, final int remotePort, final int seq, final boolean fragNeeded,
                          final int mtu, final int errno, final long now) {
        final TcpSocket s = flows.lookup(localHi, localLo, localPort, remoteHi, remoteLo, remotePort);
        if (s == null) {
            return;
        }
        if (!Seq.between(s.sndUna, seq, s.sndMax)) {
            return; // RFC 5927 §4.1: not in flight, ignore (blind ICMP attack defence)
        }
        if (fragNeeded) {
            s.pathMtuChanged(mtu, now);
            if (s.state != TcpState.CLOSED) {
                markDirty(s);
            }
            return;
        }
        if (s.state == TcpState.SYN_SENT) {
            stats.inc(TcpCounter.ATTEMPT_FAILS);
            s.toClosed(errno);
            return;
        }
        s.softError = errno;
    }

    // ================================================================== timers

    /** A timer scheduled through {@link TcpNetwork#schedule} expired. */
    public void onTimer(final long cookie, final long now) {
        final int slot = (int) (cookie & 0xffff_ffffL);
        final int gen = (int) (cookie >>> 32);
        if (slot < 0 || slot >= slotHigh || gens[slot] != gen) {
            return;
        }
        final TcpSocket s = slots[slot];
        if (s == null) {
            return;
        }
        s.timerId = 0;
        s.timerDeadline = TcpSocket.NONE;
        TcpTimers.run(s, now);
        if (s.state != TcpState.CLOSED) {
            arm(s);
        }
    }

    /** Makes sure a wheel timer fires no later than the socket's earliest deadline (lazy re-arming). */
    void arm(final TcpSocket s) {
        final long d = s.pollAt();
        if (d == TcpSocket.NONE || d >= s.timerDeadline || s.state == TcpState.CLOSED) {
            return;
        }
        if (s.timerSlot < 0) {
            int slot;
            if (freeCount > 0) {
                slot = free[--freeCount];
            } else {
                if (slotHigh == slots.length) {
                    slots = java.util.Arrays.copyOf(slots, slotHigh * 2);
                    gens = java.util.Arrays.copyOf(gens, slotHigh * 2);
                }
                slot = slotHigh++;
            }
            slots[slot] = s;
            s.timerSlot = slot;
        }
        if (s.timerId != 0) {
            net.cancel(s.timerId);
        }
        s.timerDeadline = d;
        s.timerId = net.schedule(d, (long) gens[s.timerSlot] << 32 | s.timerSlot);
    }

    void releaseTimer(final TcpSocket s) {
        if (s.timerId != 0) {
            net.cancel(s.timerId);
            s.timerId = 0;
        }
        s.timerDeadline = TcpSocket.NONE;
        final int slot = s.timerSlot;
        if (slot >= 0) {
            slots[slot] = null;
            gens[slot] = (gens[slot] + 1) & 0xff_ffff; // the cookie keeps 56 bits (StackTimers)
            if (freeCount == free.length) {
                free = java.util.Arrays.copyOf(free, free.length * 2);
            }
            free[freeCount++] = slot;
            s.timerSlot = -1;
        }
    }

    // ================================================================== egress

    void markDirty(final TcpSocket s) {
        if (s.dirty) {
            return;
        }
        s.dirty = true;
        s.nextDirty = null;
        if (dirtyTail == null) {
            dirtyHead = s;
        } else {
            dirtyTail.nextDirty = s;
        }
        dirtyTail = s;
    }

    /** Sends what the application's writes, reads (window updates) and closes made due since the last egress. */
    public void pollEgress(final long now) {
        TcpSocket s;
        while ((s = dirtyHead) != null) {
            dirtyHead = s.nextDirty;
            if (dirtyHead == null) {
                dirtyTail = null;
            }
            s.nextDirty = null;
            s.dirty = false;
            if (s.state != TcpState.CLOSED) {
                TcpOutput.output(s, now);
                arm(s);
            }
        }
    }

    /** Whether any connection has output waiting for {@link #pollEgress}. */
    public boolean hasPendingOutput() {
        return dirtyHead != null;
    }

    // ================================================================== shutdown

    /** The stack is closing: every connection is dropped (no RSTs: the network is going away) and its buffers
     * released. Idempotent. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (TcpSocket s : flows.snapshot()) {
            s.appClosed = true;
            s.toClosed(NetError.ECONNABORTED);
        }
        for (TcpListener l : ports.listeners()) {
            l.close(0L); // its queued connections are CLOSED already: nothing is sent
            l.raise(io.ioth.tcpip.socket.StackSocket.CLOSED);
        }
        dirtyHead = null;
        dirtyTail = null;
    }

    public boolean isClosed() {
        return closed;
    }
}
