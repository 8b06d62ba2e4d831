package io.ioth.tcpip;

import io.ioth.tcpip.iface.IpAddr;
import io.ioth.tcpip.iface.NeighborCache;
import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.iface.NetInterface;
import io.ioth.tcpip.socket.icmp.PingReply;
import io.ioth.tcpip.socket.icmp.PingSocket;
import io.ioth.tcpip.socket.udp.DatagramInfo;
import io.ioth.tcpip.socket.udp.UdpSocket;
import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.stats.DropReason;
import io.ioth.tcpip.testing.PcapOnFailure;
import io.ioth.tcpip.testing.SimNet;
import io.ioth.tcpip.testing.StackDriver;
import io.ioth.tcpip.wire.MacAddr;
import io.ioth.vde.sw.Impairment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two (or three) stacks in one JVM over IPv6 on an embedded switch with impairment, in simulated time: NDP
 * resolution retries (RFC 4861 §7.2.2), DAD between stacks (RFC 4862), unsolicited advertisements after a node
 * migrates (§7.2.6), ping6 and UDP over a lossy, reordering, duplicating link.
 */
class TwoStackSim6Test {
    static final long SEC = 1_000_000_000L;
    static final long MS = 1_000_000L;
    static final long FD00 = 0xfd00_0000_0000_0000L;
    static final long MAC_A = MacAddr.parse("02:00:00:06:00:01");
    static final long MAC_B = MacAddr.parse("02:00:00:06:00:02");

    @RegisterExtension
    final PcapOnFailure pcap = new PcapOnFailure();

    SimNet net;
    Stack a;
    Stack b;

    Stack add(String name, long mac, int v4, long v6lo, long seed) {
        Stack s = net.addStack(name, mac, "10.6.0." + v4 + "/24", seed);
        s.addIpv6(s.interfaceByName("eth0"), FD00, v6lo, 64, net.now());
        return s;
    }

    void start() {
        net = new SimNet();
        a = add("A", MAC_A, 1, 1, 61);
        b = add("B", MAC_B, 2, 2, 62);
        pcap.capture(a.interfaceByName("eth0"), net.ticker::nanoTime);
        net.runUntil(5 * SEC); // DAD, unsolicited advertisements and MLD reports are done
        assertEquals(NetInterface.AddressState.PREFERRED, a.interfaceByName("eth0").ipv6State(FD00, 1));
        assertEquals(NetInterface.AddressState.PREFERRED, b.interfaceByName("eth0").ipv6State(FD00, 2));
    }

    /**
     * RFC 4861 §7.2.2: unresolved, one multicast solicitation per RetransTimer (1 s), MAX_MULTICAST_SOLICIT = 3,
     * then the queue is dropped with ICMPv6 address unreachable; the next packet starts again and succeeds.
     */
    @Test
    void ndpResolution_threeSolicitationsASecondApart_thenAddressUnreachable_thenRecovers_RFC4861_7_2_2() {
        start();
        try (SimNet closing = net) {
            net.impair(b, Impairment.builder().loss(1.0).seed(1).build()); // B hears nothing
            long ns0 = a.stats().get(Counter.NDP_OUT_SOLICITS);
            long t0 = net.now();
            PingSocket ping = a.openPing();
            assertEquals(NetError.OK, ping.send(FD00, 2, 1, 56, t0));
            net.runUntil(t0 + 999 * MS);
            assertEquals(1, a.stats().get(Counter.NDP_OUT_SOLICITS) - ns0);
            net.runUntil(t0 + SEC);
            assertEquals(2, a.stats().get(Counter.NDP_OUT_SOLICITS) - ns0);
            net.runUntil(t0 + 2 * SEC);
            assertEquals(3, a.stats().get(Counter.NDP_OUT_SOLICITS) - ns0);
            net.runUntil(t0 + 10 * SEC);
            assertEquals(3, a.stats().get(Counter.NDP_OUT_SOLICITS) - ns0, "MAX_MULTICAST_SOLICIT = 3");
            assertEquals(1, a.stats().drops(DropReason.NEIGH_RESOLUTION_FAILED));
            PingReply r = new PingReply();
            assertTrue(ping.receive(r));
            assertEquals(PingReply.ERROR, r.kind, r.toString());
            assertEquals(1, r.icmpType);
            assertEquals(3, r.icmpCode, "address unreachable (RFC 4861 §7.2.2, RFC 4443 §3.1)");
            net.impair(b, null);
            long t1 = net.now();
            assertEquals(NetError.OK, ping.send(FD00, 2, 2, 56, t1));
            net.runUntil(t1 + SEC);
            assertTrue(ping.receive(r));
            assertEquals(PingReply.REPLY, r.kind, r.toString());
            assertEquals(129, r.icmpType);
            assertEquals(2, r.seq);
        }
    }

    /** ping6 across a link that loses, delays and reorders: replies come back, out of order, none corrupted. */
    @Test
    void ping6_overALossyReorderingLink() {
        start();
        try (SimNet closing = net) {
            net.impair(a, Impairment.builder().loss(0.2).delay(Duration.ofMillis(5))
                    .reorder(0.2, Duration.ofMillis(20)).seed(7).build());
            net.impair(b, Impairment.builder().loss(0.2).delay(Duration.ofMillis(5))
                    .reorder(0.2, Duration.ofMillis(20)).seed(8).build());
            PingSocket ping = a.openPing();
            long t0 = net.now();
            int n = 100;
            for (int i = 0; i < n; i++) {
                net.runUntil(t0 + i * 10 * MS);
                ping.send(FD00, 2, i, 64, net.now());
            }
            net.runUntil(t0 + n * 10 * MS + 5 * SEC);
            PingReply r = new PingReply();
            BitSet seen = new BitSet();
            boolean reordered = false;
            int last = -1;
            while (ping.receive(r)) {
                if (r.kind != PingReply.REPLY) {
                    continue; // resolution may give up under heavy loss: legitimate
                }
                assertFalse(r.corrupted);
                assertTrue(r.rttNanos >= 10 * MS, "two 5 ms hops: " + r);
                seen.set(r.seq);
                reordered |= r.seq < last;
                last = r.seq;
            }
            assertTrue(seen.cardinality() > 40 && seen.cardinality() < 90, "replies " + seen.cardinality());
            assertTrue(reordered, "the link reorders");
            assertEquals(b.stats().get(Counter.ICMP6_IN_ECHOS), b.stats().get(Counter.ICMP6_OUT_ECHO_REPS));
        }
    }

    /** UDP over IPv6 (checksum mandatory, RFC 8200 §8.1) through loss, duplication and reordering. */
    @Test
    void udp6Echo_withLossReorderingAndDuplication() {
        start();
        try (SimNet closing = net) {
            net.impair(a, Impairment.builder().loss(0.1).duplicate(0.05).delay(Duration.ofMillis(2))
                    .reorder(0.3, Duration.ofMillis(10)).seed(21).build());
            net.impair(b, Impairment.builder().loss(0.1).duplicate(0.05).delay(Duration.ofMillis(2))
                    .reorder(0.3, Duration.ofMillis(10)).seed(22).build());
            UdpSocket echo = b.openUdp();
            assertEquals(NetError.OK, echo.bind(0L, 0L, 7));
            DatagramInfo binfo = new DatagramInfo();
            echo.attach((StackDriver.Handler) (s, ev, now) -> {
                ByteBuf d;
                while ((d = echo.receive(binfo)) != null) {
                    echo.sendTo(binfo.srcHi, binfo.srcLo, binfo.srcPort, d, now);
                    d.release();
                }
            });
            UdpSocket client = a.openUdp();
            assertEquals(NetError.OK, client.connect(FD00, 2, 7, net.now()));
            assertEquals("fd00::1", IpAddr.format(client.localAddressHi(), client.localAddressLo()));
            List<Integer> got = new ArrayList<>();
            DatagramInfo ainfo = new DatagramInfo();
            client.attach((StackDriver.Handler) (s, ev, now) -> {
                ByteBuf d;
                while ((d = client.receive(ainfo)) != null) {
                    assertEquals("fd00::2", IpAddr.format(ainfo.srcHi, ainfo.srcLo));
                    assertEquals(7, ainfo.srcPort);
                    assertEquals(100, d.readableBytes());
                    int seq = d.getInt(d.readerIndex());
                    for (int i = 4; i < 100 && seq != 0; i++) {
                        assertEquals((byte) (seq + i), d.getByte(d.readerIndex() + i));
                    }
                    got.add(seq);
                    d.release();
                }
            });
            for (int i = 0; got.isEmpty() && i < 50; i++) { // resolve both ways first
                client.send(Unpooled.wrappedBuffer(new byte[100]), net.now());
                net.runUntil(net.now() + 200 * MS);
            }
            assertFalse(got.isEmpty());
            got.clear();
            long t0 = net.now();
            int n = 500;
            for (int i = 0; i < n; i++) {
                net.runUntil(t0 + i * MS);
                ByteBuf p = Unpooled.buffer(100);
                p.writeInt(i);
                for (int k = 4; k < 100; k++) {
                    p.writeByte(i + k);
                }
                assertEquals(100, client.send(p, net.now()));
            }
            net.runUntil(t0 + n * MS + 2 * SEC);
            BitSet distinct = new BitSet();
            boolean reordered = false;
            for (int i = 0; i < got.size(); i++) {
                distinct.set(got.get(i));
                reordered |= i > 0 && got.get(i) < got.get(i - 1);
            }
            int echoed = distinct.cardinality();
            assertTrue(echoed > 330 && echoed < 480, "echoed " + echoed);
            assertTrue(got.size() > echoed, "duplicates arrive");
            assertTrue(reordered, "reordering shows");
            assertEquals(0, a.stats().drops(DropReason.UDP_BAD_CHECKSUM));
            assertEquals(0, b.stats().drops(DropReason.UDP_BAD_CHECKSUM));
        }
    }

    /** RFC 4862 §5.4.3 across the switch: a third stack claiming fd00::1 sees A's defence and gives it up. */
    @Test
    void dad_aLateClaimantSeesTheDefenceAndMarksItsAddressDuplicated_RFC4862() {
        start();
        try (SimNet closing = net) {
            Stack c = add("C", MacAddr.parse("02:00:00:06:00:03"), 3, 1, 63);
            net.runUntil(net.now() + 3 * SEC);
            NetInterface ec = c.interfaceByName("eth0");
            assertEquals(NetInterface.AddressState.DUPLICATE, ec.ipv6State(FD00, 1));
            assertEquals(1, c.stats().get(Counter.DAD_FAILED));
            assertEquals(NetInterface.AddressState.PREFERRED, a.interfaceByName("eth0").ipv6State(FD00, 1));
            assertEquals(0, a.stats().get(Counter.DAD_FAILED));
            // B still reaches the real fd00::1
            PingSocket ping = b.openPing();
            ping.send(FD00, 1, 1, 8, net.now());
            net.runUntil(net.now() + SEC);
            PingReply r = new PingReply();
            assertTrue(ping.receive(r));
            assertEquals(PingReply.REPLY, r.kind);
            assertEquals(MAC_A, b.interfaceByName("eth0").neighbors().lladdr(6, FD00, 1));
        }
    }

    /**
     * RFC 4861 §7.2.6: when fd00::2 moves to another stack (another MAC), its unsolicited advertisement with the
     * Override flag updates A's cache at once - no waiting for NUD to notice.
     */
    @Test
    void migratedAddress_isFoundAtOnce_byItsUnsolicitedAdvertisement_RFC4861_7_2_6() {
        start();
        try (SimNet closing = net) {
            PingSocket ping = a.openPing();
            ping.send(FD00, 2, 1, 8, net.now());
            net.runUntil(net.now() + SEC);
            NeighborCache<ByteBuf> nc = a.interfaceByName("eth0").neighbors();
            assertEquals(MAC_B, nc.lladdr(6, FD00, 2));
            b.removeIpv6(b.interfaceByName("eth0"), FD00, 2, net.now()); // the identity leaves B ...
            long macD = MacAddr.parse("02:00:00:06:00:04");
            Stack d = add("D", macD, 4, 2, 64); // ... and comes up on D
            net.runUntil(net.now() + SEC + 10 * MS); // D's DAD (1 s) and its advertisement
            assertEquals(NetInterface.AddressState.PREFERRED, d.interfaceByName("eth0").ipv6State(FD00, 2));
            assertEquals(macD, nc.lladdr(6, FD00, 2), "updated by the unsolicited NA");
            ping.send(FD00, 2, 2, 8, net.now());
            net.runUntil(net.now() + SEC);
            PingReply r = new PingReply();
            while (ping.receive(r) && r.seq != 2) {
                // the first reply
            }
            assertEquals(2, r.seq);
            assertEquals(PingReply.REPLY, r.kind);
            assertEquals(1, d.stats().get(Counter.ICMP6_OUT_ECHO_REPS), "answered by D");
        }
    }
}
