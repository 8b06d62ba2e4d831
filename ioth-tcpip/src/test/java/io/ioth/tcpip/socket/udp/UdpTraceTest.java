package io.ioth.tcpip.socket.udp;

import io.ioth.tcpip.iface.IpAddr;
import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.iface.StackConfig;
import io.ioth.tcpip.socket.StackSocket;
import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.stats.DropReason;
import io.ioth.tcpip.testing.Frames;
import io.ioth.tcpip.testing.Hex;
import io.ioth.tcpip.testing.StackFixture;
import io.ioth.tcpip.wire.EtherType;
import io.ioth.tcpip.wire.GoldenFrames;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.MacAddr;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static io.ioth.tcpip.testing.StackFixture.IP_A;
import static io.ioth.tcpip.testing.StackFixture.IP_B;
import static io.ioth.tcpip.testing.StackFixture.MAC_A;
import static io.ioth.tcpip.testing.StackFixture.MAC_B;
import static io.ioth.tcpip.testing.StackFixture.SEC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** UDP traces (RFC 768, RFC 1122 §4.1) in simulated time, against golden Linux frames where there is one. */
class UdpTraceTest {
    static final byte[] HELLO = "hello".getBytes(StandardCharsets.US_ASCII);

    private static StackFixture withNeighbourA(StackConfig.Builder cfg) {
        StackFixture f = cfg == null ? new StackFixture() : new StackFixture(cfg);
        f.receive(GoldenFrames.arpRequest());
        f.link.takeAll();
        return f;
    }

    /** The datagram B answered with port unreachable in the capture: it is quoted whole in the ICMP message. */
    private static byte[] closedPortDatagram() {
        byte[] icmp = GoldenFrames.all().get("ICMP4_PORT_UNREACHABLE");
        byte[] quoted = Arrays.copyOfRange(icmp, 14 + 20 + 8, icmp.length);
        return Frames.eth(MAC_B, MAC_A, EtherType.IPV4, quoted);
    }

    private static ByteBuf bytes(byte[] b) {
        return Unpooled.wrappedBuffer(b);
    }

    private static String text(ByteBuf b) {
        try {
            return b.toString(StandardCharsets.US_ASCII);
        } finally {
            b.release();
        }
    }

    @Test
    void closedPort_isAnsweredWithPortUnreachable_likeLinux_RFC1122_4_1_3_1() {
        try (StackFixture f = withNeighbourA(null)) {
            f.receive(closedPortDatagram());
            byte[] out = f.link.take();
            assertNotNull(out);
            byte[] want = Frames.withIpId(GoldenFrames.all().get("ICMP4_PORT_UNREACHABLE"), Frames.ipId(out));
            assertArrayEquals(want, out, () -> "got\n" + Hex.pretty(out) + "\nwant\n" + Hex.pretty(want));
            f.assertOnlyDrop(0, DropReason.UDP_NO_PORT);
        }
    }

    @Test
    void portUnreachable_isRateLimitedByATokenBucket_RFC1812_4_3_2_8() {
        try (StackFixture f = withNeighbourA(StackConfig.builder().seed(1).arpAnnounce(1, SEC).icmpRateLimit(1, 2))) {
            for (int i = 0; i < 4; i++) {
                f.link.inject(closedPortDatagram());
            }
            f.settle(0);
            assertEquals(2, f.link.takeAll().size(), "burst of 2");
            assertEquals(2, f.drops(DropReason.ICMP4_RATE_LIMITED));
            f.link.inject(closedPortDatagram());
            f.settle(SEC / 2);
            assertEquals(0, f.link.takeAll().size(), "half a token");
            f.link.inject(closedPortDatagram());
            f.settle(SEC);
            assertEquals(1, f.link.takeAll().size(), "1 per second");
            assertEquals(3, f.drops(DropReason.ICMP4_RATE_LIMITED), "the half token at 0.5 s was not spent");
            assertEquals(6, f.drops(DropReason.UDP_NO_PORT));
        }
    }

    @Test
    void noPortUnreachable_forBroadcastDatagrams_RFC1122_3_2_2() {
        try (StackFixture f = withNeighbourA(null)) {
            f.receive(Frames.udpFrame(MacAddr.BROADCAST, MAC_A, IP_A, Ipv4Addr.parse("10.0.0.255"), 1000, 9, HELLO));
            assertNull(f.link.take());
            f.assertOnlyDrop(0, DropReason.UDP_NO_PORT);
        }
    }

    @Test
    void echoSocket_receivesTheGoldenDatagram_andAnswers() {
        try (StackFixture f = withNeighbourA(null)) {
            UdpSocket s = f.stack.openUdp();
            assertEquals(NetError.OK, s.bind(0, 5000));
            f.receive(GoldenFrames.all().get("UDP4"));
            assertEquals(java.util.List.of(s), f.ready());
            assertEquals(StackSocket.READABLE, s.takeEvents());
            DatagramInfo info = new DatagramInfo();
            ByteBuf b = s.receive(info);
            assertEquals(IP_A, info.src4());
            assertEquals(50397, info.srcPort);
            assertEquals(IP_B, info.dst4());
            assertEquals(5000, info.dstPort);
            assertEquals(f.eth0.index(), info.ifIndex);
            assertEquals(64, info.ttl);
            try {
                assertEquals(5, s.sendTo(info.srcHi, info.srcLo, info.srcPort, b, f.now));
            } finally {
                assertEquals("hello", text(b));
            }
            byte[] out = f.link.take();
            byte[] want = Frames.withIpId(Frames.udpFrame(MAC_A, MAC_B, IP_B, IP_A, 5000, 50397, HELLO),
                    Frames.ipId(out));
            assertArrayEquals(want, out, () -> "got\n" + Hex.pretty(out) + "\nwant\n" + Hex.pretty(want));
            assertNull(s.receive(info));
            assertEquals(0, f.stack.stats().totalDrops());
            assertEquals(1, f.stack.stats().get(Counter.UDP_IN_DATAGRAMS));
            assertEquals(1, f.stack.stats().get(Counter.UDP_OUT_DATAGRAMS));
        }
    }

    @Test
    void zeroCopySend_fromAnAllocatedBuffer() {
        try (StackFixture f = withNeighbourA(null)) {
            UdpSocket s = f.stack.openUdp();
            s.bind(0, 5000);
            ByteBuf b = s.allocate(5);
            b.writeBytes(HELLO);
            assertEquals(5, s.sendBuffer(0, IpAddr.v4(IP_A), 50397, b, f.now));
            byte[] out = f.link.take();
            assertArrayEquals(Frames.withIpId(Frames.udpFrame(MAC_A, MAC_B, IP_B, IP_A, 5000, 50397, HELLO),
                    Frames.ipId(out)), out);
        }
    }

    @Test
    void badDatagrams_areDroppedUnderTheirReason() {
        try (StackFixture f = withNeighbourA(null)) {
            UdpSocket s = f.stack.openUdp();
            s.bind(0, 5000);
            byte[] good = GoldenFrames.all().get("UDP4");
            f.receive(Frames.with(good, good.length - 1, 'X'));
            f.assertOnlyDrop(0, DropReason.UDP_BAD_CHECKSUM);
            // UDP length 7
            f.receive(Frames.with(good, 14 + 20 + 5, 7));
            assertEquals(1, f.drops(DropReason.UDP_BAD_LENGTH));
            // UDP length beyond the IP payload
            f.receive(Frames.with(good, 14 + 20 + 5, 0x40));
            assertEquals(1, f.drops(DropReason.UDP_TRUNCATED));
            assertEquals(0, s.pendingDatagrams());
            // RFC 768: an all-zero checksum means "none" over IPv4: accepted
            byte[] noSum = Frames.with(Frames.with(good, 14 + 20 + 6, 0), 14 + 20 + 7, 0);
            f.receive(noSum);
            assertEquals(1, s.pendingDatagrams());
            s.receive(null).release();
            assertNull(f.link.take());
        }
    }

    @Test
    void bindRules_addressInUse_reuseAddress_notAvailable() {
        try (StackFixture f = new StackFixture()) {
            UdpSocket a = f.stack.openUdp();
            assertEquals(NetError.OK, a.bind(0, 7000));
            assertEquals(NetError.EINVAL, a.bind(0, 7001), "already bound");
            UdpSocket b = f.stack.openUdp();
            assertEquals(NetError.EADDRINUSE, b.bind(IP_B, 7000), "wildcard covers 10.0.0.2");
            assertEquals(NetError.EADDRINUSE, b.bind(0L, 0L, 7000), ":: overlaps 0.0.0.0");
            assertEquals(NetError.EADDRNOTAVAIL, b.bind(IP_A, 7002), "not our address");
            assertEquals(NetError.OK, b.bind(IP_B, 7003));
            UdpSocket c = f.stack.openUdp();
            assertEquals(NetError.OK, c.bind(Ipv4Addr.LOOPBACK, 7003), "different specific addresses");
            UdpSocket d = f.stack.openUdp();
            UdpSocket e = f.stack.openUdp();
            d.setReuseAddress(true);
            e.setReuseAddress(true);
            assertEquals(NetError.OK, d.bind(0, 7004));
            assertEquals(NetError.OK, e.bind(0, 7004), "SO_REUSEADDR on both");
            a.close();
            UdpSocket g = f.stack.openUdp();
            assertEquals(NetError.OK, g.bind(0, 7000), "free again after close");
        }
    }

    @Test
    void ephemeralPorts_areRandomInTheRange_andRunOut_RFC6056() {
        try (StackFixture f = new StackFixture(StackConfig.builder().seed(7).arpAnnounce(1, SEC)
                .ephemeralPorts(50000, 50003))) {
            Set<Integer> ports = new HashSet<>();
            for (int i = 0; i < 4; i++) {
                UdpSocket s = f.stack.openUdp();
                assertEquals(NetError.OK, s.bind(0, 0));
                assertTrue(s.localPort() >= 50000 && s.localPort() <= 50003);
                ports.add(s.localPort());
            }
            assertEquals(4, ports.size());
            assertEquals(NetError.EADDRINUSE, f.stack.openUdp().bind(0, 0), "range exhausted");
        }
        try (StackFixture f = new StackFixture()) {
            Set<Integer> ports = new HashSet<>();
            for (int i = 0; i < 20; i++) {
                UdpSocket s = f.stack.openUdp();
                s.bind(0, 0);
                assertTrue(s.localPort() >= 49152);
                ports.add(s.localPort() / 100);
            }
            assertTrue(ports.size() > 10, "randomised start, not sequential: " + ports);
        }
    }

    @Test
    void connectedSocket_filtersOtherPeers_andHearsPortUnreachable() {
        try (StackFixture f = withNeighbourA(null)) {
            UdpSocket s = f.stack.openUdp();
            assertEquals(NetError.OK, s.connect(IP_A, 9999, f.now));
            assertEquals(IP_B, IpAddr.v4Of(s.localAddressLo()), "connect fixes the source address");
            int port = s.localPort();
            f.receive(Frames.udpFrame(MAC_B, MAC_A, IP_A, IP_B, 1234, port, HELLO));
            assertEquals(0, s.pendingDatagrams(), "not from the peer");
            assertEquals(1, f.drops(DropReason.UDP_NO_PORT), "no other socket: port unreachable, as Linux");
            f.link.takeAll();
            f.receive(Frames.udpFrame(MAC_B, MAC_A, IP_A, IP_B, 9999, port, HELLO));
            assertEquals(1, s.pendingDatagrams());
            s.receive(null).release();
            f.ready();
            s.takeEvents();
            // the peer answers our datagram with port unreachable
            assertEquals(5, s.send(bytes(HELLO), f.now));
            byte[] sent = f.link.take();
            byte[] quoted = Arrays.copyOfRange(sent, 14, sent.length);
            byte[] icmp = new byte[8 + quoted.length];
            icmp[0] = 3;
            icmp[1] = 3;
            System.arraycopy(quoted, 0, icmp, 8, quoted.length);
            io.ioth.tcpip.wire.Icmpv4Packet p = new io.ioth.tcpip.wire.Icmpv4Packet().wrap(Unpooled.wrappedBuffer(icmp),
                    0, icmp.length);
            p.fillChecksum();
            f.receive(Frames.eth(MAC_B, MAC_A, EtherType.IPV4,
                    Frames.ipv4(IP_A, IP_B, 1, 64, 77, false, icmp)));
            assertEquals(java.util.List.of(s), f.ready(), f.stack.stats().toString());
            assertTrue((s.takeEvents() & StackSocket.ERROR) != 0);
            assertEquals(NetError.ECONNREFUSED, s.send(bytes(HELLO), f.now), "reported once, by the next send");
            assertEquals(5, s.send(bytes(HELLO), f.now));
        }
    }

    @Test
    void receiveQueue_isBoundedInDatagramsAndBytes() {
        try (StackFixture f = withNeighbourA(null)) {
            UdpSocket s = f.stack.openUdp();
            s.bind(0, 5000);
            s.setReceiveQueueLimits(2, 1000);
            for (int i = 0; i < 3; i++) {
                f.link.inject(Frames.udpFrame(MAC_B, MAC_A, IP_A, IP_B, 1, 5000, HELLO));
            }
            f.settle(0);
            assertEquals(2, s.pendingDatagrams());
            assertEquals(1, f.drops(DropReason.UDP_RCVBUF_FULL));
            assertEquals(1, s.drops());
            s.receive(null).release();
            s.receive(null).release();
            s.setReceiveQueueLimits(100, 12);
            f.link.inject(Frames.udpFrame(MAC_B, MAC_A, IP_A, IP_B, 1, 5000, new byte[10]));
            f.link.inject(Frames.udpFrame(MAC_B, MAC_A, IP_A, IP_B, 1, 5000, new byte[3]));
            f.settle(0);
            assertEquals(1, s.pendingDatagrams());
            assertEquals(10, s.pendingBytes());
            assertEquals(2, f.drops(DropReason.UDP_RCVBUF_FULL));
        }
    }

    @Test
    void broadcast_needsSoBroadcast_andIsLoopedToLocalSockets() {
        try (StackFixture f = withNeighbourA(null)) {
            UdpSocket rx = f.stack.openUdp();
            rx.bind(0, 6000);
            UdpSocket tx = f.stack.openUdp();
            assertEquals(NetError.EACCES, tx.sendTo(Ipv4Addr.BROADCAST, 6000, bytes(HELLO), f.now));
            assertEquals(NetError.EACCES, tx.sendTo(Ipv4Addr.parse("10.0.0.255"), 6000, bytes(HELLO), f.now));
            tx.setBroadcast(true);
            assertEquals(5, tx.sendTo(Ipv4Addr.BROADCAST, 6000, bytes(HELLO), f.now));
            byte[] out = f.link.take();
            assertEquals(MacAddr.BROADCAST, MacAddr.get(Unpooled.wrappedBuffer(out), 0));
            f.settle(f.now);
            DatagramInfo info = new DatagramInfo();
            ByteBuf b = rx.receive(info);
            assertNotNull(b, "Linux loops broadcasts back to local sockets");
            assertEquals("hello", text(b));
            assertEquals(DatagramInfo.BROADCAST, info.flags);
            // directed broadcast: on the wire only
            assertEquals(5, tx.sendTo(Ipv4Addr.parse("10.0.0.255"), 6000, bytes(HELLO), f.now));
            assertEquals(MacAddr.BROADCAST, MacAddr.get(Unpooled.wrappedBuffer(f.link.take()), 0));
        }
    }

    @Test
    void broadcastAndMulticast_goToEverySocketOnThePort() {
        try (StackFixture f = withNeighbourA(null)) {
            UdpSocket a = f.stack.openUdp();
            UdpSocket b = f.stack.openUdp();
            a.setReuseAddress(true);
            b.setReuseAddress(true);
            a.bind(0, 6000);
            b.bind(0, 6000);
            f.receive(Frames.udpFrame(MacAddr.BROADCAST, MAC_A, IP_A, Ipv4Addr.BROADCAST, 1, 6000, HELLO));
            assertEquals(1, a.pendingDatagrams());
            assertEquals(1, b.pendingDatagrams());
            int group = Ipv4Addr.parse("239.1.2.3");
            assertEquals(NetError.OK, a.joinGroup(group, null, f.now));
            f.link.takeAll(); // the IGMP report
            f.receive(Frames.udpFrame(MacAddr.ofIpv4Multicast(group), MAC_A, IP_A, group, 1, 6000, HELLO));
            assertEquals(2, a.pendingDatagrams());
            assertEquals(2, b.pendingDatagrams(), "Linux IP_MULTICAST_ALL: any socket on the port");
            a.receive(null).release();
            a.receive(null).release();
            b.receive(null).release();
            b.receive(null).release();
            a.close();
            f.link.takeAll(); // the IGMP leave
            f.receive(Frames.udpFrame(MacAddr.ofIpv4Multicast(group), MAC_A, IP_A, group, 1, 6000, HELLO));
            assertEquals(0, b.pendingDatagrams());
            assertEquals(1, f.drops(DropReason.ETH_MULTICAST_NOT_JOINED), "group left: its MAC is filtered again");
        }
    }

    @Test
    void loopbackAndOwnAddress_neverTouchTheLink() {
        try (StackFixture f = new StackFixture()) {
            UdpSocket server = f.stack.openUdp();
            server.bind(0, 53);
            UdpSocket client = f.stack.openUdp();
            assertEquals(5, client.sendTo(Ipv4Addr.LOOPBACK, 53, bytes(HELLO), f.now));
            assertEquals(5, client.sendTo(IP_B, 53, bytes(HELLO), f.now));
            f.settle(f.now);
            DatagramInfo info = new DatagramInfo();
            ByteBuf b = server.receive(info);
            assertEquals(Ipv4Addr.LOOPBACK, info.src4());
            assertEquals(Ipv4Addr.LOOPBACK, info.dst4());
            assertEquals(client.localPort(), info.srcPort);
            assertEquals(f.stack.loopback().index(), info.ifIndex);
            b.release();
            b = server.receive(info);
            assertEquals(IP_B, info.src4(), "own address: source = destination (Linux)");
            assertEquals(IP_B, info.dst4());
            // the server answers through loopback too
            assertEquals(5, server.sendTo(info.srcHi, info.srcLo, info.srcPort, b, f.now));
            b.release();
            f.settle(f.now);
            assertEquals("hello", text(client.receive(info)));
            assertNull(f.link.take(), "nothing on the wire");
            // closed port on loopback: ICMP port unreachable comes back through loopback as well
            UdpSocket c2 = f.stack.openUdp();
            c2.connect(Ipv4Addr.LOOPBACK, 54, f.now);
            c2.send(bytes(HELLO), f.now);
            f.settle(f.now);
            assertEquals(NetError.ECONNREFUSED, c2.takeError());
            assertNull(f.link.take());
        }
    }
}
