package io.ioth.tcpip.iface;

import io.ioth.tcpip.socket.icmp.PingReply;
import io.ioth.tcpip.socket.icmp.PingSocket;
import io.ioth.tcpip.socket.udp.DatagramInfo;
import io.ioth.tcpip.socket.udp.UdpSocket;
import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.testing.StackFixture;
import io.ioth.tcpip.testing.TraceLink;
import io.ioth.tcpip.wire.Ipv6Addr;
import io.ioth.tcpip.wire.MacAddr;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import static io.ioth.tcpip.testing.Frames6.A;
import static io.ioth.tcpip.testing.Frames6.B;
import static io.ioth.tcpip.testing.Frames6.FD00;
import static io.ioth.tcpip.testing.Frames6.FE80;
import static io.ioth.tcpip.testing.Frames6.FF02;
import static io.ioth.tcpip.testing.Frames6.LL_B;
import static io.ioth.tcpip.testing.Frames6.hostB;
import static io.ioth.tcpip.testing.Frames6.hostBTentative;
import static io.ioth.tcpip.testing.StackFixture.SEC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** IPv6 routes, source address selection (RFC 6724), loopback (::1 and our own addresses), socket families. */
class Ipv6RoutingTest {
    static final long FD01 = 0xfd01_0000_0000_0000L;
    static final long DOC = 0x2001_0db8_0000_0000L;

    static Route route(StackFixture f, long hi, long lo, NetInterface oif, int expect) {
        Route r = new Route();
        assertEquals(NetError.name(expect), NetError.name(f.stack.engine().route(hi, lo, 0, 0, oif, r, f.now)),
                "route to " + Ipv6Addr.format(hi, lo));
        return r;
    }

    static String src(Route r) {
        return IpAddr.format(r.srcHi, r.srcLo);
    }

    @Test
    void pingingLoopbackAndOurOwnAddresses_neverTouchesTheWire() {
        try (StackFixture f = hostB()) {
            PingSocket ping = f.stack.openPing();
            PingReply r = new PingReply();
            long[][] targets = {{0, 1}, {FD00, B}, {FE80, LL_B}, {0, 0}};
            String[] from = {"::1", "fd00::2", "fe80::ff:fe00:b", "::1"};
            for (int i = 0; i < targets.length; i++) {
                assertEquals(NetError.OK, ping.send(targets[i][0], targets[i][1], i, 32, f.now));
                f.settle(f.now);
                assertTrue(ping.receive(r), "reply from " + from[i]);
                assertEquals(PingReply.REPLY, r.kind);
                assertEquals(129, r.icmpType);
                assertEquals(from[i], IpAddr.format(r.fromHi, r.fromLo));
                assertTrue(!r.corrupted && r.rttNanos == 0, r.toString());
            }
            assertNull(f.link.take());
            assertEquals(8, f.stack.stats().get(Counter.IP6_OUT_LOOPBACK));
            assertEquals(0, f.stack.stats().totalDrops());
        }
    }

    @Test
    void udpOverIpv6Loopback_echoes() {
        try (StackFixture f = hostB()) {
            UdpSocket server = f.stack.openUdp();
            assertEquals(NetError.OK, server.bind(0L, 0L, 7)); // :: - both families
            UdpSocket client = f.stack.openUdp();
            assertEquals(5, client.sendTo(0, 1, 7, Unpooled.wrappedBuffer("hello".getBytes()), f.now));
            f.settle(f.now);
            DatagramInfo info = new DatagramInfo();
            ByteBuf d = server.receive(info);
            assertNotNull(d);
            assertEquals("::1", IpAddr.format(info.srcHi, info.srcLo));
            assertEquals("::1", IpAddr.format(info.dstHi, info.dstLo));
            assertEquals(5, server.sendTo(info.srcHi, info.srcLo, info.srcPort, d, f.now));
            d.release();
            f.settle(f.now);
            ByteBuf back = client.receive(info);
            assertNotNull(back);
            assertEquals("hello", back.toString(java.nio.charset.StandardCharsets.US_ASCII));
            back.release();
            assertNull(f.link.take());
        }
    }

    /** RFC 6724 §5 (simplified): link-local for link-scope destinations, the longest matching prefix otherwise. */
    @Test
    void sourceAddressSelection_RFC6724() {
        try (StackFixture f = hostB()) {
            f.stack.addIpv6(f.eth0, FD01, 2, 64, f.now);
            f.settle(f.now + SEC);
            f.stack.routes().addDefaultGateway6(FD00, A);
            assertEquals("fd01::2", src(route(f, FD01, 0x99, null, NetError.OK)));
            assertEquals("fd00::2", src(route(f, FD00, 0x99, null, NetError.OK)));
            assertEquals("fe80::ff:fe00:b", src(route(f, FE80, 1, null, NetError.OK)));
            assertEquals("fe80::ff:fe00:b", src(route(f, FF02, 1, null, NetError.OK)));
            Route r = route(f, DOC, 1, null, NetError.OK);
            assertEquals("fd00::1", IpAddr.format(r.nextHopHi, r.nextHopLo));
            assertTrue(r.srcHi == FD00 || r.srcHi == FD01, src(r));
            assertEquals("fd01::2", src(route(f, 0xfd01_0000_0000_0001L, 1, null, NetError.OK)), "/48 match wins");
            assertTrue(f.stack.routes().toString().contains("default via fd00::1 dev eth0"));
        }
    }

    /** RFC 4862 §5.4: a tentative address is never a source; with nothing usable, EADDRNOTAVAIL. */
    @Test
    void tentativeAddresses_areNeverSources_RFC4862_5_4() {
        try (StackFixture f = hostBTentative()) {
            route(f, FD00, 0x99, null, NetError.EADDRNOTAVAIL);
            UdpSocket u = f.stack.openUdp();
            assertEquals(NetError.EADDRNOTAVAIL, u.sendTo(FD00, A, 9, Unpooled.wrappedBuffer(new byte[1]), f.now));
            UdpSocket b = f.stack.openUdp();
            assertEquals(NetError.EADDRNOTAVAIL, b.bind(FD00, B, 9), "Linux refuses to bind a tentative address");
            f.settle(SEC);
            assertEquals("fd00::2", src(route(f, FD00, 0x99, null, NetError.OK)));
            assertEquals(NetError.OK, b.bind(FD00, B, 9));
        }
    }

    /** A link-local destination needs its link (Linux: a scope id) when the stack has several. */
    @Test
    void linkLocalDestinations_needAnInterface_whenThereAreSeveral() {
        try (StackFixture f = hostB()) {
            assertEquals(f.eth0, route(f, FE80, 1, null, NetError.OK).iface, "the only IPv6 link");
            NetInterface eth1 = f.stack.addInterface("eth1", new TraceLink(), MacAddr.parse("02:00:00:00:00:0c"));
            f.stack.enableIpv6(eth1, 0xc, f.now);
            f.settle(f.now + SEC);
            route(f, FE80, 1, null, NetError.EINVAL);
            Route r = route(f, FE80, 1, eth1, NetError.OK);
            assertEquals(eth1, r.iface);
            assertEquals("fe80::c", src(r));
            f.stack.routes().addDefaultGateway6(FE80, 1, eth1);
            assertTrue(f.stack.routes().toString().contains("default via fe80::1 dev eth1"),
                    f.stack.routes().toString());
            assertEquals(eth1, route(f, DOC, 1, null, NetError.OK).iface);
            assertEquals("fd00::2", src(route(f, DOC, 1, null, NetError.OK)),
                    "Rule 2 before Rule 5: a global address of another interface beats a link-local one");
        }
    }

    @Test
    void socketsOfOneFamily_cannotReachTheOther_andPayloadLimits() {
        try (StackFixture f = hostB()) {
            UdpSocket v4only = f.stack.openUdp();
            assertEquals(NetError.OK, v4only.bind(0, 0)); // 0.0.0.0
            assertEquals(NetError.EAFNOSUPPORT, v4only.sendTo(FD00, A, 9, Unpooled.wrappedBuffer(new byte[1]),
                    f.now));
            UdpSocket any = f.stack.openUdp();
            assertEquals(NetError.OK, any.bind(0L, 0L, 0)); // ::
            assertEquals(NetError.EMSGSIZE, any.sendTo(FD00, A, 9, Unpooled.wrappedBuffer(new byte[65528]), f.now));
            assertEquals(65527, any.sendTo(0, 1, 9, Unpooled.wrappedBuffer(new byte[65527]), f.now),
                    "RFC 8200: 65535 bytes of payload, UDP header included");
            f.settle(f.now);
            assertEquals(1, f.stack.stats().get(Counter.IP6_FRAG_OKS), "over lo's 65536 MTU: fragmented, as Linux");
            assertEquals(1, f.stack.stats().get(Counter.IP6_REASM_OKS));
        }
    }

    @Test
    void removingAnAddress_removesItsRouteAndLeavesItsGroup() {
        try (StackFixture f = hostB()) {
            assertTrue(f.stack.removeIpv6(f.eth0, FD00, B, f.now));
            assertFalse(f.stack.engine().isLocalAddress(FD00, B));
            assertFalse(f.stack.routes().toString().contains("fd00::/64"));
            assertEquals("[ff02::1:ff00:b]", f.eth0.ipv6Groups().toString());
            assertNotNull(f.link.take(), "MLD TO_IN for ff02::1:ff00:2");
            route(f, FD00, A, null, NetError.ENETUNREACH);
            assertFalse(f.stack.removeIpv6(f.stack.loopback(), 0, 1, f.now), "::1 stays");
        }
    }

    /** RFC 2464 §7: sent to 33:33 + the group's last 32 bits; hop limit 1 by default (RFC 3493 §5.2
     * IPV6_MULTICAST_HOPS); link-scope group, so a link-local source; looped back to the stack's own members. */
    @Test
    void multicastSend_toTheGroupMac_hopLimit1_loopedBackToMembers() {
        try (StackFixture f = hostB()) {
            UdpSocket member = f.stack.openUdp();
            assertEquals(NetError.OK, member.bind(0L, 0L, 5000));
            assertEquals(NetError.OK, member.joinGroup(0xff12_0000_0000_0000L, 0x1234, null, f.now));
            f.link.takeAll();
            UdpSocket sender = f.stack.openUdp();
            assertEquals(2, sender.sendTo(0xff12_0000_0000_0000L, 0x1234, 5000, Unpooled.wrappedBuffer(new byte[2]),
                    f.now));
            byte[] out = f.link.take();
            assertEquals(0x3333_0000_1234L, MacAddr.get(Unpooled.wrappedBuffer(out), 0));
            assertEquals(1, out[14 + 7], "hop limit");
            assertEquals(FE80, Unpooled.wrappedBuffer(out).getLong(14 + 8), "link-local source for a link-scope group");
            f.settle(f.now);
            DatagramInfo info = new DatagramInfo();
            ByteBuf d = member.receive(info);
            assertNotNull(d, "looped back (IPV6_MULTICAST_LOOP on by default)");
            d.release();
            sender.setMulticastLoop(false);
            sender.sendTo(0xff12_0000_0000_0000L, 0x1234, 5000, Unpooled.wrappedBuffer(new byte[2]), f.now);
            f.settle(f.now);
            assertNull(member.receive(info));
            assertNotNull(f.link.take(), "still sent on the wire");
        }
    }

    /** PMTUDISC_DO (TCP's mode): larger than the path MTU fails with EMSGSIZE instead of fragmenting. */
    @Test
    void tooBigWithFragmentationForbidden_isEmsgsize() {
        try (StackFixture f = hostB()) {
            UdpSocket u = f.stack.openUdp();
            u.setPmtuDiscovery(io.ioth.tcpip.iface.Engine.PMTUDISC_DO);
            assertEquals(NetError.EMSGSIZE, u.sendTo(FD00, A, 9, Unpooled.wrappedBuffer(new byte[2000]), f.now));
            assertEquals(1, f.drops(io.ioth.tcpip.stats.DropReason.IP6_TOO_BIG));
            assertNull(f.link.take());
        }
    }
}
