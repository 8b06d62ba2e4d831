package io.ioth.tcpip.iface;

import io.ioth.tcpip.socket.udp.UdpSocket;
import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.stats.DropReason;
import io.ioth.tcpip.testing.Frames;
import io.ioth.tcpip.testing.Hex;
import io.ioth.tcpip.testing.StackFixture;
import io.ioth.tcpip.wire.Checksum;
import io.ioth.tcpip.wire.EtherType;
import io.ioth.tcpip.wire.IgmpPacket;
import io.ioth.tcpip.wire.IpProtocol;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.MacAddr;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import static io.ioth.tcpip.testing.StackFixture.IP_A;
import static io.ioth.tcpip.testing.StackFixture.MAC_A;
import static io.ioth.tcpip.testing.StackFixture.MS;
import static io.ioth.tcpip.testing.StackFixture.SEC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** IGMPv2 host behaviour (RFC 2236 §3) in simulated time. */
class IgmpTest {
    static final int GROUP = Ipv4Addr.parse("239.1.2.3");
    static final int ALL_ROUTERS = Ipv4Addr.parse("224.0.0.2");

    /** An IGMPv2 message from 10.0.0.2 (TTL 1, TOS 0xc0, DF, Router Alert), with identification {@code id}. */
    static byte[] igmpFrom10002(int type, int group, int dst, int id) {
        byte[] m = Hex.decode("0000 0000 0000 0000");
        m[0] = (byte) type;
        Unpooled.wrappedBuffer(m).setInt(4, group);
        Unpooled.wrappedBuffer(m).setShort(2, Checksum.finish(Checksum.sum(Unpooled.wrappedBuffer(m), 0, 8, 0)));
        String ip = String.format("46c0 0020 %04x 4000 0102 0000 0a00 0002 %08x 9404 0000", id, dst);
        byte[] d = new byte[32];
        System.arraycopy(Hex.decode(ip), 0, d, 0, 24);
        System.arraycopy(m, 0, d, 24, 8);
        return Frames.fixIpChecksum(Frames.eth(MacAddr.ofIpv4Multicast(dst), StackFixture.MAC_B, EtherType.IPV4, d));
    }

    static byte[] query(int group, int maxRespTenths) {
        byte[] m = new byte[8];
        m[0] = 0x11;
        m[1] = (byte) maxRespTenths;
        Unpooled.wrappedBuffer(m).setInt(4, group);
        Unpooled.wrappedBuffer(m).setShort(2, Checksum.finish(Checksum.sum(Unpooled.wrappedBuffer(m), 0, 8, 0)));
        int dst = group == 0 ? 0xe0000001 : group;
        return Frames.eth(MacAddr.ofIpv4Multicast(dst), MAC_A, EtherType.IPV4,
                Frames.ipv4(IP_A, dst, IpProtocol.IGMP, 1, 5, false, m));
    }

    static byte[] reportFromA(int group) {
        byte[] m = new byte[8];
        m[0] = 0x16;
        Unpooled.wrappedBuffer(m).setInt(4, group);
        Unpooled.wrappedBuffer(m).setShort(2, Checksum.finish(Checksum.sum(Unpooled.wrappedBuffer(m), 0, 8, 0)));
        return Frames.eth(MacAddr.ofIpv4Multicast(group), MAC_A, EtherType.IPV4,
                Frames.ipv4(IP_A, group, IpProtocol.IGMP, 1, 6, false, m));
    }

    private static void assertReport(byte[] out, int type, int dst) {
        assertNotNull(out);
        byte[] want = igmpFrom10002(type, GROUP, dst, Frames.ipId(out));
        assertArrayEquals(want, out, () -> "got\n" + Hex.pretty(out) + "\nwant\n" + Hex.pretty(want));
    }

    @Test
    void join_sendsAnUnsolicitedReport_andRepeatsItOnce_leaveSendsLeave() {
        try (StackFixture f = new StackFixture()) {
            UdpSocket s = f.stack.openUdp();
            s.bind(0, 5353);
            assertEquals(NetError.OK, s.joinGroup(GROUP, null, 0));
            assertReport(f.link.take(), IgmpPacket.TYPE_V2_MEMBERSHIP_REPORT, GROUP);
            assertTrue(f.eth0.isMemberIpv4(GROUP));
            // RFC 2236 §3: repeated "once or twice after short delays [Unsolicited Report Interval]" (10 s)
            int repeats = 0;
            for (long t = 100 * MS; t <= 10 * SEC + 10 * MS; t += 100 * MS) {
                f.settle(t);
                byte[] out = f.link.take();
                if (out != null) {
                    assertReport(out, IgmpPacket.TYPE_V2_MEMBERSHIP_REPORT, GROUP);
                    repeats++;
                }
            }
            assertEquals(1, repeats);
            s.close();
            assertReport(f.link.take(), IgmpPacket.TYPE_LEAVE_GROUP, ALL_ROUTERS);
            assertEquals(2, f.stack.stats().get(Counter.IGMP_OUT_REPORTS));
            assertEquals(1, f.stack.stats().get(Counter.IGMP_OUT_LEAVES));
        }
    }

    @Test
    void generalQuery_isAnsweredWithinMaxResponseTime() {
        try (StackFixture f = new StackFixture()) {
            UdpSocket s = f.stack.openUdp();
            s.joinGroup(GROUP, null, 0);
            f.settle(11 * SEC); // past the unsolicited repeat
            f.link.takeAll();
            f.now = 20 * SEC;
            f.receive(query(0, 20)); // max response 2 s
            int reports = 0;
            for (long t = 20 * SEC; t <= 22 * SEC + 5 * MS; t += 10 * MS) {
                f.settle(t);
                if (f.link.take() != null) {
                    reports++;
                }
            }
            assertEquals(1, reports);
            assertEquals(1, f.stack.stats().get(Counter.IGMP_IN_QUERIES));
            assertEquals(0, f.stack.stats().totalDrops());
        }
    }

    @Test
    void anotherMembersReport_suppressesOurs_andThenNoLeaveIsSent() {
        try (StackFixture f = new StackFixture()) {
            UdpSocket s = f.stack.openUdp();
            s.joinGroup(GROUP, null, 0);
            f.settle(11 * SEC);
            f.link.takeAll();
            f.now = 20 * SEC;
            f.receive(query(GROUP, 100)); // group-specific query, 10 s
            f.receive(reportFromA(GROUP)); // A answers first
            for (long t = 20 * SEC; t <= 31 * SEC; t += 100 * MS) {
                f.settle(t);
            }
            assertNull(f.link.take(), "suppressed");
            s.close();
            assertNull(f.link.take(), "not the last reporter: no Leave (RFC 2236 §3 MAY skip; Linux does)");
        }
    }

    @Test
    void badIgmp_isDropped() {
        try (StackFixture f = new StackFixture()) {
            byte[] q = query(0, 10);
            f.receive(Frames.with(q, q.length - 1, 0x55));
            f.assertOnlyDrop(0, DropReason.IGMP_BAD_CHECKSUM);
        }
    }
}
