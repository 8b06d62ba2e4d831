package io.ioth.tcpip.dhcp;

import io.ioth.tcpip.iface.Engine;
import io.ioth.tcpip.iface.IpAddr;
import io.ioth.tcpip.iface.NeighborCache;
import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.iface.NetInterface;
import io.ioth.tcpip.iface.StackTimers;
import io.ioth.tcpip.storage.TimerWheel;
import io.ioth.tcpip.socket.icmp.PingReply;
import io.ioth.tcpip.socket.icmp.PingSocket;
import io.ioth.tcpip.socket.udp.DatagramInfo;
import io.ioth.tcpip.socket.udp.UdpLayer;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.MacAddr;
import io.ioth.tcpip.wire.WireError;
import io.netty.buffer.ByteBuf;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A DHCPv4 server (RFC 2131 §4.3) on one interface of a stack: a pool, static reservations, one lease time and the
 * options of {@link Dhcp4ServerConfig}. It answers DHCPDISCOVER (an offer, held {@code offerHold}), DHCPREQUEST in
 * each of its forms (SELECTING with our server identifier, INIT-REBOOT, RENEWING/REBINDING by 'ciaddr'),
 * DHCPDECLINE (the address is set aside), DHCPRELEASE and DHCPINFORM.
 *
 * <p>Leases live in memory on the event loop (no timers: expiry is checked when an address is looked at). Clients
 * are told apart by their client identifier (option 61) when they send one, else by 'chaddr' (RFC 2131 §4.2).
 *
 * <p>Replies go where RFC 2131 §4.1 says: to 'giaddr' (a relay) port 67; a DHCPNAK broadcast; to 'ciaddr' when it
 * is set; broadcast when the client set the BROADCAST bit; otherwise unicast to 'yiaddr' and 'chaddr', after
 * planting the client's MAC in the ARP cache as dnsmasq does (the client cannot answer ARP yet).
 *
 * <p>ARP-aware ({@link Dhcp4ServerConfig.Builder#arpAware}): a pool address the interface's ARP cache shows at
 * another MAC is not offered. Before an address is first offered to a client it is probed with an ICMP echo request
 * (RFC 2131 §3.1 step 2, §4.4.1; {@link Dhcp4ServerConfig.Builder#probe}): the address is held for the client and the
 * offer deferred on a timer; an answer sets the address aside as declined ones are (another host uses it) and the
 * next free address is probed. A probe that found nothing stays valid for a minute. Clients check again with ARP and
 * DECLINE (RFC 5227).
 *
 * <p>Not thread-safe: owner thread only.
 */
public final class Dhcp4Server implements AutoCloseable {
    private static final long SEC = 1_000_000_000L;

    public enum Counter {
        DISCOVERS, REQUESTS, DECLINES, RELEASES, INFORMS,
        OFFERS_SENT, ACKS_SENT, NAKS_SENT,
        /** Truncated, bad cookie, options overrunning their area, not Ethernet. */
        DROP_MALFORMED,
        /** op is not BOOTREQUEST. */
        DROP_NOT_REQUEST,
        DROP_NO_MESSAGE_TYPE,
        /** A DHCPREQUEST (SELECTING) or DHCPDECLINE for another server. */
        DROP_OTHER_SERVER,
        /** A request the server has no record of and is not authoritative for, or an unknown message type. */
        IGNORED,
        /** The pool is exhausted. */
        NO_ADDRESS,
        /** ICMP echo requests sent to probe an address before offering it, and those answered (address in use). */
        PROBES_SENT, PROBE_CONFLICTS,
        /** Offers made without a probe because {@value #MAX_PROBES} probes were already waiting. */
        PROBES_SKIPPED,
        SEND_FAILED
    }

    /** A lease or an offer, for diagnostics. */
    public record Lease(int address, long mac, String clientKey, String hostName, long expiresAtNanos,
                        boolean bound) {
        @Override
        public String toString() {
            return Ipv4Addr.format(address) + " " + MacAddr.format(mac) + (hostName != null ? " " + hostName : "")
                    + (bound ? " bound" : " offered") + " until " + expiresAtNanos;
        }
    }

    /** Probes waiting at once, at most (each holds a copy of a DHCPDISCOVER). */
    static final int MAX_PROBES = 32;
    /** How long a probe that found nothing vouches for its address. */
    private static final long PROBE_VALID_NANOS = 60 * SEC;

    private static final class Binding {
        final String key;
        long mac;
        int addr;
        long expiresAt;
        boolean bound;
        String hostName;
        /** The address is being probed for this client: the offer waits for {@link Probe}. */
        Probe probe;

        Binding(final String key) {
            this.key = key;
        }
    }

    /** An ICMP echo probe of an address and the client's latest DHCPDISCOVER, answered when it ends. */
    private static final class Probe {
        final Binding binding;
        final int addr;
        final int seq;
        final long deadline;
        ByteBuf discover;

        Probe(final Binding binding, final int addr, final int seq, final long deadline, final ByteBuf discover) {
            this.binding = binding;
            this.addr = addr;
            this.seq = seq;
            this.deadline = deadline;
            this.discover = discover;
        }
    }

    private final Engine engine;
    private final NetInterface ifc;
    private final Dhcp4ServerConfig cfg;
    private final Dhcp4Io io;
    private final Dhcp4Repr rx = new Dhcp4Repr();
    private final Dhcp4Repr tx = new Dhcp4Repr();
    private final Dhcp4Packet inPkt = new Dhcp4Packet();
    private final long[] counters = new long[Counter.values().length];
    private final Map<String, Binding> byClient = new HashMap<>();
    private final Map<Integer, Binding> byAddr = new HashMap<>();
    private final Map<Integer, Long> declined = new HashMap<>();
    /** Probes in flight, oldest first (deadlines in that order: one probe wait for all). */
    private final ArrayDeque<Probe> probes = new ArrayDeque<>();
    /** Addresses a probe found unused, until when that holds. */
    private final Map<Integer, Long> probedFree = new HashMap<>();
    private final PingSocket pinger;
    private final StackTimers.Client timerClient = this::onProbeTimer;
    private final int timerId;
    private long timer = TimerWheel.NULL_TIMER;
    private int probeSeq;
    private final PingReply reply = new PingReply();
    /** The DHCPDISCOVER being handled (its bytes are copied only if a probe defers the answer). */
    private ByteBuf current;
    private boolean closed;

    /**
     * Starts serving on {@code ifc} (binds UDP port 67 there).
     *
     * @throws IllegalArgumentException if the pool is not inside the server's subnet
     */
    public Dhcp4Server(final UdpLayer udp, final NetInterface ifc, final Dhcp4ServerConfig config) {
        this(udp, null, ifc, config);
    }

    /**
     * Starts serving on {@code ifc}, probing addresses with {@code pinger} before offering them (null, or a probe wait
     * of 0 in the config: no probes). The server owns the ping socket and closes it.
     *
     * @throws IllegalArgumentException if the pool is not inside the server's subnet
     */
    public Dhcp4Server(final UdpLayer udp, final PingSocket pinger, final NetInterface ifc,
                       final Dhcp4ServerConfig config) {
        this.engine = udp.engine();
        this.ifc = Objects.requireNonNull(ifc, "ifc");
        this.cfg = Objects.requireNonNull(config, "config");
        final int server = serverAddress();
        if (server != 0) {
            final int len = prefixLength(server);
            if (!Ipv4Addr.inPrefix(config.poolStart, server, len) || !Ipv4Addr.inPrefix(config.poolEnd, server, len)) {
                throw new IllegalArgumentException("pool " + Ipv4Addr.format(config.poolStart) + "-"
                        + Ipv4Addr.format(config.poolEnd) + " is not in " + Ipv4Addr.format(server) + "/" + len);
            }
        }
        this.io = new Dhcp4Io(udp, ifc, Dhcp4Io.SERVER_PORT, this::onMessage);
        this.pinger = config.probeNanos > 0 ? pinger : null;
        if (this.pinger == null && pinger != null) {
            pinger.close();
        }
        this.timerId = this.pinger == null ? -1 : engine.timers().register(timerClient);
    }

    public long counter(final Counter c) {
        return counters[c.ordinal()];
    }

    /** The leases and offers still valid at {@code nowNanos}. */
    public List<Lease> leases(final long nowNanos) {
        final List<Lease> l = new ArrayList<>();
        for (Binding b : byAddr.values()) {
            if (b.expiresAt - nowNanos > 0) {
                l.add(new Lease(b.addr, b.mac, b.key, b.hostName, b.expiresAt, b.bound));
            }
        }
        l.sort((a, b) -> Integer.compareUnsigned(a.address(), b.address()));
        return l;
    }

    /** Stops serving (the leases are forgotten). Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            io.close();
            for (Probe p; (p = probes.pollFirst()) != null; ) {
                p.discover.release();
            }
            if (pinger != null) {
                engine.timers().cancel(timer);
                engine.timers().unregister(timerId);
                pinger.close();
            }
        }
    }

    private int serverAddress() {
        return cfg.serverAddress != 0 ? cfg.serverAddress : ifc.primaryIpv4();
    }

    private int prefixLength(final int server) {
        if (cfg.prefixLength >= 0) {
            return cfg.prefixLength;
        }
        final int l = ifc.ipv4PrefixLength(server);
        return l >= 0 ? l : 24;
    }

    // ================================================================ input

    private void onMessage(final ByteBuf b, final DatagramInfo info, final long now) {
        current = b;
        try {
            handle(b, now);
        } finally {
            current = null;
        }
    }

    private void handle(final ByteBuf b, final long now) {
        final Dhcp4Packet p = inPkt.wrap(b, b.readerIndex(), b.readableBytes());
        if (!p.checkLen().ok()) {
            counters[Counter.DROP_MALFORMED.ordinal()]++;
            return;
        }
        if (p.op() != Dhcp4Packet.OP_BOOTREQUEST) {
            counters[Counter.DROP_NOT_REQUEST.ordinal()]++;
            return;
        }
        final WireError e = rx.parse(p);
        if (!e.ok()) {
            counters[Counter.DROP_MALFORMED.ordinal()]++;
            return;
        }
        final int server = serverAddress();
        if (server == 0) {
            counters[Counter.IGNORED.ordinal()]++; // no address to serve from yet
            return;
        }
        switch (rx.messageType) {
            case Dhcp4Repr.DISCOVER:
                counters[Counter.DISCOVERS.ordinal()]++;
                onDiscover(server, now);
                break;
            case Dhcp4Repr.REQUEST:
                counters[Counter.REQUESTS.ordinal()]++;
                onRequest(server, now);
                break;
            case Dhcp4Repr.DECLINE:
                counters[Counter.DECLINES.ordinal()]++;
                onDecline(server, now);
                break;
            case Dhcp4Repr.RELEASE:
                counters[Counter.RELEASES.ordinal()]++;
                onRelease(server, now);
                break;
            case Dhcp4Repr.INFORM:
                counters[Counter.INFORMS.ordinal()]++;
                onInform(server, now);
                break;
            case 0:
                counters[Counter.DROP_NO_MESSAGE_TYPE.ordinal()]++;
                break;
            default:
                counters[Counter.IGNORED.ordinal()]++;
                break;
        }
    }

    /** RFC 2131 §4.2: "the combination of 'client identifier' or 'chaddr' and assigned network address constitute
     * a unique identifier for the client's lease". */
    private String clientKey() {
        return rx.clientId != null ? "id:" + HexFormat.of().formatHex(rx.clientId) : "mac:" + MacAddr.format(rx.chaddr);
    }

    private String hostName() {
        return rx.fqdn != null ? rx.fqdn : rx.hostName;
    }

    /** §4.3.1: choose an address: the client's current binding, a reservation, the requested address, then the
     * first free address of the pool. */
    private void onDiscover(final int server, final long now) {
        final String key = clientKey();
        final int len = prefixLength(server);
        int addr = 0;
        final Binding cur = byClient.get(key);
        if (cur != null && cur.probe != null) {
            // a retransmission while its address is probed: answered when the probe ends, with this message's xid
            cur.probe.discover.release();
            cur.probe.discover = copyOfCurrent();
            return;
        }
        if (cur != null && isFree(cur.addr, key, rx.chaddr, now)) {
            addr = cur.addr;
        }
        if (addr == 0) {
            final Integer r = cfg.reservations.get(rx.chaddr);
            if (r != null && isFree(r, key, rx.chaddr, now)) {
                addr = r;
            }
        }
        if (addr == 0 && rx.requestedIp != 0 && inPool(rx.requestedIp) && isFree(rx.requestedIp, key, rx.chaddr, now)) {
            addr = rx.requestedIp;
        }
        if (addr == 0) {
            for (long a = cfg.poolStart & 0xffff_ffffL; a <= (cfg.poolEnd & 0xffff_ffffL); a++) {
                if (Dhcp4Client.isUsableHost((int) a, len) && isFree((int) a, key, rx.chaddr, now)) {
                    addr = (int) a;
                    break;
                }
            }
        }
        if (addr == 0) {
            counters[Counter.NO_ADDRESS.ordinal()]++;
            return;
        }
        if (pinger != null && (cur == null || cur.addr != addr) && !probedFree(addr, now)) {
            if (probes.size() < MAX_PROBES) {
                probe(key, addr, now);
                return;
            }
            counters[Counter.PROBES_SKIPPED.ordinal()]++;
        }
        final Binding b = bind(key, addr, now + cfg.offerHoldNanos, false);
        reply(Dhcp4Repr.OFFER, server, b.addr, true, now);
    }

    private boolean probedFree(final int addr, final long now) {
        final Long until = probedFree.get(addr);
        if (until == null) {
            return false;
        }
        if (until - now > 0) {
            return true;
        }
        probedFree.remove(addr);
        return false;
    }

    /** Holds {@code addr} for the client, sends the echo request, and defers the offer to {@link #onProbeTimer}. */
    private void probe(final String key, final int addr, final long now) {
        final Binding b = bind(key, addr, now + cfg.probeNanos + cfg.offerHoldNanos, false);
        final int seq = ++probeSeq & 0xffff;
        final Probe p = new Probe(b, addr, seq, now + cfg.probeNanos, copyOfCurrent());
        b.probe = p;
        probes.addLast(p);
        pinger.send(addr, seq, 0, now); // no route or no ARP answer: no reply, which is the answer wanted
        counters[Counter.PROBES_SENT.ordinal()]++;
        if (probes.size() == 1) {
            timer = engine.timers().schedule(timerId, p.deadline, 0);
        }
    }

    private boolean probing(final int seq, final int addr) {
        for (Probe p : probes) {
            if (p.seq == seq && p.addr == addr) {
                return true;
            }
        }
        return false;
    }

    private ByteBuf copyOfCurrent() {
        return current.alloc().heapBuffer(current.readableBytes()).writeBytes(current, current.readerIndex(),
                current.readableBytes());
    }

    /**
     * The probe wait of the oldest probes is over: an echo reply from a probed address means another host has it (set
     * aside like a declined address, RFC 2131 §4.3.3); the other probed addresses are free. Each deferred
     * DHCPDISCOVER is then handled again: an offer, or the probe of the next address.
     */
    private void onProbeTimer(final long value, final long now) {
        timer = TimerWheel.NULL_TIMER;
        if (closed) {
            return;
        }
        while (pinger.receive(reply)) {
            // only an answer to a probe still waiting counts (a late one may come from the client itself, once bound)
            if (reply.isReply() && IpAddr.isV4(reply.fromHi, reply.fromLo) && probing(reply.seq, (int) reply.fromLo)) {
                final int from = (int) reply.fromLo;
                declined.put(from, now + cfg.declineHoldNanos);
                probedFree.remove(from);
                counters[Counter.PROBE_CONFLICTS.ordinal()]++;
            }
        }
        Probe p;
        while ((p = probes.peekFirst()) != null && p.deadline - now <= 0) {
            probes.pollFirst();
            p.binding.probe = null;
            if (!declined.containsKey(p.addr)) {
                probedFree.put(p.addr, now + PROBE_VALID_NANOS);
            }
            // nobody answered ARP for it: the echo request still queued on the entry would leave when the offer plants
            // the client's MAC there; the probe is over, so the unresolved entry goes with its queue
            final NeighborCache nc = ifc.neighbors();
            final long lo = p.addr & 0xffff_ffffL;
            if (nc.lladdr(NeighborCache.FAMILY_IPV4, 0L, lo) == NeighborCache.NO_MAC
                    && nc.queued(NeighborCache.FAMILY_IPV4, 0L, lo) > 0) {
                nc.remove(NeighborCache.FAMILY_IPV4, 0L, lo);
            }
            final ByteBuf d = p.discover;
            try {
                onMessage(d, null, now);
            } finally {
                d.release();
            }
        }
        if (!probes.isEmpty()) {
            timer = engine.timers().schedule(timerId, probes.peekFirst().deadline, 0);
        }
    }

    private void onRequest(final int server, final long now) {
        final String key = clientKey();
        final int len = prefixLength(server);
        if (rx.serverId != 0) {
            // SELECTING (§4.3.2): "If the DHCPREQUEST message contains a 'server identifier' option, the message
            // is in response to a DHCPOFFER message. Otherwise, the message is a request to verify or extend an
            // existing lease."
            if (rx.serverId != server) {
                counters[Counter.DROP_OTHER_SERVER.ordinal()]++;
                final Binding b = byClient.get(key);
                if (b != null && !b.bound) {
                    forget(b); // the client chose another server: our offer is free again
                }
                return;
            }
            final int want = rx.requestedIp != 0 ? rx.requestedIp : rx.ciaddr;
            final Binding b = byClient.get(key);
            if (b != null && b.addr == want && isFree(want, key, rx.chaddr, now)) {
                ack(server, bind(key, want, leaseEnd(now), true), now);
            } else {
                nak(server, "offer expired or not ours", now);
            }
            return;
        }
        if (rx.ciaddr == 0 && rx.requestedIp != 0) {
            // INIT-REBOOT (§4.3.2): "Server SHOULD send a DHCPNAK message to the client if the 'requested IP
            // address' is incorrect, or is on the wrong network."
            final int want = rx.requestedIp;
            if (!Ipv4Addr.inPrefix(want, server, len)) {
                nak(server, "wrong network", now);
                return;
            }
            if (isAssignable(want, key, now)) {
                ack(server, bind(key, want, leaseEnd(now), true), now);
            } else if (cfg.authoritative) {
                nak(server, "address not available", now);
            } else {
                counters[Counter.IGNORED.ordinal()]++; // "If the DHCP server has no record of this client, then it
                                                       // MUST remain silent"
            }
            return;
        }
        if (rx.ciaddr != 0) {
            // RENEWING / REBINDING (§4.3.2): extend the lease of 'ciaddr'
            final int have = rx.ciaddr;
            if (Ipv4Addr.inPrefix(have, server, len) && isAssignable(have, key, now)) {
                ack(server, bind(key, have, leaseEnd(now), true), now);
            } else if (cfg.authoritative) {
                nak(server, "lease not found", now);
            } else {
                counters[Counter.IGNORED.ordinal()]++;
            }
            return;
        }
        counters[Counter.IGNORED.ordinal()]++;
    }

    /** §4.3.3: "the server MUST mark the network address as not available". */
    private void onDecline(final int server, final long now) {
        if (rx.serverId != 0 && rx.serverId != server) {
            counters[Counter.DROP_OTHER_SERVER.ordinal()]++;
            return;
        }
        final Binding b = byClient.get(clientKey());
        if (b != null && b.addr == rx.requestedIp) {
            forget(b);
        }
        if (rx.requestedIp != 0) {
            declined.put(rx.requestedIp, now + cfg.declineHoldNanos);
        }
    }

    /** §4.3.4: "Upon receipt of a DHCPRELEASE message, the server marks the network address as not allocated." */
    private void onRelease(final int server, final long now) {
        final Binding b = byClient.get(clientKey());
        if (b != null && b.addr == rx.ciaddr) {
            forget(b);
            // the host gave the address up: its ARP entry must not make the ARP-aware check refuse the address
            ifc.neighbors().remove(NeighborCache.FAMILY_IPV4, 0L, rx.ciaddr & 0xffff_ffffL);
        }
    }

    /** §4.3.5: "The server responds to a DHCPINFORM message by sending a DHCPACK message directly to the address
     * given in the 'ciaddr' field ... The server MUST NOT send a lease expiration time to the client and SHOULD
     * NOT fill in 'yiaddr'." */
    private void onInform(final int server, final long now) {
        if (rx.ciaddr == 0) {
            counters[Counter.IGNORED.ordinal()]++;
            return;
        }
        reply(Dhcp4Repr.ACK, server, 0, false, now);
    }

    // ================================================================ the lease table

    private boolean inPool(final int a) {
        return Integer.compareUnsigned(a, cfg.poolStart) >= 0 && Integer.compareUnsigned(a, cfg.poolEnd) <= 0;
    }

    /** In the pool (or reserved for this MAC) and free for this client. */
    private boolean isAssignable(final int a, final String key, final long now) {
        final Integer r = cfg.reservations.get(rx.chaddr);
        final boolean mine = r != null && r == a;
        final Binding b = byAddr.get(a);
        final boolean recorded = b != null && b.key.equals(key);
        return (inPool(a) || mine || recorded) && isFree(a, key, rx.chaddr, now);
    }

    private boolean isFree(final int a, final String key, final long mac, final long now) {
        if (engine.isLocalAddress(0L, IpAddr.v4(a))) {
            return false; // never our own address
        }
        final Binding b = byAddr.get(a);
        if (b != null && !b.key.equals(key) && b.expiresAt - now > 0) {
            return false;
        }
        final Long until = declined.get(a);
        if (until != null) {
            if (until - now > 0) {
                return false;
            }
            declined.remove(a);
        }
        for (Map.Entry<Long, Integer> e : cfg.reservations.entrySet()) {
            if (e.getValue() == a && e.getKey() != mac) {
                return false; // reserved for someone else
            }
        }
        if (cfg.arpAware) {
            final long seen = ifc.neighbors().lladdr(NeighborCache.FAMILY_IPV4, 0L, a & 0xffff_ffffL);
            if (seen != NeighborCache.NO_MAC && seen != mac) {
                return false; // in use by another host, as far as our ARP cache knows
            }
        }
        return true;
    }

    private Binding bind(final String key, final int addr, final long until, final boolean bound) {
        Binding b = byClient.get(key);
        if (b == null) {
            b = new Binding(key);
            byClient.put(key, b);
        } else if (b.addr != addr) {
            byAddr.remove(b.addr, b);
        }
        final Binding other = byAddr.get(addr);
        if (other != null && other != b) {
            forget(other); // expired binding of another client
        }
        b.addr = addr;
        b.mac = rx.chaddr;
        b.expiresAt = until;
        b.bound = bound;
        final String h = hostName();
        if (h != null) {
            b.hostName = h;
        }
        byAddr.put(addr, b);
        return b;
    }

    private void forget(final Binding b) {
        byClient.remove(b.key, b);
        byAddr.remove(b.addr, b);
    }

    private long leaseEnd(final long now) {
        return cfg.leaseSeconds == Dhcp4Repr.INFINITE ? Long.MAX_VALUE : now + cfg.leaseSeconds * SEC;
    }

    // ================================================================ output

    private void ack(final int server, final Binding b, final long now) {
        reply(Dhcp4Repr.ACK, server, b.addr, true, now);
    }

    private void nak(final int server, final String why, final long now) {
        tx.clear();
        header(Dhcp4Repr.NAK, server, 0);
        tx.message = why; // RFC 2132 §9.9 "Message"
        // §4.1: "In all cases, when 'giaddr' is zero, the server broadcasts any DHCPNAK messages to 0xffffffff."
        send(server, rx.giaddr != 0 ? rx.giaddr : Ipv4Addr.BROADCAST, rx.giaddr != 0, Counter.NAKS_SENT, now);
    }

    private void header(final int type, final int server, final int yiaddr) {
        tx.op = Dhcp4Packet.OP_BOOTREPLY;
        tx.htype = rx.htype;
        tx.hlen = rx.hlen;
        tx.xid = rx.xid;
        tx.flags = rx.flags;
        tx.giaddr = rx.giaddr;
        tx.chaddr = rx.chaddr;
        tx.yiaddr = yiaddr;
        tx.messageType = type;
        tx.serverId = server;
        tx.clientId = rx.clientId; // RFC 6842 §3: "the server MUST return the 'client identifier' option"
    }

    /** An OFFER or ACK (with the lease when {@code withLease}) and the configured options. */
    private void reply(final int type, final int server, final int yiaddr, final boolean withLease, final long now) {
        tx.clear();
        header(type, server, yiaddr);
        tx.ciaddr = type == Dhcp4Repr.ACK ? rx.ciaddr : 0; // RFC 2131 table 3: "'ciaddr' from DHCPREQUEST or 0"
        if (withLease) {
            tx.leaseTime = cfg.leaseSeconds;
            tx.renewalTime = cfg.renewalSeconds;
            tx.rebindingTime = cfg.rebindingSeconds;
        }
        final int len = prefixLength(server);
        tx.prefixLength = len;
        System.arraycopy(cfg.routers, 0, tx.routers, 0, cfg.routers.length);
        tx.routerCount = cfg.routers.length;
        System.arraycopy(cfg.dns, 0, tx.dns, 0, cfg.dns.length);
        tx.dnsCount = cfg.dns.length;
        tx.domainName = cfg.domain;
        tx.searchDomains = cfg.searchDomains;
        tx.mtu = cfg.mtu;
        tx.broadcast = server | ~Ipv4Addr.mask(len);
        final int dst;
        boolean toServerPort = false;
        if (rx.giaddr != 0) {
            dst = rx.giaddr; // §4.1: "the server sends any return messages to the 'DHCP server' port on the BOOTP
            toServerPort = true; //   relay agent whose address appears in 'giaddr'"
        } else if (rx.ciaddr != 0) {
            dst = rx.ciaddr; // "to the address in 'ciaddr'"
        } else if ((rx.flags & Dhcp4Packet.FLAG_BROADCAST) != 0 || yiaddr == 0) {
            dst = Ipv4Addr.BROADCAST; // "If the broadcast bit is set ... broadcasts DHCPOFFER and DHCPACK"
        } else {
            // "the server unicasts DHCPOFFER and DHCPACK messages to the client's hardware address and 'yiaddr'":
            // the client cannot answer ARP for an address it does not have, so its MAC goes in the cache first
            ifc.neighbors().onLinkLayerAddress(NeighborCache.FAMILY_IPV4, 0L, yiaddr & 0xffff_ffffL, rx.chaddr, true,
                    now);
            dst = yiaddr;
        }
        send(server, dst, toServerPort, type == Dhcp4Repr.OFFER ? Counter.OFFERS_SENT : Counter.ACKS_SENT, now);
    }

    private void send(final int server, final int dst, final boolean toServerPort, final Counter c, final long now) {
        final int r = io.send(tx, server, dst, Dhcp4Io.SERVER_PORT,
                toServerPort ? Dhcp4Io.SERVER_PORT : Dhcp4Io.CLIENT_PORT, now);
        counters[(r == NetError.OK ? c : Counter.SEND_FAILED).ordinal()]++;
    }

    @Override
    public String toString() {
        return "DHCPv4 server " + ifc.name() + " pool " + Ipv4Addr.format(cfg.poolStart) + "-"
                + Ipv4Addr.format(cfg.poolEnd) + " leases " + byAddr.size();
    }
}
