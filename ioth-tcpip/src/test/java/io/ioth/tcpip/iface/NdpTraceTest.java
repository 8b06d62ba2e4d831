package io.ioth.tcpip.iface;

import io.ioth.tcpip.socket.icmp.PingReply;
import io.ioth.tcpip.socket.icmp.PingSocket;
import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.stats.DropReason;
import io.ioth.tcpip.testing.Frames;
import io.ioth.tcpip.testing.Hex;
import io.ioth.tcpip.testing.Ipv6Captures;
import io.ioth.tcpip.testing.StackFixture;
import io.ioth.tcpip.wire.GoldenFrames;
import io.ioth.tcpip.wire.Icmpv6Repr;
import io.ioth.tcpip.wire.Ipv6Addr;
import io.ioth.tcpip.wire.MacAddr;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static io.ioth.tcpip.testing.Frames6.A;
import static io.ioth.tcpip.testing.Frames6.B;
import static io.ioth.tcpip.testing.Frames6.FD00;
import static io.ioth.tcpip.testing.Frames6.FE80;
import static io.ioth.tcpip.testing.Frames6.FF02;
import static io.ioth.tcpip.testing.Frames6.LL_A;
import static io.ioth.tcpip.testing.Frames6.LL_B;
import static io.ioth.tcpip.testing.Frames6.MAC_A;
import static io.ioth.tcpip.testing.Frames6.MAC_B;
import static io.ioth.tcpip.testing.Frames6.fixIcmp6Checksum;
import static io.ioth.tcpip.testing.Frames6.hostB;
import static io.ioth.tcpip.testing.Frames6.hostBTentative;
import static io.ioth.tcpip.testing.Frames6.na;
import static io.ioth.tcpip.testing.Frames6.next;
import static io.ioth.tcpip.testing.Frames6.ns;
import static io.ioth.tcpip.testing.Frames6.solicitedMac;
import static io.ioth.tcpip.testing.Frames6.with;
import static io.ioth.tcpip.testing.Frames6.withSrcMac;
import static io.ioth.tcpip.testing.StackFixture.MS;
import static io.ioth.tcpip.testing.StackFixture.SEC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Neighbor Discovery (RFC 4861) and Duplicate Address Detection (RFC 4862) traces in simulated time: bytes in,
 * bytes out, compared with what Linux sends ({@link Ipv6Captures}) wherever Linux was captured doing the same.
 */
class NdpTraceTest {
    static final long SN = 0x0000_0001_ff00_0000L; // ff02::1:ffXX:XXXX, lo half

    static void assertFrame(byte[] expected, byte[] actual) {
        assertArrayEquals(expected, actual, () -> "got\n" + Hex.pretty(actual) + "\n" + Frames.describe(actual)
                + "\nwant\n" + Hex.pretty(expected) + "\n" + Frames.describe(expected));
    }

    /**
     * An MLDv2 report laid out exactly as Linux's ({@link Ipv6Captures#mld2StateChange}: hop-by-hop Router Alert +
     * PadN, records without sources), with our source, record type and groups (solicited-node groups, lo halves).
     */
    static byte[] mldReport(long srcHi, long srcLo, int recordType, long... groupLos) {
        byte[] linux = Ipv6Captures.mld2StateChange();
        int n = groupLos.length;
        byte[] f = Arrays.copyOf(linux, 14 + 40 + 8 + 8 + 20 * n);
        ByteBuf b = Unpooled.wrappedBuffer(f);
        b.setShort(14 + 4, 8 + 8 + 20 * n);
        b.setLong(14 + 8, srcHi);
        b.setLong(14 + 16, srcLo);
        b.setShort(14 + 40 + 8 + 6, n);
        for (int i = 0; i < n; i++) {
            int at = 14 + 40 + 8 + 8 + 20 * i;
            b.setInt(at, recordType << 24);
            b.setLong(at + 4, FF02);
            b.setLong(at + 12, groupLos[i]);
        }
        return fixIcmp6Checksum(f, 14 + 40 + 8);
    }

    /** Linux's DAD NS (python-crafted, no nonce) re-targeted: from B's MAC, for {@code (tHi, tLo)}. */
    static byte[] dadNs(long tHi, long tLo) {
        byte[] f = withSrcMac(Ipv6Captures.dadNsFromA(), MAC_B);
        ByteBuf b = Unpooled.wrappedBuffer(f);
        MacAddr.set(b, 0, solicitedMac(tLo));
        b.setLong(14 + 32, Ipv6Addr.solicitedNodeLo(tLo));
        b.setLong(14 + 40 + 8, tHi);
        b.setLong(14 + 40 + 16, tLo);
        return fixIcmp6Checksum(f, 14 + 40);
    }

    /** Linux's unsolicited NA re-targeted to {@code (hi, lo)} (source and target). */
    static byte[] unsolicitedNa(long hi, long lo) {
        byte[] f = Ipv6Captures.unsolicitedNa();
        ByteBuf b = Unpooled.wrappedBuffer(f);
        b.setLong(14 + 8, hi);
        b.setLong(14 + 16, lo);
        b.setLong(14 + 40 + 8, hi);
        b.setLong(14 + 40 + 16, lo);
        return fixIcmp6Checksum(f, 14 + 40);
    }

    @Test
    void theHelpersReproduceLinuxsBytes() {
        assertFrame(Ipv6Captures.mld2StateChange(), mldReport(FE80, LL_B, 4, SN | 2, SN | 0xb));
        assertFrame(Ipv6Captures.unsolicitedNa(), unsolicitedNa(FD00, B));
        assertFrame(withSrcMac(Ipv6Captures.dadNsFromA(), MAC_B), dadNs(FD00, B));
    }

    /**
     * RFC 4862 §5.4.2: join the solicited-node group (MLD report from ::, RFC 3810 §5.2.13), then the DAD
     * solicitation from ::; §5.4: usable RetransTimer (1 s) later; RFC 4861 §7.2.6: then announced (O=1, to
     * ff02::1).
     */
    @Test
    void enableIpv6_reportsProbesAndThenAnnouncesTheEui64LinkLocal_RFC4862_5_4() {
        try (StackFixture f = new StackFixture(StackConfig.builder().seed(1).mld(1, SEC), false)) {
            assertTrue(f.stack.enableIpv6(f.eth0, 0));
            assertEquals(LL_B, f.eth0.ipv6LinkLocalLo(), "fe80::ff:fe00:b: modified EUI-64 of 02:00:00:00:00:0b");
            assertFrame(mldReport(0, 0, 4, SN | 0xb), next(f));
            assertFrame(dadNs(FE80, LL_B), next(f));
            assertNull(f.link.take());
            assertEquals(NetInterface.AddressState.TENTATIVE, f.eth0.ipv6State(FE80, LL_B));
            assertEquals("[fe80::ff:fe00:b/64 tentative]", f.eth0.ipv6Addresses().toString());
            f.settle(999 * MS);
            assertNull(f.link.take(), "DupAddrDetectTransmits = 1: one solicitation");
            f.settle(SEC);
            assertFrame(unsolicitedNa(FE80, LL_B), next(f));
            assertEquals(NetInterface.AddressState.PREFERRED, f.eth0.ipv6State(FE80, LL_B));
            f.settle(30 * SEC);
            assertNull(f.link.take(), "one announcement, one report (robustness 1)");
            assertEquals(1, f.stack.stats().get(Counter.DAD_SUCCEEDED));
            assertEquals(0, f.stack.stats().totalDrops());
        }
    }

    /** Adding fd00::2 once the link-local is usable: the report comes from it, the rest is Linux's bytes. */
    @Test
    void addingAnAddress_sendsLinuxsProbeAndAdvertisement() {
        try (StackFixture f = new StackFixture(StackConfig.builder().seed(1).mld(1, SEC), false)) {
            f.stack.enableIpv6(f.eth0, 0);
            f.settle(SEC);
            f.link.takeAll();
            f.settle(2 * SEC);
            assertTrue(f.stack.addIpv6(f.eth0, FD00, B, 64, f.now));
            assertFrame(mldReport(FE80, LL_B, 4, SN | 2), next(f));
            assertFrame(withSrcMac(Ipv6Captures.dadNsFromA(), MAC_B), next(f));
            assertNull(f.link.take());
            f.settle(3 * SEC);
            assertFrame(Ipv6Captures.unsolicitedNa(), next(f));
            assertTrue(f.stack.routes().toString().contains("fd00::/64 dev eth0 proto kernel scope link"),
                    f.stack.routes().toString());
            assertTrue(f.stack.routes().toString().contains("fe80::/64 dev eth0 proto kernel scope link"));
            assertEquals("[fe80::ff:fe00:b/64, fd00::2/64]", f.eth0.ipv6Addresses().toString());
            assertEquals("[ff02::1:ff00:b, ff02::1:ff00:2]", f.eth0.ipv6Groups().toString());
        }
    }

    @Test
    void configuredInterfaceId_makesTheLinkLocal() {
        try (StackFixture f = new StackFixture(StackConfig.builder().seed(1).mld(1, SEC), false)) {
            f.stack.enableIpv6(f.eth0, 0x1234, 0);
            assertEquals(NetInterface.AddressState.TENTATIVE, f.eth0.ipv6State(FE80, 0x1234));
            assertFalse(f.stack.enableIpv6(f.eth0, 0), "already on");
        }
    }

    /** RFC 4861 §7.2.4: Linux's solicitation for fd00::2 gets Linux's advertisement, byte for byte. */
    @Test
    void solicitationForOurAddress_isAnsweredWithLinuxsBytes_RFC4861_7_2_4() {
        try (StackFixture f = hostB()) {
            f.receive(Ipv6Captures.nsForB());
            assertFrame(Ipv6Captures.naSolicited(), next(f));
            assertNull(f.link.take());
            // §7.2.3: the solicitor is learned from its SLLA (STALE), and the answer sent to it makes it DELAY
            assertEquals(MAC_A, f.eth0.neighbors().lladdr(6, FD00, A));
            assertEquals(NeighborCache.State.DELAY, f.eth0.neighbors().state(6, FD00, A, f.now));
            assertEquals(1, f.stack.stats().get(Counter.NDP_IN_SOLICITS));
            assertEquals(0, f.stack.stats().totalDrops());
        }
    }

    /** A unicast solicitation (NUD probe): Linux answers S only, without TLLA; so do we. */
    @Test
    void unicastProbe_isAnsweredLikeLinux_solicitedOnly_RFC4861_7_2_4() {
        try (StackFixture f = hostB()) {
            f.receive(Ipv6Captures.probeOfB());
            assertFrame(Ipv6Captures.probeAnswer(), next(f));
            assertNull(f.link.take());
        }
    }

    /**
     * RFC 4861 §7.3.3: STALE -> DELAY on use -> PROBE after DELAY_FIRST_PROBE_TIME (5 s): unicast solicitations,
     * RetransTimer apart, MAX_UNICAST_SOLICIT (3) of them, then the entry goes. The probe is Linux's bytes: from the
     * link-local address, with SLLA.
     */
    @Test
    void reachabilityProbe_isLinuxs_thenThreeTimes_thenGone_RFC4861_7_3_3() {
        try (StackFixture f = hostB()) {
            f.receive(Ipv6Captures.nsForB()); // learn A (STALE), answer it (DELAY)
            f.link.takeAll();
            long t0 = f.now;
            f.settle(t0 + 4999 * MS);
            assertNull(f.link.take());
            f.settle(t0 + 5 * SEC);
            assertFrame(Ipv6Captures.probeFromB(), next(f));
            f.settle(t0 + 6 * SEC);
            assertFrame(Ipv6Captures.probeFromB(), next(f));
            f.settle(t0 + 7 * SEC);
            assertFrame(Ipv6Captures.probeFromB(), next(f));
            f.settle(t0 + 20 * SEC);
            assertNull(f.link.take());
            assertNull(f.eth0.neighbors().state(6, FD00, A, f.now), "unanswered probes delete the entry");
        }
    }

    /** RFC 4861 §7.2.4: a DAD solicitation for our address is answered to all-nodes: Linux's defence, exactly. */
    @Test
    void dadSolicitationForOurAddress_isDefended_toAllNodes_RFC4861_7_2_4() {
        try (StackFixture f = hostB()) {
            f.receive(Ipv6Captures.dadNsFromA());
            assertFrame(Ipv6Captures.unsolicitedNa(), next(f));
            assertNull(f.eth0.neighbors().state(6, 0, 0, f.now));
            assertEquals(NetInterface.AddressState.PREFERRED, f.eth0.ipv6State(FD00, B));
        }
    }

    /** RFC 4862 §5.4.3: Linux doing DAD for the address we are checking: ours is the duplicate. */
    @Test
    void dadConflict_solicitationFromUnspecified_marksTheAddressDuplicated_RFC4862_5_4_3() {
        try (StackFixture f = hostBTentative()) {
            f.receive(withSrcMac(Ipv6Captures.dadNsWithNonce(), MAC_A)); // another host, Linux's DAD with nonce
            assertEquals(NetInterface.AddressState.DUPLICATE, f.eth0.ipv6State(FD00, B));
            assertEquals(1, f.stack.stats().get(Counter.DAD_FAILED));
            assertNull(f.link.take(), "nothing answered");
            f.settle(SEC);
            assertFrame(unsolicitedNa(FE80, LL_B), next(f)); // the link-local passed
            assertNull(f.link.take(), "no advertisement for a duplicated address");
            assertEquals("[fe80::ff:fe00:b/64, fd00::2/64 dadfailed]", f.eth0.ipv6Addresses().toString());
            assertFalse(f.stack.engine().isLocalAddress(FD00, B));
            long drops = f.stack.stats().totalDrops();
            f.receive(Ipv6Captures.nsForB());
            assertNull(f.link.take(), "never answered for");
            f.assertOnlyDrop(drops, DropReason.NDP_NOT_OUR_TARGET);
        }
    }

    /** RFC 4862 §5.4.4: an advertisement for the tentative address: not unique. */
    @Test
    void dadConflict_advertisementForTheTentativeAddress_RFC4862_5_4_4() {
        try (StackFixture f = hostBTentative()) {
            f.receive(withSrcMac(Ipv6Captures.unsolicitedNa(), MAC_A));
            assertEquals(NetInterface.AddressState.DUPLICATE, f.eth0.ipv6State(FD00, B));
            assertEquals(1, f.stack.stats().get(Counter.DAD_FAILED));
        }
    }

    /** RFC 4862 §5.4.3: a node resolving our tentative address gets no answer, and nothing is learned. */
    @Test
    void solicitationForATentativeAddress_fromAResolvingNode_isIgnored_RFC4862_5_4_3() {
        try (StackFixture f = hostBTentative()) {
            f.receive(Ipv6Captures.nsForB());
            assertNull(f.link.take());
            f.assertOnlyDrop(0, DropReason.NDP_TENTATIVE_TARGET);
            assertNull(f.eth0.neighbors().state(6, FD00, A, f.now));
            assertEquals(NetInterface.AddressState.TENTATIVE, f.eth0.ipv6State(FD00, B));
            f.receive(Ipv6Captures.echoRequest()); // RFC 4862 §5.4: packets to a tentative address are discarded
            assertEquals(1, f.drops(DropReason.IP6_TENTATIVE_DST));
            assertNull(f.link.take());
        }
    }

    /** RFC 4861 §7.1.1 / §7.1.2: "The IP Hop Limit field has a value of 255". */
    @Test
    void hopLimitOtherThan255_isDropped_RFC4861_7_1() {
        try (StackFixture f = hostB()) {
            f.receive(with(Ipv6Captures.nsForB(), 14 + 7, (byte) 254));
            f.assertOnlyDrop(0, DropReason.NDP_BAD_HOP_LIMIT);
            f.receive(with(Ipv6Captures.probeOfB(), 14 + 7, (byte) 64));
            assertEquals(2, f.drops(DropReason.NDP_BAD_HOP_LIMIT));
            f.receive(na(MAC_B, MAC_A, FD00, A, FD00, B, FD00, A, 0x60, MAC_A)); // fine: hop limit 255
            f.receive(with(na(MAC_B, MAC_A, FD00, A, FD00, B, FD00, A, 0x60, MAC_A), 14 + 7, (byte) 1));
            assertEquals(3, f.drops(DropReason.NDP_BAD_HOP_LIMIT));
            assertNull(f.link.take());
            assertEquals(3, f.stack.stats().totalDrops());
        }
    }

    @Test
    void invalidNeighborDiscovery_isDroppedByReason_RFC4861_7_1() {
        try (StackFixture f = hostB()) {
            long none = Icmpv6Repr.NO_LL_ADDR;
            long snB = Ipv6Addr.solicitedNodeLo(B);
            long snMacB = solicitedMac(B);
            byte[] ns = Ipv6Captures.nsForB();
            f.receive(fixIcmp6Checksum(with(ns, 14 + 41, (byte) 1), 54)); // code 1
            f.assertOnlyDrop(0, DropReason.NDP_INVALID);
            f.receive(fixIcmp6Checksum(Arrays.copyOf(with(ns, 14 + 5, (byte) 20), 14 + 40 + 20), 54)); // 20 bytes
            f.receive(ns(MAC_B, MAC_A, 0, 0, FD00, B, FD00, B, none)); // from :: to a unicast address
            f.receive(ns(snMacB, MAC_A, 0, 0, FF02, snB, FD00, B, MAC_A)); // from :: with SLLA
            f.receive(na(0x3333_0000_0001L, MAC_A, FD00, A, FF02, 1, FD00, A, 0x60, MAC_A)); // S=1 to multicast
            f.receive(ns(snMacB, MAC_A, FD00, A, FF02, snB, FF02, 1, MAC_A)); // multicast target
            byte[] zeroLengthOption = with(ns, 14 + 40 + 24 + 1, (byte) 0);
            f.receive(fixIcmp6Checksum(zeroLengthOption, 54)); // RFC 4861 §4.6: option length 0
            assertEquals(7, f.drops(DropReason.NDP_INVALID));
            f.receive(with(ns, 14 + 40 + 2, (byte) 0, (byte) 0)); // checksum
            assertEquals(1, f.drops(DropReason.ICMP6_BAD_CHECKSUM));
            f.receive(ns(snMacB, MAC_A, FD00, A, FF02, snB, FD00, 3, MAC_A)); // fd00::3 shares the group, not ours
            assertEquals(1, f.drops(DropReason.NDP_NOT_OUR_TARGET));
            f.receive(na(MAC_B, MAC_A, FD00, A, FD00, B, FD00, B, 0x20, MAC_A)); // someone claims fd00::2
            assertEquals(1, f.drops(DropReason.NDP_ADDRESS_CONFLICT));
            assertEquals(NetInterface.AddressState.PREFERRED, f.eth0.ipv6State(FD00, B));
            assertNull(f.link.take());
            assertEquals(10, f.stack.stats().totalDrops(), f.stack.stats().toString());
        }
    }

    /** RFC 4861 §6.3.4: the router's link-layer address is recorded from an RA; redirects are ignored (counted). */
    @Test
    void routerAdvertisement_recordsTheRouter_redirectIgnored() {
        try (StackFixture f = hostB()) {
            // Linux's RA capture, re-sent as if from A (its link-local and MAC)
            byte[] ra = GoldenFrames.all().get("NDP_RA");
            ByteBuf b = Unpooled.wrappedBuffer(ra);
            MacAddr.set(b, 6, MAC_A);
            b.setLong(14 + 16, LL_A);
            MacAddr.set(b, 14 + 40 + 16 + 2, MAC_A); // the SLLA option follows the 16-byte RA header
            f.receive(fixIcmp6Checksum(ra, 54));
            assertEquals(1, f.stack.stats().get(Counter.NDP_IN_ROUTER_ADVERTS));
            assertEquals(MAC_A, f.eth0.neighbors().lladdr(6, FE80, LL_A));
            byte[] redirect = GoldenFrames.all().get("NDP_REDIRECT"); // B -> A in the capture; here A -> B
            ByteBuf r = Unpooled.wrappedBuffer(redirect);
            MacAddr.set(r, 0, MAC_B);
            MacAddr.set(r, 6, MAC_A);
            r.setLong(14 + 16, A);
            r.setLong(14 + 32, B);
            f.receive(fixIcmp6Checksum(redirect, 54));
            f.assertOnlyDrop(0, DropReason.NDP_REDIRECT_IGNORED);
            assertNull(f.link.take());
        }
    }

    /**
     * RFC 4861 §7.2.2: resolution multicasts a solicitation (source: the prompting packet's, fd00::2), repeats it
     * every RetransTimer (1 s), MAX_MULTICAST_SOLICIT (3) times, then drops the queue and reports ICMPv6 "address
     * unreachable" (code 3).
     */
    @Test
    void unansweredResolution_threeSolicitationsASecondApart_thenAddressUnreachable_RFC4861_7_2_2() {
        try (StackFixture f = hostB()) {
            byte[] solicit = ns(solicitedMac(A), MAC_B, FD00, B, FF02, Ipv6Addr.solicitedNodeLo(A), FD00, A, MAC_B);
            PingSocket ping = f.stack.openPing();
            assertEquals(NetError.OK, ping.send(FD00, A, 1, 56, f.now));
            long t0 = f.now;
            assertFrame(solicit, next(f));
            assertEquals(NetError.OK, ping.send(FD00, A, 2, 56, f.now));
            assertNull(f.link.take(), "queued: no second solicitation");
            f.settle(t0 + 999 * MS);
            assertNull(f.link.take());
            f.settle(t0 + SEC);
            assertFrame(solicit, next(f));
            f.settle(t0 + 2 * SEC);
            assertFrame(solicit, next(f));
            f.settle(t0 + 3 * SEC);
            assertNull(f.link.take(), "no fourth");
            assertEquals(2, f.drops(DropReason.NEIGH_RESOLUTION_FAILED));
            PingReply r = new PingReply();
            assertTrue(ping.receive(r));
            assertEquals(PingReply.ERROR, r.kind, r.toString());
            assertEquals(1, r.icmpType);
            assertEquals(3, r.icmpCode, "address unreachable");
            assertEquals(1, r.seq);
            assertEquals(B, r.fromLo);
            assertTrue(ping.receive(r));
            assertEquals(2, r.seq);
        }
    }

    @Test
    void advertisementAnswersOurSolicitation_sendsTheQueuedPackets_RFC4861_7_2_5() {
        try (StackFixture f = hostB()) {
            PingSocket ping = f.stack.openPing();
            ping.send(FD00, A, 1, 8, f.now);
            next(f); // NS
            f.receive(na(MAC_B, MAC_A, FD00, A, FD00, B, FD00, A, 0x60, MAC_A));
            byte[] echo = next(f);
            assertEquals(MAC_A, MacAddr.get(Unpooled.wrappedBuffer(echo), 0), Frames.describe(echo));
            assertTrue(Frames.describe(echo).contains("echo request"), Frames.describe(echo));
            assertEquals(NeighborCache.State.REACHABLE, f.eth0.neighbors().state(6, FD00, A, f.now));
            assertEquals(0, f.stack.stats().totalDrops());
        }
    }

    /** RFC 4861 §7.2.5: an unsolicited NA with Override replaces a cached address at once (a migrated node). */
    @Test
    void unsolicitedAdvertisementWithOverride_updatesTheCache_RFC4861_7_2_6() {
        try (StackFixture f = hostB()) {
            f.receive(Ipv6Captures.nsForB());
            f.link.takeAll();
            long moved = MacAddr.parse("02:00:00:00:00:aa");
            f.receive(na(0x3333_0000_0001L, moved, FD00, A, FF02, 1, FD00, A, 0x20, moved));
            assertEquals(moved, f.eth0.neighbors().lladdr(6, FD00, A));
            assertEquals(NeighborCache.State.STALE, f.eth0.neighbors().state(6, FD00, A, f.now));
            assertEquals(0, f.stack.stats().totalDrops());
        }
    }

    /** DupAddrDetectTransmits 2 (RFC 4862 §5.1) and MAX_NEIGHBOR_ADVERTISEMENT 3 (RFC 4861 §7.2.6), 1 s apart. */
    @Test
    void twoDadProbes_thenThreeAnnouncements_aRetransTimerApart() {
        try (StackFixture f = new StackFixture(StackConfig.builder().seed(1).mld(1, SEC).dad(2, SEC)
                .unsolicitedNa(3, SEC), false)) {
            f.stack.enableIpv6(f.eth0, 0);
            next(f); // MLD report
            assertFrame(dadNs(FE80, LL_B), next(f));
            f.settle(SEC);
            assertFrame(dadNs(FE80, LL_B), next(f));
            assertEquals(NetInterface.AddressState.TENTATIVE, f.eth0.ipv6State(FE80, LL_B));
            f.settle(2 * SEC);
            for (int i = 0; i < 3; i++) {
                assertFrame(unsolicitedNa(FE80, LL_B), next(f));
                assertNull(f.link.take());
                assertEquals(NetInterface.AddressState.PREFERRED, f.eth0.ipv6State(FE80, LL_B));
                f.settle((3 + i) * SEC);
            }
            assertNull(f.link.take(), "three announcements");
            assertEquals(3, f.stack.stats().get(Counter.NDP_OUT_UNSOLICITED_ADVERTS));
        }
    }
}
