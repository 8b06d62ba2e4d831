package io.ioth.tcpip.iface;

import io.ioth.tcpip.dhcp6.Dhcp6Client;
import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.stats.DropReason;
import io.ioth.tcpip.testing.Hex;
import io.ioth.tcpip.testing.StackFixture;
import io.ioth.tcpip.wire.Icmpv6Packet;
import io.ioth.tcpip.wire.Icmpv6Repr;
import io.ioth.tcpip.wire.IpProtocol;
import io.ioth.tcpip.wire.Ipv6Addr;
import io.ioth.tcpip.wire.MacAddr;
import io.ioth.tcpip.wire.NdiscOption;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import static io.ioth.tcpip.testing.Frames6.FE80;
import static io.ioth.tcpip.testing.Frames6.FF02;
import static io.ioth.tcpip.testing.Frames6.LL_A;
import static io.ioth.tcpip.testing.Frames6.LL_B;
import static io.ioth.tcpip.testing.Frames6.MAC_A;
import static io.ioth.tcpip.testing.Frames6.MAC_B;
import static io.ioth.tcpip.testing.Frames6.eth;
import static io.ioth.tcpip.testing.Frames6.fixIcmp6Checksum;
import static io.ioth.tcpip.testing.Frames6.icmp6;
import static io.ioth.tcpip.testing.Frames6.ipv6;
import static io.ioth.tcpip.testing.Frames6.na;
import static io.ioth.tcpip.testing.Frames6.solicitedMac;
import static io.ioth.tcpip.testing.StackFixture.MS;
import static io.ioth.tcpip.testing.StackFixture.SEC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Router discovery and SLAAC as packet traces in simulated time (RFC 4861 §6.3.4, §6.3.7, RFC 4862 §5.5.3,
 * RFC 8106): host B (02:00:00:00:00:0b, fe80::ff:fe00:b) and router A (02:00:00:00:00:0a, fe80::ff:fe00:a).
 */
class Ipv6AutoconfTraceTest {
    static final long P1 = 0xfd00_0001_0000_0000L; // fd00:1::/64
    static final long P9 = 0xfd00_0009_0000_0000L; // fd00:9::/64
    static final long INF = 0xffff_ffffL;

    /** The listener's calls. */
    static final class Events implements Ipv6Autoconf.Listener {
        final List<Long> configured = new ArrayList<>();
        int changes;

        @Override
        public void configured(Ipv6Autoconf a, long now) {
            configured.add(now);
        }

        @Override
        public void changed(Ipv6Autoconf a, long now) {
            changes++;
        }
    }

    static StackFixture host() {
        return new StackFixture(io.ioth.tcpip.iface.StackConfig.builder().name("B").seed(1).mld(1, SEC), false);
    }

    static Ipv6Autoconf start(StackFixture f, Ipv6Autoconf.Options o, Events ev) {
        return f.stack.startIpv6Autoconf(f.eth0, o, Dhcp6Client.Options.defaults().withInitialDelay(false), ev,
                f.now);
    }

    /** rd + slaac, no DHCPv6. */
    static Ipv6Autoconf.Options slaacOnly() {
        return Ipv6Autoconf.Options.defaults().withDhcp6(Ipv6Autoconf.Dhcp6Mode.OFF);
    }

    /** B's Router Solicitation: fe80::ff:fe00:b -> ff02::2, hop limit 255, SLLA (RFC 4861 §4.1, §6.3.7). */
    static byte[] rs() {
        Icmpv6Repr m = new Icmpv6Repr().clear();
        m.type = Icmpv6Packet.TYPE_ROUTER_SOLICIT;
        m.sourceLinkAddr = MAC_B;
        return eth(0x3333_0000_0002L, MAC_B, ipv6(FE80, LL_B, FF02, 2, IpProtocol.ICMPV6, 255,
                icmp6(FE80, LL_B, FF02, 2, m, null)));
    }

    /** A's Router Advertisement to ff02::1 (hop limit 255, SLLA) with {@code options} after the SLLA. */
    static byte[] ra(int flags, int lifetime, long reachable, long retrans, byte[] options) {
        return raFrom(FE80, LL_A, 255, flags, lifetime, reachable, retrans, options);
    }

    static byte[] raFrom(long sHi, long sLo, int hopLimit, int flags, int lifetime, long reachable, long retrans,
                         byte[] options) {
        Icmpv6Repr m = new Icmpv6Repr().clear();
        m.type = Icmpv6Packet.TYPE_ROUTER_ADVERT;
        m.curHopLimit = 64;
        m.raFlags = flags;
        m.routerLifetime = lifetime;
        m.reachableTime = reachable;
        m.retransTimer = retrans;
        m.sourceLinkAddr = MAC_A;
        return eth(0x3333_0000_0001L, MAC_A, ipv6(sHi, sLo, FF02, 1, IpProtocol.ICMPV6, hopLimit,
                icmp6(sHi, sLo, FF02, 1, m, options)));
    }

    static byte[] prefix(long hi, int len, int flags, long valid, long preferred) {
        byte[] b = new byte[32];
        NdiscOption.emitPrefixInfo(Unpooled.wrappedBuffer(b), 0, len, flags, valid, preferred, hi, 0);
        return b;
    }

    static byte[] mtu(long v) {
        byte[] b = new byte[8];
        NdiscOption.emitMtu(Unpooled.wrappedBuffer(b), 0, v);
        return b;
    }

    static byte[] rdnss(long lifetime, long... addrs) {
        byte[] b = new byte[8 + 8 * addrs.length];
        NdiscOption.emitRdnss(Unpooled.wrappedBuffer(b), 0, lifetime, addrs);
        return b;
    }

    static byte[] dnssl(long lifetime, String... names) {
        byte[] b = new byte[NdiscOption.dnsslLength(names)];
        NdiscOption.emitDnssl(Unpooled.wrappedBuffer(b), 0, lifetime, names);
        return b;
    }

    static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    static final int LA = NdiscOption.PREFIX_FLAG_ON_LINK | NdiscOption.PREFIX_FLAG_AUTONOMOUS;

    /** ICMPv6 type of an untagged frame without extension headers, or -1. */
    static int icmpType(byte[] f) {
        return f.length > 54 && (f[12] & 0xff) == 0x86 && (f[13] & 0xff) == 0xdd && f[20] == 58 ? f[54] & 0xff : -1;
    }

    static List<byte[]> ofType(List<byte[]> frames, int type) {
        List<byte[]> l = new ArrayList<>();
        for (byte[] f : frames) {
            if (icmpType(f) == type) {
                l.add(f);
            }
        }
        return l;
    }

    /** Steps simulated time 1 ms at a time over (from, to] and returns the times RSs went out. */
    static List<Long> rsTimes(StackFixture f, long from, long to) {
        List<Long> at = new ArrayList<>();
        for (long t = from; t <= to; t += 50 * MS) {
            f.settle(t);
            for (byte[] fr : f.link.takeAll()) {
                if (icmpType(fr) == Icmpv6Packet.TYPE_ROUTER_SOLICIT) {
                    assertArrayEquals(rs(), fr, () -> Hex.pretty(fr));
                    at.add(t);
                }
            }
        }
        return at;
    }

    static int route(StackFixture f, String dst, Route r) {
        long[] a = new long[2];
        Ipv6Addr.parse(dst, a);
        return f.stack.engine().route(a[0], a[1], 0L, 0L, null, r, f.now);
    }

    // ================================================================ RS timing (RFC 4861 §6.3.7)

    @Test
    void solicitations_afterLinkLocalDad_threeFourSecondsApart_thenNoRouters_RFC4861_6_3_7() {
        try (StackFixture f = host()) {
            Events ev = new Events();
            Ipv6Autoconf a = start(f, slaacOnly().withSlaac(false), ev);
            assertTrue(f.eth0.isIpv6Enabled());
            // DAD of the link-local address first (1 s): "the host should ... after ... address is ... valid"
            assertEquals(List.of(1 * SEC, 5 * SEC, 9 * SEC), rsTimes(f, 0, 20 * SEC));
            assertEquals(3, a.solicitationsSent());
            assertEquals(3, f.stack.stats().get(Counter.NDP_OUT_ROUTER_SOLICITS));
            // rd without slaac/dhcp6: configured once the host concludes there are no routers (4 s after the last)
            assertEquals(List.of(13 * SEC), ev.configured);
            assertTrue(a.routers().isEmpty());
        }
    }

    @Test
    void solicitations_stopAtTheFirstRaWithARouterLifetime_RFC4861_6_3_7() {
        try (StackFixture f = host()) {
            Ipv6Autoconf a = start(f, slaacOnly(), new Events());
            assertEquals(List.of(1 * SEC), rsTimes(f, 0, 2 * SEC));
            f.receive(ra(0, 1800, 0, 0, new byte[0]));
            assertEquals(List.of(), rsTimes(f, 2 * SEC, 20 * SEC));
            assertEquals(1, a.solicitationsSent());
            assertEquals(1, a.routers().size());
        }
    }

    @Test
    void solicitations_rfc7559Backoff_keepGoingWithGrowingIntervals() {
        try (StackFixture f = host()) {
            start(f, slaacOnly().withSolicitations(0, 4 * SEC, true), new Events());
            List<Long> t = rsTimes(f, 0, 70 * SEC);
            // 1 s, then 4 s later, then ~8 s, ~16 s, ~32 s (each x2 +-10 %)
            assertEquals(5, t.size(), t.toString());
            assertEquals(5 * SEC, t.get(1));
            for (int i = 2; i < t.size(); i++) {
                long gap = t.get(i) - t.get(i - 1);
                long prev = t.get(i - 1) - t.get(i - 2);
                assertTrue(gap >= 1.75 * prev && gap <= 2.25 * prev, "gap " + gap + " after " + prev);
            }
        }
    }

    // ================================================================ RA processing (RFC 4861 §6.3.4)

    @Test
    void ra_defaultRouterPrefixMtuTimersRdnssDnssl_slaacAddressAfterDad_thenConfigured() {
        try (StackFixture f = host()) {
            Events ev = new Events();
            Ipv6Autoconf a = start(f, slaacOnly(), ev);
            f.settle(1 * SEC);
            f.link.takeAll();
            f.now = 1500 * MS;
            f.receive(ra(0, 1800, 30_000, 2_000, cat(prefix(P1, 64, LA, 86400, 14400), mtu(1400),
                    rdnss(600, P1, 0x53), dnssl(600, "example.com", "lan"))));
            assertEquals(1, f.stack.stats().get(Counter.NDP_IN_ROUTER_ADVERTS));
            long iid = Ipv6Addr.eui64Lo(MAC_B);
            // RFC 4862 §5.5.3 d): prefix + interface id, TENTATIVE: DAD solicitation from ::
            assertEquals(NetInterface.AddressState.TENTATIVE, f.eth0.ipv6State(P1, iid));
            List<byte[]> out = f.link.takeAll();
            List<byte[]> ns = ofType(out, Icmpv6Packet.TYPE_NEIGHBOR_SOLICIT);
            assertEquals(1, ns.size());
            assertArrayEquals(io.ioth.tcpip.testing.Frames6.ns(solicitedMac(iid), MAC_B, 0, 0, FF02,
                    Ipv6Addr.solicitedNodeLo(iid), P1, iid, Icmpv6Repr.NO_LL_ADDR), ns.get(0));
            assertTrue(ev.configured.isEmpty(), "not before DAD");
            // the default router (metric 1024) and the on-link prefix (256), Linux "proto ra"
            String routes = f.stack.routes().toString();
            assertTrue(routes.contains("default via fe80::ff:fe00:a dev eth0 metric 1024"), routes);
            assertTrue(routes.contains("fd00:1::/64 dev eth0 metric 256"), routes);
            assertEquals(1400, f.eth0.mtu());
            assertEquals(64, a.curHopLimit());
            assertEquals("[/fd00:1:0:0:0:0:0:53]", a.dnsServers().toString());
            assertEquals(List.of("example.com", "lan"), a.searchDomains());
            assertEquals(List.of("fd00:1::/64"), a.onLinkPrefixes());
            assertEquals("[/fe80:0:0:0:0:ff:fe00:a%1]".replace("%1", "%" + f.eth0.index()),
                    a.routers().toString());
            f.settle(2500 * MS);
            assertEquals(NetInterface.AddressState.PREFERRED, f.eth0.ipv6State(P1, iid));
            assertEquals(List.of(2500 * MS), ev.configured);
            assertEquals("[/fd00:1:0:0:0:ff:fe00:b]", a.addresses().toString());
            // a global destination now routes via the router, from the SLAAC address
            Route r = new Route();
            assertEquals(NetError.OK, route(f, "2001:db8::1", r));
            assertEquals("fe80::ff:fe00:a", IpAddr.format(r.nextHopHi, r.nextHopLo));
            assertEquals("fd00:1::ff:fe00:b", IpAddr.format(r.srcHi, r.srcLo));
            assertEquals(1400, r.mtu);
            assertEquals(1, f.stack.stats().get(Counter.SLAAC_ADDRESSES));
            assertEquals(0, f.stack.stats().totalDrops() - f.drops(DropReason.ETH_MULTICAST_NOT_JOINED),
                    f.stack.stats().toString());

            // lifetimes: RDNSS/DNSSL at 600 s, the router at 1800 s, deprecation at 14400 s, removal at 86400 s
            int changes = ev.changes;
            f.settle(1500 * MS + 600 * SEC);
            assertTrue(a.dnsServers().isEmpty());
            assertTrue(a.searchDomains().isEmpty());
            assertTrue(ev.changes > changes);
            f.settle(1500 * MS + 1800 * SEC - MS);
            assertEquals(1, a.routers().size());
            f.settle(1500 * MS + 1800 * SEC);
            assertTrue(a.routers().isEmpty());
            assertFalse(f.stack.routes().toString().contains("default"), f.stack.routes().toString());
            assertEquals(NetError.ENETUNREACH, route(f, "2001:db8::1", r));
            f.settle(1500 * MS + 14400 * SEC);
            assertTrue(f.eth0.isIpv6Deprecated(P1, iid));
            assertTrue(f.eth0.ipv6Addresses().contains("fd00:1::ff:fe00:b/64 deprecated"),
                    f.eth0.ipv6Addresses().toString());
            f.settle(1500 * MS + 86400 * SEC);
            assertFalse(f.eth0.hasIpv6(P1, iid));
            assertTrue(a.onLinkPrefixes().isEmpty());
            assertFalse(f.stack.routes().toString().contains("fd00:1::"), f.stack.routes().toString());
        }
    }

    @Test
    void ra_retransTimerAndReachableTime_copiedToTheNeighbourCache() {
        try (StackFixture f = host()) {
            start(f, slaacOnly(), new Events());
            f.settle(1 * SEC);
            f.receive(ra(0, 1800, 40_000, 3_000, new byte[0]));
            long rt = f.eth0.neighbors().reachableTime();
            // RFC 4861 §6.3.2: ReachableTime is BaseReachableTime x a random factor in [0.5, 1.5]
            assertTrue(rt >= 20_000 * MS && rt <= 60_000 * MS, "reachable " + rt);
        }
    }

    @Test
    void ra_routerLifetimeZero_removesTheRouter_otherRoutersStay_RFC4861_6_3_4() {
        try (StackFixture f = host()) {
            Ipv6Autoconf a = start(f, slaacOnly(), new Events());
            f.settle(1 * SEC);
            f.receive(ra(0, 1800, 0, 0, new byte[0]));
            // a second router, high preference (RFC 4191 Prf 01): metric 1023, preferred
            f.receive(raFrom(FE80, 0x77, 255, 0x08, 600, 0, 0, new byte[0]));
            assertEquals(2, a.routers().size());
            Route r = new Route();
            assertEquals(NetError.OK, route(f, "2001:db8::1", r)); // from the link-local: no global address
            assertEquals("fe80::77", IpAddr.format(r.nextHopHi, r.nextHopLo));
            f.receive(raFrom(FE80, 0x77, 255, 0x08, 0, 0, 0, new byte[0])); // lifetime 0: "immediately time-out"
            assertEquals(1, a.routers().size());
            route(f, "2001:db8::1", r);
            assertEquals("fe80::ff:fe00:a", IpAddr.format(r.nextHopHi, r.nextHopLo));
        }
    }

    @Test
    void slaac_twoHourRule_RFC4862_5_5_3_e() {
        try (StackFixture f = host()) {
            start(f, slaacOnly(), new Events());
            f.settle(1 * SEC);
            long iid = Ipv6Addr.eui64Lo(MAC_B);
            f.receive(ra(0, 0, 0, 0, prefix(P1, 64, LA, 86400, 3600)));
            assertTrue(f.eth0.hasIpv6(P1, iid));
            // 3. remaining 86400 s > 2 h, received 60 s: "reset the valid lifetime ... to 2 hours"
            f.receive(ra(0, 0, 0, 0, prefix(P1, 64, LA, 60, 60)));
            long t = f.now;
            // 2. remaining (3600 s) <= 2 h, received 10 s: "ignore the Prefix Information option with regards to the
            // valid lifetime"
            f.settle(t + 3600 * SEC);
            f.receive(ra(0, 0, 0, 0, prefix(P1, 64, LA, 10, 10)));
            f.settle(t + 7200 * SEC - MS);
            assertTrue(f.eth0.hasIpv6(P1, iid), "10 s ignored, 2 h kept");
            // 1. received (5000 s) > remaining: taken
            f.receive(ra(0, 0, 0, 0, prefix(P1, 64, LA, 5000, 100)));
            long t2 = f.now;
            f.settle(t2 + 5000 * SEC - MS);
            assertTrue(f.eth0.hasIpv6(P1, iid));
            f.settle(t2 + 5000 * SEC);
            assertFalse(f.eth0.hasIpv6(P1, iid));
        }
    }

    @Test
    void slaac_preferredLifetimeZero_deprecatedAtOnce_sourceSelectionAvoidsIt_RFC6724_rule3() {
        try (StackFixture f = host()) {
            start(f, slaacOnly(), new Events());
            f.settle(1 * SEC);
            long iid = Ipv6Addr.eui64Lo(MAC_B);
            f.receive(ra(0, 1800, 0, 0, cat(prefix(P1, 64, LA, 86400, 0), prefix(P9, 64, LA, 86400, 3600))));
            f.settle(f.now + 1 * SEC);
            assertTrue(f.eth0.isIpv6Deprecated(P1, iid));
            assertFalse(f.eth0.isIpv6Deprecated(P9, iid));
            Route r = new Route();
            assertEquals(NetError.OK, route(f, "fd00:1::99", r)); // longest match would say fd00:1::, rule 3 wins
            assertEquals("fd00:9::ff:fe00:b", IpAddr.format(r.srcHi, r.srcLo));
            // a later RA with a preferred lifetime un-deprecates it
            f.receive(ra(0, 1800, 0, 0, prefix(P1, 64, LA, 86400, 600)));
            assertFalse(f.eth0.isIpv6Deprecated(P1, iid));
        }
    }

    @Test
    void slaac_configuredInterfaceId_fromTheFqdnHash() {
        try (StackFixture f = host()) {
            long iid = 0x1234_5678_9abc_def0L;
            Ipv6Autoconf a = start(f, slaacOnly().withInterfaceId(iid), new Events());
            assertEquals(iid, f.eth0.ipv6LinkLocalLo()); // IPv6 enabled with it: the link-local too
            f.settle(1 * SEC);
            f.receive(ra(0, 1800, 0, 0, prefix(P1, 64, LA, 86400, 14400)));
            assertTrue(f.eth0.hasIpv6(P1, iid));
            assertEquals(iid, a.interfaceId());
        }
    }

    @Test
    void slaac_dadFailure_addressNeverUsed_notConfigured_RFC4862_5_4_5() {
        try (StackFixture f = host()) {
            Events ev = new Events();
            Ipv6Autoconf a = start(f, slaacOnly(), ev);
            f.settle(1 * SEC);
            long iid = Ipv6Addr.eui64Lo(MAC_B);
            f.receive(ra(0, 1800, 0, 0, prefix(P1, 64, LA, 86400, 14400)));
            f.link.takeAll();
            // A defends fd00:1::ff:fe00:b
            f.receive(na(0x3333_0000_0001L, MAC_A, FE80, LL_A, FF02, 1, P1, iid, 0x20, MAC_A));
            assertEquals(NetInterface.AddressState.DUPLICATE, f.eth0.ipv6State(P1, iid));
            assertEquals(1, f.stack.stats().get(Counter.DAD_FAILED));
            f.settle(f.now + 5 * SEC);
            assertTrue(ev.configured.isEmpty());
            assertTrue(a.addresses().isEmpty());
            assertTrue(a.slaacAddresses().get(0).endsWith("dadfailed"), a.slaacAddresses().toString());
            Route r = new Route();
            assertEquals(NetError.OK, route(f, "fd00:1::99", r));
            assertEquals("fe80::ff:fe00:b", IpAddr.format(r.srcHi, r.srcLo), "the link-local, the last resort");
        }
    }

    /**
     * SLAAC with nothing to configure: an RA whose only prefix is on-link but not autonomous (A=0, RFC 4862 §5.5.3 a)
     * gives no address, so the interface is configured as it is, link-local only (as Linux leaves it), not waiting
     * for an address that will never come; likewise when the solicitations find no router at all (RFC 4861 §6.3.7).
     */
    @Test
    void slaac_nothingToConfigure_configuredWithTheLinkLocalOnly() {
        try (StackFixture f = host()) {
            Events ev = new Events();
            Ipv6Autoconf a = start(f, slaacOnly(), ev);
            f.settle(1 * SEC);
            f.now = 1500 * MS;
            f.receive(ra(0, 1800, 0, 0, prefix(P1, 64, NdiscOption.PREFIX_FLAG_ON_LINK, 86400, 14400)));
            assertEquals(List.of(1500 * MS), ev.configured);
            assertTrue(a.addresses().isEmpty());
            assertEquals(List.of("fd00:1::/64"), a.onLinkPrefixes());
            // a later RA with an autonomous prefix still gets its address
            f.receive(ra(0, 1800, 0, 0, prefix(P9, 64, LA, 86400, 14400)));
            f.settle(f.now + 2 * SEC);
            assertEquals(NetInterface.AddressState.PREFERRED, f.eth0.ipv6State(P9, Ipv6Addr.eui64Lo(MAC_B)));
        }
        try (StackFixture f = host()) {
            Events ev = new Events();
            start(f, slaacOnly(), ev);
            // three solicitations at 1, 5 and 9 s, no answer: no routers 4 s after the last (RFC 4861 §10 constants)
            assertEquals(List.of(1 * SEC, 5 * SEC, 9 * SEC), rsTimes(f, 0, 20 * SEC));
            assertEquals(List.of(13 * SEC), ev.configured);
        }
    }

    @Test
    void slaac_prefixWithoutOnLinkFlag_addressIsA128_noPrefixRoute_RFC5942() {
        try (StackFixture f = host()) {
            Ipv6Autoconf a = start(f, slaacOnly(), new Events());
            f.settle(1 * SEC);
            f.receive(ra(0, 1800, 0, 0, prefix(P1, 64, NdiscOption.PREFIX_FLAG_AUTONOMOUS, 86400, 14400)));
            assertTrue(f.eth0.ipv6Addresses().contains("fd00:1::ff:fe00:b/128 tentative"),
                    f.eth0.ipv6Addresses().toString());
            assertTrue(a.onLinkPrefixes().isEmpty());
            // an on-link-only prefix: a route, no address
            f.receive(ra(0, 1800, 0, 0, prefix(P9, 64, NdiscOption.PREFIX_FLAG_ON_LINK, 86400, 14400)));
            assertEquals(List.of("fd00:9::/64"), a.onLinkPrefixes());
            assertFalse(f.eth0.hasIpv6(P9, Ipv6Addr.eui64Lo(MAC_B)));
            // valid lifetime 0 for a known on-link prefix: "immediately time-out the entry"
            f.receive(ra(0, 1800, 0, 0, prefix(P9, 64, NdiscOption.PREFIX_FLAG_ON_LINK, 0, 0)));
            assertTrue(a.onLinkPrefixes().isEmpty());
        }
    }

    // ================================================================ invalid RAs (RFC 4861 §6.1.2) and options

    @Test
    void invalidRas_droppedAndCountedPerReason_nothingLearned_RFC4861_6_1_2() {
        try (StackFixture f = host()) {
            Ipv6Autoconf a = start(f, slaacOnly(), new Events());
            f.settle(1 * SEC);
            f.link.takeAll();
            byte[] opts = prefix(P1, 64, LA, 86400, 14400);
            byte[] good = ra(0, 1800, 0, 0, opts);
            long before = f.stack.stats().totalDrops();
            f.receive(raFrom(FE80, LL_A, 64, 0, 1800, 0, 0, opts)); // hop limit 64: could come from off-link
            assertEquals(1, f.drops(DropReason.NDP_BAD_HOP_LIMIT));
            f.receive(raFrom(P9, 1, 255, 0, 1800, 0, 0, opts)); // global source
            assertEquals(1, f.drops(DropReason.NDP_RA_BAD_SOURCE));
            f.receive(fixIcmp6Checksum(io.ioth.tcpip.testing.Frames6.with(good, 14 + 40 + 1, (byte) 1), 54)); // code 1
            byte[] zeroLen = io.ioth.tcpip.testing.Frames6.with(good, 14 + 40 + 16 + 8 + 1, (byte) 0); // PIO length 0
            f.receive(fixIcmp6Checksum(zeroLen, 54));
            byte[] overrun = io.ioth.tcpip.testing.Frames6.with(good, 14 + 40 + 16 + 8 + 1, (byte) 5); // 40 > 32 left
            f.receive(fixIcmp6Checksum(overrun, 54));
            byte[] shortRa = eth(0x3333_0000_0001L, MAC_A, ipv6(FE80, LL_A, FF02, 1, IpProtocol.ICMPV6, 255,
                    java.util.Arrays.copyOf(icmp6(FE80, LL_A, FF02, 1, raRepr(), null), 12)));
            f.receive(fixIcmp6Checksum(shortRa, 54)); // 12 bytes < 16
            assertEquals(4, f.drops(DropReason.NDP_RA_MALFORMED));
            f.receive(io.ioth.tcpip.testing.Frames6.with(good, 14 + 40 + 2, (byte) 0, (byte) 0)); // checksum
            assertEquals(1, f.drops(DropReason.ICMP6_BAD_CHECKSUM));
            assertEquals(7, f.stack.stats().totalDrops() - before, f.stack.stats().toString());
            assertEquals(0, f.stack.stats().get(Counter.NDP_IN_ROUTER_ADVERTS));
            assertTrue(a.routers().isEmpty());
            assertTrue(a.onLinkPrefixes().isEmpty());
            assertEquals(0, f.stack.stats().get(Counter.SLAAC_ADDRESSES));
            assertNull(f.link.take());
            // the good one still works
            f.receive(good);
            assertEquals(1, a.routers().size());
        }
    }

    static Icmpv6Repr raRepr() {
        Icmpv6Repr m = new Icmpv6Repr().clear();
        m.type = Icmpv6Packet.TYPE_ROUTER_ADVERT;
        m.routerLifetime = 1800;
        return m;
    }

    @Test
    void badOptions_ignoredOneByOne_restOfTheRaUsed() {
        try (StackFixture f = host()) {
            Ipv6Autoconf a = start(f, slaacOnly(), new Events());
            f.settle(1 * SEC);
            byte[] badPio = prefix(P9, 64, LA, 100, 200); // preferred > valid: RFC 4862 §5.5.3 c)
            byte[] llPio = prefix(0xfe80_0000_0000_0000L, 64, LA, 100, 50); // link-local prefix
            byte[] shortPio = java.util.Arrays.copyOf(prefix(P9, 64, LA, 100, 50), 24);
            shortPio[1] = 3; // 24 bytes: not the 32 a PIO needs
            byte[] pio48 = prefix(0xfd00_0048_0000_0000L, 48, LA, 100, 50); // 48 + 64 != 128: no address
            byte[] smallMtu = mtu(1000); // below 1280
            byte[] badDnssl = dnssl(600, "example.com");
            badDnssl[8] = 0x40; // a label length of 64 (compression / extended label bits)
            byte[] zeroRdnss = rdnss(600, 0, 0); // :: is no server
            f.receive(ra(0, 1800, 0, 0, cat(badPio, llPio, shortPio, pio48, smallMtu, badDnssl, zeroRdnss,
                    prefix(P1, 64, LA, 86400, 14400))));
            assertEquals(7, f.drops(DropReason.NDP_RA_BAD_OPTION), f.stack.stats().toString());
            assertEquals(1, a.routers().size());
            // the PIOs refused for SLAAC still make their prefixes on-link (RFC 4861 §6.3.4 is separate)
            assertEquals(List.of("fd00:9::/64", "fd00:48::/48", "fd00:1::/64"), a.onLinkPrefixes());
            assertEquals(1, f.stack.stats().get(Counter.SLAAC_ADDRESSES));
            assertTrue(f.eth0.hasIpv6(P1, Ipv6Addr.eui64Lo(MAC_B)));
            assertEquals(1500, f.eth0.mtu());
            assertTrue(a.dnsServers().isEmpty());
            assertTrue(a.searchDomains().isEmpty());
        }
    }

    @Test
    void rdnss_lifetimeZeroRemoves_refreshExtends_RFC8106_5_3_1() {
        try (StackFixture f = host()) {
            Ipv6Autoconf a = start(f, slaacOnly(), new Events());
            f.settle(1 * SEC);
            f.receive(ra(0, 1800, 0, 0, cat(rdnss(100, P1, 0x53, P9, 0x53), dnssl(100, "a.example"))));
            assertEquals(2, a.dnsServers().size());
            f.settle(f.now + 50 * SEC);
            f.receive(ra(0, 1800, 0, 0, cat(rdnss(100, P1, 0x53), rdnss(0, P9, 0x53), dnssl(INF, "a.example"))));
            assertEquals("[/fd00:1:0:0:0:0:0:53]", a.dnsServers().toString());
            f.settle(f.now + 99 * SEC);
            assertEquals(1, a.dnsServers().size());
            f.settle(f.now + 1 * SEC);
            assertTrue(a.dnsServers().isEmpty());
            assertEquals(List.of("a.example"), a.searchDomains(), "infinite lifetime");
        }
    }

    @Test
    void withoutAutoconf_anRaOnlyRecordsTheRoutersLinkLayerAddress() {
        try (StackFixture f = host()) {
            f.stack.enableIpv6(f.eth0, f.now);
            f.settle(1 * SEC);
            f.receive(ra(0, 1800, 0, 0, prefix(P1, 64, LA, 86400, 14400)));
            assertEquals(MAC_A, f.eth0.neighbors().lladdr(6, FE80, LL_A));
            assertFalse(f.eth0.hasIpv6(P1, Ipv6Addr.eui64Lo(MAC_B)));
            assertFalse(f.stack.routes().toString().contains("default"));
        }
    }

    @Test
    void close_removesLearnedRoutesAndAddresses() {
        try (StackFixture f = host()) {
            Ipv6Autoconf a = start(f, slaacOnly(), new Events());
            f.settle(1 * SEC);
            f.receive(ra(0, 1800, 0, 0, prefix(P1, 64, LA, 86400, 14400)));
            a.close(f.now);
            assertNull(f.stack.ipv6Autoconf(f.eth0));
            assertFalse(f.eth0.hasIpv6(P1, Ipv6Addr.eui64Lo(MAC_B)));
            assertFalse(f.stack.routes().toString().contains("fd00:1"), f.stack.routes().toString());
            assertFalse(f.stack.routes().toString().contains("default"));
            // a new one may start
            f.stack.startIpv6Autoconf(f.eth0, slaacOnly(), null, f.now);
        }
    }

    @Test
    void managedFlag_startsDhcp6Solicit_otherFlag_informationRequest() {
        try (StackFixture f = host()) {
            Ipv6Autoconf a = start(f, Ipv6Autoconf.Options.defaults(), new Events());
            f.settle(1 * SEC);
            f.link.takeAll();
            f.receive(ra(Icmpv6Packet.RA_FLAG_OTHER, 1800, 0, 0, new byte[0]));
            List<byte[]> out = f.link.takeAll();
            assertEquals(1, out.size());
            assertEquals(11, out.get(0)[62]); // Information-Request
            f.receive(ra(Icmpv6Packet.RA_FLAG_MANAGED | Icmpv6Packet.RA_FLAG_OTHER, 1800, 0, 0, new byte[0]));
            out = f.link.takeAll();
            assertEquals(1, out.size());
            assertEquals(1, out.get(0)[62]); // Solicit
            assertTrue(a.managedFlag());
            assertEquals(MacAddr.parse("33:33:00:01:00:02"), MacAddr.get(Unpooled.wrappedBuffer(out.get(0)), 0));
        }
    }
}
