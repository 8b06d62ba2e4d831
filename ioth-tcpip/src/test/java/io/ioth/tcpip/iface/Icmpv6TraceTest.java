package io.ioth.tcpip.iface;

import io.ioth.tcpip.frag.FragmentIds;
import io.ioth.tcpip.frag.Fragmenter;
import io.ioth.tcpip.socket.icmp.PingReply;
import io.ioth.tcpip.socket.icmp.PingSocket;
import io.ioth.tcpip.socket.udp.UdpSocket;
import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.stats.DropReason;
import io.ioth.tcpip.testing.Frames;
import io.ioth.tcpip.testing.Ipv6Captures;
import io.ioth.tcpip.testing.StackFixture;
import io.ioth.tcpip.wire.GoldenFrames;
import io.ioth.tcpip.wire.IpProtocol;
import io.ioth.tcpip.wire.Ipv6Packet;
import io.ioth.tcpip.wire.MacAddr;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static io.ioth.tcpip.iface.NdpTraceTest.assertFrame;
import static io.ioth.tcpip.testing.Frames6.A;
import static io.ioth.tcpip.testing.Frames6.B;
import static io.ioth.tcpip.testing.Frames6.FD00;
import static io.ioth.tcpip.testing.Frames6.FF02;
import static io.ioth.tcpip.testing.Frames6.MAC_A;
import static io.ioth.tcpip.testing.Frames6.MAC_B;
import static io.ioth.tcpip.testing.Frames6.echo;
import static io.ioth.tcpip.testing.Frames6.echoFrame;
import static io.ioth.tcpip.testing.Frames6.eth;
import static io.ioth.tcpip.testing.Frames6.fixIcmp6Checksum;
import static io.ioth.tcpip.testing.Frames6.hostB;
import static io.ioth.tcpip.testing.Frames6.ipv6;
import static io.ioth.tcpip.testing.Frames6.next;
import static io.ioth.tcpip.testing.Frames6.udpFrame;
import static io.ioth.tcpip.testing.Frames6.with;
import static io.ioth.tcpip.testing.StackFixture.SEC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * IPv6 input and ICMPv6 (RFC 8200, RFC 4443) traces against Linux's bytes ({@link Ipv6Captures}): echo, errors
 * generated (with the §2.4 (e) suppressions and the rate limit), errors received (packet too big into the path
 * MTU cache, RFC 8201), extension headers, reassembly and fragmentation.
 */
class Icmpv6TraceTest {
    static final long FD09 = 0xfd09_0000_0000_0000L;

    /** Host B knowing A (A's solicitation answered and drained), as Linux B before A's ping. */
    static StackFixture hostBKnowingA() {
        StackFixture f = hostB();
        f.receive(Ipv6Captures.nsForB());
        f.link.takeAll();
        return f;
    }

    @Test
    void echoRequest_isAnsweredWithLinuxsBytes_inTheRequestBuffer_RFC4443_4_2() {
        try (StackFixture f = hostBKnowingA()) {
            f.receive(Ipv6Captures.echoRequest());
            assertFrame(Ipv6Captures.echoReply(), next(f));
            assertNull(f.link.take());
            assertEquals(1, f.stack.stats().get(Counter.ICMP6_OUT_ECHO_REPS_IN_PLACE), "no payload copy");
            assertEquals(0, f.stack.stats().totalDrops());
        }
    }

    @Test
    void echoRequest_inASharedBuffer_isCopiedNotWritten() {
        try (StackFixture f = hostBKnowingA()) {
            byte[] req = Ipv6Captures.echoRequest();
            ByteBuf original = f.link.injectShared(req);
            try {
                f.settle(f.now);
                assertFrame(Ipv6Captures.echoReply(), next(f));
                assertEquals(0, f.stack.stats().get(Counter.ICMP6_OUT_ECHO_REPS_IN_PLACE));
                assertTrue(Arrays.equals(req, ByteBufUtil.getBytes(original, 0, req.length)), "left untouched");
            } finally {
                original.release();
            }
        }
    }

    /** RFC 4443 §4.1/§4.2: an echo to ff02::1 is answered from a unicast address of ours, as Linux does. */
    @Test
    void echoToAllNodes_isAnsweredFromOurAddress_likeLinux() {
        try (StackFixture f = hostBKnowingA()) {
            f.receive(Ipv6Captures.multicastEchoRequest());
            assertFrame(Ipv6Captures.multicastEchoReply(), next(f));
        }
    }

    @Test
    void udpToAClosedPort_isAnsweredPortUnreachable_likeLinux_RFC4443_3_1() {
        try (StackFixture f = hostBKnowingA()) {
            f.receive(Ipv6Captures.udpToClosedPort());
            assertFrame(Ipv6Captures.portUnreachable(), next(f));
            f.assertOnlyDrop(0, DropReason.UDP_NO_PORT);
        }
    }

    /** RFC 8200 §4: an unrecognised Next Header gets parameter problem code 1 pointing at it. */
    @Test
    void unknownNextHeader_parameterProblemCode1_pointingAtIt_RFC8200_4() {
        try (StackFixture f = hostBKnowingA()) {
            f.receive(Ipv6Captures.unknownNextHeader());
            assertFrame(Ipv6Captures.paramProblemNextHeader(), next(f));
            f.assertOnlyDrop(0, DropReason.IP6_UNKNOWN_NEXT_HEADER);
            assertEquals(1, f.stack.stats().get(Counter.ICMP6_OUT_PARM_PROBLEMS));
        }
    }

    /** RFC 8200 §4.1: a hop-by-hop header anywhere but first is an unrecognised Next Header (pointer 40 here). */
    @Test
    void hopByHopAfterAnotherHeader_isAnUnknownNextHeader_RFC8200_4_1() {
        try (StackFixture f = hostBKnowingA()) {
            byte[] ping = echo(FD00, A, FD00, B, true, 1, 1, new byte[4]);
            byte[] payload = new byte[16 + ping.length];
            payload[0] = IpProtocol.HOP_BY_HOP; // destination options, then hop-by-hop: wrong order
            payload[8] = (byte) IpProtocol.ICMPV6;
            System.arraycopy(ping, 0, payload, 16, ping.length);
            f.receive(eth(MAC_B, MAC_A, ipv6(FD00, A, FD00, B, IpProtocol.IPV6_DEST_OPTS, 64, payload)));
            byte[] err = next(f);
            assertTrue(Frames.describe(err).contains("ICMP6 type 4 code 1"), Frames.describe(err));
            assertEquals(1, err[14 + 40 + 1], "code 1");
            assertEquals(40, Unpooled.wrappedBuffer(err).getInt(14 + 40 + 4), "pointer");
        }
    }

    /** RFC 8200 §4.2 action 10: parameter problem code 2 pointing at the option, Linux's bytes. */
    @Test
    void unknownOptionAction10_parameterProblemCode2_RFC8200_4_2() {
        try (StackFixture f = hostBKnowingA()) {
            f.receive(Ipv6Captures.destOptAction10());
            assertFrame(Ipv6Captures.paramProblemOption(), next(f));
            f.assertOnlyDrop(0, DropReason.IP6_UNKNOWN_OPTION);
        }
    }

    /** Action 11 to a multicast destination: discarded silently, as Linux does; action 01: always silently; 00:
     * skipped (the echo behind it is answered). */
    @Test
    void unknownOptionActions_11ToMulticast_01_00_RFC8200_4_2() {
        try (StackFixture f = hostBKnowingA()) {
            f.receive(Ipv6Captures.destOptAction11Multicast());
            assertNull(f.link.take());
            f.assertOnlyDrop(0, DropReason.IP6_UNKNOWN_OPTION);
            byte[] action10 = Ipv6Captures.destOptAction10();
            f.receive(with(action10, 14 + 40 + 2, (byte) 0x40)); // action 01
            assertNull(f.link.take());
            assertEquals(2, f.drops(DropReason.IP6_UNKNOWN_OPTION));
            f.receive(with(action10, 14 + 40 + 2, (byte) 0x1e)); // action 00: skip it
            assertTrue(Frames.describe(next(f)).contains("echo reply"));
            assertEquals(2, f.stack.stats().totalDrops());
        }
    }

    /** RFC 8200 §4.4: Segments Left non-zero with a routing type we do not know: code 0 at the Routing Type. */
    @Test
    void routingHeaderWithSegmentsLeft_parameterProblemCode0_RFC8200_4_4() {
        try (StackFixture f = hostBKnowingA()) {
            f.receive(Ipv6Captures.routingSegmentsLeft());
            assertFrame(Ipv6Captures.paramProblemRouting(), next(f));
            f.assertOnlyDrop(0, DropReason.IP6_UNKNOWN_ROUTING);
            // "If Segments Left is zero, the node must ignore the Routing header and proceed"
            f.receive(with(Ipv6Captures.routingSegmentsLeft(), 14 + 40 + 3, (byte) 0));
            assertTrue(Frames.describe(next(f)).contains("echo reply"));
        }
    }

    /**
     * RFC 4443 §2.4 (e): no error about an ICMPv6 error, about a packet to a multicast address or in a link-layer
     * multicast frame, or to an unspecified/multicast source.
     */
    @Test
    void neverAnErrorAboutAnErrorOrAMulticast_RFC4443_2_4_e() {
        try (StackFixture f = hostBKnowingA()) {
            long sent = f.stack.stats().get(Counter.ICMP6_OUT_MSGS);
            // (e.1) an ICMPv6 error behind a destination option with action 11 (which would be answered)
            byte[] unreachable = new byte[8 + 48];
            unreachable[0] = 1; // destination unreachable
            byte[] dopt = {(byte) IpProtocol.ICMPV6, 0, (byte) 0xc0, 4, 0, 0, 0, 0};
            byte[] payload = new byte[8 + unreachable.length];
            System.arraycopy(dopt, 0, payload, 0, 8);
            System.arraycopy(unreachable, 0, payload, 8, unreachable.length);
            f.receive(eth(MAC_B, MAC_A, ipv6(FD00, A, FD00, B, IpProtocol.IPV6_DEST_OPTS, 64, payload)));
            assertNull(f.link.take(), "(e.1)");
            // (e.3) UDP to a closed port at ff02::1
            f.receive(udpFrame(0x3333_0000_0001L, MAC_A, FD00, A, FF02, 1, 40000, 5999, new byte[4]));
            assertNull(f.link.take(), "(e.3)");
            // (e.4) unknown next header, unicast IP in a link-layer multicast frame
            byte[] unknown = Ipv6Captures.unknownNextHeader();
            f.receive(with(unknown, 0, new byte[] {0x33, 0x33, 0, 0, 0, 1}));
            assertNull(f.link.take(), "(e.4)");
            // (e.6) a source that is not a single node: ::
            f.receive(with(Ipv6Captures.udpToClosedPort(), 14 + 8, new byte[16]));
            assertNull(f.link.take(), "(e.6)");
            assertEquals(sent, f.stack.stats().get(Counter.ICMP6_OUT_MSGS));
        }
    }

    /** RFC 4443 §2.4 (f): "an IPv6 node MUST limit the rate of ICMPv6 error messages it originates". */
    @Test
    void errorsAreRateLimited_RFC4443_2_4_f() {
        try (StackFixture f = hostB(StackConfig.builder().seed(1).mld(1, SEC).icmpRateLimit(1, 2))) {
            f.receive(Ipv6Captures.nsForB());
            f.link.takeAll();
            for (int i = 0; i < 3; i++) {
                f.receive(Ipv6Captures.udpToClosedPort());
            }
            assertEquals(2, f.link.takeAll().size(), "burst 2");
            assertEquals(1, f.drops(DropReason.ICMP6_RATE_LIMITED));
            f.settle(f.now + SEC);
            f.receive(Ipv6Captures.udpToClosedPort());
            assertEquals(1, f.link.takeAll().size(), "one token a second");
        }
    }

    /**
     * Linux's captured packet too big (router B, MTU 1280, about A's 1448-byte ping to fd09::9), replayed as if A
     * were the router and our B the sender: outer addresses swapped, the quoted source made ours.
     */
    static byte[] packetTooBigFromA(int mtu) {
        byte[] f = GoldenFrames.all().get("ICMP6_PACKET_TOO_BIG");
        ByteBuf b = Unpooled.wrappedBuffer(f);
        MacAddr.set(b, 0, MAC_B);
        MacAddr.set(b, 6, MAC_A);
        b.setLong(14 + 16, A);
        b.setLong(14 + 32, B);
        b.setInt(14 + 40 + 4, mtu);
        b.setLong(14 + 48 + 16, B); // the quoted packet's source, lo half
        return fixIcmp6Checksum(f, 14 + 40);
    }

    /** RFC 8201 §4: the PTB MTU is recorded for the destination; never raised, never below 1280. */
    @Test
    void packetTooBig_setsThePathMtuOfTheDestination_RFC8201_4() {
        try (StackFixture f = hostBKnowingA()) {
            f.stack.routes().addDefaultGateway6(FD00, A); // A is the router to fd09::/64
            Route r = new Route();
            assertEquals(NetError.OK, f.stack.engine().route(FD09, 9, 0, 0, null, r, f.now));
            assertEquals(1500, r.mtu);
            f.receive(packetTooBigFromA(1280));
            assertEquals(1, f.stack.stats().get(Counter.PMTU_UPDATES));
            assertEquals(1, f.stack.stats().get(Counter.ICMP6_IN_PKT_TOO_BIGS));
            assertTrue(!f.stack.engine().isCurrent(r), "cached routes see the change");
            f.stack.engine().route(FD09, 9, 0, 0, null, r, f.now);
            assertEquals(1280, r.mtu);
            f.receive(packetTooBigFromA(1400));
            f.receive(packetTooBigFromA(600)); // RFC 8201 §4: not below the IPv6 minimum MTU
            f.stack.engine().route(FD09, 9, 0, 0, null, r, f.now);
            assertEquals(1280, r.mtu);
            assertEquals(0, f.stack.stats().totalDrops());
            // the next big ping leaves in fragments that fit 1280 (RFC 8200 §5: fragmentation at the source)
            PingSocket ping = f.stack.openPing();
            assertEquals(NetError.OK, ping.send(FD09, 9, 1, 1400, f.now));
            List<byte[]> out = f.link.takeAll();
            assertEquals(2, out.size());
            for (byte[] frag : out) {
                assertTrue(frag.length - 14 <= 1280, "fragment of " + (frag.length - 14));
                assertEquals(IpProtocol.IPV6_FRAGMENT, frag[14 + 6], Frames.describe(frag));
                assertEquals(MAC_A, MacAddr.get(Unpooled.wrappedBuffer(frag), 0), "via the router");
            }
            // a PTB about a packet we never sent is refused (RFC 5927 §4.1)
            byte[] notOurs = packetTooBigFromA(1280);
            Unpooled.wrappedBuffer(notOurs).setLong(14 + 48 + 16, 7);
            f.receive(fixIcmp6Checksum(notOurs, 54));
            f.assertOnlyDrop(0, DropReason.ICMP6_ERROR_NOT_OURS);
        }
    }

    /** Linux's captured time exceeded (about A's hop-limit-1 ping), replayed to our B: the ping socket hears it. */
    @Test
    void timeExceeded_reachesThePingSocketThatSentTheRequest() {
        try (StackFixture f = hostBKnowingA()) {
            byte[] te = GoldenFrames.all().get("ICMP6_TIME_EXCEEDED");
            ByteBuf b = Unpooled.wrappedBuffer(te);
            MacAddr.set(b, 0, MAC_B);
            MacAddr.set(b, 6, MAC_A);
            b.setLong(14 + 16, A);
            b.setLong(14 + 32, B);
            b.setLong(14 + 48 + 16, B);
            PingSocket ping = f.stack.ping().open(0x1e37); // the quoted echo's identifier
            f.receive(fixIcmp6Checksum(te, 54));
            PingReply r = new PingReply();
            assertTrue(ping.receive(r));
            assertEquals(PingReply.ERROR, r.kind);
            assertEquals(3, r.icmpType);
            assertEquals(0, r.icmpCode);
            assertEquals(1, r.seq);
            assertEquals(A, r.fromLo);
            assertEquals(1, f.stack.stats().get(Counter.ICMP6_IN_TIME_EXCDS));
        }
    }

    /** A connected UDP socket learns ECONNREFUSED from port unreachable (Linux __udp6_lib_err). */
    @Test
    void portUnreachable_reachesTheConnectedUdpSocket() {
        try (StackFixture f = hostBKnowingA()) {
            UdpSocket u = f.stack.openUdp();
            assertEquals(NetError.OK, u.connect(FD00, A, 5999, f.now));
            assertEquals(4, u.send(Unpooled.wrappedBuffer(new byte[4]), f.now));
            byte[] sent = next(f);
            // A answers with port unreachable quoting our datagram
            byte[] quote = Arrays.copyOfRange(sent, 14, sent.length);
            byte[] msg = new byte[8 + quote.length];
            msg[0] = 1;
            msg[1] = 4;
            System.arraycopy(quote, 0, msg, 8, quote.length);
            f.receive(fixIcmp6Checksum(eth(MAC_B, MAC_A, ipv6(FD00, A, FD00, B, IpProtocol.ICMPV6, 64, msg)), 54));
            assertEquals(NetError.ECONNREFUSED, u.takeError());
        }
    }

    /** A 3000-byte echo request in fragments is reassembled; the reply leaves fragmented for the 1500 MTU. */
    @Test
    void fragmentedEchoRequest_isReassembled_andTheReplyFragmented_RFC8200_4_5() {
        try (StackFixture f = hostBKnowingA()) {
            byte[] data = new byte[3000];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) i;
            }
            byte[] packet = ipv6(FD00, A, FD00, B, IpProtocol.ICMPV6, 64, echo(FD00, A, FD00, B, true, 9, 1, data));
            List<byte[]> frags = new ArrayList<>();
            Fragmenter fr = new Fragmenter(PooledByteBufAllocator.DEFAULT, 14,
                    new FragmentIds(new SplittableRandom(1)));
            assertEquals(Fragmenter.Result.FRAGMENTED, fr.fragmentV6(Unpooled.wrappedBuffer(packet), 0,
                    packet.length, 1500, frag -> {
                        frags.add(eth(MAC_B, MAC_A, ByteBufUtil.getBytes(frag)));
                        frag.release();
                    }));
            assertEquals(3, frags.size());
            for (int i = frags.size() - 1; i >= 0; i--) {
                f.receive(frags.get(i)); // last first: order does not matter
            }
            List<byte[]> reply = f.link.takeAll();
            assertEquals(3, reply.size());
            assertEquals(1, f.stack.stats().get(Counter.IP6_REASM_OKS));
            assertEquals(3, f.stack.stats().get(Counter.IP6_FRAG_CREATES));
            int total = 0;
            for (byte[] r : reply) {
                assertTrue(r.length <= 1514);
                assertEquals(IpProtocol.IPV6_FRAGMENT, r[14 + 6]);
                total += r.length - 14 - 40 - 8;
            }
            assertEquals(8 + 3000, total, "the whole echo reply");
            assertEquals(0, f.stack.stats().totalDrops());
        }
    }

    /** {@link #fragmentedEchoRequest_isReassembled_andTheReplyFragmented_RFC8200_4_5}'s fragments. */
    static List<byte[]> echoFragments(int size) {
        byte[] packet = ipv6(FD00, A, FD00, B, IpProtocol.ICMPV6, 64, echo(FD00, A, FD00, B, true, 9, 1,
                new byte[size]));
        List<byte[]> frags = new ArrayList<>();
        Fragmenter fr = new Fragmenter(PooledByteBufAllocator.DEFAULT, 14, new FragmentIds(new SplittableRandom(1)));
        fr.fragmentV6(Unpooled.wrappedBuffer(packet), 0, packet.length, 1500, frag -> {
            frags.add(eth(MAC_B, MAC_A, ByteBufUtil.getBytes(frag)));
            frag.release();
        });
        return frags;
    }

    /**
     * RFC 8200 §4.5: "If insufficient fragments are received to complete reassembly of a packet within 60 seconds
     * ... and the first fragment has been received, an ICMP Time Exceeded -- Fragment Reassembly Time Exceeded
     * message should be sent to the source of that fragment" (RFC 4443 §3.3 code 1), quoting it.
     */
    @Test
    void reassemblyTimeout_timeExceededCode1_quotingTheFirstFragment_RFC8200_4_5() {
        try (StackFixture f = hostBKnowingA()) {
            byte[] first = echoFragments(3000).get(0);
            long t0 = f.now;
            f.receive(first);
            for (long t = t0 + SEC; t <= t0 + 59 * SEC; t += SEC) {
                f.settle(t); // second by second, so A's NUD probes run their course (and A's entry goes)
            }
            for (byte[] out : f.link.takeAll()) {
                assertEquals((byte) 135, out[14 + 40], "only NUD probes of A meanwhile: " + Frames.describe(out));
            }
            f.receive(Ipv6Captures.nsForB()); // A is back in the cache (its probes went unanswered)
            f.link.takeAll();
            f.settle(t0 + 60 * SEC);
            byte[] te = next(f);
            assertEquals(3, te[14 + 40], Frames.describe(te));
            assertEquals(1, te[14 + 41], "fragment reassembly time exceeded");
            byte[] quoted = Arrays.copyOfRange(te, 14 + 48, te.length);
            assertTrue(Arrays.equals(Arrays.copyOfRange(first, 14, 14 + quoted.length), quoted), "quotes it");
            assertEquals(1, f.stack.stats().get(Counter.ICMP6_OUT_TIME_EXCDS));
        }
    }

    /**
     * RFC 8200 §4.5: a non-last fragment whose length is not a multiple of 8: "ICMP Parameter Problem, Code 0 ...
     * pointing to the Payload Length field of the fragment packet" (pointer 4).
     */
    @Test
    void fragmentOfBadLength_parameterProblemAtPayloadLength_RFC8200_4_5() {
        try (StackFixture f = hostBKnowingA()) {
            byte[] first = echoFragments(3000).get(0);
            byte[] bad = Arrays.copyOf(first, first.length - 4);
            Unpooled.wrappedBuffer(bad).setShort(14 + 4, bad.length - 14 - 40);
            f.receive(bad);
            byte[] pp = next(f);
            assertEquals(4, pp[14 + 40], Frames.describe(pp));
            assertEquals(0, pp[14 + 41]);
            assertEquals(4, Unpooled.wrappedBuffer(pp).getInt(14 + 40 + 4), "pointer to Payload Length");
            f.assertOnlyDrop(0, DropReason.IP6_FRAGMENT_REFUSED);
        }
    }

    /** Checks of RFC 8200 §3, RFC 4291 and Linux's ip6_rcv_core, each under its own reason. */
    @Test
    void badOrMartianPackets_areDroppedByReason() {
        try (StackFixture f = hostBKnowingA()) {
            byte[] ping = Ipv6Captures.echoRequest();
            byte[] icmp = Arrays.copyOfRange(ping, 54, ping.length);
            f.receive(Arrays.copyOf(ping, ping.length - 1));
            f.assertOnlyDrop(0, DropReason.IP6_TRUNCATED);
            f.receive(with(ping, 14, (byte) 0x40));
            assertEquals(1, f.drops(DropReason.IP6_BAD_VERSION));
            f.receive(eth(MAC_B, MAC_A, ipv6(FF02, 1, FD00, B, IpProtocol.ICMPV6, 64, icmp)));
            f.receive(eth(MAC_B, MAC_A, ipv6(0, 1, FD00, B, IpProtocol.ICMPV6, 64, icmp)));
            f.receive(eth(MAC_B, MAC_A, ipv6(0, 0xffff_0a00_0001L, FD00, B, IpProtocol.ICMPV6, 64, icmp)));
            f.receive(udpFrame(MAC_B, MAC_A, 0, 0, FD00, B, 1, 7, new byte[4])); // :: is for DAD and MLD only
            assertEquals(4, f.drops(DropReason.IP6_MARTIAN_SRC));
            f.receive(eth(MAC_B, MAC_A, ipv6(FD00, A, 0, 1, IpProtocol.ICMPV6, 64, icmp)));
            f.receive(eth(0x3333_0000_0001L, MAC_A, ipv6(FD00, A, 0xff00_0000_0000_0000L, 1, IpProtocol.ICMPV6, 64,
                    icmp))); // scope 0
            f.receive(eth(0x3333_0000_0001L, MAC_A, ipv6(FD00, A, 0xff01_0000_0000_0000L, 1, IpProtocol.ICMPV6, 64,
                    icmp))); // interface-local, from the wire
            assertEquals(3, f.drops(DropReason.IP6_MARTIAN_DST));
            f.receive(eth(MAC_B, MAC_A, ipv6(FD00, A, FD00, 3, IpProtocol.ICMPV6, 64, icmp)));
            assertEquals(1, f.drops(DropReason.IP6_NOT_FOR_US));
            f.receive(eth(0x3333_0000_0001L, MAC_A, ipv6(FD00, A, 0xff12_0000_0000_0000L, 1, IpProtocol.ICMPV6, 64,
                    icmp)));
            assertEquals(1, f.drops(DropReason.IP6_MULTICAST_NOT_JOINED));
            f.receive(eth(MAC_B, MAC_A, ipv6(FD00, A, FD00, B, IpProtocol.IPV6_NO_NEXT, 64, new byte[0])));
            assertEquals(1, f.drops(DropReason.IP6_NO_NEXT_HEADER));
            byte[] truncatedHbh = {(byte) IpProtocol.ICMPV6, 1, 1, 2, 0, 0, 0, 0}; // says 16 bytes, has 8
            f.receive(eth(MAC_B, MAC_A, ipv6(FD00, A, FD00, B, IpProtocol.HOP_BY_HOP, 64, truncatedHbh)));
            byte[] overrun = {(byte) IpProtocol.ICMPV6, 0, 1, 9, 0, 0, 0, 0}; // PadN longer than the header
            f.receive(eth(MAC_B, MAC_A, ipv6(FD00, A, FD00, B, IpProtocol.HOP_BY_HOP, 64, overrun)));
            assertEquals(2, f.drops(DropReason.IP6_BAD_EXT_HEADER));
            byte[] unknownType = echo(FD00, A, FD00, B, true, 1, 1, new byte[0]);
            unknownType[0] = (byte) 200; // an informational type nobody knows: RFC 4443 §2.4 (b)
            f.receive(fixIcmp6Checksum(eth(MAC_B, MAC_A, ipv6(FD00, A, FD00, B, IpProtocol.ICMPV6, 64,
                    unknownType)), 54));
            assertEquals(1, f.drops(DropReason.ICMP6_UNSUPPORTED));
            assertNull(f.link.take(), "none of these is answered");
            assertEquals(15, f.stack.stats().totalDrops(), f.stack.stats().toString());
        }
    }

    @Test
    void echoFrameHelper_matchesLinux() {
        byte[] linux = Ipv6Captures.echoRequest();
        byte[] data = Arrays.copyOfRange(linux, 14 + 40 + 8, linux.length);
        assertFrame(linux, echoFrame(MAC_B, MAC_A, FD00, A, FD00, B, true, 0x5a60, 1, data));
        assertEquals(Ipv6Packet.HEADER_LEN, 40);
    }

    /** AH (no IPsec here) is an unrecognised Next Header; a Router Alert of the wrong length is a bad header. */
    @Test
    void authenticationHeader_andMalformedRouterAlert() {
        try (StackFixture f = hostBKnowingA()) {
            f.receive(eth(MAC_B, MAC_A, ipv6(FD00, A, FD00, B, IpProtocol.AH, 64, new byte[16])));
            byte[] pp = next(f);
            assertEquals(4, pp[14 + 40]);
            assertEquals(1, pp[14 + 41]);
            assertEquals(6, Unpooled.wrappedBuffer(pp).getInt(14 + 44), "pointer at the IPv6 Next Header");
            byte[] badRa = {(byte) IpProtocol.IPV6_NO_NEXT, 0, 5, 3, 0, 0, 0, 0}; // Router Alert, length 3
            f.receive(eth(MAC_B, MAC_A, ipv6(FD00, A, FD00, B, IpProtocol.HOP_BY_HOP, 64, badRa)));
            assertEquals(1, f.drops(DropReason.IP6_BAD_EXT_HEADER));
            assertNull(f.link.take());
        }
    }

    /** RFC 8200 §8.1: "IPv6 receivers must discard UDP packets containing a zero checksum"; a zero computed checksum
     * is sent as 0xffff (RFC 768), so the stack never sends 0. */
    @Test
    void udpWithAZeroChecksum_isDropped_RFC8200_8_1() {
        try (StackFixture f = hostBKnowingA()) {
            UdpSocket s = f.stack.openUdp();
            assertEquals(NetError.OK, s.bind(0L, 0L, 5999));
            byte[] udp = Ipv6Captures.udpToClosedPort();
            f.receive(with(udp, 14 + 40 + 6, (byte) 0, (byte) 0));
            f.assertOnlyDrop(0, DropReason.UDP_BAD_CHECKSUM);
            assertEquals(0, s.pendingDatagrams());
            f.receive(udp);
            assertEquals(1, s.pendingDatagrams(), "the same datagram with its checksum is delivered");
            s.close();
        }
    }
}
