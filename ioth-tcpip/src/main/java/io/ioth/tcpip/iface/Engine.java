package io.ioth.tcpip.iface;

import io.ioth.tcpip.frag.FragmentIds;
import io.ioth.tcpip.frag.Fragmenter;
import io.ioth.tcpip.frag.Reassembler;
import io.ioth.tcpip.link.FrameLink;
import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.stats.DropReason;
import io.ioth.tcpip.stats.StackStats;
import io.ioth.tcpip.storage.TimerWheel;
import io.ioth.tcpip.wire.EtherType;
import io.ioth.tcpip.wire.EthernetFrame;
import io.ioth.tcpip.wire.EthernetRepr;
import io.ioth.tcpip.wire.Icmpv4Packet;
import io.ioth.tcpip.wire.Icmpv6Packet;
import io.ioth.tcpip.wire.IpProtocol;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.Ipv6Addr;
import io.ioth.tcpip.wire.MacAddr;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The engine of one stack: its interfaces and their links, the Ethernet dispatch, ARP, IPv4 (in, out, forwarding,
 * fragmentation), ICMPv4, IGMPv2, IPv6 (in, out, forwarding, fragmentation), ICMPv6, NDP with DAD, MLDv2, the
 * routing table, the timers, and the registry of upper-layer protocols. The
 * public façade is {@code io.ioth.tcpip.Stack}; protocol implementations (UDP here, TCP next) use the methods marked
 * <em>protocol SPI</em>.
 *
 * <h2>Driving it (smoltcp's poll model)</h2>
 * <pre>{@code
 * engine.poll(now);                 // = pollIngress(now) + pollTimers(now) + pollEgress(now)
 * long next = engine.nextDeadline(); // absolute; <= now means "poll again at once"
 * }</pre>
 * Every call does a bounded amount of work: at most {@link StackConfig#ingressBatch()} frames per link and
 * {@link StackConfig#timerBatch()} timers. The engine never reads a clock: {@code now} is an argument everywhere,
 * from one monotonic source (nanoseconds).
 *
 * <h2>Buffers</h2>
 * Received frames are owned by the engine while it processes them and released afterwards; layers that keep bytes
 * retain them. Transmit buffers come from {@link #allocTx}: the reader index sits {@link #HEADROOM} bytes in, so the
 * IP and Ethernet headers are prepended in place (Linux {@code skb_reserve}, lwIP {@code PBUF_TRANSPORT}) and the
 * payload is never copied on the way down.
 *
 * <p><b>Threading:</b> not thread-safe. An engine belongs to one owner thread (a Netty event loop); every method
 * must be called on it. Only {@link #stats()} may be read from any thread.
 */
public final class Engine implements AutoCloseable {
    /** Link-layer bytes reserved in front of every IP packet: Ethernet + one 802.1Q tag. */
    public static final int LINK_HEADROOM = 18;
    /** Bytes reserved before the transport header by {@link #allocTx}: link + up to 62 bytes of IP header (IPv4
     * with options, IPv6 with a fragment and a hop-by-hop header). */
    public static final int HEADROOM = 80;

    /** {@link #output} flags: never set DF (fragment locally if needed). Linux IP_PMTUDISC_DONT. */
    public static final int PMTUDISC_DONT = 0;
    /** Set DF when the datagram fits the path MTU, fragment otherwise. Linux IP_PMTUDISC_WANT (its default). */
    public static final int PMTUDISC_WANT = 1;
    /** Always set DF; larger than the path MTU fails with EMSGSIZE. Linux IP_PMTUDISC_DO (TCP). */
    public static final int PMTUDISC_DO = 2;
    /** {@link #output} flag: do not loop multicast back to the stack's own members (IP_MULTICAST_LOOP=0). */
    public static final int NO_MULTICAST_LOOP = 4;
    static final int PMTUDISC_MASK = 3;

    final StackConfig config;
    final RandomGenerator random;
    final StackStats stats = new StackStats();
    final StackTimers timers;
    final ByteBufAllocator alloc;
    final RouteTable routes;
    final PathMtuCache pmtu;
    final TokenBucket icmpBucket;
    final FragmentIds fragIds;
    final Fragmenter fragmenter;
    final Reassembler reassembler;
    final ArpLayer arp;
    final Ipv4Layer ipv4;
    final Icmpv4Layer icmp4;
    final IgmpLayer igmp;
    final Ipv6Layer ipv6;
    final Icmpv6Layer icmp6;
    final NdpLayer ndp;
    final MldLayer mld;
    final Dad dad;

    /** Indexed by protocol number, only as long as the highest one registered (17 for UDP): not 256 slots. */
    private IpProtocolHandler[] protocols = new IpProtocolHandler[0];
    private IpProtocolHandler[] handlers = new IpProtocolHandler[0];
    IcmpEchoHandler echoHandler;

    private NetInterface[] ifaces = new NetInterface[4];
    private int ifaceCount;
    final NetInterface lo;
    private final LoopbackLink loLink;
    /** Every IPv4 address of every interface (127.0.0.1 included), for the "is it ours" check. */
    private int[] local4 = new int[4];
    private int local4Count;

    boolean forwarding;
    private long routeGeneration;
    private long lastNow;
    private boolean closed;

    // per-stack scratch (single-threaded; each has one user so nested calls cannot clobber each other)
    final IpRxInfo rx = new IpRxInfo();
    final IcmpErrorInfo icmpError = new IcmpErrorInfo();
    private final EthernetFrame ethIn = new EthernetFrame();
    private final EthernetFrame ethOut = new EthernetFrame();
    private final EthernetRepr ethOutRepr = new EthernetRepr();

    /**
     * @param config   settings
     * @param nowNanos the current time (origin of the timer wheels)
     */
    public Engine(final StackConfig config, final long nowNanos) {
        this.config = Objects.requireNonNull(config, "config");
        this.random = config.random();
        this.alloc = config.allocator;
        this.lastNow = nowNanos;
        this.timers = new StackTimers(nowNanos);
        this.routes = new RouteTable(this);
        this.pmtu = new PathMtuCache(config.pmtuEntries, config.pmtuExpiryNanos);
        this.icmpBucket = new TokenBucket(config.icmpRatePerSecond, config.icmpBurst);
        this.fragIds = new FragmentIds(random);
        this.fragmenter = new Fragmenter(alloc, LINK_HEADROOM, fragIds);
        this.forwarding = config.forwarding;
        this.arp = new ArpLayer(this);
        this.ipv4 = new Ipv4Layer(this);
        this.icmp4 = new Icmpv4Layer(this);
        this.igmp = new IgmpLayer(this);
        this.ipv6 = new Ipv6Layer(this);
        this.icmp6 = new Icmpv6Layer(this);
        this.ndp = new NdpLayer(this);
        this.mld = new MldLayer(this);
        this.dad = new Dad(this);
        this.reassembler = new Reassembler(alloc, new ReassemblyListener(), random);
        this.loLink = new LoopbackLink(config.loopbackMtu, config.loopbackQueue, alloc);
        this.lo = new NetInterface(this, 1, "lo", loLink, 0L, true, nowNanos);
        this.lo.mtu = config.loopbackMtu;
        ifaces[ifaceCount++] = lo;
        // Linux: "inet 127.0.0.1/8 scope host lo"; all of 127/8 is delivered locally (RFC 1122 §3.2.1.3 (g)).
        lo.addV4(Ipv4Addr.LOOPBACK, 8);
        routes.add(IpAddr.FAMILY_V4, 0L, IpAddr.v4(0x7f00_0000), 96 + 8, false, 0L, 0L, lo, 0, 0L,
                IpAddr.v4(Ipv4Addr.LOOPBACK), RouteTable.ORIGIN_KERNEL);
        // Linux: "inet6 ::1/128 scope host"; no DAD on loopback (Linux addrconf_dad_begin skips IFF_LOOPBACK devices:
        // nobody else is on that link)
        lo.ipv6 = true;
        lo.addV6(Ipv6Addr.LOOPBACK_HI, Ipv6Addr.LOOPBACK_LO, 128, NetInterface.V6_PREFERRED);
        routes.add(IpAddr.FAMILY_V6, Ipv6Addr.LOOPBACK_HI, Ipv6Addr.LOOPBACK_LO, 128, false, 0L, 0L, lo, 0,
                Ipv6Addr.LOOPBACK_HI, Ipv6Addr.LOOPBACK_LO, RouteTable.ORIGIN_KERNEL);
        rebuildLocal();
    }

    // ================================================================ configuration

    public StackConfig config() {
        return config;
    }

    /**
     * Adds an Ethernet interface. The engine owns the link from now on ({@link #close()} closes it).
     *
     * @param mac a unicast MAC (e.g. locally administered {@code 02:...})
     */
    public NetInterface addInterface(final String name, final FrameLink link, final long mac) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(link, "link");
        if (MacAddr.isMulticast(mac) || mac == 0 || (mac >>> 48) != 0) {
            throw new IllegalArgumentException("not a unicast MAC: " + MacAddr.format(mac));
        }
        if (link.maxFrameSize() < 14 + 68) {
            throw new IllegalArgumentException("link frames too small for IPv4 (RFC 791 needs MTU >= 68)");
        }
        if (interfaceByName(name) != null) {
            throw new IllegalArgumentException("interface " + name + " exists");
        }
        if (ifaceCount == ifaces.length) {
            ifaces = Arrays.copyOf(ifaces, ifaceCount * 2);
        }
        final NetInterface ifc = new NetInterface(this, ifaceCount + 1, name, link, mac, false, lastNow);
        ifaces[ifaceCount++] = ifc;
        ifc.addGroupMac(MacAddr.ofIpv4Multicast(IgmpLayer.ALL_SYSTEMS)); // RFC 1112 §4: all hosts belong to 224.0.0.1
        routesChanged();
        return ifc;
    }

    /** The loopback interface ({@code lo}, index 1). */
    public NetInterface loopback() {
        return lo;
    }

    /** By index (1 = lo, then in the order added), or null. */
    public NetInterface iface(final int index) {
        return index >= 1 && index <= ifaceCount ? ifaces[index - 1] : null;
    }

    public NetInterface interfaceByName(final String name) {
        for (int i = 0; i < ifaceCount; i++) {
            if (ifaces[i].name.equals(name)) {
                return ifaces[i];
            }
        }
        return null;
    }

    /** A snapshot of the interfaces, loopback first. */
    public List<NetInterface> interfaces() {
        return List.of(Arrays.copyOf(ifaces, ifaceCount));
    }

    /**
     * Adds an IPv4 address to an interface: the on-link route for its subnet follows (Linux "proto kernel scope
     * link"), and the address is announced with gratuitous ARP so that neighbours holding a stale entry (a
     * migrated node) update it at once (RFC 5227 §2.3 ANNOUNCE_NUM announcements, ANNOUNCE_INTERVAL apart).
     *
     * @return false if the interface already had the address
     */
    public boolean addIpv4(final NetInterface ifc, final int addr, final int prefixLen, final long nowNanos) {
        checkIface(ifc);
        lastNow = nowNanos;
        if (prefixLen < 0 || prefixLen > 32) {
            throw new IllegalArgumentException("prefix length out of range: " + prefixLen);
        }
        if (addr == 0 || Ipv4Addr.isMulticast(addr) || addr == Ipv4Addr.BROADCAST || (addr >>> 24) == 0
                || (!ifc.loopback && Ipv4Addr.isLoopback(addr))) {
            throw new IllegalArgumentException("not a unicast host address: " + Ipv4Addr.format(addr));
        }
        if (!ifc.addV4(addr, prefixLen)) {
            return false;
        }
        if (prefixLen < 32) {
            final int m = Ipv4Addr.mask(prefixLen);
            routes.add(IpAddr.FAMILY_V4, 0L, IpAddr.v4(addr & m), 96 + prefixLen, false, 0L, 0L, ifc, 0, 0L,
                    IpAddr.v4(addr), RouteTable.ORIGIN_KERNEL);
        }
        rebuildLocal();
        routesChanged();
        if (ifc.neighbors != null) {
            ifc.neighbors.remove(NeighborCache.FAMILY_IPV4, 0L, addr & 0xffff_ffffL);
            arp.announce(ifc, addr, nowNanos);
        }
        return true;
    }

    /** Removes an IPv4 address (and its on-link route unless another address of the interface shares it). */
    public boolean removeIpv4(final NetInterface ifc, final int addr, final long nowNanos) {
        checkIface(ifc);
        lastNow = nowNanos;
        final int len = ifc.ipv4PrefixLength(addr);
        if (len < 0 || (ifc.loopback && addr == Ipv4Addr.LOOPBACK)) {
            return false;
        }
        ifc.removeV4(addr);
        if (len < 32) {
            final int m = Ipv4Addr.mask(len);
            boolean shared = false;
            for (int i = 0; i < ifc.v4Count; i++) {
                shared |= ifc.v4Len[i] == len && (ifc.v4Addr[i] & m) == (addr & m);
            }
            if (!shared) {
                routes.remove(IpAddr.FAMILY_V4, 0L, IpAddr.v4(addr & m), 96 + len, ifc);
            }
        }
        rebuildLocal();
        routesChanged();
        return true;
    }

    /**
     * Enables IPv6 on an Ethernet interface with the link-local address fe80::/64 + the modified EUI-64 interface
     * identifier of its MAC (RFC 4291 Appendix A, RFC 4862 §5.3): the interface joins ff02::1, the link-local
     * address starts Duplicate Address Detection (usable RetransTimer later, then announced with an unsolicited
     * Neighbor Advertisement), and fe80::/64 becomes on-link.
     *
     * @return false if IPv6 was already enabled
     * @throws IllegalArgumentException on loopback, or if the MTU is below 1280 (RFC 8200 §5)
     */
    public boolean enableIpv6(final NetInterface ifc, final long nowNanos) {
        return enableIpv6(ifc, Ipv6Addr.eui64Lo(ifc.mac), nowNanos);
    }

    /**
     * As {@link #enableIpv6(NetInterface, long)} with a configured interface identifier (the low 64 bits of the
     * link-local address, e.g. {@code 0x1} for fe80::1; RFC 4862 §5.3 "the interface identifier").
     */
    public boolean enableIpv6(final NetInterface ifc, final long interfaceId, final long nowNanos) {
        checkIface(ifc);
        lastNow = nowNanos;
        if (ifc.loopback) {
            throw new IllegalArgumentException("IPv6 is always on for lo (::1)");
        }
        if (interfaceId == 0) {
            throw new IllegalArgumentException("interface id 0 would make fe80:: (the subnet-router anycast address)");
        }
        if (ifc.ipv6) {
            return false;
        }
        if (ifc.mtu < Ipv6Layer.MIN_MTU) {
            throw new IllegalArgumentException("IPv6 needs an MTU of 1280 or more (RFC 8200 §5): " + ifc.mtu);
        }
        ifc.ipv6 = true;
        ifc.v6InterfaceId = interfaceId;
        ifc.addGroupMac(MacAddr.ofIpv6Multicast(Ipv6Addr.ALL_NODES_LO)); // RFC 4291 §2.8: all-nodes, never reported
        addIpv6Address(ifc, Ipv6Addr.linkLocalHi(), interfaceId, 64, nowNanos);
        return true;
    }

    /**
     * Adds an IPv6 address: enables IPv6 on the interface first if needed ({@link #enableIpv6}), makes the prefix
     * on-link (Linux "proto kernel"), and runs Duplicate Address Detection (RFC 4862 §5.4): the address is
     * <em>tentative</em> (not used as a source, packets to it dropped) for DupAddrDetectTransmits x RetransTimer
     * (1 s by default), then usable and announced with an unsolicited Neighbor Advertisement (RFC 4861 §7.2.6). If
     * another node claims it meanwhile it is marked duplicated ({@link NetInterface.AddressState#DUPLICATE}).
     *
     * @return false if the interface already had the address
     */
    public boolean addIpv6(final NetInterface ifc, final long hi, final long lo, final int prefixLen,
                           final long nowNanos) {
        checkIface(ifc);
        lastNow = nowNanos;
        if (prefixLen < 0 || prefixLen > 128) {
            throw new IllegalArgumentException("prefix length out of range: " + prefixLen);
        }
        if ((hi == 0 && lo == 0) || Ipv6Addr.isMulticast(hi) || IpAddr.isV4(hi, lo)
                || (!ifc.loopback && Ipv6Addr.isLoopback(hi, lo))) {
            throw new IllegalArgumentException("not a unicast IPv6 address: " + Ipv6Addr.format(hi, lo));
        }
        if (!ifc.ipv6) {
            enableIpv6(ifc, nowNanos);
        }
        if (ifc.indexOfV6(hi, lo) >= 0) {
            return false;
        }
        addIpv6Address(ifc, hi, lo, prefixLen, nowNanos);
        return true;
    }

    private void addIpv6Address(final NetInterface ifc, final long hi, final long lo, final int len,
                                final long now) {
        final int i = ifc.addV6(hi, lo, len, ifc.loopback ? NetInterface.V6_PREFERRED : NetInterface.V6_TENTATIVE);
        if (len < 128) {
            routes.add(IpAddr.FAMILY_V6, RouteTable.maskHi(hi, len), RouteTable.maskLo(lo, len), len, false, 0L, 0L,
                    ifc, 0, hi, lo, RouteTable.ORIGIN_KERNEL);
        }
        routesChanged();
        if (ifc.neighbors != null) {
            ifc.neighbors.remove(NeighborCache.FAMILY_IPV6, hi, lo);
            dad.start(ifc, i, now);
        }
    }

    /** Removes an IPv6 address (its solicited-node membership, and its on-link route unless another address of
     * the interface shares the prefix). ::1 stays on lo. */
    public boolean removeIpv6(final NetInterface ifc, final long hi, final long lo, final long nowNanos) {
        checkIface(ifc);
        lastNow = nowNanos;
        final int i = ifc.indexOfV6(hi, lo);
        if (i < 0 || (ifc.loopback && Ipv6Addr.isLoopback(hi, lo))) {
            return false;
        }
        final int len = ifc.v6Len[i];
        dad.cancel(ifc, i);
        ifc.removeV6At(i);
        if (!ifc.loopback) {
            mld.leave(ifc, Ipv6Addr.SOLICITED_NODE_HI, Ipv6Addr.solicitedNodeLo(lo), nowNanos);
        }
        if (len < 128) {
            boolean shared = false;
            for (int k = 0; k < ifc.v6Count; k++) {
                shared |= ifc.v6Len[k] == len && Ipv6Addr.inPrefix(ifc.v6Hi[k], ifc.v6Lo[k], hi, lo, len);
            }
            if (!shared) {
                routes.remove(IpAddr.FAMILY_V6, RouteTable.maskHi(hi, len), RouteTable.maskLo(lo, len), len, ifc);
            }
        }
        routesChanged();
        return true;
    }

    public RouteTable routes() {
        return routes;
    }

    /** Forward datagrams not addressed to the stack (RFC 1812 router); off by default. */
    public void setForwarding(final boolean on) {
        forwarding = on;
    }

    public boolean isForwarding() {
        return forwarding;
    }

    // ================================================================ the poll loop

    /**
     * One round of work: ingress (a bounded batch per link), due timers, egress. Returns the frames and timers
     * handled; when it is {@code > 0} there may be more (call again, or wait for {@link #nextDeadline()}).
     */
    public int poll(final long nowNanos) {
        int work = pollIngress(nowNanos);
        work += pollTimers(nowNanos);
        pollEgress(nowNanos);
        return work;
    }

    /** Reads at most {@link StackConfig#ingressBatch()} frames from each interface and processes them. */
    public int pollIngress(final long nowNanos) {
        lastNow = nowNanos;
        int n = 0;
        final int batch = config.ingressBatch;
        for (int i = 0; i < ifaceCount; i++) {
            final NetInterface ifc = ifaces[i];
            if (ifc.up) {
                n += ifc.link.receive(ifc.sink, batch);
            }
        }
        return n;
    }

    /** Runs due timers (stack wheel, neighbour caches, reassembly), bounded per call. */
    public int pollTimers(final long nowNanos) {
        lastNow = nowNanos;
        int n = timers.poll(nowNanos, config.timerBatch);
        for (int i = 0; i < ifaceCount; i++) {
            final NeighborCache<ByteBuf> nc = ifaces[i].neighbors;
            if (nc != null && nc.nextDeadline() <= nowNanos) {
                n += nc.poll(nowNanos);
            }
        }
        if (reassembler.nextDeadline(nowNanos) <= nowNanos) {
            n += reassembler.poll(nowNanos);
        }
        return n;
    }

    /** Lets protocols emit what is due ({@link IpProtocolHandler#pollEgress}), then flushes every link. */
    public void pollEgress(final long nowNanos) {
        lastNow = nowNanos;
        final IpProtocolHandler[] hs = handlers;
        for (IpProtocolHandler h : hs) {
            h.pollEgress(nowNanos);
        }
        flush();
    }

    /** Flushes every link (frames sent outside a poll are pushed out at the next egress, or by this). */
    public void flush() {
        for (int i = 0; i < ifaceCount; i++) {
            ifaces[i].link.flush();
        }
    }

    /**
     * When the engine next needs a {@link #poll}: the earliest timer, neighbour-cache or reassembly deadline;
     * the last {@code now} if loopback frames are waiting or a protocol has egress pending
     * ({@link IpProtocolHandler#hasPendingEgress}: e.g. TCP data written after the last poll);
     * {@link TimerWheel#NO_DEADLINE} if nothing is pending.
     * Frames arriving on the links are not known here: the owner also waits for link readiness.
     */
    public long nextDeadline() {
        if (loLink.pending() > 0) {
            return lastNow;
        }
        final IpProtocolHandler[] hs = handlers;
        for (IpProtocolHandler h : hs) {
            if (h.hasPendingEgress()) {
                return lastNow;
            }
        }
        long d = timers.nextDeadline();
        for (int i = 0; i < ifaceCount; i++) {
            final NeighborCache<ByteBuf> nc = ifaces[i].neighbors;
            if (nc != null) {
                d = Math.min(d, nc.nextDeadline());
            }
        }
        return Math.min(d, reassembler.nextDeadline(lastNow));
    }

    /** The {@code now} of the most recent call that took one. */
    public long lastNow() {
        return lastNow;
    }

    // ================================================================ protocol SPI

    /** Registers the handler of an IP protocol number (17 UDP, 6 TCP...). ICMP (1), IGMP (2), ICMPv6 (58) and the
     * IPv6 extension headers are built in. */
    public void registerProtocol(final int protocol, final IpProtocolHandler handler) {
        if (protocol < 0 || protocol > 255 || protocol == 1 || protocol == 2 || protocol == IpProtocol.ICMPV6
                || protocol == IpProtocol.HOP_BY_HOP || protocol == IpProtocol.IPV6_ROUTING
                || protocol == IpProtocol.IPV6_FRAGMENT || protocol == IpProtocol.IPV6_NO_NEXT
                || protocol == IpProtocol.IPV6_DEST_OPTS) {
            throw new IllegalArgumentException("protocol " + protocol + " cannot be registered");
        }
        Objects.requireNonNull(handler, "handler");
        if (protocol < protocols.length && protocols[protocol] != null) {
            throw new IllegalStateException("protocol " + protocol + " already registered");
        }
        if (protocol >= protocols.length) {
            protocols = Arrays.copyOf(protocols, protocol + 1);
        }
        protocols[protocol] = handler;
        handlers = Arrays.copyOf(handlers, handlers.length + 1);
        handlers[handlers.length - 1] = handler;
    }

    public IpProtocolHandler protocol(final int protocol) {
        final int p = protocol & 0xff;
        return p < protocols.length ? protocols[p] : null;
    }

    /** Where echo replies and errors about our echo requests go (the ping sockets). */
    public void setEchoHandler(final IcmpEchoHandler handler) {
        echoHandler = handler;
    }

    public StackTimers timers() {
        return timers;
    }

    /** The counters; readable from any thread. */
    public StackStats stats() {
        return stats;
    }

    /** The stack's seeded random source (ports, ids, timer jitter). Owner thread only. */
    public RandomGenerator random() {
        return random;
    }

    public ByteBufAllocator allocator() {
        return alloc;
    }

    public int defaultTtl() {
        return config.defaultTtl;
    }

    /** The IPv4 fragment identification source (RFC 7739), shared with the fragmenter. */
    public FragmentIds fragmentIds() {
        return fragIds;
    }

    /**
     * A transmit buffer for an upper-layer message of {@code transportLen} bytes: capacity
     * {@code HEADROOM + transportLen}, reader and writer index at {@link #HEADROOM}. Write the transport header and
     * payload, then hand it to {@link #output}, which prepends IP and Ethernet in place.
     */
    public ByteBuf allocTx(final int transportLen) {
        final ByteBuf b = alloc.directBuffer(HEADROOM + transportLen);
        b.setIndex(HEADROOM, HEADROOM);
        return b;
    }

    /**
     * Looks up the route to {@code dst}: interface, next hop, source address and MTU (the lower of the interface
     * MTU and a learned path MTU).
     *
     * @param srcHi,srcLo a bound source address, or a wildcard ({@link IpAddr#isWildcard}) to select one (RFC 1122
     *                    §3.3.4.3)
     * @param oif         restrict to this interface (bound device, multicast interface), or null
     * @return {@link NetError#OK}, {@link NetError#ENETUNREACH}, {@link NetError#EADDRNOTAVAIL} (no source
     *         address) or {@link NetError#EAFNOSUPPORT}
     */
    public int route(final long dstHi, final long dstLo, final long srcHi, final long srcLo, final NetInterface oif,
                     final Route out, final long nowNanos) {
        if (IpAddr.isV4(dstHi, dstLo)) {
            final int src;
            if (IpAddr.isWildcard(srcHi, srcLo)) {
                src = 0;
            } else if (IpAddr.isV4(srcHi, srcLo)) {
                src = IpAddr.v4Of(srcLo);
            } else {
                return NetError.EAFNOSUPPORT;
            }
            return ipv4.route(IpAddr.v4Of(dstLo), src, oif, out, nowNanos);
        }
        if (IpAddr.isV4(srcHi, srcLo) && srcLo != IpAddr.V4_ANY_LO) {
            return NetError.EAFNOSUPPORT; // an IPv4 source for an IPv6 destination
        }
        return ipv6.route(dstHi, dstLo, srcHi, srcLo, oif, out, nowNanos);
    }

    /** Whether a route filled earlier still reflects the tables (no address, route or path MTU change since). */
    public boolean isCurrent(final Route r) {
        return r.generation == routeGeneration;
    }

    /** Bumped on every change of addresses, routes, interfaces or path MTUs. */
    public long routeGeneration() {
        return routeGeneration;
    }

    /**
     * Sends an upper-layer message as one IP datagram (fragmented if it is larger than the route's MTU and DF is not
     * required). Takes ownership of {@code segment} (released in every case), whose readable bytes are the message;
     * it should come from {@link #allocTx} so that the headers go in place; otherwise it is copied once.
     *
     * @param route a route from {@link #route}
     * @param flags one of {@link #PMTUDISC_DONT}, {@link #PMTUDISC_WANT}, {@link #PMTUDISC_DO}, optionally or-ed
     *              with {@link #NO_MULTICAST_LOOP}
     * @return {@link NetError#OK} (sent, or queued waiting for ARP), or {@link NetError#EMSGSIZE},
     *         {@link NetError#EAFNOSUPPORT}
     */
    public int output(final Route route, final ByteBuf segment, final int protocol, final int ttl, final int tos,
                      final int flags, final long nowNanos) {
        lastNow = nowNanos;
        if (route.family == IpAddr.FAMILY_V4) {
            return ipv4.output(route, segment, protocol, ttl, tos, flags, nowNanos);
        }
        if (route.family == IpAddr.FAMILY_V6) {
            return ipv6.output(route, segment, protocol, ttl, tos, flags, nowNanos);
        }
        segment.release();
        return NetError.EAFNOSUPPORT;
    }

    /**
     * Sends an ICMP echo request (the ping sockets): {@code seg} is sized for the ICMP header plus the data, which is
     * already written after the header; the header and checksum are filled here. Takes ownership.
     */
    public int sendEchoRequest(final Route route, final ByteBuf seg, final int ident, final int seq, final int ttl,
                               final int tos, final long nowNanos) {
        lastNow = nowNanos;
        if (route.family == IpAddr.FAMILY_V6) {
            return icmp6.sendEcho(route, seg, ident, seq, ttl, tos, nowNanos);
        }
        if (route.family != IpAddr.FAMILY_V4) {
            seg.release();
            return NetError.EAFNOSUPPORT;
        }
        return icmp4.sendEcho(route, seg, ident, seq, ttl, tos, nowNanos);
    }

    /**
     * Answers a datagram that nobody wants with ICMP port unreachable (RFC 1122 §3.2.2.1, §4.1.3.1; rate limited,
     * never for broadcast/multicast or non-initial fragments, RFC 1122 §3.2.2) or ICMPv6 destination unreachable
     * code 4 (RFC 4443 §3.1: "SHOULD"; rate limited, never about multicast, §2.4 (e)).
     */
    public void sendPortUnreachable(final IpRxInfo ip, final long nowNanos) {
        if (ip.family == IpAddr.FAMILY_V4) {
            icmp4.sendError(Icmpv4Packet.TYPE_DEST_UNREACHABLE, Icmpv4Packet.CODE_PORT_UNREACHABLE, 0, ip.buffer,
                    ip.ipOffset, ip.ipHeaderLength + ip.payloadLength, ip.flags, nowNanos);
        } else {
            icmp6.sendError(Icmpv6Packet.TYPE_DEST_UNREACHABLE, Icmpv6Packet.CODE_PORT_UNREACHABLE, 0, ip.buffer,
                    ip.ipOffset, ip.ipHeaderLength + ip.payloadLength, ip.flags, false, ip.iface, nowNanos);
        }
    }

    /**
     * Joins a multicast group on an interface (reference counted: the first join sends an unsolicited IGMPv2
     * report, RFC 2236 §3, or an MLDv2 state change report, RFC 3810 §6.1).
     *
     * @param ifc the interface, or null for the one the group routes to
     */
    public int joinGroup(final NetInterface ifc, final long groupHi, final long groupLo, final long nowNanos) {
        lastNow = nowNanos;
        if (!IpAddr.isV4(groupHi, groupLo)) {
            final NetInterface dev = ifc != null ? ifc : ipv6.multicastIface(groupHi, groupLo);
            if (dev == null || dev.loopback || !dev.ipv6) {
                return NetError.ENODEV;
            }
            return mld.join(dev, groupHi, groupLo, nowNanos);
        }
        final NetInterface dev = ifc != null ? ifc : ipv4.multicastIface(IpAddr.v4Of(groupLo));
        if (dev == null || dev.loopback) {
            return NetError.ENODEV;
        }
        return igmp.join(dev, IpAddr.v4Of(groupLo), nowNanos);
    }

    /** Leaves a group joined with {@link #joinGroup} (the last leave sends an IGMPv2 Leave, RFC 2236 §3, or an
     * MLDv2 TO_IN({}) record, RFC 3810 §6.1). */
    public int leaveGroup(final NetInterface ifc, final long groupHi, final long groupLo, final long nowNanos) {
        lastNow = nowNanos;
        if (!IpAddr.isV4(groupHi, groupLo)) {
            final NetInterface dev = ifc != null ? ifc : ipv6.multicastIface(groupHi, groupLo);
            if (dev == null || !dev.ipv6) {
                return NetError.EADDRNOTAVAIL;
            }
            return mld.leave(dev, groupHi, groupLo, nowNanos);
        }
        final NetInterface dev = ifc != null ? ifc : ipv4.multicastIface(IpAddr.v4Of(groupLo));
        if (dev == null) {
            return NetError.EADDRNOTAVAIL;
        }
        return igmp.leave(dev, IpAddr.v4Of(groupLo), nowNanos);
    }

    /** Whether {@code (hi, lo)} is one of the stack's usable unicast addresses (127/8 and ::1 included; IPv6
     * addresses still tentative are not, as Linux's bind refuses them). */
    public boolean isLocalAddress(final long hi, final long lo) {
        if (IpAddr.isV4(hi, lo)) {
            final int a = IpAddr.v4Of(lo);
            return isLocal4(a) || Ipv4Addr.isLoopback(a);
        }
        return !Ipv6Addr.isMulticast(hi) && localState6(hi, lo, null) == NetInterface.V6_PREFERRED;
    }

    /** Whether {@code (hi, lo)} is a limited or directed broadcast address of one of the interfaces. */
    public boolean isBroadcastAddress(final long hi, final long lo) {
        if (!IpAddr.isV4(hi, lo)) {
            return false;
        }
        final int a = IpAddr.v4Of(lo);
        return a == Ipv4Addr.BROADCAST || isDirectedBroadcast4(a);
    }

    // ================================================================ internals shared by the layers

    boolean isLocal4(final int a) {
        final int[] l = local4;
        for (int i = 0, n = local4Count; i < n; i++) {
            if (l[i] == a) {
                return true;
            }
        }
        return false;
    }

    boolean isDirectedBroadcast4(final int a) {
        for (int i = 0; i < ifaceCount; i++) {
            if (ifaces[i].isIpv4Broadcast(a)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The state ({@code NetInterface.V6_*}) of {@code (hi, lo)} as one of our IPv6 addresses for a packet that
     * arrived on {@code ifc}, or -1: a link-local address only counts on its own interface (RFC 4007 §5 zones;
     * Linux {@code ipv6_chk_addr} with the device); others on any interface (weak host model, as Linux). With
     * {@code ifc} null or loopback, any interface. A usable address wins over a tentative copy elsewhere.
     */
    int localState6(final long hi, final long lo, final NetInterface ifc) {
        if (Ipv6Addr.isLinkLocal(hi) && ifc != null && !ifc.loopback) {
            final int i = ifc.indexOfV6(hi, lo);
            return i < 0 ? -1 : ifc.v6State[i];
        }
        int found = -1;
        for (int k = 0; k < ifaceCount; k++) {
            final NetInterface x = ifaces[k];
            final int i = x.indexOfV6(hi, lo);
            if (i >= 0) {
                final int st = x.v6State[i];
                if (st == NetInterface.V6_PREFERRED) {
                    return st;
                }
                if (st == NetInterface.V6_TENTATIVE || found < 0) {
                    found = st;
                }
            }
        }
        return found;
    }

    int ifaceCount() {
        return ifaceCount;
    }

    NetInterface ifaceAt(final int i) {
        return ifaces[i];
    }

    void routesChanged() {
        routeGeneration++;
    }

    private void rebuildLocal() {
        int n = 0;
        for (int i = 0; i < ifaceCount; i++) {
            n += ifaces[i].v4Count;
        }
        if (local4.length < n) {
            local4 = new int[Integer.highestOneBit(n) << 1];
        }
        int k = 0;
        for (int i = 0; i < ifaceCount; i++) {
            final NetInterface ifc = ifaces[i];
            for (int j = 0; j < ifc.v4Count; j++) {
                local4[k++] = ifc.v4Addr[j];
            }
        }
        local4Count = k;
    }

    private void checkIface(final NetInterface ifc) {
        if (ifc == null || ifc.engine != this) {
            throw new IllegalArgumentException("not an interface of this stack: " + ifc);
        }
    }

    /**
     * Whether the holder of {@code b} may write into it: nobody else holds its memory. Walks {@code unwrap()} to the
     * root: a flood of an in-JVM switch is a retained duplicate whose root is still referenced by the other ports
     * (vde-channel FrameHandler: "treat as read-only"), and a leak-detection wrapper or a derived buffer we hold
     * alone is fine.
     */
    public static boolean exclusive(final ByteBuf b) {
        for (ByteBuf x = b; x != null; x = x.unwrap()) {
            if (x.refCnt() != 1 || x.isReadOnly()) {
                return false;
            }
        }
        return true;
    }

    /** Copies the readable bytes of {@code b} into a new buffer with {@link #HEADROOM} and releases {@code b}. */
    ByteBuf copyWithHeadroom(final ByteBuf b) {
        final int len = b.readableBytes();
        final ByteBuf c = alloc.directBuffer(HEADROOM + len);
        c.setIndex(HEADROOM, HEADROOM);
        c.writeBytes(b, b.readerIndex(), len);
        b.release();
        return c;
    }

    // ---------------------------------------------------------------- Ethernet

    /** The ingress path of every frame (the interface's {@link FrameLink.FrameSink}). Owns and releases it. */
    void receiveFrame(final NetInterface ifc, final ByteBuf frame) {
        final long now = lastNow;
        try {
            stats.inc(Counter.ETH_IN_FRAMES);
            stats.add(Counter.ETH_IN_BYTES, frame.readableBytes());
            final EthernetFrame e = ethIn.wrap(frame);
            if (!e.checkLen().ok()) {
                stats.drop(DropReason.ETH_TRUNCATED);
                return;
            }
            final long dst = e.dst();
            final long src = e.src();
            int l2 = 0;
            if (!ifc.loopback) {
                if (MacAddr.isMulticast(dst)) {
                    if (!ifc.acceptsGroupMac(dst)) {
                        stats.drop(DropReason.ETH_MULTICAST_NOT_JOINED);
                        return;
                    }
                    l2 = IpRxInfo.L2_GROUP;
                } else if (dst != ifc.mac) {
                    stats.drop(DropReason.ETH_OTHER_HOST);
                    return;
                }
                if (MacAddr.isMulticast(src) || src == 0) {
                    stats.drop(DropReason.ETH_BAD_SRC_MAC);
                    return;
                }
                if (src == ifc.mac) {
                    stats.drop(DropReason.ETH_OWN_SRC_MAC);
                    return;
                }
                if (e.vlanId() != ifc.vlanId) {
                    stats.drop(DropReason.ETH_VLAN);
                    return;
                }
            }
            final int off = e.payloadOffset();
            final int len = e.payloadLength();
            switch (e.etherType()) {
                case EtherType.IPV4:
                    ipv4.receive(ifc, frame, off, len, l2, src, now);
                    break;
                case EtherType.ARP:
                    if (ifc.loopback) {
                        stats.drop(DropReason.ETH_UNKNOWN_TYPE);
                    } else {
                        arp.receive(ifc, frame, off, len, now);
                    }
                    break;
                case EtherType.IPV6:
                    if (ifc.ipv6) {
                        ipv6.receive(ifc, frame, off, len, l2, src, now);
                    } else {
                        stats.drop(DropReason.ETH_IPV6_DISABLED);
                    }
                    break;
                default:
                    stats.drop(DropReason.ETH_UNKNOWN_TYPE);
                    break;
            }
        } finally {
            frame.release();
        }
    }

    /**
     * Prepends the Ethernet header (and the VLAN tag of the interface) to the packet at {@code pkt}'s reader index
     * and transmits it. Takes ownership.
     */
    void transmitEthernet(final NetInterface ifc, final ByteBuf pkt, final long dstMac, final int etherType) {
        final int hl = ifc.linkHeaderLength();
        ByteBuf f = pkt;
        int ri = f.readerIndex();
        if (ri < hl) {
            f = copyWithHeadroom(pkt);
            ri = f.readerIndex();
        }
        ri -= hl;
        f.readerIndex(ri);
        ethOutRepr.set(ifc.mac, dstMac, etherType);
        if (ifc.vlanId != NetInterface.NO_VLAN) {
            ethOutRepr.vlanId = ifc.vlanId;
        }
        ethOutRepr.emit(ethOut.wrap(f, ri, hl));
        stats.inc(Counter.ETH_OUT_FRAMES);
        stats.add(Counter.ETH_OUT_BYTES, f.readableBytes());
        if (!ifc.up) {
            f.release();
            stats.drop(DropReason.LINK_TX_DROPPED);
            return;
        }
        if (!ifc.link.transmit(f)) {
            stats.drop(DropReason.LINK_TX_DROPPED);
        }
    }

    /** Queues an IP packet on the loopback link (zero MACs, as Linux's lo). Takes ownership. */
    void transmitLoopback(final ByteBuf pkt, final int etherType) {
        ByteBuf f = pkt;
        int ri = f.readerIndex();
        if (ri < EthernetFrame.HEADER_LEN) {
            f = copyWithHeadroom(pkt);
            ri = f.readerIndex();
        }
        ri -= EthernetFrame.HEADER_LEN;
        f.readerIndex(ri);
        ethOutRepr.set(0L, 0L, etherType);
        ethOutRepr.emit(ethOut.wrap(f, ri, EthernetFrame.HEADER_LEN));
        final boolean v6 = etherType == EtherType.IPV6;
        stats.inc(v6 ? Counter.IP6_OUT_LOOPBACK : Counter.IP4_OUT_LOOPBACK);
        if (!loLink.transmit(f)) {
            stats.drop(v6 ? DropReason.IP6_LOOPBACK_FULL : DropReason.IP4_LOOPBACK_FULL);
        }
    }

    /** Loops a copy of the IP packet at {@code pkt}'s reader index back to this stack (multicast/broadcast
     * loopback, Linux {@code ip_mc_output}). Does not take ownership. */
    void loopCopy(final ByteBuf pkt, final int etherType) {
        final ByteBuf c = alloc.directBuffer(HEADROOM + pkt.readableBytes());
        c.setIndex(HEADROOM, HEADROOM);
        c.writeBytes(pkt, pkt.readerIndex(), pkt.readableBytes());
        transmitLoopback(c, etherType);
    }

    NeighborCache.Owner<ByteBuf> neighborOwner(final NetInterface ifc) {
        return new NeighborOwner(ifc);
    }

    /** What each interface's neighbour cache asks of the engine. */
    private final class NeighborOwner implements NeighborCache.Owner<ByteBuf> {
        private final NetInterface ifc;

        NeighborOwner(final NetInterface ifc) {
            this.ifc = ifc;
        }

        @Override
        public void sendSolicitation(final int family, final long hi, final long lo, final long unicastMac,
                                     final long nowNanos) {
            if (family == NeighborCache.FAMILY_IPV4) {
                arp.sendRequest(ifc, (int) lo, unicastMac, nowNanos);
            } else {
                ndp.sendSolicitation(ifc, hi, lo, unicastMac, nowNanos);
            }
        }

        @Override
        public void deliverQueued(final int family, final long hi, final long lo, final long mac,
                                  final ByteBuf packet) {
            transmitEthernet(ifc, packet, mac, family == NeighborCache.FAMILY_IPV4 ? EtherType.IPV4 : EtherType.IPV6);
        }

        @Override
        public void dropQueued(final int family, final long hi, final long lo, final ByteBuf packet,
                               final NeighborCache.Counter reason) {
            try {
                switch (reason) {
                    case QUEUE_DROP_FAILED:
                        stats.drop(DropReason.NEIGH_RESOLUTION_FAILED);
                        if (family == NeighborCache.FAMILY_IPV4) {
                            // Linux arp_error_report -> icmp_send(ICMP_DEST_UNREACH, ICMP_HOST_UNREACH): also for
                            // our own datagrams, so the sending socket learns EHOSTUNREACH through the loopback.
                            icmp4.sendErrorAboutQueued(packet, lastNow);
                        } else {
                            // RFC 4861 §7.2.2: ICMPv6 destination unreachable code 3 "Address Unreachable"
                            icmp6.sendErrorAboutQueued(packet, lastNow);
                        }
                        break;
                    case QUEUE_DROP_OVERFLOW:
                        stats.drop(DropReason.NEIGH_QUEUE_OVERFLOW);
                        break;
                    default:
                        stats.drop(DropReason.NEIGH_FLUSHED);
                        break;
                }
            } finally {
                packet.release();
            }
        }
    }

    /** ICMP time exceeded for reassembly timeouts (RFC 792, RFC 4443 §3.3 code 1), and the ICMPv6 parameter
     * problems RFC 8200 §4.5 / RFC 7112 §5 ask for about refused fragments. */
    private final class ReassemblyListener implements Reassembler.Listener {
        @Override
        public void reassemblyTimedOut(final int family, final ByteBuf firstFragment, final long nowNanos) {
            if (family == Reassembler.FAMILY_IPV4) {
                icmp4.sendError(Icmpv4Packet.TYPE_TIME_EXCEEDED, Icmpv4Packet.CODE_REASSEMBLY_EXCEEDED, 0,
                        firstFragment, firstFragment.readerIndex(), firstFragment.readableBytes(), 0, nowNanos);
            } else {
                icmp6.sendError(Icmpv6Packet.TYPE_TIME_EXCEEDED, 1, 0, firstFragment, firstFragment.readerIndex(),
                        firstFragment.readableBytes(), 0, false, null, nowNanos);
            }
        }

        @Override
        public void parameterProblem(final ByteBuf fragment, final int code, final int pointer, final long nowNanos) {
            icmp6.sendError(Icmpv6Packet.TYPE_PARAM_PROBLEM, code, pointer, fragment, fragment.readerIndex(),
                    fragment.readableBytes(), ipv6.reassemblyFlags, false, ipv6.reassemblyIf, nowNanos);
        }
    }

    // ================================================================ shutdown

    /** Closes the protocols, releases queued packets and fragments, and closes every link. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (IpProtocolHandler h : handlers) {
            h.close();
        }
        timers.clear();
        reassembler.close();
        for (int i = 0; i < ifaceCount; i++) {
            final NetInterface ifc = ifaces[i];
            if (ifc.neighbors != null) {
                ifc.neighbors.clear();
            }
            try {
                ifc.link.close();
            } catch (Exception e) {
                // keep closing the others; a link's close must not throw (FrameLink contract)
            }
        }
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder(config.name).append(":\n");
        for (int i = 0; i < ifaceCount; i++) {
            sb.append("  ").append(ifaces[i]).append('\n');
        }
        return sb.toString();
    }

    /** Sets the one listener told when an IPv6 address leaves DAD (null: none). Owner thread. */
    public void setIpv6AddressListener(final Ipv6AddressListener l) {
        ndp.setAddressListener(l);
    }
}
