package io.ioth.tcpip.iface;

import io.ioth.tcpip.Stack;
import io.ioth.tcpip.testing.TraceLink;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.MacAddr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Route lookup: longest prefix match (RFC 1812 §5.2.4.3), metrics, gateways, source selection, local routes. */
class RoutingTest {
    Stack stack;
    Engine engine;
    NetInterface eth0;
    NetInterface eth1;
    final Route r = new Route();

    static int ip(String s) {
        return Ipv4Addr.parse(s);
    }

    @BeforeEach
    void setUp() {
        stack = Stack.create(StackConfig.builder().seed(1).arpAnnounce(0, 1).build(), 0);
        engine = stack.engine();
        eth0 = stack.addInterface("eth0", new TraceLink(), MacAddr.parse("02:00:00:00:00:01"));
        eth1 = stack.addInterface("eth1", new TraceLink(), MacAddr.parse("02:00:00:00:00:02"));
        stack.addIpv4(eth0, "10.0.0.2/24", 0);
        stack.addIpv4(eth1, "192.168.5.10/24", 0);
    }

    @AfterEach
    void tearDown() {
        stack.close();
    }

    int lookup(String dst) {
        return engine.route(0, IpAddr.v4(ip(dst)), 0, 0, null, r, 0);
    }

    String nextHop() {
        return Ipv4Addr.format(IpAddr.v4Of(r.nextHopLo));
    }

    String src() {
        return Ipv4Addr.format(IpAddr.v4Of(r.srcLo));
    }

    @Test
    void onLinkRoutes_comeFromTheAddresses() {
        assertEquals(NetError.OK, lookup("10.0.0.77"));
        assertSame(eth0, r.iface);
        assertEquals("10.0.0.77", nextHop());
        assertEquals("10.0.0.2", src());
        assertEquals(1500, r.mtu);
        assertEquals(NetError.OK, lookup("192.168.5.1"));
        assertSame(eth1, r.iface);
        assertEquals("192.168.5.10", src());
        assertEquals(NetError.ENETUNREACH, lookup("8.8.8.8"), "no default route yet");
    }

    @Test
    void longestPrefixWins_thenTheLowerMetric() {
        RouteTable t = stack.routes();
        t.addDefaultGateway4(ip("10.0.0.1"));
        t.addRoute4(ip("172.16.0.0"), 12, ip("10.0.0.254"), null, 0);
        t.addRoute4(ip("172.16.4.0"), 24, ip("192.168.5.1"), null, 0);
        t.addRoute4(ip("172.16.4.0"), 24, ip("10.0.0.253"), null, 10);
        assertEquals(NetError.OK, lookup("172.16.4.9"));
        assertEquals("192.168.5.1", nextHop(), "/24 beats /12; metric 0 beats 10");
        assertSame(eth1, r.iface);
        assertEquals("192.168.5.10", src(), "source from the outgoing interface (RFC 1122 §3.3.4.3)");
        assertTrue((r.flags & Route.GATEWAY) != 0);
        lookup("172.17.0.1");
        assertEquals("10.0.0.254", nextHop());
        lookup("8.8.8.8");
        assertEquals("10.0.0.1", nextHop(), "default gateway");
        assertSame(eth0, r.iface);
        assertEquals(1, t.removeRoute4(ip("172.16.0.0"), 12));
        lookup("172.17.0.1");
        assertEquals("10.0.0.1", nextHop());
    }

    @Test
    void twoDefaultRoutes_theLowerMetricWins() {
        stack.routes().addRoute4(0, 0, ip("192.168.5.1"), null, 100);
        stack.routes().addRoute4(0, 0, ip("10.0.0.1"), null, 10);
        lookup("1.1.1.1");
        assertEquals("10.0.0.1", nextHop());
    }

    @Test
    void gatewayMustBeOnLink() {
        assertThrows(IllegalArgumentException.class, () -> stack.routes().addDefaultGateway4(ip("172.31.0.1")));
    }

    @Test
    void sourceSelection_prefersTheSubnetOfTheNextHop() {
        stack.addIpv4(eth0, "10.1.0.2/16", 0);
        lookup("10.1.3.4");
        assertEquals("10.1.0.2", src());
        lookup("10.0.0.9");
        assertEquals("10.0.0.2", src());
        assertEquals(NetError.OK, engine.route(0, IpAddr.v4(ip("10.0.0.9")), 0, IpAddr.v4(ip("10.1.0.2")), null, r, 0));
        assertEquals("10.1.0.2", src(), "a bound source is kept");
    }

    @Test
    void ownAddressesAndLoopback_routeOverLo() {
        lookup("10.0.0.2");
        assertTrue(r.isLocal());
        assertSame(stack.loopback(), r.iface);
        assertEquals("10.0.0.2", src(), "Linux: the source of local traffic is the destination");
        lookup("192.168.5.10");
        assertTrue(r.isLocal());
        lookup("127.9.9.9");
        assertTrue(r.isLocal());
        assertEquals("127.0.0.1", src());
        assertEquals(65536, r.mtu);
    }

    @Test
    void broadcastAndMulticast() {
        stack.routes().addDefaultGateway4(ip("192.168.5.1"));
        lookup("255.255.255.255");
        assertTrue(r.isBroadcast());
        assertSame(eth1, r.iface, "limited broadcast leaves by the default route's interface");
        lookup("10.0.0.255");
        assertTrue(r.isBroadcast());
        assertSame(eth0, r.iface);
        lookup("239.1.1.1");
        assertTrue(r.isMulticast());
        assertEquals(NetError.OK, engine.route(0, IpAddr.v4(ip("239.1.1.1")), 0, 0, eth0, r, 0));
        assertSame(eth0, r.iface, "IP_MULTICAST_IF");
    }

    @Test
    void boundInterface_restrictsTheLookup() {
        assertEquals(NetError.ENETUNREACH, engine.route(0, IpAddr.v4(ip("10.0.0.9")), 0, 0, eth1, r, 0));
    }

    @Test
    void addressRemoval_dropsItsRoute_andBumpsTheGeneration() {
        lookup("192.168.5.1");
        long gen = r.generation;
        assertTrue(engine.isCurrent(r));
        assertTrue(stack.removeIpv4(eth1, ip("192.168.5.10"), 0));
        assertFalse(engine.isCurrent(r));
        assertNotEquals(gen, engine.routeGeneration());
        assertEquals(NetError.ENETUNREACH, lookup("192.168.5.1"));
        assertFalse(engine.isLocalAddress(0, IpAddr.v4(ip("192.168.5.10"))));
    }

    @Test
    void downInterface_isNotRoutedOver() {
        eth1.setUp(false);
        assertEquals(NetError.ENETUNREACH, lookup("192.168.5.1"));
    }

    @Test
    void tableDump_looksLikeIpRoute() {
        stack.routes().addDefaultGateway4(ip("10.0.0.1"));
        String dump = stack.routes().toString();
        assertTrue(dump.contains("default via 10.0.0.1 dev eth0"), dump);
        assertTrue(dump.contains("10.0.0.0/24 dev eth0 proto kernel scope link"), dump);
        assertTrue(dump.contains("127.0.0.0/8 dev lo"), dump);
    }
}
