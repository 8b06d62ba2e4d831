package io.ioth.tcpip.socket.tcp;

import io.ioth.tcpip.iface.IpAddr;
import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.socket.tcp.congestion.CongestionControl;
import io.ioth.tcpip.socket.tcp.congestion.CongestionState;
import io.netty.buffer.ByteBuf;

import java.util.Objects;

/**
 * One TCP connection (RFC 9293): the transmission control block and the application's view of it. A pure state
 * machine: no I/O, no clock reads, no Netty channel types. Segments arrive through the stack
 * ({@link TcpStack#input}), leave through its {@link TcpNetwork}; time is the {@code nowNanos} argument of every
 * entry point; {@link #pollAt()} says when the socket next needs its timers run.
 *
 * <h2>For the transport above</h2>
 * <pre>{@code
 * TcpSocket s = tcp.open();                // options first: setNoDelay, setKeepAlive, buffer sizes, CC
 * s.connect(dstHi, dstLo, 80, now);        // NetError.OK: in progress; CONNECTED | WRITABLE events follow
 * int n = s.send(buf);                     // zero-copy in: takes up to sendSpace() bytes, advances buf
 * ByteBuf in = s.read(65536);              // zero-copy out: a received buffer (yours to release), or null
 * s.isInputShutdown();                     // the peer's FIN was read: end of stream
 * s.shutdownOutput(now); s.close(now);     // FIN (half-close / full close); abort(now) sends RST
 * }</pre>
 *
 * <p>Events (from {@link io.ioth.tcpip.socket.StackSocket}, delivered after each poll): {@code READABLE} (data,
 * end of stream or an error to read), {@code WRITABLE} (send space after a short {@link #send}),
 * {@code ERROR} (see {@link #error()}), {@code CLOSED} (the connection reached CLOSED), and
 * {@link #CONNECTED}, {@link #INPUT_SHUTDOWN}. After {@link #close} the stack owns the connection through
 * FIN-WAIT and TIME-WAIT.
 *
 * <h2>Layout</h2>
 * The fields below are the RFC 9293 §3.3.1 variables with the RFC's names; the processing is split by concern,
 * gVisor-style: {@link TcpInput} (SEGMENT ARRIVES, §3.10.7), {@link TcpOutput} (what to send now),
 * {@link TcpTimers} (retransmission, persist, delayed ACK, keepalive, TIME-WAIT), {@link TcpListener} (passive
 * opens). Buffers are allocated on first use; an idle established connection holds a few hundred bytes of heap.
 *
 * <p>Not thread-safe: a socket belongs to its stack's owner thread.
 */
public final class TcpSocket extends TcpEndpoint {
    /** Event: an active open completed (SYN-SENT -> ESTABLISHED). */
    public static final int CONNECTED = PROTOCOL_EVENT;
    /** Event: the peer's FIN arrived (the stream ends once the queued data is read). */
    public static final int INPUT_SHUTDOWN = PROTOCOL_EVENT << 1;

    static final long NONE = Long.MAX_VALUE;
    /** RFC 7323 §5.5: TS.Recent is invalid after 24 days of idleness. */
    static final long PAWS_IDLE_NANOS = 24L * 24 * 3600 * 1_000_000_000L;
    /** RFC 6298 §5.7: RTO after a SYN timeout, once data transmission begins. */
    static final long RTO_AFTER_SYN_TIMEOUT = 3_000_000_000L;
    /** Linux TCP_INIT_CWND: the first auto-tuning target is this many segments read per RTT. */
    static final int INIT_RCV_SPACE_SEGMENTS = 10;
    /** RFC 6675 §2 DupThresh (RFC 5681 §3.2: three duplicate ACKs). */
    static final int DUP_THRESH = 3;

    // ------------------------------------------------------------------ identity
    long remoteHi;
    long remoteLo;
    int remotePort;
    int flowHash;
    boolean inFlowTable;
    int ipHeaderLen = 20;
    /** TcpNetwork's per-connection data (TcpLayer keeps the route here). */
    Object linkCache;

    TcpState state = TcpState.CLOSED;
    /** Passive open: the listener whose SYN queue or accept queue holds us (null once accepted). */
    TcpListener listener;
    TcpSocket nextInQueue;
    boolean inAcceptQueue;
    boolean passive;

    // ------------------------------------------------------------------ per-socket options
    int sndBufSize;
    int rcvBufSize;
    /** The application set SO_RCVBUF: no auto-tuning (Linux SOCK_RCVBUF_LOCK). */
    boolean rcvBufLocked;
    /** The application set SO_SNDBUF: no send-buffer auto-tuning (Linux SOCK_SNDBUF_LOCK). */
    boolean sndBufLocked;
    boolean noDelay;
    boolean keepAlive;
    long keepAliveIdle;
    long keepAliveIntvl;
    int keepAliveProbes;
    CongestionControl.Factory ccFactory;
    CongestionControl cc;
    final CongestionState cs = new CongestionState();

    // ------------------------------------------------------------------ negotiated options (RFC 7323, RFC 2018)
    boolean wsOk;
    boolean tsOk;
    boolean sackOk;
    /** Shift applied to the peer's window fields (its WS option). */
    int sndScale;
    /** Shift applied to our window fields (our WS option). */
    int rcvScale;
    /** MSS the peer announced (or the RFC 9293 §3.7.1 default). */
    int peerMss;
    /** MSS we announced (path MTU - IP - TCP headers). */
    int advMss;
    int pathMtu;
    /** A lower MTU the network saw on a refreshed route (applied at the next output, outside any send loop). */
    int pendingMtu;
    /** Eff.snd.MSS (RFC 9293 §3.7.1): what one segment may carry, options (timestamps) deducted. */
    int sndMss;
    /** Estimate of the peer's segment size, for delayed ACKs and window updates (Linux rcv_mss). */
    int rcvMss;

    // ------------------------------------------------------------------ send sequence space (RFC 9293 §3.3.1)
    int iss;
    int sndUna;
    int sndNxt;
    /** Highest sequence number sent + 1 (SND.NXT moves back to SND.UNA after a timeout: go-back-N). */
    int sndMax;
    /** Send window in bytes (scaled). */
    int sndWnd;
    int sndWl1;
    int sndWl2;
    /** Largest window the peer ever offered (RFC 5961 §5.2 MAX.SND.WND; RFC 9293 §3.8.6.2.1 Max(SND.WND)). */
    int maxSndWnd;
    /** Sequence number of the first byte in {@link #sndq}. */
    int sndBufSeq;
    /** The application shut the output down: a FIN follows the queued data. */
    boolean finQueued;
    /** Sequence number of our FIN (valid when {@link #finQueued}). */
    int finSeq;
    /** Minshall's Nagle variant (Linux snd_sml): end of the last small segment sent. */
    int sndSml;
    final SendQueue sndq = new SendQueue();

    // ------------------------------------------------------------------ receive sequence space
    int irs;
    int rcvNxt;
    /** RCV.NXT + the window last advertised: the right edge, never moved back (RFC 9293 §3.8.6.2.2). */
    int rcvAdvEdge;
    /** RCV.NXT when the last ACK was sent (Linux rcv_wup; RFC 7323 Last.ACK.sent). */
    int rcvWup;
    boolean finReceived;
    boolean oooFin;
    int oooFinSeq;
    final RecvQueue rcvq = new RecvQueue();
    OooQueue ooo;
    /** SACK blocks to send, most recent first (RFC 2018 §4), as Linux's selective_acks[4]. */
    int[] sackBlk;
    int sackBlkCount;
    /** A duplicate to report in the next ACK's first SACK block (RFC 2883 D-SACK; Linux duplicate_sack). */
    boolean dsackPending;
    int dsackL;
    int dsackR;

    // ------------------------------------------------------------------ timestamps (RFC 7323)
    int tsRecent;
    long tsRecentNanos;
    int tsOffset;

    // ------------------------------------------------------------------ retransmission (RFC 6298)
    final RttEstimator rtt;
    /** Timed segment (one at a time, Karn): ACK >= rtSeq ends the measurement started at rtStart. */
    boolean rtTiming;
    int rtSeq;
    long rtStartNanos;
    /** Consecutive RTO expiries for the current SND.UNA. */
    int retransmits;
    boolean synRetransmitted;
    int probesOut;
    int persistBackoff;

    // ------------------------------------------------------------------ loss recovery (RFC 5681, RFC 6582, RFC 6675)
    /** Duplicate ACKs in a row: RFC 5681 §2's definition without SACK, RFC 6675 §2's with it. */
    int dupAcks;
    /** Fast recovery: NewReno's (RFC 6582) without SACK, SACK-based (RFC 6675 §5) with it. */
    boolean inRecovery;
    /** A partial ACK was seen in this recovery (RFC 6582 §4: the timer is reset on the first one only). */
    boolean partialAcked;
    /** RFC 6582 "recover": SND.MAX when recovery (or the last timeout) began. */
    int recover;
    SackScoreboard board;
    /** RFC 6675 HighRxt, exclusive: the end of the highest range retransmitted in this recovery. */
    int highRxt;
    /** RFC 6675 RescueRxt, exclusive (set to the end of the first retransmission on entry, then RecoveryPoint). */
    int rescueRxt;
    /**
     * Loss recovery after a timeout on a SACK connection (Linux TCP_CA_Loss): every unSACKed byte below
     * {@link #recover} is taken as lost and retransmitted once, in order, skipping what the scoreboard holds, while
     * cwnd slow-starts from the loss window (RFC 5681 §3.1; RFC 6675 §5.1: "a SACK TCP sender SHOULD utilize all SACK
     * information made available during the loss recovery following an RTO").
     */
    boolean lossMode;
    /** RFC 6937 PRR: prr_delivered, prr_out and RecoverFS, in bytes. */
    int prrDelivered;
    int prrOut;
    int recoverFs;
    /** The retransmissions of the current recovery, to detect lost ones (null outside recovery). */
    RetransmitLog rxtLog;
    /** The peer's ACKs showed reordering: a hole was filled without a retransmission (RFC 8985 §6.2 step 3
     * RACK.reordering_seen). From then on holes are lost by time only (a reordering window), not by count. */
    boolean reorderSeen;
    /** RFC 8985 §6.2 step 4: the reordering window multiplier, raised once per round that sees a D-SACK, reset after
     * 16 recoveries without one; and the round (SND.NXT when it began). */
    int reoWndMult = 1;
    int reoWndPersist;
    boolean dsackRoundSet;
    int dsackRound;
    /** A tail loss probe is outstanding (RFC 8985 §7: TLP.end_seq = tlpHigh), and whether it was a retransmission. */
    boolean tlpOut;
    boolean tlpRetrans;
    int tlpHigh;
    /** Where a retransmitted probe began (a D-SACK of it proves the probe spurious). */
    int tlpStart;
    /** Undo of spurious loss responses (D-SACK, timestamps); allocated at the first loss episode. */
    LossUndo undo;
    /** RFC 3522 RetransmitTS (Linux retrans_stamp): our TSval of the first retransmission still unacknowledged, and
     * the end of the highest retransmitted range since (see {@link LossUndo#stamp}). */
    boolean rxStampSet;
    int rxStamp;
    int rxStampHigh;

    // ------------------------------------------------------------------ timers (deadline fields, smoltcp-style)
    long rtoAt = NONE;
    /** When the next hole becomes lost by time (RACK's reordering timer, RFC 8985 §6.3). */
    long reoAt = NONE;
    /** The probe timeout (RFC 8985 §7.2 PTO). */
    long tlpAt = NONE;
    long persistAt = NONE;
    long delAckAt = NONE;
    long keepAliveAt = NONE;
    /** TIME-WAIT end, or the FIN-WAIT-2 timeout of a closed socket. */
    long stateAt = NONE;
    long timerId;
    long timerDeadline = NONE;
    int timerSlot = -1;

    // ------------------------------------------------------------------ ACK state
    boolean ackNow;
    /** The segment being processed may be acknowledged at the end of the ingress batch ({@link
     * TcpConfig#ackCoalescing}): in-order data that filled no gap. Reset for every segment. */
    boolean ackCoalesce;
    int quickAcks;
    long lastRecvNanos;
    long lastSendNanos;
    long lastOowAckNanos = Long.MIN_VALUE / 2;

    // ------------------------------------------------------------------ application state
    /** close() was called: the application is gone (Linux SOCK_DEAD). */
    boolean appClosed;
    boolean outputShutdown;
    int error;
    /** A soft error (ICMP) reported if the connection later times out (Linux sk_err_soft). */
    int softError;
    boolean sendBlocked;
    boolean dirty;
    TcpSocket nextDirty;

    // ------------------------------------------------------------------ statistics (TCP_INFO)
    long bytesSent;
    long bytesRetrans;
    long bytesAcked;
    long bytesReceived;
    long segsOut;
    long segsIn;
    long totalRetrans;
    long fastRetransmits;
    long rtoTimeouts;
    long dupAcksIn;
    long sackRecoveries;
    long rescueRetransmits;
    long lostRetransmits;
    long tlpProbes;
    long spuriousUndos;

    // ------------------------------------------------------------------ receive-buffer auto-tuning (Linux DRS)
    /** Receiver-side RTT estimate (Linux rcv_rtt_est), nanoseconds; 0 before the first sample. */
    long rcvRtt;
    /** The least receive RTT sample (ns; 0 before the first), for {@link #windowClamp}. */
    long rcvRttMin;
    /** The window-based measurement: RCV.NXT to reach and when it started (0: none running). */
    int rcvRttSeq;
    long rcvRttStart;
    int rcvRttLastTsEcr;
    /** Linux rcvq_space: the most bytes the application read in one receiver RTT, and where the current
     * measurement started (bytes read so far, as a sequence number, and the time). */
    int rcvSpace;
    int rcvSpaceSeq;
    long rcvSpaceTime;

    TcpSocket(final TcpStack stack) {
        super(stack);
        final TcpConfig c = stack.config;
        sndBufSize = c.sendBufferSize;
        rcvBufSize = c.receiveBufferSize;
        noDelay = c.noDelay;
        keepAliveIdle = c.keepAliveIdleNanos;
        keepAliveIntvl = c.keepAliveIntervalNanos;
        keepAliveProbes = c.keepAliveProbes;
        ccFactory = c.congestionControl;
        rtt = new RttEstimator(c.rtoInitialNanos);
        cs.initialWindowSegments = c.initialWindowSegments;
    }

    /** A passive child inherits the listener's options (Linux sk_clone_lock). */
    void inherit(final TcpListener l) {
        tos = l.tos;
        sndBufSize = l.sndBufSize;
        rcvBufSize = l.rcvBufSize;
        rcvBufLocked = l.rcvBufLocked;
        sndBufLocked = l.sndBufLocked;
        noDelay = l.noDelay;
        keepAlive = l.keepAlive;
        ccFactory = l.ccFactory;
    }

    @Override
    boolean isListening() {
        return false;
    }

    // ================================================================== queries

    public TcpState state() {
        return state;
    }

    public long remoteHi() {
        return remoteHi;
    }

    public long remoteLo() {
        return remoteLo;
    }

    public int remotePort() {
        return remotePort;
    }

    /** Synchronized and not yet closed by either side's RST or timeout (ESTABLISHED .. TIME-WAIT). */
    public boolean isConnected() {
        return state.isSynchronized() && state != TcpState.SYN_RECEIVED;
    }

    /** The handshake is in progress. */
    public boolean isConnecting() {
        return state == TcpState.SYN_SENT || (state == TcpState.SYN_RECEIVED && !passive);
    }

    /** Bytes that {@link #read} would return now. */
    public int readableBytes() {
        return rcvq.size();
    }

    /** Data, end of stream or an error is waiting. */
    public boolean isReadable() {
        return rcvq.size() > 0 || isInputShutdown() || error != 0;
    }

    /** The peer's FIN arrived and everything before it was read (or the connection is gone). */
    public boolean isInputShutdown() {
        return rcvq.isEmpty() && (finReceived || state == TcpState.CLOSED);
    }

    public boolean isOutputShutdown() {
        return outputShutdown || state == TcpState.CLOSED;
    }

    /** Bytes {@link #send} would accept now. */
    public int sendSpace() {
        if (outputShutdown || error != 0 || !(state.canSend() || state == TcpState.SYN_SENT
                || state == TcpState.SYN_RECEIVED)) {
            return 0;
        }
        return Math.max(0, sndBufSize - sndq.size());
    }

    public boolean isWritable() {
        return sendSpace() > 0;
    }

    /** Bytes queued and not yet acknowledged. */
    public int sendQueued() {
        return sndq.size();
    }

    /** The pending error ({@code < 0}, Linux errno numbering, {@link NetError}) or 0. */
    public int error() {
        return error;
    }

    /** Returns the pending error and clears it (SO_ERROR). */
    public int takeError() {
        final int e = error;
        error = 0;
        return e;
    }

    /** When the socket next needs {@link TcpStack#onTimer}: the earliest of its deadlines, or
     * {@link Long#MAX_VALUE}. */
    public long pollAt() {
        return Math.min(Math.min(Math.min(rtoAt, reoAt), Math.min(tlpAt, persistAt)),
                Math.min(Math.min(delAckAt, keepAliveAt), stateAt));
    }

    // ================================================================== options

    /** TCP_NODELAY: turn Nagle's algorithm off (RFC 9293 §3.7.4). */
    public void setNoDelay(final boolean on) {
        noDelay = on;
        if (on) {
            stack.markDirty(this);
        }
    }

    public boolean noDelay() {
        return noDelay;
    }

    /** SO_KEEPALIVE (RFC 1122 §4.2.3.6), with the stack's idle/interval/count unless set. */
    public void setKeepAlive(final boolean on) {
        keepAlive = on;
        if (on && isConnected()) {
            keepAliveAt = Math.min(keepAliveAt, lastRecvNanos + keepAliveIdle);
            stack.arm(this);
        }
    }

    public boolean keepAlive() {
        return keepAlive;
    }

    /** TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT. */
    public void setKeepAliveParameters(final long idleNanos, final long intervalNanos, final int probes) {
        if (idleNanos <= 0 || intervalNanos <= 0 || probes <= 0) {
            throw new IllegalArgumentException("keepalive parameters must be > 0");
        }
        keepAliveIdle = idleNanos;
        keepAliveIntvl = intervalNanos;
        keepAliveProbes = probes;
    }

    /** SO_SNDBUF, clamped to the stack's maximum. */
    public void setSendBufferSize(final int bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("send buffer must be > 0");
        }
        final boolean wasBlocked = sendSpace() == 0;
        sndBufSize = Math.min(bytes, stack.config.maxSendBufferSize);
        sndBufLocked = true;
        if (wasBlocked && sendSpace() > 0) {
            raise(WRITABLE);
        }
    }

    public int sendBufferSize() {
        return sndBufSize;
    }

    /** SO_RCVBUF, clamped to the stack's maximum; the window shift is fixed at the handshake from the stack's
     * maximum, so a buffer grown later is fully usable (and a shrunk one never retracts a window edge). Setting it
     * turns receive-buffer auto-tuning off for this socket (Linux SOCK_RCVBUF_LOCK). */
    public void setReceiveBufferSize(final int bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("receive buffer must be > 0");
        }
        rcvBufLocked = true;
        rcvBufSize = Math.min(bytes, stack.config.maxReceiveBufferSize);
        if (isConnected()) {
            TcpInput.checkWindowUpdate(this);
        }
    }

    public int receiveBufferSize() {
        return rcvBufSize;
    }

    /** TCP_CONGESTION: before connect (or on a listener, for its children). */
    public void setCongestionControl(final CongestionControl.Factory f) {
        Objects.requireNonNull(f, "factory");
        if (state != TcpState.CLOSED) {
            throw new IllegalStateException("set the congestion control before connecting");
        }
        ccFactory = f;
    }

    public String congestionControl() {
        return cc != null ? cc.name() : ccFactory.name();
    }

    // ================================================================== connect

    /**
     * Active open (RFC 9293 §3.10.1 OPEN): chooses the local address and an ephemeral port (RFC 6056) unless bound,
     * the ISS (RFC 6528), and queues the SYN, which leaves in the stack's next egress phase.
     *
     * @return {@link NetError#OK} (in progress: {@link #CONNECTED} or an error event follows),
     *         {@link NetError#EISCONN}, {@link NetError#EALREADY}, {@link NetError#EINVAL} (port 0, wildcard or
     *         multicast destination), {@link NetError#ENETUNREACH} &amp; co. (no route),
     *         {@link NetError#EADDRNOTAVAIL} (no free port / tuple in use)
     */
    public int connect(final long hi, final long lo, final int port, final long nowNanos) {
        if (port <= 0 || port > 0xffff) {
            return NetError.EINVAL;
        }
        if (state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED) {
            return NetError.EALREADY;
        }
        if (state != TcpState.CLOSED || appClosed) {
            return NetError.EISCONN;
        }
        if (IpAddr.isWildcard(hi, lo) || IpAddr.isMulticast(hi, lo) || stack.isBroadcast(hi, lo)) {
            return NetError.EINVAL;
        }
        if (bound && !IpAddr.isWildcard(localHi, localLo) && IpAddr.isV4(hi, lo) != IpAddr.isV4(localHi, localLo)) {
            return NetError.EAFNOSUPPORT;
        }
        remoteHi = hi;
        remoteLo = lo;
        remotePort = port;
        ipHeaderLen = IpAddr.isV4(hi, lo) ? 20 : 40;
        final int mtu = stack.net.route(this, nowNanos);
        if (mtu < 0) {
            return mtu;
        }
        pathMtu = mtu;
        if (!bound || localPort == 0) {
            final int r = stack.ports.connectPort(this, nowNanos);
            if (r != NetError.OK) {
                return r;
            }
        } else if (stack.flows.lookup(localHi, localLo, localPort, hi, lo, port) != null) {
            return NetError.EADDRNOTAVAIL;
        }
        final TcpConfig c = stack.config;
        iss = c.isnFunction.isn(localHi, localLo, localPort, remoteHi, remoteLo, remotePort, nowNanos);
        tsOffset = c.randomTsOffset ? c.secrets.tsOffset(localHi, localLo, remoteHi, remoteLo) : 0;
        sndUna = iss;
        sndNxt = iss;
        sndMax = iss;
        sndBufSeq = iss + 1;
        recover = iss;
        sndSml = iss;
        rcvScale = c.receiveWindowScale();
        advMss = Math.max(TcpStack.MIN_MSS, pathMtu - ipHeaderLen - 20);
        rcvMss = Math.min(advMss, TcpStack.DEFAULT_MSS_V4);
        // what our SYN offers; narrowed to what both sides support when the SYN-ACK arrives
        wsOk = c.windowScaling;
        sackOk = c.sack;
        tsOk = c.timestamps;
        state = TcpState.SYN_SENT;
        stack.flows.insert(this);
        stack.stats.inc(TcpCounter.ACTIVE_OPENS);
        stack.markDirty(this);
        return NetError.OK;
    }

    /**
     * The window clamp of the interface the connection was routed over, in segments (0: none); set by
     * {@link TcpNetwork#route}.
     */
    int windowClampSegments;

    /** Called by {@link TcpNetwork#route} to set the source address chosen for a wildcard-bound socket. */
    void routed(final long srcHi, final long srcLo) {
        if (IpAddr.isWildcard(localHi, localLo)) {
            localHi = srcHi;
            localLo = srcLo;
        }
    }

    // ================================================================== data

    /**
     * Queues data (RFC 9293 §3.10.2 SEND). Zero-copy: takes up to {@link #sendSpace()} readable bytes of
     * {@code src} as a retained slice (small writes are copied and coalesced) and advances its reader index; the
     * caller keeps its own reference. Segments leave in the stack's next egress phase.
     *
     * @return bytes taken ({@code >= 0}; fewer than offered means the buffer is full: {@code WRITABLE} follows), or
     *         {@link NetError#EPIPE} (output shut down), {@link NetError#ENOTCONN}, or the connection's error
     */
    public int send(final ByteBuf src) {
        if (error != 0) {
            return error;
        }
        if (outputShutdown || finQueued) {
            return NetError.EPIPE;
        }
        switch (state) {
            case SYN_SENT:
            case SYN_RECEIVED:
            case ESTABLISHED:
            case CLOSE_WAIT:
                break;
            case CLOSED:
            case LISTEN:
                return NetError.ENOTCONN;
            default:
                return NetError.EPIPE;
        }
        final int want = src.readableBytes();
        final int n = sndq.append(src, Math.max(0, sndBufSize - sndq.size()), stack.net.alloc());
        if (n < want) {
            sendBlocked = true;
        }
        if (n > 0) {
            stack.markDirty(this);
        }
        return n;
    }

    /**
     * Takes received data (RFC 9293 §3.10.3 RECEIVE), zero-copy: a queued buffer (a retained slice of a received
     * frame, or a coalesced copy of small segments) of at most {@code maxBytes}. The caller owns and releases it.
     * Reading may open the receive window: an ACK with the update then leaves in the next egress phase.
     *
     * @return the data, or null if none is queued (see {@link #isInputShutdown()} for end of stream)
     */
    public ByteBuf read(final int maxBytes) {
        final ByteBuf b = rcvq.read(maxBytes);
        if (b != null) {
            TcpInput.checkWindowUpdate(this);
        }
        return b;
    }

    /** Copies up to {@code dst.writableBytes()} received bytes into {@code dst}. @return bytes copied */
    public int read(final ByteBuf dst) {
        final int n = rcvq.readInto(dst, dst.writableBytes());
        if (n > 0) {
            TcpInput.checkWindowUpdate(this);
        }
        return n;
    }

    // ================================================================== close

    /**
     * Half-close (shutdown(SHUT_WR)): a FIN follows the queued data (RFC 9293 §3.10.4 CLOSE in ESTABLISHED:
     * FIN-WAIT-1; in CLOSE-WAIT: LAST-ACK). The receive side stays open.
     *
     * @return {@link NetError#OK}, or {@link NetError#ENOTCONN}
     */
    public int shutdownOutput(final long nowNanos) {
        if (outputShutdown) {
            return NetError.OK;
        }
        switch (state) {
            case SYN_SENT:
                // Linux tcp_close_state: SYN-SENT -> CLOSE
                outputShutdown = true;
                toClosed(0);
                return NetError.OK;
            case SYN_RECEIVED:
                // RFC 9293 §3.10.4: "queue for processing after entering ESTABLISHED state"
                outputShutdown = true;
                queueFin();
                return NetError.OK;
            case ESTABLISHED:
                outputShutdown = true;
                queueFin();
                state = TcpState.FIN_WAIT_1;
                stack.markDirty(this);
                return NetError.OK;
            case CLOSE_WAIT:
                outputShutdown = true;
                queueFin();
                state = TcpState.LAST_ACK;
                stack.markDirty(this);
                return NetError.OK;
            case CLOSED:
            case LISTEN:
                return NetError.ENOTCONN;
            default:
                outputShutdown = true;
                return NetError.OK;
        }
    }

    private void queueFin() {
        finQueued = true;
        finSeq = sndBufSeq + sndq.size();
    }

    /**
     * Full close: the application is done with the socket (RFC 9293 §3.10.4). Unread data makes it an abort with
     * RST (RFC 2525 §2.17, Linux {@code tcp_close}); otherwise a FIN follows the queued data and the stack keeps the
     * connection through FIN-WAIT and TIME-WAIT on its own. Data arriving afterwards resets the connection. Idempotent.
     */
    public void close(final long nowNanos) {
        if (appClosed) {
            return;
        }
        appClosed = true;
        sendBlocked = false;
        if (!rcvq.isEmpty() && state.isSynchronized() && state != TcpState.TIME_WAIT) {
            rcvq.clear();
            stack.stats.inc(TcpCounter.ABORT_ON_DATA);
            abort(nowNanos);
            return;
        }
        rcvq.clear();
        switch (state) {
            case CLOSED:
                release();
                return;
            case SYN_SENT:
                toClosed(0);
                return;
            case SYN_RECEIVED:
            case ESTABLISHED:
            case CLOSE_WAIT:
                shutdownOutput(nowNanos);
                return;
            case FIN_WAIT_2:
                // Linux tcp_fin_timeout applies to orphaned FIN-WAIT-2 connections
                stateAt = Math.min(stateAt, nowNanos + stack.config.finWait2TimeoutNanos);
                stack.arm(this);
                return;
            default:
                return; // FIN-WAIT-1, CLOSING, LAST-ACK, TIME-WAIT: already closing
        }
    }

    /** ABORT (RFC 9293 §3.10.5): RST {@code <SEQ=SND.NXT><CTL=RST>} if synchronized, then CLOSED. Idempotent. */
    public void abort(final long nowNanos) {
        if (state == TcpState.CLOSED) {
            release();
            return;
        }
        if (state.isSynchronized() && state != TcpState.TIME_WAIT) {
            TcpOutput.sendRst(this, sndMax, nowNanos);
        }
        appClosed = true;
        rcvq.clear();
        toClosed(0);
    }

    // ================================================================== state changes used by the processing

    /** Moves to CLOSED: releases everything the connection holds except unread data the application may still
     * read, leaves the tables, and reports {@code err} (0: a normal end). */
    void toClosed(final int err) {
        final TcpState was = state;
        state = TcpState.CLOSED;
        if (err != 0) {
            error = err;
        }
        rtoAt = NONE;
        reoAt = NONE;
        tlpAt = NONE;
        persistAt = NONE;
        delAckAt = NONE;
        keepAliveAt = NONE;
        stateAt = NONE;
        rxtLog = null;
        sndq.clear();
        if (ooo != null) {
            stack.oooBytes -= ooo.bytes();
            ooo.clear();
            ooo = null;
        }
        sackBlk = null;
        sackBlkCount = 0;
        board = null;
        stack.flows.remove(this);
        unbind();
        stack.releaseTimer(this);
        if (listener != null) {
            listener.remove(this);
        }
        if (appClosed) {
            rcvq.clear();
        }
        if (was != TcpState.CLOSED) {
            raise(CLOSED | READABLE | WRITABLE | (err != 0 ? ERROR : 0));
        }
    }

    /** Drops what the application left (it closed the socket). */
    private void release() {
        rcvq.clear();
        sndq.clear();
    }

    /** Handshake done: the congestion state starts and the application hears about it. */
    void established(final long nowNanos) {
        state = TcpState.ESTABLISHED;
        cs.mss = sndMss;
        cc = ccFactory.create();
        cc.init(cs, nowNanos);
        cs.cwnd = Math.min(cs.cwnd, Math.max(2 * sndMss, cwndClamp())); // the interface's clamp caps IW too
        quickAcks = stack.config.quickAckSegments;
        lastRecvNanos = nowNanos;
        lastSendNanos = nowNanos;
        if (synRetransmitted && !rtt.hasSample) {
            rtt.rto = Math.max(rtt.rto, RTO_AFTER_SYN_TIMEOUT);
        }
        rtt.backoff = 0;
        retransmits = 0;
        // Linux tcp_init_buffer_space: the first per-RTT read target is min(window, IW * advmss)
        rcvSpace = Math.max(1, Math.min(rcvBufSize, INIT_RCV_SPACE_SEGMENTS * advMss));
        rcvSpaceSeq = copiedSeq();
        rcvSpaceTime = nowNanos;
        if (keepAlive) {
            keepAliveAt = nowNanos + keepAliveIdle;
        }
        if (finQueued) {
            state = TcpState.FIN_WAIT_1; // shutdown while in SYN-RECEIVED (RFC 9293 §3.10.4)
            stack.markDirty(this);
        }
    }

    /**
     * Sets {@link CongestionState#flightSize} for a loss response: RFC 5681's FlightSize (SND.MAX - SND.UNA), but at
     * most cwnd. With SACK the outstanding bytes can be several windows (sending continued past a stuck SND.UNA as
     * SACKs came back); halving those would raise the window on a loss. Linux takes cwnd itself
     * ({@code tcp_reno_ssthresh}, {@code cubictcp_recalc_ssthresh}); RFC 9438 §4.6 allows cwnd with RFC 7661's
     * precautions, which {@link TcpInput} applies.
     */
    void lossFlightSize() {
        cs.flightSize = Math.min(sndMax - sndUna, Math.max(cs.cwnd, sndMss));
    }

    /**
     * Send-buffer auto-tuning (Linux {@code tcp_new_space} / {@code tcp_should_expand_sndbuf} /
     * {@code tcp_sndbuf_expand}): when the application is waiting for send space while the flight does not fill cwnd
     * ("If we filled the congestion window, do not expand"), the buffer grows to twice the congestion window ("Cubic
     * needs 1.7 factor, rounded to 2 to include extra cushion"), at least twice IW, at most the stack's
     * {@link TcpConfig#maxSendBufferSize}. A fixed buffer caps the rate at buffer / RTT (256 KiB at 40 ms: 52
     * Mbit/s). Not when the application set SO_SNDBUF.
     */
    void expandSendBuffer() {
        if (sndBufLocked || cc == null) {
            return;
        }
        final int inFlight = sndMax - sndUna - (board == null ? 0 : board.sackedBytes());
        if (inFlight >= cs.cwnd) {
            return;
        }
        final long want = 2L * Math.max(cs.cwnd, cs.initialWindow());
        final int target = (int) Math.min(want, stack.config.maxSendBufferSize);
        if (target > sndBufSize) {
            sndBufSize = target;
            stack.stats.inc(TcpCounter.SNDBUF_AUTOTUNED);
        }
    }

    /** An ACK (with the current RCV.NXT and window) just left: nothing is owed any more. */
    void lastAckSentUpdate() {
        rcvWup = rcvNxt;
        ackNow = false;
        delAckAt = NONE;
    }

    void raise(final int ev) {
        signal(ev);
    }

    /** The effective send MSS (RFC 9293 §3.7.1): min(peer MSS, path MTU - headers) - TCP options (timestamps). */
    void updateSndMss() {
        int m = Math.min(peerMss, pathMtu - ipHeaderLen - 20);
        if (tsOk) {
            m -= 12;
        }
        sndMss = Math.max(TcpStack.MIN_MSS, m);
        cs.mss = sndMss;
    }

    /** Path MTU changed (ICMP fragmentation needed / packet too big): RFC 1191 §3 / RFC 8201. */
    void pathMtuChanged(final int mtu, final long nowNanos) {
        if (mtu <= 0 || mtu >= pathMtu) {
            return;
        }
        pathMtu = mtu;
        final int old = sndMss;
        updateSndMss();
        if (sndMss < old) {
            stack.stats.inc(TcpCounter.PMTU_UPDATES);
            // Linux tcp_simple_retransmit: resend what is outstanding in segments of the new size
            if (Seq.lt(sndUna, sndMax) && state.isSynchronized()) {
                rtTiming = false;
                if (sackOk && cc != null) {
                    // with SACK: everything unSACKed is lost, without a window reduction (Linux enters Loss)
                    lossMode = true;
                    inRecovery = false;
                    recover = sndMax;
                    highRxt = sndUna;
                    rxtLog = null;
                    tlpOut = false;
                    tlpAt = NONE;
                    reoAt = NONE;
                } else {
                    sndNxt = sndUna;
                }
                stack.markDirty(this);
            }
        }
    }

    /** The sequence number of the next byte the application will read (Linux copied_seq). */
    int copiedSeq() {
        return rcvNxt - rcvq.size() - (finReceived ? 1 : 0);
    }

    /** Current window: the space the receive side can still promise. */
    int freeReceiveSpace() {
        final long free = (long) rcvBufSize - rcvq.size() - (ooo == null ? 0 : ooo.bytes());
        return free <= 0 ? 0 : (int) free;
    }

    /**
     * The window to advertise now, in bytes (a multiple of 2^rcvScale), and the new right edge: free space, but the
     * right edge never moves back (RFC 9293 §3.8.6.2.2; RFC 7323 §2.4) and only moves forward in steps of at least
     * min(RCV.BUFF/2, MSS) (receiver silly window avoidance, RFC 9293 §3.8.6.2.2 / RFC 1122 §4.2.3.3).
     */
    int selectWindow() {
        int cur = rcvAdvEdge - rcvNxt;
        if (cur < 0) {
            cur = 0;
        }
        final int free = freeReceiveSpace();
        final int maxWin = maxWindow();
        int win = cur;
        if (free - cur >= Math.min(rcvBufSize / 2, Math.max(rcvMss, 1))) {
            win = free;
        }
        if (win > maxWin) {
            win = maxWin;
        }
        // round up to the scale granularity so the advertised edge never falls short of the promised one
        // (Linux __tcp_select_window ALIGN)
        final int unit = 1 << rcvScale;
        int field = (int) (((long) win + unit - 1) >>> rcvScale);
        if (field > 65535) {
            field = 65535;
        }
        win = field << rcvScale;
        if (Seq.gt(rcvNxt + win, rcvAdvEdge)) {
            rcvAdvEdge = rcvNxt + win;
        }
        return win;
    }

    /** The window advertised in a SYN or SYN-ACK: unscaled (RFC 7323 §2.2), at most 65535. */
    int synWindow() {
        return Math.min(rcvBufSize, Math.min(65535, windowClamp()));
    }

    /** The largest window this connection advertises: what the scale can express, and the route's clamp. */
    int maxWindow() {
        final int clamp = windowClamp();
        if (clamp == Integer.MAX_VALUE) {
            return wsOk ? 65535 << rcvScale : 65535;
        }
        // down to the scale's granularity, so selectWindow's rounding up cannot pass the clamp
        final int unit = wsOk ? 1 << rcvScale : 1;
        return Math.min(wsOk ? 65535 << rcvScale : 65535, Math.max(unit, clamp & -unit));
    }

    /**
     * The same clamp on what we send, in our send MSS (Linux {@code snd_cwnd_clamp}): cwnd never grows beyond it. Measured
     * stack to Linux through one vde_switch (the benchmarks' {@code ioth-linux}, three runs each): 198-220 MiB/s and no
     * loss with it, 150-192 MiB/s and ~8,000 segments out of order at the receiver without.
     */
    int cwndClamp() {
        final int w = windowClamp();
        return w == Integer.MAX_VALUE ? w : (int) ((long) w * Math.max(1, sndMss) / Math.max(1, advMss));
    }

    /**
     * The round trip up to which the interface's clamp holds as it is (a LAN's, and a local path's on a loaded host,
     * where scheduling delays inflate the handshake's RTT); beyond it the clamp grows in proportion.
     */
    static final long WINDOW_CLAMP_RTT_NANOS = 1_000_000L;

    /**
     * The interface's clamp on the window we advertise (Linux {@code window_clamp} from the route's {@code window}
     * metric): {@link #windowClampSegments} segments of our MSS (at least four) while the least RTT sample the
     * connection has seen (the handshake's, and every receive RTT sample's) is at most {@link #WINDOW_CLAMP_RTT_NANOS},
     * that many per ms beyond. The least, not the smoothed receive RTT: that measures a window's arrival, so it grows
     * with the window and a queue that builds would open the clamp that keeps it short; and a handshake made while the
     * JVM was cold must not keep the clamp open for the connection's life. The clamp protects a drop-tail queue in
     * front of us from a sender's bursts on a LAN; on a longer path it only caps the rate at that many frames per ms
     * (64: ~90 MB/s), not at a window per round trip. No clamp: MAX.
     */
    private int windowClamp() {
        final int n = windowClampSegments;
        if (n <= 0) {
            return Integer.MAX_VALUE;
        }
        long segments = Math.max(4, n);
        long base = rtt.hasSample ? rtt.minRtt : Long.MAX_VALUE;
        if (rcvRttMin > 0 && rcvRttMin < base) {
            base = rcvRttMin;
        }
        if (base != Long.MAX_VALUE && base > WINDOW_CLAMP_RTT_NANOS) {
            segments = segments * base / WINDOW_CLAMP_RTT_NANOS;
        }
        return (int) Math.min(Integer.MAX_VALUE / 2, segments * Math.max(1, advMss));
    }

    /** Current RFC 7323 timestamp clock: milliseconds plus the connection's offset (§5.4). */
    int tsNow(final long nowNanos) {
        return (int) (nowNanos / 1_000_000L) + tsOffset;
    }

    // ================================================================== TCP_INFO

    /** Fills {@code into} with the connection's state and counters (Linux TCP_INFO); returns it. */
    public TcpInfo info(final TcpInfo into, final long nowNanos) {
        into.state = state;
        into.timestamps = tsOk && state.isSynchronized();
        into.sack = sackOk && state.isSynchronized();
        into.windowScaling = wsOk && state.isSynchronized();
        into.sndWscale = sndScale;
        into.rcvWscale = rcvScale;
        into.rtoMicros = rtt.current(stack.config.rtoMaxNanos) / 1000;
        into.srttMicros = rtt.srtt / 1000;
        into.rttvarMicros = rtt.rttvar / 1000;
        into.minRttMicros = rtt.minRtt / 1000;
        into.sndMss = sndMss;
        into.rcvMss = rcvMss;
        into.pmtu = pathMtu;
        into.cwnd = cs.cwnd;
        into.ssthresh = cs.ssthresh;
        into.congestionControl = congestionControl();
        into.bytesInFlight = state.isSynchronized() ? sndMax - sndUna : 0;
        into.sendQueued = sndq.size();
        into.sendWindow = sndWnd;
        into.receiveWindow = Math.max(0, rcvAdvEdge - rcvNxt);
        into.receiveQueued = rcvq.size();
        into.outOfOrderBytes = ooo == null ? 0 : ooo.bytes();
        into.sendBufferSize = sndBufSize;
        into.receiveBufferSize = rcvBufSize;
        into.backoff = rtt.backoff;
        into.bytesSent = bytesSent;
        into.bytesRetrans = bytesRetrans;
        into.bytesAcked = bytesAcked;
        into.bytesReceived = bytesReceived;
        into.segsOut = segsOut;
        into.segsIn = segsIn;
        into.totalRetrans = totalRetrans;
        into.fastRetransmits = fastRetransmits;
        into.rtoTimeouts = rtoTimeouts;
        into.dupAcksReceived = dupAcksIn;
        into.sackedBytes = board == null ? 0 : board.sackedBytes();
        into.inRecovery = inRecovery;
        into.inLossRecovery = lossMode;
        into.sackRecoveries = sackRecoveries;
        into.rescueRetransmits = rescueRetransmits;
        into.lostRetransmits = lostRetransmits;
        into.tlpProbes = tlpProbes;
        into.spuriousUndos = spuriousUndos;
        into.reorderingSeen = reorderSeen;
        into.rcvRttMicros = rcvRtt / 1000;
        into.rcvSpace = rcvSpace;
        into.lastDataSentMicrosAgo = (nowNanos - lastSendNanos) / 1000;
        into.lastReceivedMicrosAgo = (nowNanos - lastRecvNanos) / 1000;
        return into;
    }

    @Override
    public String toString() {
        return "TCP " + localString() + " > " + IpAddr.format(remoteHi, remoteLo) + ":" + remotePort + " " + state
                + " snd.una=" + Seq.str(sndUna) + " snd.nxt=" + Seq.str(sndNxt) + " snd.wnd=" + sndWnd
                + " rcv.nxt=" + Seq.str(rcvNxt) + " rcv.wnd=" + (rcvAdvEdge - rcvNxt) + " " + cs;
    }
}
