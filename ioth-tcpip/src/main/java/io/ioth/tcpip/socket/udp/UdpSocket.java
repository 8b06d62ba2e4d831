package io.ioth.tcpip.socket.udp;

import io.ioth.tcpip.iface.Engine;
import io.ioth.tcpip.iface.IpAddr;
import io.ioth.tcpip.iface.IpRxInfo;
import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.iface.NetInterface;
import io.ioth.tcpip.iface.Route;
import io.ioth.tcpip.socket.StackSocket;
import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.stats.DropReason;
import io.ioth.tcpip.wire.Checksum;
import io.ioth.tcpip.wire.IpProtocol;
import io.ioth.tcpip.wire.UdpPacket;
import io.netty.buffer.ByteBuf;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * A UDP socket (RFC 768) of one stack, with BSD/Linux semantics: bind (port 0 = ephemeral, RFC 6056), connect
 * (fixes the peer and the source address; connected sockets hear ICMP port unreachable as ECONNREFUSED), send and
 * receive with addresses, SO_BROADCAST, SO_REUSEADDR, multicast join/leave (IGMPv2 via the stack), a receive queue
 * bounded in datagrams and bytes.
 *
 * <p><b>Addresses</b> are the engine's 128-bit {@code (hi, lo)} ({@link IpAddr}); IPv4 has {@code int} convenience
 * overloads and {@link InetSocketAddress} ones for the API edge. Binding {@code ::} accepts both families,
 * {@code 0.0.0.0} ({@code ::ffff:0.0.0.0}) IPv4 only; a socket bound to an address of one family cannot send to the
 * other ({@code EAFNOSUPPORT}). Over IPv6 the checksum is always computed (RFC 8200 §8.1: mandatory), and a
 * link-local peer is reached over {@link #bindToInterface the bound interface} (its scope), else the stack's only
 * IPv6 interface.
 *
 * <p><b>Results</b> are {@link NetError} codes: {@code >= 0} success (for sends, the payload bytes), negative errno
 * otherwise ({@code EADDRINUSE} -> BindException, {@code ECONNREFUSED} -> PortUnreachableException,
 * {@code ENETUNREACH} -> NoRouteToHostException...). Nothing throws for a network condition; misuse (bad port
 * number, null) throws {@link IllegalArgumentException}.
 *
 * <p><b>Buffers</b>: {@link #receive} returns a slice of the received frame (zero copy; the caller releases it).
 * {@link #sendTo(long, long, int, ByteBuf, long)} copies the payload once into a transmit buffer and does not take
 * the caller's buffer; for zero-copy sends, write into {@link #allocate} and use {@link #sendBuffer}.
 *
 * <p><b>Readiness</b> ({@link StackSocket}): READABLE on every datagram queued, ERROR when an error is pending.
 * UDP is always writable.
 *
 * <p>Not thread-safe: owner thread only.
 */
public final class UdpSocket extends StackSocket {
    /** The largest UDP payload over IPv4: 65535 - 20 - 8. */
    public static final int MAX_PAYLOAD_V4 = 65507;
    /** The largest UDP payload over IPv6 without jumbograms: 65535 - 8 (the Payload Length holds the UDP header). */
    public static final int MAX_PAYLOAD_V6 = 65527;

    private final UdpLayer layer;
    private final Engine engine;
    private final Route route = new Route();

    // binding (read by UdpLayer)
    long localHi;
    long localLo;
    int localPort;
    boolean bound;
    long remoteHi;
    long remoteLo;
    int remotePort;
    boolean connected;
    NetInterface boundIf;
    UdpSocket nextOnPort;
    boolean reuseAddress;

    // options
    private boolean broadcast;
    private int ttl = -1;
    private int multicastTtl = 1;
    private boolean multicastLoop = true;
    private NetInterface multicastIf;
    private int tos;
    private int pmtuMode = Engine.PMTUDISC_WANT;
    private int maxDatagrams;
    private int maxBytes;

    // receive queue: a ring of slices and their metadata, grown on demand up to maxDatagrams
    private ByteBuf[] q = new ByteBuf[8];
    private long[] qSrcHi = new long[8];
    private long[] qSrcLo = new long[8];
    private long[] qDstHi = new long[8];
    private long[] qDstLo = new long[8];
    private int[] qPorts = new int[8];
    private int[] qMeta = new int[8];
    /** Payload offset in q[i], or -1 when q[i] is already exactly the payload (a slice). */
    private int[] qOff = new int[8];
    private int[] qLen = new int[8];
    private int qHead;
    private int qCount;
    private int qBytes;
    private long drops;

    // memberships, for leaving them on close
    private long[] groupHi = new long[0];
    private long[] groupLo = new long[0];
    private NetInterface[] groupIf = new NetInterface[0];
    private int groupCount;

    private int error;
    private boolean closed;
    private Receiver receiver;

    UdpSocket(final UdpLayer layer) {
        super(layer.readyList);
        this.layer = layer;
        this.engine = layer.engine;
        this.maxDatagrams = engine.config().udpQueueDatagrams();
        this.maxBytes = engine.config().udpQueueBytes();
    }

    // ================================================================ bind / connect

    /**
     * Binds the local address and port. The address must be a wildcard, one of the stack's addresses, or a
     * multicast group (to receive only that group); port 0 picks an ephemeral port (RFC 6056).
     *
     * @return {@code OK}, {@code EINVAL} (already bound / closed), {@code EADDRNOTAVAIL}, {@code EADDRINUSE}
     */
    public int bind(final long hi, final long lo, final int port) {
        UdpLayer.checkPort(port);
        if (closed) {
            return NetError.EBADF;
        }
        if (bound) {
            return NetError.EINVAL;
        }
        if (!IpAddr.isWildcard(hi, lo) && !engine.isLocalAddress(hi, lo) && !IpAddr.isMulticast(hi, lo)
                && !engine.isBroadcastAddress(hi, lo)) {
            return NetError.EADDRNOTAVAIL; // Linux inet_bind: "Cannot assign requested address"
        }
        int p = port;
        if (p == 0) {
            p = layer.ephemeralPort(this, hi, lo);
            if (p == 0) {
                return NetError.EADDRINUSE;
            }
        } else if (layer.inUse(this, hi, lo, p)) {
            return NetError.EADDRINUSE;
        }
        localHi = hi;
        localLo = lo;
        localPort = p;
        bound = true;
        layer.link(this);
        return NetError.OK;
    }

    /** Binds an IPv4 address ({@code 0} = 0.0.0.0). */
    public int bind(final int addr, final int port) {
        return bind(0L, IpAddr.v4(addr), port);
    }

    /** Binds an {@link InetSocketAddress}; a null or wildcard address binds {@code ::} (both families). */
    public int bind(final InetSocketAddress a) {
        if (a == null || a.getAddress() == null || a.getAddress().isAnyLocalAddress()) {
            final boolean v4 = a != null && a.getAddress() instanceof java.net.Inet4Address;
            return bind(0L, v4 ? IpAddr.V4_ANY_LO : 0L, a == null ? 0 : a.getPort());
        }
        final InetAddress ia = a.getAddress();
        return bind(IpAddr.hiOf(ia), IpAddr.loOf(ia), a.getPort());
    }

    /**
     * Connects: fixes the peer (only its datagrams are received; {@link #send} goes there) and, if the socket is
     * bound to a wildcard, the source address the route selects (Linux ip4_datagram_connect). Binds an ephemeral
     * port first if unbound.
     *
     * @return {@code OK}, {@code ENETUNREACH}, {@code EACCES} (broadcast without SO_BROADCAST), ...
     */
    public int connect(final long hi, final long lo, final int port, final long now) {
        UdpLayer.checkPort(port);
        if (closed) {
            return NetError.EBADF;
        }
        if (port == 0) {
            return NetError.EINVAL;
        }
        if (!bound) {
            final int r = bind(0L, IpAddr.isV4(hi, lo) ? IpAddr.V4_ANY_LO : 0L, 0);
            if (r != NetError.OK) {
                return r;
            }
        }
        final int r = routeTo(hi, lo, now);
        if (r != NetError.OK) {
            return r;
        }
        if (route.isBroadcast() && !broadcast) {
            return NetError.EACCES;
        }
        if (IpAddr.isWildcard(localHi, localLo)) {
            localHi = route.srcHi;
            localLo = route.srcLo;
        }
        remoteHi = hi;
        remoteLo = lo;
        remotePort = port;
        connected = true;
        error = 0;
        return NetError.OK;
    }

    public int connect(final int addr, final int port, final long now) {
        return connect(0L, IpAddr.v4(addr), port, now);
    }

    public int connect(final InetSocketAddress a, final long now) {
        final InetAddress ia = a.getAddress();
        if (ia == null) {
            return NetError.EINVAL; // unresolved
        }
        return connect(IpAddr.hiOf(ia), IpAddr.loOf(ia), a.getPort(), now);
    }

    /** Forgets the peer (connect with AF_UNSPEC). The bound address stays. */
    public void disconnect() {
        connected = false;
        remoteHi = 0;
        remoteLo = 0;
        remotePort = 0;
    }

    // ================================================================ send

    /**
     * Sends a copy of {@code data}'s readable bytes to {@code (hi, lo, port)}. The caller keeps {@code data}.
     *
     * @return the bytes sent, or a negative {@link NetError}
     */
    public int sendTo(final long hi, final long lo, final int port, final ByteBuf data, final long now) {
        final int len = data.readableBytes();
        final int pre = checkSend(hi, lo, port, len, now);
        if (pre != NetError.OK) {
            return pre;
        }
        final ByteBuf b = engine.allocTx(UdpPacket.HEADER_LEN + len);
        b.writerIndex(b.readerIndex() + UdpPacket.HEADER_LEN);
        b.writeBytes(data, data.readerIndex(), len);
        return emit(b, hi, lo, port, len, now);
    }

    public int sendTo(final int addr, final int port, final ByteBuf data, final long now) {
        return sendTo(0L, IpAddr.v4(addr), port, data, now);
    }

    public int sendTo(final InetSocketAddress a, final ByteBuf data, final long now) {
        final InetAddress ia = a.getAddress();
        if (ia == null) {
            return NetError.EINVAL;
        }
        return sendTo(IpAddr.hiOf(ia), IpAddr.loOf(ia), a.getPort(), data, now);
    }

    /** Sends a copy of {@code data} to the connected peer. @return bytes sent or {@code EDESTADDRREQ}... */
    public int send(final ByteBuf data, final long now) {
        if (!connected) {
            return closed ? NetError.EBADF : NetError.EDESTADDRREQ;
        }
        return sendTo(remoteHi, remoteLo, remotePort, data, now);
    }

    /**
     * A buffer to write a payload of up to {@code payloadLen} bytes into, with room in front for the UDP, IP and
     * Ethernet headers: write from its writer index, then pass it to {@link #sendBuffer}.
     */
    public ByteBuf allocate(final int payloadLen) {
        final ByteBuf b = engine.allocTx(UdpPacket.HEADER_LEN + payloadLen);
        b.setIndex(b.readerIndex() + UdpPacket.HEADER_LEN, b.readerIndex() + UdpPacket.HEADER_LEN);
        return b;
    }

    /**
     * Sends {@code payload}'s readable bytes without copying them when it has headroom (a buffer from
     * {@link #allocate}); takes ownership of {@code payload} in every case.
     */
    public int sendBuffer(final long hi, final long lo, final int port, final ByteBuf payload, final long now) {
        final int len = payload.readableBytes();
        final int pre = checkSend(hi, lo, port, len, now);
        if (pre != NetError.OK) {
            payload.release();
            return pre;
        }
        ByteBuf b = payload;
        if (b.readerIndex() < UdpPacket.HEADER_LEN + 40 + Engine.LINK_HEADROOM || !Engine.exclusive(b)) {
            b = engine.allocTx(UdpPacket.HEADER_LEN + len);
            b.writerIndex(b.readerIndex() + UdpPacket.HEADER_LEN);
            b.writeBytes(payload, payload.readerIndex(), len);
            payload.release();
        } else {
            b.readerIndex(b.readerIndex() - UdpPacket.HEADER_LEN);
        }
        return emit(b, hi, lo, port, len, now);
    }

    /** Validates, autobinds and routes; leaves the route in {@link #route}. */
    private int checkSend(final long hi, final long lo, final int port, final int len, final long now) {
        UdpLayer.checkPort(port);
        if (closed) {
            return NetError.EBADF;
        }
        if (error != 0 && connected) {
            // Linux sock_error: a pending error is reported by the next call, once
            return takeError();
        }
        if (port == 0) {
            return NetError.EINVAL;
        }
        if (len > (IpAddr.isV4(hi, lo) ? MAX_PAYLOAD_V4 : MAX_PAYLOAD_V6)) {
            return NetError.EMSGSIZE;
        }
        if (!bound) {
            final int r = bind(0L, IpAddr.isV4(hi, lo) ? IpAddr.V4_ANY_LO : 0L, 0);
            if (r != NetError.OK) {
                return r;
            }
        }
        final int r = routeTo(hi, lo, now);
        if (r != NetError.OK) {
            return r;
        }
        if (route.isBroadcast() && !broadcast) {
            // Linux udp_sendmsg: broadcast needs SO_BROADCAST (EACCES)
            return NetError.EACCES;
        }
        return NetError.OK;
    }

    private int routeTo(final long hi, final long lo, final long now) {
        if (!IpAddr.isAny(localHi, localLo) && IpAddr.isV4(localHi, localLo) != IpAddr.isV4(hi, lo)) {
            // an AF_INET socket (0.0.0.0 or an IPv4 address) cannot reach IPv6, nor one bound to an IPv6 address
            // reach IPv4 (Linux: EAFNOSUPPORT / ENETUNREACH)
            return NetError.EAFNOSUPPORT;
        }
        final boolean mcast = IpAddr.isMulticast(hi, lo);
        final NetInterface oif = mcast && multicastIf != null ? multicastIf : boundIf;
        final long srcHi = IpAddr.isMulticast(localHi, localLo) ? 0L : localHi;
        final long srcLo = IpAddr.isMulticast(localHi, localLo) ? 0L : localLo;
        return engine.route(hi, lo, srcHi, srcLo, oif, route, now);
    }

    /** {@code b}: reader index at the (unwritten) UDP header, payload after it. */
    private int emit(final ByteBuf b, final long hi, final long lo, final int port, final int len, final long now) {
        final int at = b.readerIndex();
        final int pseudo = route.family == IpAddr.FAMILY_V4
                ? Checksum.pseudoHeaderV4(IpAddr.v4Of(route.srcLo), IpAddr.v4Of(lo), IpProtocol.UDP,
                        UdpPacket.HEADER_LEN + len)
                : Checksum.pseudoHeaderV6(route.srcHi, route.srcLo, hi, lo, IpProtocol.UDP, UdpPacket.HEADER_LEN + len);
        layer.outRepr.set(localPort, port, len).emit(layer.out.wrap(b, at, UdpPacket.HEADER_LEN + len), pseudo);
        final int t = route.isMulticast() ? multicastTtl : ttl >= 0 ? ttl : engine.defaultTtl();
        final int flags = pmtuMode | (multicastLoop ? 0 : Engine.NO_MULTICAST_LOOP);
        layer.stats.inc(Counter.UDP_OUT_DATAGRAMS);
        final int r = engine.output(route, b, IpProtocol.UDP, t, tos, flags, now);
        return r < 0 ? r : len;
    }

    // ================================================================ receive

    /**
     * Queues a datagram. {@code shared}: the same buffer goes to several sockets (broadcast, multicast), so each
     * gets its own slice; otherwise the socket keeps a reference to the received buffer itself and moves its
     * indices to the payload on {@link #receive} (no derived buffer: nothing is allocated per datagram, not even
     * in Netty's recyclers).
     */
    void enqueue(final IpRxInfo ip, final int sport, final int dport, final ByteBuf seg, final int off,
                 final int len, final boolean shared) {
        if (closed) {
            return;
        }
        if (qCount >= maxDatagrams || qBytes + len > maxBytes) {
            drops++;
            layer.stats.drop(DropReason.UDP_RCVBUF_FULL);
            return;
        }
        if (qCount == q.length) {
            grow();
        }
        int i = qHead + qCount;
        if (i >= q.length) {
            i -= q.length;
        }
        q[i] = shared ? seg.retainedSlice(off, len) : seg.retain();
        qOff[i] = shared ? -1 : off;
        qSrcHi[i] = ip.srcHi;
        qSrcLo[i] = ip.srcLo;
        qDstHi[i] = ip.dstHi;
        qDstLo[i] = ip.dstLo;
        qPorts[i] = sport << 16 | dport;
        qLen[i] = len;
        qMeta[i] = ip.iface.index() << 16 | ip.ttl << 8 | (ip.flags & IpRxInfo.BROADCAST) | (ip.flags & IpRxInfo.MULTICAST);
        qCount++;
        qBytes += len;
        if (receiver != null) {
            receiver.datagramQueued(this); // an in-stack protocol (DHCP): read at once, no ready-list round trip
            return;
        }
        signal(READABLE);
    }

    /**
     * An in-stack consumer of a socket (a DHCP client): told on the owner thread, from inside the stack's poll, each
     * time a datagram has been queued; it reads it with {@link #receive} right away. Such a socket never goes on the
     * ready list (the owner's loop would not know what to do with it).
     */
    @FunctionalInterface
    public interface Receiver {
        void datagramQueued(UdpSocket socket);
    }

    /** Installs (or with null removes) the in-stack {@link Receiver} of this socket. */
    public void setReceiver(final Receiver r) {
        receiver = r;
    }

    /**
     * The next datagram's payload (the caller owns it and must release it), or null if the queue is empty. Fills
     * {@code info} (may be null) with its addresses. The payload is the received frame's memory (zero copy), which
     * another receiver of the same frame may share: treat it as read-only (the vde-channel FrameHandler contract).
     */
    public ByteBuf receive(final DatagramInfo info) {
        if (qCount == 0) {
            return null;
        }
        final int i = qHead;
        final ByteBuf b = q[i];
        q[i] = null;
        if (qOff[i] >= 0) {
            b.setIndex(qOff[i], qOff[i] + qLen[i]);
        }
        if (info != null) {
            info.srcHi = qSrcHi[i];
            info.srcLo = qSrcLo[i];
            info.srcPort = qPorts[i] >>> 16;
            info.dstHi = qDstHi[i];
            info.dstLo = qDstLo[i];
            info.dstPort = qPorts[i] & 0xffff;
            info.ifIndex = qMeta[i] >>> 16;
            info.ttl = (qMeta[i] >>> 8) & 0xff;
            info.tos = 0;
            info.flags = ((qMeta[i] & IpRxInfo.BROADCAST) != 0 ? DatagramInfo.BROADCAST : 0)
                    | ((qMeta[i] & IpRxInfo.MULTICAST) != 0 ? DatagramInfo.MULTICAST : 0);
        }
        qHead = qHead + 1 == q.length ? 0 : qHead + 1;
        qCount--;
        qBytes -= qLen[i];
        return b;
    }

    /** Datagrams waiting. */
    public int pendingDatagrams() {
        return qCount;
    }

    /** Payload bytes waiting. */
    public int pendingBytes() {
        return qBytes;
    }

    /** Length of the next datagram's payload, or -1 if none (FIONREAD for datagrams). */
    public int nextDatagramLength() {
        return qCount == 0 ? -1 : qLen[qHead];
    }

    /** Datagrams dropped because the queue was full. */
    public long drops() {
        return drops;
    }

    public boolean isReadable() {
        return qCount > 0 || error != 0;
    }

    /** UDP never blocks a send (a full link drops and counts): writable while open. */
    public boolean isWritable() {
        return !closed;
    }

    private void grow() {
        final int n = Math.min(Math.max(q.length * 2, 8), Math.max(maxDatagrams, 8));
        final int cap = Math.max(n, qCount + 1);
        final ByteBuf[] nq = new ByteBuf[cap];
        final long[] a = new long[cap];
        final long[] b = new long[cap];
        final long[] c = new long[cap];
        final long[] d = new long[cap];
        final int[] e = new int[cap];
        final int[] f = new int[cap];
        final int[] g = new int[cap];
        final int[] h = new int[cap];
        for (int k = 0; k < qCount; k++) {
            int i = qHead + k;
            if (i >= q.length) {
                i -= q.length;
            }
            nq[k] = q[i];
            a[k] = qSrcHi[i];
            b[k] = qSrcLo[i];
            c[k] = qDstHi[i];
            d[k] = qDstLo[i];
            e[k] = qPorts[i];
            f[k] = qMeta[i];
            g[k] = qOff[i];
            h[k] = qLen[i];
        }
        q = nq;
        qSrcHi = a;
        qSrcLo = b;
        qDstHi = c;
        qDstLo = d;
        qPorts = e;
        qMeta = f;
        qOff = g;
        qLen = h;
        qHead = 0;
    }

    /** Whether a group-addressed datagram is for this socket: bound to a wildcard or to that group. */
    boolean acceptsGroup(final IpRxInfo ip) {
        return IpAddr.isWildcard(localHi, localLo) || (localHi == ip.dstHi && localLo == ip.dstLo)
                || ((ip.flags & IpRxInfo.BROADCAST) != 0 && engine.isBroadcastAddress(localHi, localLo));
    }

    // ================================================================ errors

    void setError(final int errno) {
        error = errno;
        signal(ERROR | READABLE);
    }

    /** The pending error (e.g. {@code ECONNREFUSED} after an ICMP port unreachable), cleared; 0 if none. */
    public int takeError() {
        final int e = error;
        error = 0;
        return e;
    }

    public int pendingError() {
        return error;
    }

    // ================================================================ multicast

    /**
     * Joins a multicast group (IP_ADD_MEMBERSHIP): the stack reports it with IGMPv2 and starts accepting the
     * group's frames.
     *
     * @param ifc the interface, or null for the one the group routes to
     */
    public int joinGroup(final long hi, final long lo, final NetInterface ifc, final long now) {
        if (closed) {
            return NetError.EBADF;
        }
        if (!IpAddr.isMulticast(hi, lo)) {
            return NetError.EINVAL;
        }
        for (int i = 0; i < groupCount; i++) {
            if (groupHi[i] == hi && groupLo[i] == lo && (ifc == null || groupIf[i] == ifc)) {
                return NetError.EADDRINUSE; // Linux: joining twice on the same interface
            }
        }
        final int r = engine.joinGroup(ifc, hi, lo, now);
        if (r != NetError.OK) {
            return r;
        }
        if (groupCount == groupHi.length) {
            final int n = Math.max(4, groupCount * 2);
            groupHi = Arrays.copyOf(groupHi, n);
            groupLo = Arrays.copyOf(groupLo, n);
            groupIf = Arrays.copyOf(groupIf, n);
        }
        groupHi[groupCount] = hi;
        groupLo[groupCount] = lo;
        groupIf[groupCount] = ifc;
        groupCount++;
        return NetError.OK;
    }

    public int joinGroup(final int group, final NetInterface ifc, final long now) {
        return joinGroup(0L, IpAddr.v4(group), ifc, now);
    }

    /** Leaves a group joined on this socket (IP_DROP_MEMBERSHIP). @return {@code EADDRNOTAVAIL} if not joined */
    public int leaveGroup(final long hi, final long lo, final NetInterface ifc, final long now) {
        for (int i = 0; i < groupCount; i++) {
            if (groupHi[i] == hi && groupLo[i] == lo && (ifc == null || groupIf[i] == ifc)) {
                final NetInterface dev = groupIf[i];
                System.arraycopy(groupHi, i + 1, groupHi, i, groupCount - i - 1);
                System.arraycopy(groupLo, i + 1, groupLo, i, groupCount - i - 1);
                System.arraycopy(groupIf, i + 1, groupIf, i, groupCount - i - 1);
                groupCount--;
                groupIf[groupCount] = null;
                return engine.leaveGroup(dev, hi, lo, now);
            }
        }
        return NetError.EADDRNOTAVAIL;
    }

    public int leaveGroup(final int group, final NetInterface ifc, final long now) {
        return leaveGroup(0L, IpAddr.v4(group), ifc, now);
    }

    // ================================================================ options

    /** SO_BROADCAST: allow sending to broadcast addresses (RFC 1122 §3.3.6 leaves it to the application). */
    public void setBroadcast(final boolean v) {
        broadcast = v;
    }

    public boolean isBroadcast() {
        return broadcast;
    }

    /** SO_REUSEADDR: share the port with other sockets that set it too. Set before bind. */
    public void setReuseAddress(final boolean v) {
        reuseAddress = v;
    }

    public boolean isReuseAddress() {
        return reuseAddress;
    }

    /** IP_TTL for unicast and broadcast; -1 = the stack default. */
    public void setTtl(final int v) {
        if (v < -1 || v == 0 || v > 255) {
            throw new IllegalArgumentException("TTL must be 1..255 or -1: " + v);
        }
        ttl = v;
    }

    public int ttl() {
        return ttl >= 0 ? ttl : engine.defaultTtl();
    }

    /** IP_MULTICAST_TTL (RFC 1112 §6.1: default 1). */
    public void setMulticastTtl(final int v) {
        if (v < 0 || v > 255) {
            throw new IllegalArgumentException("TTL must be 0..255: " + v);
        }
        multicastTtl = v;
    }

    public int multicastTtl() {
        return multicastTtl;
    }

    /** IP_MULTICAST_LOOP (RFC 1112 §6.1: default on). */
    public void setMulticastLoop(final boolean v) {
        multicastLoop = v;
    }

    public boolean isMulticastLoop() {
        return multicastLoop;
    }

    /** IP_MULTICAST_IF: the interface multicast is sent on (null = by route). */
    public void setMulticastInterface(final NetInterface ifc) {
        multicastIf = ifc;
    }

    public NetInterface multicastInterface() {
        return multicastIf;
    }

    /** SO_BINDTODEVICE: send and receive only on this interface (null = any). */
    public void bindToInterface(final NetInterface ifc) {
        boundIf = ifc;
    }

    public NetInterface boundInterface() {
        return boundIf;
    }

    /** IP_TOS. */
    public void setTos(final int v) {
        tos = v & 0xff;
    }

    public int tos() {
        return tos;
    }

    /** IP_MTU_DISCOVER: {@link Engine#PMTUDISC_DONT}, {@link Engine#PMTUDISC_WANT} (default),
     * {@link Engine#PMTUDISC_DO}. */
    public void setPmtuDiscovery(final int mode) {
        if (mode < Engine.PMTUDISC_DONT || mode > Engine.PMTUDISC_DO) {
            throw new IllegalArgumentException("bad PMTU discovery mode " + mode);
        }
        pmtuMode = mode;
    }

    /** SO_RCVBUF-like limits of the receive queue. */
    public void setReceiveQueueLimits(final int datagrams, final int bytes) {
        if (datagrams < 1 || bytes < 1) {
            throw new IllegalArgumentException("limits must be > 0");
        }
        maxDatagrams = datagrams;
        maxBytes = bytes;
    }

    public int receiveQueueDatagramLimit() {
        return maxDatagrams;
    }

    public int receiveQueueByteLimit() {
        return maxBytes;
    }

    // ================================================================ state

    public boolean isBound() {
        return bound;
    }

    public boolean isConnected() {
        return connected;
    }

    public boolean isClosed() {
        return closed;
    }

    public long localAddressHi() {
        return localHi;
    }

    public long localAddressLo() {
        return localLo;
    }

    public int localPort() {
        return localPort;
    }

    public long remoteAddressHi() {
        return remoteHi;
    }

    public long remoteAddressLo() {
        return remoteLo;
    }

    public int remotePort() {
        return remotePort;
    }

    /** The bound address (allocates; API edge). Null if unbound. */
    public InetSocketAddress localSocketAddress() {
        return bound ? new InetSocketAddress(IpAddr.toInetAddress(localHi, localLo), localPort) : null;
    }

    /** The connected peer (allocates; API edge). Null if not connected. */
    public InetSocketAddress remoteSocketAddress() {
        return connected ? new InetSocketAddress(IpAddr.toInetAddress(remoteHi, remoteLo), remotePort) : null;
    }

    /** Closes: leaves its groups, unbinds, releases queued datagrams. Idempotent. */
    public void close() {
        close(engine.lastNow());
    }

    public void close(final long now) {
        if (closed) {
            return;
        }
        while (groupCount > 0) {
            leaveGroup(groupHi[groupCount - 1], groupLo[groupCount - 1], groupIf[groupCount - 1], now);
        }
        closed = true;
        if (bound) {
            layer.unlink(this);
        }
        connected = false;
        while (qCount > 0) {
            receive(null).release();
        }
    }

    /** The stack is shutting down. */
    void closeByStack() {
        close();
        signal(CLOSED);
    }

    @Override
    public String toString() {
        return "UDP " + (bound ? IpAddr.format(localHi, localLo) + ":" + localPort : "unbound")
                + (connected ? " -> " + IpAddr.format(remoteHi, remoteLo) + ":" + remotePort : "")
                + (closed ? " closed" : "") + " queued " + qCount + "/" + qBytes + "B";
    }
}
