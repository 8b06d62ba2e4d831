package io.ioth.tcpip.socket.udp;

import io.ioth.tcpip.iface.Engine;
import io.ioth.tcpip.iface.IcmpErrorInfo;
import io.ioth.tcpip.iface.IpAddr;
import io.ioth.tcpip.iface.IpProtocolHandler;
import io.ioth.tcpip.iface.IpRxInfo;
import io.ioth.tcpip.socket.ReadyList;
import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.stats.DropReason;
import io.ioth.tcpip.stats.StackStats;
import io.ioth.tcpip.wire.ChecksumPolicy;
import io.ioth.tcpip.wire.IpProtocol;
import io.ioth.tcpip.wire.UdpPacket;
import io.ioth.tcpip.wire.UdpRepr;
import io.ioth.tcpip.wire.WireError;
import io.netty.buffer.ByteBuf;

/**
 * UDP (RFC 768, RFC 1122 §4.1) for one stack: the port table, demultiplexing, and the factory of
 * {@link UdpSocket}s. Registered with the engine for protocol 17.
 *
 * <p><b>Demultiplexing</b> follows Linux's scoring ({@code udp4_lib_lookup2}): among the sockets bound to the
 * destination port, a socket bound to the exact destination address beats a wildcard one, a connected socket must
 * match the source and beats an unconnected one, a socket bound to an interface must match it. Unicast goes to the
 * best socket; broadcast and multicast go to every matching socket (Linux {@code __udp4_lib_mcast_deliver}).
 * A unicast datagram nobody wants is answered with ICMP port unreachable (RFC 1122 §4.1.3.1), rate limited.
 *
 * <p><b>Port table</b>: a two-level array (256 pages of 256 chains, pages allocated on first use): O(1), no hashing,
 * no boxing, ~1 KiB until ports are used.
 *
 * <p>Not thread-safe: owner thread only.
 */
public final class UdpLayer implements IpProtocolHandler {
    final Engine engine;
    final ReadyList readyList;
    final StackStats stats;
    private final UdpSocket[][] pages = new UdpSocket[256][];
    private final UdpPacket in = new UdpPacket();
    private final UdpRepr inRepr = new UdpRepr();
    final UdpPacket out = new UdpPacket();
    final UdpRepr outRepr = new UdpRepr();
    private int socketCount;

    public UdpLayer(final Engine engine, final ReadyList readyList) {
        this.engine = engine;
        this.readyList = readyList;
        this.stats = engine.stats();
        engine.registerProtocol(IpProtocol.UDP, this);
    }

    /** A new, unbound socket. */
    public UdpSocket open() {
        return new UdpSocket(this);
    }

    public Engine engine() {
        return engine;
    }

    /** Sockets currently bound. */
    public int boundSockets() {
        return socketCount;
    }

    // ---------------------------------------------------------------- port table

    UdpSocket chain(final int port) {
        final UdpSocket[] page = pages[port >>> 8];
        return page == null ? null : page[port & 0xff];
    }

    /** Adds at the head: the most recent bind wins ties (Linux puts new sockets first). */
    void link(final UdpSocket s) {
        final int port = s.localPort;
        UdpSocket[] page = pages[port >>> 8];
        if (page == null) {
            page = pages[port >>> 8] = new UdpSocket[256];
        }
        s.nextOnPort = page[port & 0xff];
        page[port & 0xff] = s;
        socketCount++;
    }

    void unlink(final UdpSocket s) {
        final UdpSocket[] page = pages[s.localPort >>> 8];
        if (page == null) {
            return;
        }
        UdpSocket prev = null;
        for (UdpSocket c = page[s.localPort & 0xff]; c != null; prev = c, c = c.nextOnPort) {
            if (c == s) {
                if (prev == null) {
                    page[s.localPort & 0xff] = c.nextOnPort;
                } else {
                    prev.nextOnPort = c.nextOnPort;
                }
                s.nextOnPort = null;
                socketCount--;
                return;
            }
        }
    }

    /**
     * Whether {@code s} may bind {@code (hi, lo, port)}: Linux {@code udp_lib_lport_inuse}: another socket on the
     * port whose address overlaps (equal, or either is a wildcard covering the other) conflicts unless both set
     * SO_REUSEADDR, or they are bound to different interfaces.
     */
    boolean inUse(final UdpSocket s, final long hi, final long lo, final int port) {
        for (UdpSocket c = chain(port); c != null; c = c.nextOnPort) {
            if (c == s) {
                continue;
            }
            if (s.reuseAddress && c.reuseAddress) {
                continue;
            }
            if (s.boundIf != null && c.boundIf != null && s.boundIf != c.boundIf) {
                continue;
            }
            if (IpAddr.overlaps(hi, lo, c.localHi, c.localLo)) {
                return true;
            }
        }
        return false;
    }

    /**
     * RFC 6056 §3.3.1 Algorithm 1 ("Simple Port Randomization"), as Linux's UDP: start at a random port of the
     * ephemeral range and take the first one free for this address.
     *
     * @return the port, or 0 if the range is exhausted
     */
    int ephemeralPort(final UdpSocket s, final long hi, final long lo) {
        final int min = engine.config().ephemeralLow();
        final int max = engine.config().ephemeralHigh();
        final int num = max - min + 1;
        int next = min + engine.random().nextInt(num);
        for (int count = num; count > 0; count--) {
            if (!inUse(s, hi, lo, next)) {
                return next;
            }
            next = next == max ? min : next + 1;
        }
        return 0;
    }

    // ---------------------------------------------------------------- input

    @Override
    public void receive(final IpRxInfo ip, final ByteBuf segment, final long now) {
        final UdpPacket p = in.wrap(segment, segment.readerIndex(), segment.readableBytes());
        WireError e = p.checkLen();
        if (e.ok()) {
            // RFC 1122 §4.1.3.4: the checksum, over the pseudo-header with the UDP length, "MUST" be verified
            e = inRepr.parse(p, ip.pseudoHeaderSum(p.udpLength()), ip.family == IpAddr.FAMILY_V6,
                    ChecksumPolicy.VERIFY);
        }
        if (!e.ok()) {
            stats.drop(e == WireError.BAD_CHECKSUM ? DropReason.UDP_BAD_CHECKSUM
                    : e == WireError.BAD_LENGTH ? DropReason.UDP_BAD_LENGTH : DropReason.UDP_TRUNCATED);
            return;
        }
        stats.inc(Counter.UDP_IN_DATAGRAMS);
        final int dport = inRepr.dstPort;
        final int sport = inRepr.srcPort;
        final int payOff = p.payloadOffset();
        final int payLen = inRepr.payloadLen;
        if (ip.isGroupAddressed()) {
            boolean any = false;
            for (UdpSocket s = chain(dport); s != null; s = s.nextOnPort) {
                if (score(s, ip, sport) >= 0 && s.acceptsGroup(ip)) {
                    s.enqueue(ip, sport, dport, segment, payOff, payLen, true);
                    any = true;
                }
            }
            if (!any) {
                stats.drop(DropReason.UDP_NO_PORT);
            }
            return;
        }
        UdpSocket best = null;
        int bestScore = -1;
        for (UdpSocket s = chain(dport); s != null; s = s.nextOnPort) {
            final int sc = score(s, ip, sport);
            if (sc > bestScore) {
                best = s;
                bestScore = sc;
            }
        }
        if (best == null) {
            // RFC 1122 §4.1.3.1: "If a datagram arrives addressed to a UDP port for which there is no pending LISTEN
            // call, UDP SHOULD send an ICMP Port Unreachable message."
            stats.drop(DropReason.UDP_NO_PORT);
            engine.sendPortUnreachable(ip, now);
            return;
        }
        best.enqueue(ip, sport, dport, segment, payOff, payLen, false);
    }

    /** -1: no match; else higher is more specific. */
    private static int score(final UdpSocket s, final IpRxInfo ip, final int sport) {
        int sc = 0;
        if (s.localHi == ip.dstHi && s.localLo == ip.dstLo) {
            sc += 4;
        } else if (!IpAddr.covers(s.localHi, s.localLo, ip.dstHi, ip.dstLo)) {
            return -1;
        }
        if (s.connected) {
            if (s.remotePort != sport || s.remoteHi != ip.srcHi || s.remoteLo != ip.srcLo) {
                return -1;
            }
            sc += 4;
        }
        if (s.boundIf != null) {
            if (s.boundIf != ip.iface && !ip.iface.isLoopback()) {
                return -1;
            }
            sc += 2;
        }
        return sc;
    }

    @Override
    public void icmpError(final IcmpErrorInfo err, final long now) {
        if (err.transportLength < 4) {
            return;
        }
        final int sport = err.origSrcPort();
        final int dport = err.origDstPort();
        for (UdpSocket s = chain(sport); s != null; s = s.nextOnPort) {
            // Linux __udp4_lib_err: the socket that sent it; without IP_RECVERR only connected sockets hear about
            // "hard" errors (port/protocol unreachable), as ECONNREFUSED & co.
            if (s.connected && s.remotePort == dport && s.remoteHi == err.origDstHi && s.remoteLo == err.origDstLo
                    && IpAddr.covers(s.localHi, s.localLo, err.origSrcHi, err.origSrcLo)) {
                if (err.isHard()) {
                    s.setError(err.errno());
                }
                return;
            }
        }
    }

    @Override
    public void close() {
        for (UdpSocket[] page : pages) {
            if (page == null) {
                continue;
            }
            for (int i = 0; i < page.length; i++) {
                while (page[i] != null) {
                    page[i].closeByStack();
                }
            }
        }
    }

    static int checkPort(final int port) {
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        return port;
    }
}
