package io.ioth.transport;

import io.ioth.tcpip.Stack;
import io.ioth.tcpip.conf.IothConf;
import io.ioth.tcpip.dhcp.Dhcp4ClientConfig;
import io.ioth.tcpip.dhcp.Dhcp4Server;
import io.ioth.tcpip.dhcp.Dhcp4ServerConfig;
import io.ioth.tcpip.iface.NetInterface;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.Ipv6Addr;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.CharsetUtil;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 6 in one JVM: identities on one embedded switch configure themselves ({@code configured()}), a DHCPv4 server
 * runs on one of them, a tiny DNS server on another, and names resolve through each client's own stack.
 */
class IothConfigurationTest {
    private static final long SEC = 1_000_000_000L;
    private IothEventLoopGroup a;
    private IothEventLoopGroup b;
    private IothEventLoopGroup c;

    @AfterEach
    void tearDown() throws Exception {
        Nets.shutdown(a, b, c);
    }

    static InetAddress ip(final String literal) throws UnknownHostException {
        return InetAddress.getByName(literal); // a literal: no lookup
    }

    /** Fast DHCP for tests: no initial delay, one short ARP probe. */
    static Dhcp4ClientConfig.Builder quickDhcp() {
        return Dhcp4ClientConfig.builder().arpProbe(1, 0, 50_000_000L, 50_000_000L);
    }

    @Test
    void aStaticIdentityIsConfiguredAtOnce() throws Exception {
        a = new IothEventLoopGroup("vnl=" + Nets.uniqueSwitch() + ",eth,mac=02:00:00:00:61:02,ip=10.61.0.2/24,"
                + "gw=10.61.0.1,ip=fd00:61::2/64,dns=10.61.0.53,domain=lab.test");
        final IothConfiguration cfg = a.configured().get(10, TimeUnit.SECONDS);
        assertTrue(cfg.complete());
        assertEquals("vde0", cfg.interfaceName());
        assertEquals("02:00:00:00:61:02", cfg.macString());
        assertEquals("[10.61.0.2/24]", cfg.ipv4Addresses().toString());
        assertEquals(ip("10.61.0.2"), cfg.ipv4Address());
        assertEquals("[fd00:61:0:0:0:0:0:2/64]", cfg.ipv6Addresses().toString(), "tentative static addresses included");
        assertNotNull(cfg.ipv6LinkLocal());
        assertEquals(List.of(ip("10.61.0.1")), cfg.gateways());
        assertEquals(List.of(ip("10.61.0.53")), cfg.dnsServers());
        assertEquals(List.of("lab.test"), cfg.searchDomains());
        assertNull(cfg.dhcp4Lease());
        assertEquals(0, cfg.leaseSeconds());
        assertEquals(cfg, a.configuration(), "the current snapshot");
    }

    @Test
    void dhcpFromAnotherIdentity_configured_dnsFromTheLease_renewalHeard_releaseOnShutdown() throws Exception {
        final String sw = Nets.uniqueSwitch();
        // the server identity: static address, a DHCPv4 server and a DNS server on its stack
        a = new IothEventLoopGroup("vnl=" + sw + ",eth,ip=10.62.0.1/24");
        final EventLoop serverLoop = a.next();
        final TinyDnsServer dns = TinyDnsServer.start(a, "10.62.0.1",
                Map.of("appliance.lab.test", List.of(ip("10.62.0.80"))));

        // the client: dhcp, a name (hash MAC, options 12/81); renews 1 s after the lease starts (test knob)
        b = new IothEventLoopGroup(IothIdentity.parse("vnl=" + sw + ",eth,dhcp,fqdn=client.lab.test")
                .withDhcp4Config(quickDhcp().t1Override(SEC).retransmission(200_000_000L, 400_000_000L, 0).build()));
        final EventLoop loop = b.next();
        // a resolver made before any name server is known: it fails clearly now, and works once the lease is in
        final io.netty.resolver.InetNameResolver early = IothDnsResolvers.newNameResolver(loop);
        final ExecutionException none = assertThrows(ExecutionException.class,
                () -> early.resolve("appliance").get(10, TimeUnit.SECONDS));
        assertTrue(none.getCause().getMessage().contains("no DNS server configured"), none.getCause()::toString);
        final Dhcp4Server dhcpd = a.startDhcpServer(Dhcp4ServerConfig.builder().pool("10.62.0.100", "10.62.0.120")
                .leaseSeconds(600).router("10.62.0.1").dns("10.62.0.1").domain("lab.test").build())
                .get(10, TimeUnit.SECONDS);
        final List<IothConfiguration> changes = new CopyOnWriteArrayList<>();
        final List<Boolean> onLoop = new CopyOnWriteArrayList<>();
        b.addConfigurationListener(loop, (before, now) -> {
            changes.add(now);
            onLoop.add(loop.inEventLoop());
        });
        final Future<IothConfiguration> configured = b.configured();
        final IothConfiguration cfg = configured.get(20, TimeUnit.SECONDS);
        assertTrue(cfg.complete());
        final String addr = cfg.ipv4Address().getHostAddress();
        assertTrue(Ipv4Addr.inPrefix(Ipv4Addr.parse(addr), Ipv4Addr.parse("10.62.0.100"), 27), addr);
        assertEquals(24, cfg.ipv4Addresses().get(0).prefixLength());
        assertEquals(ip("10.62.0.1"), cfg.gateway4());
        assertEquals(List.of(ip("10.62.0.1")), cfg.dnsServers());
        assertEquals(List.of("lab.test"), cfg.searchDomains());
        assertEquals(600, cfg.leaseSeconds());
        assertEquals(IothConf.hashMac("client.lab.test"), cfg.mac());
        assertEquals("client.lab.test", cfg.fqdn());

        // the server holds the lease, with the client's name
        final List<Dhcp4Server.Lease> leases = Nets.onLoop(serverLoop,
                () -> dhcpd.leases(a.stack(serverLoop).engine().lastNow()));
        assertEquals(1, leases.size(), leases::toString);
        assertEquals("client.lab.test", leases.get(0).hostName(), "the FQDN option (81)");
        assertTrue(leases.get(0).bound());

        // names through the client's stack: the name server and the search domain came with the lease
        assertEquals(ip("10.62.0.80"), b.resolve("appliance").get(10, TimeUnit.SECONDS));
        assertTrue(dns.asked.contains("A appliance.lab.test"), dns.asked::toString);
        // the early resolver: server and search domain learned after it was made apply
        assertEquals(ip("10.62.0.80"), early.resolve("appliance").get(10, TimeUnit.SECONDS));
        early.close();

        // the renewal (T1 = 1 s here) is a change: a new lease, same address; listeners run on the loop
        Nets.awaitTrue(() -> changes.stream().anyMatch(x -> x.dhcp4Lease() != null
                && x.dhcp4Lease().startNanos() != cfg.dhcp4Lease().startNanos()), () -> "renewal: " + changes);
        assertFalse(onLoop.contains(false), "listeners run on the identity's loop");
        assertEquals(cfg.ipv4Addresses(), b.configuration(loop).ipv4Addresses());

        // shutdown releases the lease: the DHCPRELEASE reaches the server before the plug closes
        Nets.shutdown(b);
        b = null;
        Nets.awaitTrue(() -> onLoopQuietly(serverLoop, () -> dhcpd.counter(Dhcp4Server.Counter.RELEASES)) == 1,
                "DHCPRELEASE received");
        assertEquals(List.of(), Nets.onLoop(serverLoop,
                () -> dhcpd.leases(a.stack(serverLoop).engine().lastNow())), "the address is free again");
    }

    @Test
    void aLostLeaseIsAChange_andTheNextLeaseToo() throws Exception {
        final String sw = Nets.uniqueSwitch();
        a = new IothEventLoopGroup("vnl=" + sw + ",eth,ip=10.65.0.1/24");
        final EventLoop serverLoop = a.next();
        final Dhcp4ServerConfig short2s = Dhcp4ServerConfig.builder().pool("10.65.0.100", "10.65.0.120")
                .leaseSeconds(2).router("10.65.0.1").build();
        final Dhcp4Server first = a.startDhcpServer(short2s).get(10, TimeUnit.SECONDS);
        b = new IothEventLoopGroup(IothIdentity.parse("vnl=" + sw + ",eth,dhcp")
                .withDhcp4Config(quickDhcp().retransmission(200_000_000L, 400_000_000L, 0).build()));
        final BlockingQueue<IothConfiguration> changes = new LinkedBlockingQueue<>();
        b.addConfigurationListener(b.next(), (before, now) -> changes.add(now));
        final IothConfiguration bound = b.configured().get(20, TimeUnit.SECONDS);
        assertEquals(2, bound.leaseSeconds());

        // the server goes away: no renewal, no rebinding; the lease expires 2 s after it started
        Nets.onLoop(serverLoop, () -> {
            first.close();
            return null;
        });
        IothConfiguration lost;
        do {
            lost = changes.poll(10, TimeUnit.SECONDS);
            assertNotNull(lost, "the loss was told");
        } while (lost.complete());
        assertEquals(List.of(), lost.ipv4Addresses(), lost::toString);
        assertNull(lost.dhcp4Lease());
        assertEquals(List.of(), lost.gateways(), "the lease's default route went with it");
        assertFalse(b.configuration().complete());

        // a server again: the client's discovery goes on and binds anew
        a.startDhcpServer(Dhcp4ServerConfig.builder().pool("10.65.0.100", "10.65.0.120").leaseSeconds(600)
                .router("10.65.0.1").build()).get(10, TimeUnit.SECONDS);
        IothConfiguration again;
        do {
            again = changes.poll(15, TimeUnit.SECONDS);
            assertNotNull(again, "bound again");
        } while (!again.complete());
        assertEquals(600, again.leaseSeconds());
        assertEquals(1, again.ipv4Addresses().size());
    }

    @Test
    void dnsThroughTheStack_staticServerAndSearchDomain_A_AAAA_andTheBootstrapResolver() throws Exception {
        final String sw = Nets.uniqueSwitch();
        a = new IothEventLoopGroup("vnl=" + sw + ",eth,ip=10.63.0.53/24,ip=fd00:63::53/64");
        final TinyDnsServer dns = TinyDnsServer.start(a, "::", Map.of(
                "appliance.lab.test", List.of(ip("10.63.0.53"), ip("fd00:63::53")),
                "v6only.lab.test", List.of(ip("fd00:63::66"))));
        // an echo server on the DNS identity, reached by name below
        new Bootstrap().group(a).channel(IothDatagramChannel.class)
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(final ChannelHandlerContext ctx, final DatagramPacket p) {
                        ctx.writeAndFlush(new DatagramPacket(p.content().retain(), p.sender()));
                    }
                }).bind(7).sync();

        b = new IothEventLoopGroup("vnl=" + sw + ",eth,ip=10.63.0.2/24,dns=10.63.0.53,domain=lab.test");
        b.configured().sync();
        // IPv4 only: A queries; the search domain completes a single label (ndots 1)
        assertEquals(ip("10.63.0.53"), b.resolve("appliance").get(10, TimeUnit.SECONDS));
        assertEquals(ip("10.63.0.53"), b.resolve("appliance.lab.test.").get(10, TimeUnit.SECONDS));
        final ExecutionException nx = assertThrows(ExecutionException.class,
                () -> b.resolve("nothere.lab.test").get(10, TimeUnit.SECONDS));
        assertInstanceOf(UnknownHostException.class, nx.getCause());
        assertFalse(dns.asked.stream().anyMatch(q -> q.startsWith("AAAA")), "no AAAA from an IPv4-only stack: "
                + dns.asked);

        // Bootstrap.resolver(group.resolver()): the channel's unresolved address is resolved by its own stack
        final BlockingQueue<String> back = new LinkedBlockingQueue<>();
        final Channel ch = new Bootstrap().group(b).channel(IothDatagramChannel.class).resolver(b.resolver())
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(final ChannelHandlerContext ctx, final DatagramPacket p) {
                        back.add(p.content().toString(CharsetUtil.US_ASCII));
                    }
                }).connect(InetSocketAddress.createUnresolved("appliance", 7)).sync().channel();
        assertEquals(new InetSocketAddress("10.63.0.53", 7), ch.remoteAddress());
        ch.writeAndFlush(Unpooled.copiedBuffer("hello by name", CharsetUtil.US_ASCII)).sync();
        assertEquals("hello by name", back.poll(10, TimeUnit.SECONDS));
        ch.close().sync();

        // an IPv6-only identity asks AAAA, over IPv6, once its address is usable (DAD)
        c = new IothEventLoopGroup("vnl=" + sw + ",eth,ip=fd00:63::2/64,dns=fd00:63::53,domain=lab.test");
        awaitIpv6Usable(c, "fd00:63::2");
        awaitIpv6Usable(a, "fd00:63::53");
        assertEquals(ip("fd00:63::53"), c.resolve("appliance").get(10, TimeUnit.SECONDS));
        assertEquals(ip("fd00:63::66"), c.resolve("v6only.lab.test").get(10, TimeUnit.SECONDS));
        assertTrue(dns.asked.contains("AAAA appliance.lab.test"), dns.asked::toString);
    }

    @Test
    void aTruncatedUdpAnswerIsRetriedOverTcpThroughTheStack() throws Exception {
        final String sw = Nets.uniqueSwitch();
        a = new IothEventLoopGroup("vnl=" + sw + ",eth,ip=10.66.0.53/24");
        final TinyDnsServer dns = TinyDnsServer.start(a, "10.66.0.53",
                Map.of("big.lab.test", List.of(ip("10.66.0.99")))).startTcp(a, "10.66.0.53");
        dns.truncated.add("big.lab.test");
        b = new IothEventLoopGroup("vnl=" + sw + ",eth,ip=10.66.0.2/24,dns=10.66.0.53");
        assertEquals(ip("10.66.0.99"), b.resolve("big.lab.test").get(10, TimeUnit.SECONDS), dns.asked::toString);
        assertEquals(List.of("A big.lab.test", "tcp A big.lab.test"), dns.asked, "UDP, TC=1, then TCP (RFC 7766)");
    }

    @Test
    void withoutANameServer_literalsAndLocalhostStillResolve_namesFailClearly() throws Exception {
        a = new IothEventLoopGroup("vnl=" + Nets.uniqueSwitch() + ",ip=10.64.0.2/24");
        assertEquals(ip("10.1.2.3"), a.resolve("10.1.2.3").get(10, TimeUnit.SECONDS));
        assertEquals(ip("127.0.0.1"), a.resolve("localhost").get(10, TimeUnit.SECONDS));
        final ExecutionException e = assertThrows(ExecutionException.class,
                () -> a.resolve("appliance.lab.test").get(10, TimeUnit.SECONDS));
        assertInstanceOf(UnknownHostException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("no DNS server configured"), e.getCause().getMessage());
        // a loop that is not an IoTh loop has no stack to resolve through
        final io.netty.channel.EventLoopGroup nio = new io.netty.channel.MultiThreadIoEventLoopGroup(1,
                io.netty.channel.local.LocalIoHandler.newFactory());
        try {
            assertThrows(IllegalArgumentException.class,
                    () -> IothDnsResolvers.newNameResolver(nio.next()));
        } finally {
            Nets.shutdown(nio);
        }
    }

    @Test
    void configuredFailsWhenTheLoopShutsDownFirst() throws Exception {
        a = new IothEventLoopGroup(IothIdentity.parse("vnl=" + Nets.uniqueSwitch() + ",eth,dhcp")
                .withDhcp4Config(quickDhcp().build()));
        final Future<IothConfiguration> f = a.configured();
        assertFalse(f.isDone(), "nobody answers DHCP on this switch");
        final IothConfiguration now = a.configuration();
        assertNotNull(now);
        assertFalse(now.complete());
        assertEquals(List.of(), now.ipv4Addresses());
        Nets.shutdown(a);
        a = null;
        assertTrue(f.await(10, TimeUnit.SECONDS));
        assertFalse(f.isSuccess());
        assertTrue(f.cause().getMessage().contains("shut down before"), f.cause().getMessage());
    }

    static void awaitIpv6Usable(final IothEventLoopGroup g, final String address) {
        final long[] x = new long[2];
        Ipv6Addr.parse(address, x);
        final EventLoop loop = g.next();
        Nets.awaitTrue(() -> onLoopQuietly(loop, () -> {
            final Stack s = g.stack(loop);
            final NetInterface ifc = s.interfaceByName("vde0");
            return ifc.ipv6State(x[0], x[1]) == NetInterface.AddressState.PREFERRED ? 1L : 0L;
        }) == 1L, "DAD of " + address);
    }

    static long onLoopQuietly(final EventLoop loop, final java.util.concurrent.Callable<Long> c) {
        try {
            return Nets.onLoop(loop, c);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
