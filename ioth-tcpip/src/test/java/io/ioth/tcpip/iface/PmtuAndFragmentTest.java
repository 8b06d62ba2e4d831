package io.ioth.tcpip.iface;

import io.ioth.tcpip.socket.icmp.PingSocket;
import io.ioth.tcpip.socket.udp.UdpSocket;
import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.stats.DropReason;
import io.ioth.tcpip.testing.Frames;
import io.ioth.tcpip.testing.StackFixture;
import io.ioth.tcpip.testing.TcpdumpText;
import io.ioth.tcpip.wire.Checksum;
import io.ioth.tcpip.wire.EtherType;
import io.ioth.tcpip.wire.GoldenFrames;
import io.ioth.tcpip.wire.IpProtocol;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.Ipv4Packet;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static io.ioth.tcpip.testing.StackFixture.IP_A;
import static io.ioth.tcpip.testing.StackFixture.IP_B;
import static io.ioth.tcpip.testing.StackFixture.MAC_A;
import static io.ioth.tcpip.testing.StackFixture.MAC_B;
import static io.ioth.tcpip.testing.StackFixture.SEC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fragmentation both ways (RFC 791 §2.3, io.ioth.tcpip.frag) and path MTU discovery (RFC 1191). */
class PmtuAndFragmentTest {
    /** Linux's `ping -s 4000` request fragments, 10.0.0.1 > 10.0.0.2 (captured by helper "frag"). */
    static final List<byte[]> PING_S4000 = TcpdumpText.load("/io/ioth/tcpip/frag/ping-s4000.txt").subList(0, 3);

    private static StackFixture withNeighbourA(io.ioth.tcpip.iface.StackConfig.Builder cfg) {
        StackFixture f = cfg == null ? new StackFixture() : new StackFixture(cfg);
        f.receive(GoldenFrames.arpRequest());
        f.link.takeAll();
        return f;
    }

    /** Reassembles IPv4 fragments given as Ethernet frames; returns the IP payload. */
    static byte[] reassemble(List<byte[]> frames) {
        byte[] out = new byte[65536];
        int end = 0;
        Ipv4Packet p = new Ipv4Packet();
        for (byte[] f : frames) {
            p.wrap(Unpooled.wrappedBuffer(f), 14, f.length - 14);
            assertTrue(p.verifyChecksum());
            System.arraycopy(f, 14 + p.headerLen(), out, p.fragOffset(), p.payloadLength());
            if (!p.moreFrags()) {
                end = p.fragOffset() + p.payloadLength();
            }
        }
        return Arrays.copyOf(out, end);
    }

    @Test
    void linuxFragmentedPing_isReassembled_andTheReplyFragmentedTheSameWay() {
        try (StackFixture f = withNeighbourA(null)) {
            for (byte[] frag : PING_S4000) {
                f.link.inject(frag);
            }
            f.settle(0);
            List<byte[]> reply = f.link.takeAll();
            assertEquals(3, reply.size());
            int[] totals = {1500, 1500, 1068};
            int[] offsets = {0, 1480, 2960};
            Ipv4Packet p = new Ipv4Packet();
            for (int i = 0; i < 3; i++) {
                p.wrap(Unpooled.wrappedBuffer(reply.get(i)), 14, reply.get(i).length - 14);
                assertEquals(totals[i], p.totalLen());
                assertEquals(offsets[i], p.fragOffset());
                assertEquals(i < 2, p.moreFrags());
                assertFalse(p.dontFrag());
                assertEquals(IP_A, p.dst());
            }
            byte[] request = reassemble(PING_S4000);
            byte[] answer = reassemble(reply);
            assertEquals(4008, answer.length);
            assertEquals(0, answer[0], "echo reply");
            assertArrayEquals(Arrays.copyOfRange(request, 4, request.length), Arrays.copyOfRange(answer, 4,
                    answer.length), "same id, seq and data");
            assertEquals(0xffff, Checksum.sum(Unpooled.wrappedBuffer(answer), 0, answer.length, 0));
            assertEquals(1, f.stack.stats().get(Counter.IP4_REASM_OKS));
            assertEquals(3, f.stack.stats().get(Counter.IP4_FRAG_CREATES));
            assertEquals(0, f.stack.stats().totalDrops());
        }
    }

    @Test
    void ping4000_leavesInLinuxsFragmentLayout() {
        try (StackFixture f = withNeighbourA(null)) {
            PingSocket ping = f.stack.openPing();
            assertEquals(NetError.OK, ping.send(IP_A, 1, 4000, 0));
            List<byte[]> out = f.link.takeAll();
            assertEquals(3, out.size());
            Ipv4Packet mine = new Ipv4Packet();
            Ipv4Packet linux = new Ipv4Packet();
            for (int i = 0; i < 3; i++) {
                mine.wrap(Unpooled.wrappedBuffer(out.get(i)), 14, out.get(i).length - 14);
                linux.wrap(Unpooled.wrappedBuffer(PING_S4000.get(i)), 14, PING_S4000.get(i).length - 14);
                assertEquals(linux.totalLen(), mine.totalLen());
                assertEquals(linux.fragOffset(), mine.fragOffset());
                assertEquals(linux.moreFrags(), mine.moreFrags());
                assertEquals(linux.dontFrag(), mine.dontFrag());
            }
        }
    }

    /** A fragmentation-needed from router 10.0.0.1 about {@code sent} (an Ethernet frame we transmitted). */
    static byte[] fragNeeded(byte[] sent, int mtu) {
        byte[] quoted = Arrays.copyOfRange(sent, 14, Math.min(sent.length, 14 + 548));
        byte[] icmp = new byte[8 + quoted.length];
        icmp[0] = 3;
        icmp[1] = 4;
        icmp[6] = (byte) (mtu >> 8);
        icmp[7] = (byte) mtu;
        System.arraycopy(quoted, 0, icmp, 8, quoted.length);
        ByteBuf b = Unpooled.wrappedBuffer(icmp);
        b.setShort(2, Checksum.finish(Checksum.sum(b, 0, icmp.length, 0)));
        return Frames.eth(MAC_B, MAC_A, EtherType.IPV4, Frames.ipv4(IP_A, IP_B, IpProtocol.ICMP, 64, 1, false, icmp));
    }

    @Test
    void fragNeeded_lowersThePathMtu_forThatDestination_untilItExpires_RFC1191() {
        try (StackFixture f = withNeighbourA(null)) {
            UdpSocket s = f.stack.openUdp();
            assertEquals(1400, s.sendTo(IP_A, 9, Unpooled.wrappedBuffer(new byte[1400]), 0));
            byte[] sent = f.link.take();
            assertEquals(0x40, sent[14 + 6] & 0x40, "DF: PMTUDISC_WANT");
            f.receive(fragNeeded(sent, 1280));
            assertEquals(1, f.stack.stats().get(Counter.PMTU_UPDATES));
            Route r = new Route();
            f.stack.engine().route(0, IpAddr.v4(IP_A), 0, 0, null, r, f.now);
            assertEquals(1280, r.mtu);
            assertEquals(1400, s.sendTo(IP_A, 9, Unpooled.wrappedBuffer(new byte[1400]), f.now));
            List<byte[]> frags = f.link.takeAll();
            assertEquals(2, frags.size(), "fragmented locally at the learned MTU");
            Ipv4Packet p = new Ipv4Packet().wrap(Unpooled.wrappedBuffer(frags.get(0)), 14, frags.get(0).length - 14);
            assertEquals(1276, p.totalLen());
            assertFalse(p.dontFrag());
            // RFC 1191 §6.3: after 10 minutes the estimate goes back up
            f.stack.engine().route(0, IpAddr.v4(IP_A), 0, 0, null, r, 601 * SEC);
            assertEquals(1500, r.mtu);
        }
    }

    @Test
    void fragNeeded_belowTheMinimum_isClamped_andAZeroMtuUsesThePlateaus() {
        try (StackFixture f = withNeighbourA(null)) {
            UdpSocket s = f.stack.openUdp();
            s.sendTo(IP_A, 9, Unpooled.wrappedBuffer(new byte[1400]), 0);
            byte[] sent = f.link.take();
            f.receive(fragNeeded(sent, 200));
            Route r = new Route();
            f.stack.engine().route(0, IpAddr.v4(IP_A), 0, 0, null, r, 0);
            assertEquals(552, r.mtu, "Linux min_pmtu");
        }
        try (StackFixture f = withNeighbourA(null)) {
            UdpSocket s = f.stack.openUdp();
            s.sendTo(IP_A, 9, Unpooled.wrappedBuffer(new byte[1400]), 0);
            f.receive(fragNeeded(f.link.take(), 0));
            Route r = new Route();
            f.stack.engine().route(0, IpAddr.v4(IP_A), 0, 0, null, r, 0);
            assertEquals(1006, r.mtu, "RFC 1191 §7 plateau below 1428");
        }
    }

    @Test
    void errorAboutADatagramWeNeverSent_isDropped() {
        try (StackFixture f = withNeighbourA(null)) {
            byte[] foreign = Frames.udpFrame(MAC_A, MAC_B, Ipv4Addr.parse("10.0.0.50"), IP_A, 1, 2, new byte[8]);
            f.receive(fragNeeded(foreign, 1280));
            f.assertOnlyDrop(0, DropReason.ICMP4_ERROR_NOT_OURS);
            assertEquals(0, f.stack.stats().get(Counter.PMTU_UPDATES));
        }
    }

    @Test
    void incompleteDatagram_timesOut_withTimeExceededCode1() {
        try (StackFixture f = withNeighbourA(null)) {
            f.receive(PING_S4000.get(0));
            f.receive(PING_S4000.get(2));
            assertTrue(f.link.takeAll().isEmpty());
            f.settle(29 * SEC);
            assertTrue(f.link.takeAll().isEmpty());
            f.settle(30 * SEC);
            byte[] out = f.link.take();
            assertNotNull(out, "Linux ipfrag_time = 30 s");
            assertEquals(11, out[14 + 20]);
            assertEquals(1, out[14 + 21], "fragment reassembly time exceeded (RFC 792)");
        }
    }

    @Test
    void overlappingFragment_isCountedAsRefused_RFC5722() {
        try (StackFixture f = withNeighbourA(null)) {
            f.receive(PING_S4000.get(0));
            byte[] overlap = Frames.fixIpChecksum(Frames.with(PING_S4000.get(1), 14 + 7, 0xb0)); // offset 1408
            f.receive(overlap);
            assertEquals(1, f.drops(DropReason.IP4_FRAGMENT_REFUSED));
        }
    }
}
