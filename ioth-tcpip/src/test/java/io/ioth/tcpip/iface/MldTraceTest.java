package io.ioth.tcpip.iface;

import io.ioth.tcpip.socket.udp.DatagramInfo;
import io.ioth.tcpip.socket.udp.UdpSocket;
import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.stats.DropReason;
import io.ioth.tcpip.testing.Ipv6Captures;
import io.ioth.tcpip.testing.StackFixture;
import io.ioth.tcpip.wire.MacAddr;
import io.ioth.tcpip.wire.MldPacket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static io.ioth.tcpip.iface.NdpTraceTest.assertFrame;
import static io.ioth.tcpip.testing.Frames6.A;
import static io.ioth.tcpip.testing.Frames6.FD00;
import static io.ioth.tcpip.testing.Frames6.FF02;
import static io.ioth.tcpip.testing.Frames6.MAC_A;
import static io.ioth.tcpip.testing.Frames6.fixIcmp6Checksum;
import static io.ioth.tcpip.testing.Frames6.hostB;
import static io.ioth.tcpip.testing.Frames6.next;
import static io.ioth.tcpip.testing.Frames6.udpFrame;
import static io.ioth.tcpip.testing.Frames6.with;
import static io.ioth.tcpip.testing.StackFixture.MS;
import static io.ioth.tcpip.testing.StackFixture.SEC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MLDv2 host traces (RFC 3810), laid out as Linux's reports ({@link Ipv6Captures}). */
class MldTraceTest {
    static final long FF12 = 0xff12_0000_0000_0000L; // transient, link-local scope
    static final long SN = 0x0000_0001_ff00_0000L;

    /** A report from fe80::ff:fe00:b with one source-less record per group, Linux's layout. */
    static byte[] report(int recordType, long groupHi, long... groupLos) {
        byte[] linux = Ipv6Captures.mld2StateChange();
        int n = groupLos.length;
        byte[] f = Arrays.copyOf(linux, 14 + 40 + 8 + 8 + 20 * n);
        ByteBuf b = Unpooled.wrappedBuffer(f);
        b.setShort(14 + 4, 8 + 8 + 20 * n);
        b.setShort(14 + 40 + 8 + 6, n);
        for (int i = 0; i < n; i++) {
            int at = 14 + 40 + 8 + 8 + 20 * i;
            b.setInt(at, recordType << 24);
            b.setLong(at + 4, groupHi);
            b.setLong(at + 12, groupLos[i]);
        }
        return fixIcmp6Checksum(f, 14 + 40 + 8);
    }

    /** RFC 3810 §6.2: a general query is answered once, within Max Resp Delay, with every group: Linux's bytes. */
    @Test
    void generalQuery_isAnsweredWithLinuxsCurrentStateReport_RFC3810_6_2() {
        try (StackFixture f = hostB()) {
            long t0 = f.now;
            f.receive(Ipv6Captures.mld2GeneralQuery());
            assertNull(f.link.take(), "a random delay first");
            f.settle(t0 + 1000 * MS);
            assertFrame(Ipv6Captures.mld2CurrentState(), next(f));
            assertNull(f.link.take());
            assertEquals(1, f.stack.stats().get(Counter.MLD_IN_QUERIES));
            assertEquals(0, f.stack.stats().totalDrops());
        }
    }

    /** A multicast-address-specific query is answered for that group only (§6.2 (3)). */
    @Test
    void specificQuery_isAnsweredForItsGroup() {
        try (StackFixture f = hostB()) {
            byte[] q = Ipv6Captures.mld2GeneralQuery();
            Unpooled.wrappedBuffer(q).setLong(14 + 48 + 8 + 8, SN | 2);
            Unpooled.wrappedBuffer(q).setLong(14 + 48 + 8, FF02);
            f.receive(fixIcmp6Checksum(q, 14 + 48));
            f.settle(f.now + SEC);
            assertFrame(report(MldPacket.MODE_IS_EXCLUDE, FF02, SN | 2), next(f));
            assertNull(f.link.take());
        }
    }

    /** An MLDv1 query (24 bytes) is answered too - with an MLDv2 report (no compatibility mode, documented). */
    @Test
    void mldv1Query_isAnsweredWithAnMldv2Report() {
        try (StackFixture f = hostB()) {
            byte[] q = Arrays.copyOf(Ipv6Captures.mld2GeneralQuery(), 14 + 48 + 24);
            Unpooled.wrappedBuffer(q).setShort(14 + 4, 8 + 24);
            f.receive(fixIcmp6Checksum(q, 14 + 48));
            f.settle(f.now + SEC);
            assertFrame(Ipv6Captures.mld2CurrentState(), next(f));
        }
    }

    /** RFC 3810 §5.1.14: queries from a non-link-local source are discarded; §5: hop limit 1. */
    @Test
    void invalidQueries_areDropped_RFC3810_5_1_14() {
        try (StackFixture f = hostB()) {
            byte[] q = Ipv6Captures.mld2GeneralQuery();
            byte[] global = q.clone();
            Unpooled.wrappedBuffer(global).setLong(14 + 8, FD00);
            Unpooled.wrappedBuffer(global).setLong(14 + 16, A);
            f.receive(fixIcmp6Checksum(global, 14 + 48));
            f.receive(with(q, 14 + 7, (byte) 2));
            f.receive(fixIcmp6Checksum(with(Arrays.copyOf(q, q.length - 2), 14 + 5, (byte) 34), 14 + 48)); // 26 bytes
            assertEquals(3, f.drops(DropReason.MLD_INVALID));
            f.settle(f.now + 5 * SEC);
            assertNull(f.link.take());
            assertEquals(3, f.stack.stats().totalDrops());
        }
    }

    /**
     * RFC 3810 §6.1: joining sends TO_EX({}) and repeats it Robustness - 1 times within the Unsolicited Report
     * Interval; leaving sends TO_IN({}) the same way. In between, datagrams to the group reach the socket.
     */
    @Test
    void socketJoinAndLeave_reportRobustnessTimes_andTheGroupIsReceived_RFC3810_6_1() {
        try (StackFixture f = hostB(StackConfig.builder().seed(1).mld(2, SEC))) {
            UdpSocket s = f.stack.openUdp();
            assertEquals(NetError.OK, s.bind(0L, 0L, 5000));
            assertEquals(NetError.OK, s.joinGroup(FF12, 0x1234, null, f.now));
            byte[] join = report(MldPacket.CHANGE_TO_EXCLUDE_MODE, FF12, 0x1234);
            assertFrame(join, next(f));
            assertNull(f.link.take());
            f.settle(f.now + SEC);
            assertFrame(join, next(f));
            f.settle(f.now + 10 * SEC);
            assertNull(f.link.take(), "robustness 2: two reports");
            assertTrue(f.eth0.isMemberIpv6(FF12, 0x1234));
            f.receive(udpFrame(MacAddr.ofIpv6Multicast(0x1234), MAC_A, FD00, A, FF12, 0x1234, 4000, 5000,
                    "hi".getBytes()));
            DatagramInfo info = new DatagramInfo();
            ByteBuf d = s.receive(info);
            assertNotNull(d);
            d.release();
            assertTrue((info.flags & DatagramInfo.MULTICAST) != 0);
            assertEquals(NetError.OK, s.leaveGroup(FF12, 0x1234, null, f.now));
            byte[] leave = report(MldPacket.CHANGE_TO_INCLUDE_MODE, FF12, 0x1234);
            assertFrame(leave, next(f));
            f.settle(f.now + SEC);
            assertFrame(leave, next(f));
            f.settle(f.now + 10 * SEC);
            assertNull(f.link.take());
            f.receive(udpFrame(MacAddr.ofIpv6Multicast(0x1234), MAC_A, FD00, A, FF12, 0x1234, 4000, 5000,
                    "hi".getBytes()));
            assertEquals(1, f.drops(DropReason.ETH_MULTICAST_NOT_JOINED));
            s.close();
        }
    }

    /** RFC 3810 §6: "never sent for multicast addresses whose scope is 0 (reserved) or 1 (node-local)", nor for
     * all-nodes; a second socket joining the same group sends nothing. */
    @Test
    void allNodesInterfaceLocalAndRepeatedJoins_areNotReported_RFC3810_6() {
        try (StackFixture f = hostB()) {
            UdpSocket s = f.stack.openUdp();
            assertEquals(NetError.OK, s.joinGroup(FF02, 1, f.eth0, f.now));
            assertEquals(NetError.OK, s.joinGroup(0xff01_0000_0000_0000L, 0x77, f.eth0, f.now));
            assertNull(f.link.take());
            UdpSocket t = f.stack.openUdp();
            assertEquals(NetError.OK, t.joinGroup(FF12, 9, f.eth0, f.now));
            next(f);
            UdpSocket u = f.stack.openUdp();
            assertEquals(NetError.OK, u.joinGroup(FF12, 9, f.eth0, f.now));
            assertNull(f.link.take(), "reference counted");
            u.close();
            assertNull(f.link.take(), "still joined by the other socket");
            t.close();
            assertNotNull(f.link.take(), "the last leave is reported");
            s.close();
            assertNull(f.link.take(), "nothing for all-nodes and interface-local groups on leave either");
        }
    }
}
