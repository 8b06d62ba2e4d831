package io.ioth.tcpip;

import io.ioth.tcpip.iface.Engine;
import io.ioth.tcpip.iface.NetInterface;
import io.ioth.tcpip.iface.RouteTable;
import io.ioth.tcpip.iface.StackConfig;
import io.ioth.tcpip.link.FrameLink;
import io.ioth.tcpip.socket.ReadyList;
import io.ioth.tcpip.socket.StackSocket;
import io.ioth.tcpip.socket.icmp.PingLayer;
import io.ioth.tcpip.socket.icmp.PingSocket;
import io.ioth.tcpip.socket.tcp.TcpConfig;
import io.ioth.tcpip.socket.tcp.TcpLayer;
import io.ioth.tcpip.socket.tcp.TcpListener;
import io.ioth.tcpip.socket.tcp.TcpSocket;
import io.ioth.tcpip.socket.tcp.TcpStack;
import io.ioth.tcpip.socket.tcp.TcpStats;
import io.ioth.tcpip.socket.udp.UdpLayer;
import io.ioth.tcpip.socket.udp.UdpSocket;
import io.ioth.tcpip.stats.StackStats;
import io.ioth.tcpip.wire.IpProtocol;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.Ipv6Addr;

import java.util.List;
import java.util.Objects;

/**
 * One network identity: a user-space TCP/IP stack as a library object, with its own interfaces (MACs), addresses,
 * routes, neighbour caches and sockets. A JVM may hold many; each is driven by one event loop.
 *
 * <pre>{@code
 * Stack stack = Stack.create(StackConfig.builder().name("a").build(), now);
 * NetInterface eth0 = stack.addInterface("eth0", link, MacAddr.parse("02:00:00:00:00:01"));
 * stack.addIpv4(eth0, Ipv4Addr.parse("10.0.0.2"), 24, now);     // + gratuitous ARP
 * stack.routes().addDefaultGateway4(Ipv4Addr.parse("10.0.0.1"));
 * stack.addIpv6(eth0, "fd00::2/64", now);                      // + fe80::EUI-64, DAD, unsolicited NA
 * UdpSocket echo = stack.openUdp();
 * echo.bind(0, 7);
 * for (;;) {                                                     // the owner's loop
 *     stack.poll(now);                                           // ingress, timers, egress: bounded work
 *     for (StackSocket s; (s = stack.nextReady()) != null; ) { ... s.takeEvents() ... }
 *     wait for link readiness or until stack.nextDeadline();
 * }
 * }</pre>
 *
 * <p><b>Time</b> is always an argument ({@code nowNanos}, from one monotonic source such as a Netty
 * {@code Ticker}); the stack never reads a clock, so tests run in simulated time.
 *
 * <p><b>Threading:</b> not thread-safe. A stack belongs to the thread that drives it (its event loop): every method
 * must be called there, except {@link #stats()} and {@link #tcpStats()}, which any thread may read. Nothing blocks.
 *
 * <p>Layers: {@link Engine} (io.ioth.tcpip.iface) is the engine behind this façade, with the protocol SPI that UDP
 * and TCP use ({@link Engine#registerProtocol}, {@link Engine#route}, {@link Engine#output},
 * {@link Engine#allocTx}, {@link Engine#timers()}). TCP is a {@link TcpLayer} with its own {@link TcpConfig}
 * ({@link #create(StackConfig, TcpConfig, long)}); {@link #openTcp()}, {@link #openTcpListener()}.
 */
public final class Stack implements AutoCloseable {
    private final Engine engine;
    private final ReadyList ready = new ReadyList();
    private final UdpLayer udp;
    private final PingLayer ping;
    /** The TCP configuration the layer is (or will be) created with. */
    private final TcpConfig tcpConfig;
    /** Written once on the owner thread; volatile for {@link #tcpStats()} readers on other threads. */
    private volatile TcpLayer tcp;
    private static final TcpStats NO_TCP_STATS = new TcpStats();

    private Stack(final StackConfig config, final TcpConfig tcpConfig, final boolean eagerTcp,
                  final long nowNanos) {
        this.engine = new Engine(config, nowNanos);
        this.udp = new UdpLayer(engine, ready);
        this.ping = new PingLayer(engine, ready);
        this.tcpConfig = tcpConfig;
        if (eagerTcp) {
            this.tcp = new TcpLayer(engine, ready, tcpConfig);
        }
    }

    /**
     * A stack with only its loopback interface. TCP ({@link TcpConfig#defaults()}) attaches at the first
     * {@link #tcp()} / {@link #openTcp()} / {@link #openTcpListener()} call: until then TCP segments get ICMP
     * protocol unreachable, and a {@link TcpLayer} may still be attached by hand to {@link #engine()} (as
     * {@code TcpOverEngineTest} does).
     */
    public static Stack create(final StackConfig config, final long nowNanos) {
        return new Stack(config, TcpConfig.defaults(), false, nowNanos);
    }

    /** A stack with only its loopback interface and TCP attached from the start with {@code tcpConfig}. */
    public static Stack create(final StackConfig config, final TcpConfig tcpConfig, final long nowNanos) {
        return new Stack(config, Objects.requireNonNull(tcpConfig, "tcpConfig"), true, nowNanos);
    }

    // ---------------------------------------------------------------- configuration

    /** Adds an Ethernet interface over {@code link} (owned by the stack from now on). */
    public NetInterface addInterface(final String name, final FrameLink link, final long mac) {
        return engine.addInterface(name, link, mac);
    }

    public NetInterface loopback() {
        return engine.loopback();
    }

    public NetInterface interfaceByName(final String name) {
        return engine.interfaceByName(name);
    }

    public List<NetInterface> interfaces() {
        return engine.interfaces();
    }

    /** Adds an IPv4 address (on-link route and gratuitous ARP follow). See {@link Engine#addIpv4}. */
    public boolean addIpv4(final NetInterface ifc, final int addr, final int prefixLen, final long nowNanos) {
        return engine.addIpv4(ifc, addr, prefixLen, nowNanos);
    }

    /** {@code addIpv4(ifc, "10.0.0.2/24", now)}. */
    public boolean addIpv4(final NetInterface ifc, final String cidr, final long nowNanos) {
        final int slash = cidr.indexOf('/');
        if (slash < 0) {
            return addIpv4(ifc, Ipv4Addr.parse(cidr), 32, nowNanos);
        }
        return addIpv4(ifc, Ipv4Addr.parse(cidr.substring(0, slash)), Integer.parseInt(cidr.substring(slash + 1)),
                nowNanos);
    }

    public boolean removeIpv4(final NetInterface ifc, final int addr, final long nowNanos) {
        return engine.removeIpv4(ifc, addr, nowNanos);
    }

    /** Enables IPv6 on the interface with its EUI-64 link-local address. See {@link Engine#enableIpv6}. */
    public boolean enableIpv6(final NetInterface ifc, final long nowNanos) {
        return engine.enableIpv6(ifc, nowNanos);
    }

    /** Enables IPv6 with a configured interface id ({@code fe80::<interfaceId>}). */
    public boolean enableIpv6(final NetInterface ifc, final long interfaceId, final long nowNanos) {
        return engine.enableIpv6(ifc, interfaceId, nowNanos);
    }

    /** Adds an IPv6 address (DAD, on-link route, unsolicited NA follow). See {@link Engine#addIpv6}. */
    public boolean addIpv6(final NetInterface ifc, final long hi, final long lo, final int prefixLen,
                           final long nowNanos) {
        return engine.addIpv6(ifc, hi, lo, prefixLen, nowNanos);
    }

    /** {@code addIpv6(ifc, "fd00::2/64", now)}; without a prefix length, /128. */
    public boolean addIpv6(final NetInterface ifc, final String cidr, final long nowNanos) {
        final int slash = cidr.indexOf('/');
        final long[] a = new long[2];
        Ipv6Addr.parse(slash < 0 ? cidr : cidr.substring(0, slash), a);
        return addIpv6(ifc, a[0], a[1], slash < 0 ? 128 : Integer.parseInt(cidr.substring(slash + 1)), nowNanos);
    }

    public boolean removeIpv6(final NetInterface ifc, final long hi, final long lo, final long nowNanos) {
        return engine.removeIpv6(ifc, hi, lo, nowNanos);
    }

    public RouteTable routes() {
        return engine.routes();
    }

    /** Router mode (off by default). */
    public void setForwarding(final boolean on) {
        engine.setForwarding(on);
    }

    // ---------------------------------------------------------------- driving

    /** Ingress (bounded), timers, egress. See {@link Engine#poll}. */
    public int poll(final long nowNanos) {
        return engine.poll(nowNanos);
    }

    public int pollIngress(final long nowNanos) {
        return engine.pollIngress(nowNanos);
    }

    public int pollTimers(final long nowNanos) {
        return engine.pollTimers(nowNanos);
    }

    public void pollEgress(final long nowNanos) {
        engine.pollEgress(nowNanos);
    }

    /** Absolute time of the next timer, or {@code Long.MAX_VALUE}; {@code <= now} means poll again at once. */
    public long nextDeadline() {
        return engine.nextDeadline();
    }

    /** The next socket with events (see {@link StackSocket}), or null. */
    public StackSocket nextReady() {
        return ready.poll();
    }

    public boolean hasReady() {
        return !ready.isEmpty();
    }

    /** The ready list sockets signal on: a protocol layer built outside this class (TCP) creates its sockets on
     * it, as {@link UdpLayer} and {@link PingLayer} do. */
    public ReadyList readyList() {
        return ready;
    }

    // ---------------------------------------------------------------- sockets

    public UdpSocket openUdp() {
        return udp.open();
    }

    /** A ping socket with a random identifier. */
    public PingSocket openPing() {
        return ping.open();
    }

    public UdpLayer udp() {
        return udp;
    }

    public PingLayer ping() {
        return ping;
    }

    /** A TCP socket (options, then {@link TcpSocket#connect} or bind). Attaches TCP first if needed. */
    public TcpSocket openTcp() {
        return tcp().open();
    }

    /** A TCP listener (bind, then {@link TcpListener#listen}). Attaches TCP first if needed. */
    public TcpListener openTcpListener() {
        return tcp().openListener();
    }

    /** This stack's TCP (attached on first use when the stack was created without a {@link TcpConfig}). */
    public TcpStack tcp() {
        return tcpLayer().tcp();
    }

    /** The TCP layer registered with the engine for protocol 6; created on first use if needed. Owner thread. */
    public TcpLayer tcpLayer() {
        TcpLayer l = tcp;
        if (l == null) {
            if (engine.protocol(IpProtocol.TCP) != null) {
                throw new IllegalStateException("a TCP layer was attached to the engine by hand: use that one");
            }
            l = new TcpLayer(engine, ready, tcpConfig);
            tcp = l;
        }
        return l;
    }

    // ---------------------------------------------------------------- observing

    /** Counters; readable from any thread. */
    public StackStats stats() {
        return engine.stats();
    }

    /** TCP counters (all zero while TCP is not attached); readable from any thread. */
    public TcpStats tcpStats() {
        final TcpLayer l = tcp;
        return l == null ? NO_TCP_STATS : l.tcp().stats();
    }

    /** The engine (protocol SPI, for TCP and the transport). */
    public Engine engine() {
        return engine;
    }

    public StackConfig config() {
        return engine.config();
    }

    /** Closes sockets, releases queued packets, closes every link. Idempotent. */
    @Override
    public void close() {
        engine.close();
    }

    @Override
    public String toString() {
        return engine.toString();
    }
    // ---------------------------------------------------------------- IPv6 autoconfiguration (RFC 4861, 4862, 8106, 8415)

    /**
     * Starts IPv6 autoconfiguration on an Ethernet interface (iothconf {@code rd}, {@code slaac}, {@code dhcp6},
     * {@code auto6}): router solicitations and advertisements (default routers, on-link prefixes, MTU), SLAAC
     * addresses (with DAD), RDNSS/DNSSL, and a DHCPv6 client (stateful or stateless, as the options and the RAs
     * say). IPv6 is enabled on the interface first if needed. The listener (may be null) is called on the owner
     * thread, inside {@link #poll}, once the interface is configured and after each later change; the learned data
     * is read from the returned object ({@link io.ioth.tcpip.iface.Ipv6Autoconf#addresses()},
     * {@link io.ioth.tcpip.iface.Ipv6Autoconf#dnsServers()}, {@link io.ioth.tcpip.iface.Ipv6Autoconf#searchDomains()},
     * {@link io.ioth.tcpip.iface.Ipv6Autoconf#routers()}). Stop it with its {@code close(now)} (DHCPv6 Release).
     *
     * @param dhcp6Options settings of the DHCPv6 client (DUID, initial delay); ignored when the mode is OFF
     */
    public io.ioth.tcpip.iface.Ipv6Autoconf startIpv6Autoconf(final NetInterface ifc,
            final io.ioth.tcpip.iface.Ipv6Autoconf.Options options,
            final io.ioth.tcpip.dhcp6.Dhcp6Client.Options dhcp6Options,
            final io.ioth.tcpip.iface.Ipv6Autoconf.Listener listener, final long nowNanos) {
        final io.ioth.tcpip.iface.Ipv6Autoconf a = io.ioth.tcpip.iface.Ipv6Autoconf.create(engine, ifc, options,
                listener);
        if (options.dhcp6() != io.ioth.tcpip.iface.Ipv6Autoconf.Dhcp6Mode.OFF) {
            a.attachDhcp6(new io.ioth.tcpip.dhcp6.Dhcp6Client(udp, ifc, a, dhcp6Options));
        }
        a.start(nowNanos);
        return a;
    }

    /** {@link #startIpv6Autoconf(NetInterface, io.ioth.tcpip.iface.Ipv6Autoconf.Options,
     * io.ioth.tcpip.dhcp6.Dhcp6Client.Options, io.ioth.tcpip.iface.Ipv6Autoconf.Listener, long)} with the default
     * DHCPv6 client settings (DUID-LL, random initial delay). */
    public io.ioth.tcpip.iface.Ipv6Autoconf startIpv6Autoconf(final NetInterface ifc,
            final io.ioth.tcpip.iface.Ipv6Autoconf.Options options,
            final io.ioth.tcpip.iface.Ipv6Autoconf.Listener listener, final long nowNanos) {
        return startIpv6Autoconf(ifc, options, io.ioth.tcpip.dhcp6.Dhcp6Client.Options.defaults(), listener,
                nowNanos);
    }

    /** The autoconfiguration running on {@code ifc}, or null. */
    public io.ioth.tcpip.iface.Ipv6Autoconf ipv6Autoconf(final NetInterface ifc) {
        return io.ioth.tcpip.iface.Ipv6Autoconf.of(ifc);
    }

    // ---------------------------------------------------------------- DHCPv4 (io.ioth.tcpip.dhcp)

    /**
     * Starts a DHCPv4 client on {@code ifc} (RFC 2131; see {@link io.ioth.tcpip.dhcp.Dhcp4Client}): it binds UDP
     * port 68 on the interface, obtains a lease, configures the address, prefix and default route, and keeps the
     * lease on this stack's timers. {@code listener} (may be null) hears onBound / onRenewed / onLost on the owner
     * thread during {@link #poll}. Close the client to release the lease.
     */
    public io.ioth.tcpip.dhcp.Dhcp4Client startDhcp4Client(final NetInterface ifc,
            final io.ioth.tcpip.dhcp.Dhcp4ClientConfig config, final io.ioth.tcpip.dhcp.Dhcp4Client.Listener listener,
            final long nowNanos) {
        final io.ioth.tcpip.dhcp.Dhcp4Client c = new io.ioth.tcpip.dhcp.Dhcp4Client(udp, ifc, config, listener);
        c.start(nowNanos);
        return c;
    }

    /** Starts a DHCPv4 server on {@code ifc} (UDP port 67 there; see {@link io.ioth.tcpip.dhcp.Dhcp4Server}). */
    public io.ioth.tcpip.dhcp.Dhcp4Server startDhcp4Server(final NetInterface ifc,
            final io.ioth.tcpip.dhcp.Dhcp4ServerConfig config) {
        return new io.ioth.tcpip.dhcp.Dhcp4Server(udp, openPing(), ifc, config);
    }
}
