package io.ioth.tcpip;

import io.ioth.tcpip.iface.IpAddr;
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
import io.ioth.tcpip.wire.Ipv4Addr;
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
 * Two stacks in one JVM on an embedded switch with impairment, in simulated time (mock ticker): ARP retries, ICMP
 * echo and UDP behave per RFC under loss, delay, reordering and duplication. Traffic is kept as pcapng if a test
 * fails ({@link PcapOnFailure}).
 */
class TwoStackSimTest {
    static final long SEC = 1_000_000_000L;
    static final long MS = 1_000_000L;
    static final int IP_A = Ipv4Addr.parse("10.1.0.1");
    static final int IP_B = Ipv4Addr.parse("10.1.0.2");

    @RegisterExtension
    final PcapOnFailure pcap = new PcapOnFailure();

    SimNet net;
    Stack a;
    Stack b;

    void start() {
        net = new SimNet();
        a = net.addStack("A", MacAddr.parse("02:00:00:01:00:01"), "10.1.0.1/24", 11);
        b = net.addStack("B", MacAddr.parse("02:00:00:01:00:02"), "10.1.0.2/24", 12);
        pcap.capture(a.interfaceByName("eth0"), net.ticker::nanoTime);
        net.runUntil(5 * SEC); // gratuitous ARPs are done
    }

    /**
     * RFC 1122 §2.3.2.1: while unresolved, at most one ARP request per second per destination; after 3 unanswered
     * requests the queued packets are dropped (and reported as host unreachable); the next packet starts anew.
     */
    @Test
    void arpRetries_onceASecond_threeTimes_thenGiveUp_thenRecover() {
        start();
        try (SimNet closing = net) {
            net.impair(b, Impairment.builder().loss(1.0).seed(1).build()); // B hears nothing
            long t0 = net.now();
            PingSocket ping = a.openPing();
            assertEquals(NetError.OK, ping.send(IP_B, 1, 56, t0));
            net.runUntil(t0 + 999 * MS);
            assertEquals(1, a.stats().get(Counter.ARP_OUT_REQUESTS));
            net.runUntil(t0 + SEC);
            assertEquals(2, a.stats().get(Counter.ARP_OUT_REQUESTS));
            net.runUntil(t0 + 2 * SEC);
            assertEquals(3, a.stats().get(Counter.ARP_OUT_REQUESTS));
            net.runUntil(t0 + 10 * SEC);
            assertEquals(3, a.stats().get(Counter.ARP_OUT_REQUESTS), "MAX_MULTICAST_SOLICIT = 3");
            assertEquals(1, a.stats().drops(DropReason.NEIGH_RESOLUTION_FAILED));
            PingReply r = new PingReply();
            assertTrue(ping.receive(r));
            assertEquals(PingReply.ERROR, r.kind, r.toString());
            assertEquals(3, r.icmpType);
            assertEquals(1, r.icmpCode);
            // the wire heals: the next packet resolves at once
            net.impair(b, null);
            long t1 = net.now();
            assertEquals(NetError.OK, ping.send(IP_B, 2, 56, t1));
            net.runUntil(t1 + SEC);
            assertTrue(ping.receive(r));
            assertEquals(PingReply.REPLY, r.kind, r.toString());
            assertEquals(2, r.seq);
        }
    }

    @Test
    void ping_overALossyReorderingLink() {
        start();
        try (SimNet closing = net) {
            Impairment imp = Impairment.builder().loss(0.2).delay(Duration.ofMillis(5))
                    .reorder(0.2, Duration.ofMillis(20)).seed(7).build();
            net.impair(a, imp);
            net.impair(b, Impairment.builder().loss(0.2).delay(Duration.ofMillis(5))
                    .reorder(0.2, Duration.ofMillis(20)).seed(8).build());
            PingSocket ping = a.openPing();
            long t0 = net.now();
            int n = 100;
            for (int i = 0; i < n; i++) {
                net.runUntil(t0 + i * 10 * MS);
                ping.send(IP_B, i, 64, net.now());
            }
            net.runUntil(t0 + n * 10 * MS + 5 * SEC);
            PingReply r = new PingReply();
            BitSet seen = new BitSet();
            boolean reordered = false;
            int last = -1;
            while (ping.receive(r)) {
                if (r.kind != PingReply.REPLY) {
                    continue; // an ARP give-up under heavy loss is legitimate
                }
                assertFalse(r.corrupted);
                assertTrue(r.rttNanos >= 10 * MS, "two 5 ms hops: " + r);
                assertFalse(seen.get(r.seq) && !r.duplicate);
                seen.set(r.seq);
                reordered |= r.seq < last;
                last = r.seq;
            }
            // each request/reply pair survives two 20 % losses: ~64 expected
            assertTrue(seen.cardinality() > 40 && seen.cardinality() < 90, "replies " + seen.cardinality());
            assertTrue(reordered, "the link reorders: replies come out of order");
            assertEquals(b.stats().get(Counter.ICMP4_IN_ECHOS), b.stats().get(Counter.ICMP4_OUT_ECHO_REPS));
        }
    }

    @Test
    void udpEcho_withLossReorderingAndDuplication() {
        start();
        try (SimNet closing = net) {
            net.impair(a, Impairment.builder().loss(0.1).duplicate(0.05).delay(Duration.ofMillis(2))
                    .reorder(0.3, Duration.ofMillis(10)).seed(21).build());
            net.impair(b, Impairment.builder().loss(0.1).duplicate(0.05).delay(Duration.ofMillis(2))
                    .reorder(0.3, Duration.ofMillis(10)).seed(22).build());
            UdpSocket echo = b.openUdp();
            assertEquals(NetError.OK, echo.bind(0, 7));
            DatagramInfo binfo = new DatagramInfo();
            echo.attach((StackDriver.Handler) (s, ev, now) -> {
                ByteBuf d;
                while ((d = echo.receive(binfo)) != null) {
                    echo.sendTo(binfo.srcHi, binfo.srcLo, binfo.srcPort, d, now);
                    d.release();
                }
            });
            UdpSocket client = a.openUdp();
            assertEquals(NetError.OK, client.connect(IP_B, 7, net.now()));
            List<Integer> got = new ArrayList<>();
            DatagramInfo ainfo = new DatagramInfo();
            client.attach((StackDriver.Handler) (s, ev, now) -> {
                ByteBuf d;
                while ((d = client.receive(ainfo)) != null) {
                    assertEquals(IP_B, ainfo.src4());
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
            // resolve both ways first: this test is about UDP over a bad link, not about ARP queueing
            for (int i = 0; got.isEmpty() && i < 50; i++) {
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
            assertTrue(distinct.cardinality() > 330 && distinct.cardinality() < 480, "echoed " + distinct.cardinality());
            assertTrue(got.size() > distinct.cardinality(), "duplicates arrive");
            assertTrue(reordered, "reordering shows");
            assertEquals(0, a.stats().drops(DropReason.UDP_BAD_CHECKSUM) + b.stats().drops(DropReason.UDP_BAD_CHECKSUM));
            assertTrue(IpAddr.isV4(client.localAddressHi(), client.localAddressLo()));
        }
    }

    @Test
    void twoIdentitiesInOneJvm_areIsolated() {
        start();
        try (SimNet closing = net) {
            NetInterface ea = a.interfaceByName("eth0");
            assertFalse(ea.hasIpv4(IP_B));
            assertTrue(a.engine() != b.engine());
            PingSocket ping = b.openPing();
            ping.send(IP_A, 1, 8, net.now());
            net.runUntil(net.now() + SEC);
            PingReply r = new PingReply();
            assertTrue(ping.receive(r));
            assertEquals(IP_A, IpAddr.v4Of(r.fromLo));
        }
    }
}
