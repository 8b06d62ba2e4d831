package io.ioth.tcpip.iface;

import io.ioth.tcpip.socket.icmp.PingReply;
import io.ioth.tcpip.socket.icmp.PingSocket;
import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.stats.DropReason;
import io.ioth.tcpip.testing.Frames;
import io.ioth.tcpip.testing.Hex;
import io.ioth.tcpip.testing.StackFixture;
import io.ioth.tcpip.wire.ArpPacket;
import io.ioth.tcpip.wire.GoldenFrames;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.MacAddr;
import org.junit.jupiter.api.Test;

import static io.ioth.tcpip.testing.StackFixture.IP_A;
import static io.ioth.tcpip.testing.StackFixture.IP_B;
import static io.ioth.tcpip.testing.StackFixture.MAC_A;
import static io.ioth.tcpip.testing.StackFixture.MAC_B;
import static io.ioth.tcpip.testing.StackFixture.SEC;
import static io.ioth.tcpip.testing.StackFixture.MS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ARP traces: bytes in, bytes out, in simulated time (RFC 826, RFC 1122 §2.3.2, RFC 5227 §2.3). */
class ArpTraceTest {

    /** RFC 5227 §2.3 ARP Announcement for 10.0.0.2 from 02:00:00:00:00:0b: request, sender = target = our IP. */
    static final byte[] ANNOUNCE_B = Hex.decode(""
            + "ffff ffff ffff 0200 0000 000b 0806 0001 0800 0604 0001 0200 0000 000b 0a00 0002 "
            + "0000 0000 0000 0a00 0002");

    /** who-has 10.0.0.1 tell 10.0.0.2, broadcast. */
    static final byte[] WHO_HAS_A = Hex.decode(""
            + "ffff ffff ffff 0200 0000 000b 0806 0001 0800 0604 0001 0200 0000 000b 0a00 0002 "
            + "0000 0000 0000 0a00 0001");

    @Test
    void addressAdded_announcesTwice_2sApart_RFC5227_2_3() {
        try (StackFixture f = new StackFixture(io.ioth.tcpip.iface.StackConfig.builder().seed(1), false)) {
            f.stack.addIpv4(f.eth0, IP_B, 24, 0);
            assertArrayEquals(ANNOUNCE_B, f.link.take(), "first announcement at once");
            assertNull(f.link.take());
            f.at(1999 * MS);
            assertNull(f.link.take(), "nothing before ANNOUNCE_INTERVAL");
            f.at(2 * SEC);
            assertArrayEquals(ANNOUNCE_B, f.link.take(), "second announcement after 2 s");
            f.at(10 * SEC);
            assertNull(f.link.take(), "ANNOUNCE_NUM = 2");
            assertEquals(2, f.stack.stats().get(Counter.ARP_OUT_ANNOUNCEMENTS));
        }
    }

    @Test
    void requestForOurAddress_isAnsweredWithTheBytesLinuxSends_RFC826() {
        try (StackFixture f = new StackFixture()) {
            f.receive(GoldenFrames.arpRequest());
            assertArrayEquals(GoldenFrames.all().get("ARP_REPLY"), f.link.take());
            assertNull(f.link.take());
            // "Am I the target? Yes: add the triplet": the requester is learned (STALE, like Linux neigh_event_ns)
            assertEquals(NeighborCache.State.STALE, f.eth0.neighbors().state(4, 0, IP_A & 0xffffffffL, f.now));
            assertEquals(MAC_A, f.eth0.neighbors().lladdr(4, 0, IP_A & 0xffffffffL));
            assertEquals(0, f.stack.stats().totalDrops());
        }
    }

    @Test
    void requestForAnotherAddress_isNotAnswered_andCreatesNoEntry() {
        try (StackFixture f = new StackFixture()) {
            int other = Ipv4Addr.parse("10.0.0.3");
            f.receive(Frames.arp(MacAddr.BROADCAST, MAC_A, ArpPacket.OP_REQUEST, MAC_A, IP_A, 0, other));
            assertNull(f.link.take());
            f.assertOnlyDrop(0, DropReason.ARP_NOT_FOR_US);
            assertNull(f.eth0.neighbors().state(4, 0, IP_A & 0xffffffffL, f.now), "merge only: no new entry");
        }
    }

    @Test
    void gratuitousArp_updatesAnExistingEntry_soAMigratedNodeIsFoundAtOnce() {
        try (StackFixture f = new StackFixture()) {
            f.receive(GoldenFrames.arpRequest()); // learn A
            f.link.takeAll();
            long moved = MacAddr.parse("02:00:00:00:00:aa");
            f.receive(Frames.arp(MacAddr.BROADCAST, moved, ArpPacket.OP_REQUEST, moved, IP_A, 0, IP_A));
            assertNull(f.link.take(), "a gratuitous ARP is not answered");
            assertEquals(moved, f.eth0.neighbors().lladdr(4, 0, IP_A & 0xffffffffL));
            assertEquals(0, f.stack.stats().totalDrops());
        }
    }

    @Test
    void gratuitousArp_fromAStranger_isNotLearned() {
        try (StackFixture f = new StackFixture()) {
            f.receive(Frames.arp(MacAddr.BROADCAST, MAC_A, ArpPacket.OP_REQUEST, MAC_A, IP_A, 0, IP_A));
            assertNull(f.eth0.neighbors().state(4, 0, IP_A & 0xffffffffL, f.now));
            assertNull(f.link.take());
        }
    }

    @Test
    void somebodyClaimingOurAddress_isAConflict_notLearned_RFC5227_2_4() {
        try (StackFixture f = new StackFixture()) {
            f.receive(Frames.arp(MacAddr.BROADCAST, MAC_A, ArpPacket.OP_REQUEST, MAC_A, IP_B, 0, IP_B));
            f.assertOnlyDrop(0, DropReason.ARP_ADDRESS_CONFLICT);
            assertNull(f.link.take());
        }
    }

    @Test
    void badArp_isDroppedUnderItsReason() {
        try (StackFixture f = new StackFixture()) {
            byte[] req = GoldenFrames.arpRequest();
            f.receive(java.util.Arrays.copyOf(req, 14 + 20));
            f.assertOnlyDrop(0, DropReason.ARP_TRUNCATED);
            f.receive(Frames.with(req, 14 + 1, 0x02)); // hardware type 2
            assertEquals(1, f.drops(DropReason.ARP_UNSUPPORTED));
            f.receive(Frames.arp(MacAddr.BROADCAST, MAC_A, ArpPacket.OP_REQUEST, MacAddr.BROADCAST, IP_A, 0, IP_B));
            assertEquals(1, f.drops(DropReason.ARP_BAD_SENDER));
            assertNull(f.link.take());
        }
    }

    /**
     * RFC 1122 §2.3.2.1: at most one request per second per destination while unresolved; after 3 unanswered
     * requests (RFC 4861 §7.2.2 MAX_MULTICAST_SOLICIT, Linux ucast+mcast probes) the queue is dropped and the sender
     * learns "host unreachable" (Linux arp_error_report -> ICMP host unreachable, delivered through loopback).
     */
    @Test
    void unansweredResolution_retriesOncePerSecond_threeTimes_thenHostUnreachable_RFC1122_2_3_2_1() {
        try (StackFixture f = new StackFixture()) {
            PingSocket ping = f.stack.openPing();
            assertEquals(NetError.OK, ping.send(IP_A, 1, 56, f.now));
            assertArrayEquals(WHO_HAS_A, f.link.take(), "first request at once");
            assertEquals(NetError.OK, ping.send(IP_A, 2, 56, f.now));
            assertNull(f.link.take(), "queued behind the pending resolution, no second request");
            f.settle(999 * MS);
            assertNull(f.link.take());
            f.settle(SEC);
            assertArrayEquals(WHO_HAS_A, f.link.take(), "retry after 1 s");
            f.settle(2 * SEC);
            assertArrayEquals(WHO_HAS_A, f.link.take(), "retry after 2 s");
            f.settle(2999 * MS);
            assertNull(f.link.take());
            assertEquals(0, ping.pending());
            f.settle(3 * SEC);
            assertNull(f.link.take(), "no fourth request; nothing leaves for an unresolved host");
            assertEquals(2, f.drops(DropReason.NEIGH_RESOLUTION_FAILED));
            PingReply r = new PingReply();
            assertTrue(ping.receive(r));
            assertEquals(PingReply.ERROR, r.kind);
            assertEquals(3, r.icmpType);
            assertEquals(1, r.icmpCode, "host unreachable");
            assertEquals(1, r.seq);
            assertEquals(IP_B, IpAddr.v4Of(r.fromLo));
            assertTrue(ping.receive(r));
            assertEquals(2, r.seq);
            assertNull(f.eth0.neighbors().state(4, 0, IP_A & 0xffffffffL, f.now), "entry deleted");
        }
    }

    @Test
    void replyToOurRequest_sendsTheQueuedPackets() {
        try (StackFixture f = new StackFixture()) {
            PingSocket ping = f.stack.openPing();
            ping.send(IP_A, 1, 8, f.now);
            assertArrayEquals(WHO_HAS_A, f.link.take());
            f.receive(Frames.arp(MAC_B, MAC_A, ArpPacket.OP_REPLY, MAC_A, IP_A, MAC_B, IP_B));
            byte[] echo = f.link.take();
            assertEquals(MAC_A, MacAddr.get(io.netty.buffer.Unpooled.wrappedBuffer(echo), 0), Frames.describe(echo));
            assertEquals(NeighborCache.State.REACHABLE, f.eth0.neighbors().state(4, 0, IP_A & 0xffffffffL, f.now));
            assertEquals(0, f.stack.stats().totalDrops());
        }
    }
}
