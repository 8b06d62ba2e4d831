package io.ioth.tcpip.frag;

import static io.ioth.tcpip.frag.Packets.A4;
import static io.ioth.tcpip.frag.Packets.B4;
import static io.ioth.tcpip.frag.Packets.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ioth.tcpip.frag.Reassembler.Counter;
import io.ioth.tcpip.wire.Checksum;
import io.ioth.tcpip.wire.IpProtocol;
import io.ioth.tcpip.wire.Ipv4Packet;
import io.ioth.tcpip.wire.Ipv6FragmentHeader;
import io.ioth.tcpip.wire.Ipv6Packet;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

class ReassemblerTest {
    static final long S = 1_000_000_000L;

    /** What the reassembler asked the stack to send, with copies of the quoted bytes. */
    static final class Recorder implements Reassembler.Listener {
        final List<String> events = new ArrayList<>();
        final List<byte[]> quoted = new ArrayList<>();

        @Override
        public void reassemblyTimedOut(int family, ByteBuf firstFragment, long nowNanos) {
            events.add("time-exceeded v" + family + " @" + nowNanos / S + "s");
            quoted.add(Packets.bytes(firstFragment));
        }

        @Override
        public void parameterProblem(ByteBuf fragment, int code, int pointer, long nowNanos) {
            events.add("param-problem code " + code + " pointer " + pointer);
            quoted.add(Packets.bytes(fragment));
        }
    }

    final Recorder icmp = new Recorder();
    Reassembler r = new Reassembler(Packets.POOL, icmp, new Random(1));

    @AfterEach
    void close() {
        r.close();
        assertEquals(0, r.heldBytes());
    }

    /** Hands a copy of {@code ip} in a pooled buffer to the reassembler, then releases the caller's reference. */
    ByteBuf offer(byte[] ip, long now) {
        ByteBuf b = Packets.pooled(ip);
        try {
            return (ip[0] >> 4) == 4 ? r.acceptV4(b, 0, ip.length, now) : r.acceptV6(b, 0, ip.length, now);
        } finally {
            b.release();
        }
    }

    /** The bytes of a reassembled datagram, released. */
    static byte[] take(ByteBuf done) {
        assertNotNull(done, "datagram should be complete");
        try {
            return Packets.bytes(done);
        } finally {
            done.release();
        }
    }

    static List<byte[]> linux(int from) {
        return new ArrayList<>(List.of(LinuxTrace.ip(from), LinuxTrace.ip(from + 1), LinuxTrace.ip(from + 2)));
    }

    /** Offers all; only the last may complete the datagram. */
    byte[] offerAll(List<byte[]> frags, long now) {
        for (int i = 0; i < frags.size() - 1; i++) {
            assertNull(offer(frags.get(i), now), "complete too early at " + i);
        }
        return take(offer(frags.get(frags.size() - 1), now));
    }

    static byte[] frag4(int ident, int offset, boolean more, int tos, byte[] data) {
        byte[] b = Packets.ipv4(A4, B4, IpProtocol.UDP, ident, tos, 64, new byte[0], data);
        Ipv4Packet p = new Ipv4Packet().wrap(Unpooled.wrappedBuffer(b), 0, b.length);
        p.setFlagsFrag(false, more, offset);
        p.fillChecksum();
        return b;
    }

    static byte[] frag6(int ident, int offset, boolean more, int nextHeader, int trafficClass, byte[] data) {
        byte[] rest = new byte[8 + data.length];
        new Ipv6FragmentHeader().wrap(Unpooled.wrappedBuffer(rest), 0, 8).emit(nextHeader, offset, more, ident);
        System.arraycopy(data, 0, rest, 8, data.length);
        return Packets.ipv6(1, 2, IpProtocol.IPV6_FRAGMENT, trafficClass, 0, rest);
    }

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    // -------------------------------------------------------------------------------- orders

    @Test
    void linuxIpv4FragmentsInOrder() {
        byte[] done = offerAll(linux(0), 0);
        assertEquals(hex(Packets.linuxOriginalV4()), hex(done));
        // the ICMP echo inside verifies end to end: 4008 bytes summing to all ones (RFC 792, RFC 1071)
        assertTrue(Checksum.verifies(Checksum.sum(Unpooled.wrappedBuffer(done), 20, 4008, 0)));
        assertEquals(1, r.counter(Counter.REASSEMBLED));
        assertEquals(3, r.counter(Counter.FRAGMENTS));
        assertEquals(0, r.datagramCount());
        assertEquals(0, r.heldBytes());
    }

    @Test
    void linuxIpv4FramesWithEthernetHeaderAtOffset14() {
        ByteBuf done = null;
        for (int i = 0; i < 3; i++) {
            byte[] frame = LinuxTrace.PING_S4000.get(i);
            ByteBuf b = Packets.pooled(frame);
            try {
                done = r.acceptV4(b, 14, frame.length - 14, 0);
            } finally {
                b.release();
            }
        }
        assertEquals(hex(Packets.linuxOriginalV4()), hex(take(done)));
    }

    @Test
    void linuxIpv4FragmentsReversedShuffledDuplicated() {
        String expected = hex(Packets.linuxOriginalV4());
        List<byte[]> rev = linux(0);
        Collections.reverse(rev);
        assertEquals(expected, hex(offerAll(rev, 0)));
        for (int seed = 0; seed < 6; seed++) {
            List<byte[]> l = linux(0);
            Collections.shuffle(l, new Random(seed));
            assertEquals(expected, hex(offerAll(l, 0)), "shuffle " + seed);
        }
        // every fragment twice (identical duplicates are ignored, as Linux does), the first ones again last
        List<byte[]> f = linux(0);
        assertNull(offer(f.get(1), 0));
        assertNull(offer(f.get(1), 0));
        assertNull(offer(f.get(2), 0));
        assertNull(offer(f.get(2), 0));
        assertEquals(expected, hex(take(offer(f.get(0), 0))));
        assertEquals(2, r.counter(Counter.DUPLICATE));
        assertEquals(8, r.counter(Counter.REASSEMBLED));
        assertEquals(0, r.counter(Counter.OVERLAP));
    }

    @Test
    void linuxIpv6FragmentsInOrderReversedShuffledDuplicated() {
        String expected = hex(Packets.linuxOriginalV6());
        assertEquals(expected, hex(offerAll(linux(3), 0)));
        List<byte[]> rev = linux(3);
        Collections.reverse(rev);
        assertEquals(expected, hex(offerAll(rev, 0)));
        for (int seed = 0; seed < 6; seed++) {
            List<byte[]> l = linux(3);
            Collections.shuffle(l, new Random(seed));
            assertEquals(expected, hex(offerAll(l, 0)), "shuffle " + seed);
        }
        List<byte[]> f = linux(3);
        assertNull(offer(f.get(0), 0));
        assertNull(offer(f.get(0), 0));
        assertNull(offer(f.get(2), 0));
        assertNull(offer(f.get(0), 0));
        byte[] done = take(offer(f.get(1), 0));
        assertEquals(expected, hex(done));
        // ICMPv6 checksum over the pseudo-header (RFC 8200 §8.1) verifies on the reassembled packet
        Ipv6Packet p = new Ipv6Packet().wrap(Unpooled.wrappedBuffer(done), 0, done.length);
        assertEquals(IpProtocol.ICMPV6, p.nextHeader());
        assertTrue(Checksum.verifies(Checksum.sum(Unpooled.wrappedBuffer(done), 40, 4008,
                p.pseudoHeaderSum(IpProtocol.ICMPV6, 4008))));
        assertEquals(2, r.counter(Counter.DUPLICATE));
    }

    // -------------------------------------------------------------------------------- overlaps (RFC 5722)

    @Test
    void overlappingIpv6FragmentDropsTheWholeDatagram() {
        List<byte[]> f = linux(3);
        assertNull(offer(f.get(0), 0));
        assertNull(offer(f.get(2), 0));
        assertTrue(r.heldBytes() > 0);
        // a fragment at 1440 covering 8 bytes of fragment zero: RFC 5722 §4 - discard everything
        byte[] overlap = f.get(1).clone();
        overlap[42] = (byte) (1440 >> 8);
        overlap[43] = (byte) ((1440 & 0xf8) | 1);
        assertNull(offer(overlap, 0));
        assertEquals(1, r.counter(Counter.OVERLAP));
        assertEquals(0, r.datagramCount());
        assertEquals(0, r.heldBytes());
        assertEquals(2, r.counter(Counter.FRAGMENTS_DISCARDED));
        // the genuine middle fragment now starts a new datagram that cannot complete
        assertNull(offer(f.get(1), 0));
        assertEquals(1, r.datagramCount());
        assertEquals(0, r.counter(Counter.REASSEMBLED));
    }

    @Test
    void overlappingIpv4FragmentDropsTheWholeDatagramToo() {
        byte[] a = frag4(5, 0, true, 0, bytes(16, 1));
        byte[] contained = frag4(5, 8, true, 0, bytes(8, 1)); // inside a: still an overlap (Linux calls it DUP)
        byte[] b = frag4(5, 16, false, 0, bytes(8, 2));
        assertNull(offer(a, 0));
        assertNull(offer(contained, 0));
        assertEquals(1, r.counter(Counter.OVERLAP));
        assertNull(offer(b, 0));
        assertEquals(1, r.datagramCount(), "b starts over; a is gone");
    }

    @Test
    void sameRangeWithOtherBytesIsAnOverlapNotADuplicate() {
        assertNull(offer(frag4(6, 0, true, 0, bytes(8, 1)), 0));
        assertNull(offer(frag4(6, 0, true, 0, bytes(8, 2)), 0));
        assertEquals(1, r.counter(Counter.OVERLAP));
        assertEquals(0, r.counter(Counter.DUPLICATE));
        assertEquals(0, r.datagramCount());
    }

    // -------------------------------------------------------------------------------- timeouts

    @Test
    void ipv4TimeoutAsksForTimeExceededQuotingFragmentZero() {
        List<byte[]> f = linux(0);
        assertEquals(Reassembler.NO_DEADLINE, r.nextDeadline(0));
        assertNull(offer(f.get(0), 5 * S));
        assertNull(offer(f.get(2), 6 * S));
        assertEquals(35 * S, r.nextDeadline(6 * S), "Linux ipfrag_time: 30 s after the first fragment");
        assertEquals(0, r.poll(35 * S - 1));
        assertTrue(icmp.events.isEmpty());
        assertEquals(1, r.poll(35 * S));
        assertEquals(List.of("time-exceeded v4 @35s"), icmp.events);
        assertEquals(hex(f.get(0)), hex(icmp.quoted.get(0)));
        assertEquals(1, r.counter(Counter.TIMED_OUT));
        assertEquals(1, r.counter(Counter.TIME_EXCEEDED));
        assertEquals(0, r.heldBytes());
        assertEquals(Reassembler.NO_DEADLINE, r.nextDeadline(36 * S));
        // the missing fragment arriving late starts a new datagram
        assertNull(offer(f.get(1), 36 * S));
        assertEquals(1, r.datagramCount());
    }

    @Test
    void ipv6TimeoutIsSixtySecondsAndNeedsFragmentZero() {
        List<byte[]> f = linux(3);
        assertNull(offer(f.get(0), 0));
        assertNull(offer(f.get(1), 10 * S));
        assertNull(offer(frag4(9, 8, false, 0, bytes(8, 3)), 10 * S)); // an IPv4 datagram without fragment zero
        assertEquals(40 * S, r.nextDeadline(10 * S));
        assertEquals(1, r.poll(40 * S));
        assertTrue(icmp.events.isEmpty(), "RFC 792: no fragment zero, no time exceeded");
        assertEquals(60 * S, r.nextDeadline(40 * S));
        assertEquals(70 * S, r.nextDeadline(70 * S), "overdue: poll now");
        assertEquals(1, r.poll(70 * S));
        assertEquals(List.of("time-exceeded v6 @70s"), icmp.events);
        assertEquals(hex(f.get(0)), hex(icmp.quoted.get(0)));
        assertEquals(2, r.counter(Counter.TIMED_OUT));
        assertEquals(1, r.counter(Counter.TIME_EXCEEDED));
    }

    @Test
    void aFragmentForAnOverdueDatagramExpiresItFirst() {
        List<byte[]> f = linux(0);
        assertNull(offer(f.get(0), 0));
        assertNull(offer(f.get(1), 31 * S)); // no poll ran at 30 s
        assertEquals(List.of("time-exceeded v4 @31s"), icmp.events);
        assertEquals(1, r.datagramCount());
        assertEquals(61 * S, r.nextDeadline(31 * S));
    }

    @Test
    void timeoutsAreConfigurable() {
        Reassembler.Config c = new Reassembler.Config();
        c.timeoutV4Nanos = 15 * S; // RFC 791's suggestion
        c.timeoutV6Nanos = 5 * S;
        r.close();
        r = new Reassembler(Packets.POOL, icmp, c, new Random(1));
        assertNull(offer(LinuxTrace.ip(0), 0));
        assertNull(offer(LinuxTrace.ip(3), 0));
        assertEquals(5 * S, r.nextDeadline(0));
        assertEquals(1, r.poll(5 * S));
        assertEquals(15 * S, r.nextDeadline(5 * S));
    }

    @Test
    void pollIsBounded() {
        for (int i = 0; i < 100; i++) {
            assertNull(offer(frag4(i, 8, true, 0, bytes(8, i)), 0));
        }
        assertEquals(Reassembler.POLL_LIMIT, r.poll(30 * S));
        assertEquals(100 - Reassembler.POLL_LIMIT, r.poll(30 * S));
        assertEquals(0, r.datagramCount());
    }

    // -------------------------------------------------------------------------------- memory and count caps

    @Test
    void floodOfNeverCompletedFragmentsStaysUnderTheMemoryCap() {
        Reassembler.Config c = new Reassembler.Config(); // 4 MiB cap, as Linux ipfrag_high_thresh
        c.maxDatagrams = 1 << 16; // so that memory, not the datagram count, is the binding limit
        r.close();
        r = new Reassembler(Packets.POOL, icmp, c, new Random(1));
        // 100k buffers through paranoid leak tracking would take half a minute: these are untracked, and checked
        // by hand below (each must be back to the caller's single reference)
        UnpooledByteBufAllocator untracked = new UnpooledByteBufAllocator(true, true);
        List<ByteBuf> sent = new ArrayList<>(100_000);
        SplittableRandom rnd = new SplittableRandom(42);
        long maxHeld = 0;
        for (int i = 0; i < 100_000; i++) {
            // random (src, id): (almost) every fragment its own datagram; random sizes; MF always set
            byte[] f = frag4(rnd.nextInt(1 << 16), 8 * rnd.nextInt(1, 100), true, 0, bytes(8 * rnd.nextInt(1, 186), i));
            Ipv4Packet q = new Ipv4Packet().wrap(Unpooled.wrappedBuffer(f), 0, f.length);
            q.setSrc(0x0a000000 | rnd.nextInt(1 << 16));
            q.fillChecksum();
            ByteBuf b = untracked.directBuffer(f.length).writeBytes(f);
            sent.add(b);
            assertNull(r.acceptV4(b, 0, f.length, i * 1_000L)); // 100k fragments in 0.1 s: nothing times out
            assertTrue(r.heldBytes() <= c.memoryCapBytes, "held " + r.heldBytes());
            maxHeld = Math.max(maxHeld, r.heldBytes());
        }
        assertTrue(maxHeld > c.memoryCapBytes - 1600, "the cap was reached: " + maxHeld);
        long evicted = r.counter(Counter.EVICTED_MEMORY);
        assertTrue(evicted > 90_000, "evicted " + evicted);
        assertEquals(100_000, r.counter(Counter.FRAGMENTS));
        assertTrue(evicted + r.datagramCount() <= 100_000);
        // a genuine datagram still gets through the flood
        assertEquals(hex(Packets.linuxOriginalV4()), hex(offerAll(linux(0), 200_000_000L)));
        assertEquals(0, r.counter(Counter.TIME_EXCEEDED));
        r.close();
        assertEquals(0, r.heldBytes());
        for (ByteBuf b : sent) {
            assertEquals(1, b.refCnt(), "the reassembler released what it retained, once");
            b.release();
        }
    }

    @Test
    void floodWithTheDefaultLimitsIsBoundedByTheDatagramCount() {
        SplittableRandom rnd = new SplittableRandom(43);
        for (int i = 0; i < 5_000; i++) {
            byte[] f = frag6(rnd.nextInt(), 8 * rnd.nextInt(1, 100), true, 17, 0, bytes(64, i));
            assertNull(offer(f, i));
            assertTrue(r.datagramCount() <= 1024);
        }
        assertEquals(5_000 - 1024, r.counter(Counter.EVICTED_LIMIT));
        assertEquals(1024, r.datagramCount());
    }

    @Test
    void theOldestDatagramIsEvictedFirst() {
        Reassembler.Config c = new Reassembler.Config();
        c.maxDatagrams = 2;
        r.close();
        r = new Reassembler(Packets.POOL, icmp, c, new Random(1));
        assertNull(offer(frag4(1, 0, true, 0, bytes(8, 1)), 0));
        assertNull(offer(frag4(2, 0, true, 0, bytes(8, 2)), 1));
        assertNull(offer(frag4(3, 0, true, 0, bytes(8, 3)), 2)); // evicts id 1
        assertEquals(1, r.counter(Counter.EVICTED_LIMIT));
        assertNull(offer(frag4(1, 8, false, 0, bytes(8, 4)), 3), "id 1 is gone"); // evicts id 2
        assertNotNull(take(offer(frag4(3, 8, false, 0, bytes(8, 5)), 4)));
        assertTrue(icmp.events.isEmpty(), "eviction sends nothing");
    }

    @Test
    void evictionLooksAcrossBothFamilies() {
        Reassembler.Config c = new Reassembler.Config();
        c.maxDatagrams = 3;
        r.close();
        r = new Reassembler(Packets.POOL, icmp, c, new Random(1));
        assertNull(offer(frag6(1, 0, true, 17, 0, bytes(8, 1)), 0)); // oldest
        assertNull(offer(frag4(2, 0, true, 0, bytes(8, 2)), 1));
        assertNull(offer(frag4(3, 0, true, 0, bytes(8, 3)), 2));
        assertNull(offer(frag4(4, 0, true, 0, bytes(8, 4)), 3)); // evicts the IPv6 one
        assertNull(offer(frag6(1, 8, false, 17, 0, bytes(8, 5)), 4)); // evicts id 2
        assertEquals(2, r.counter(Counter.EVICTED_LIMIT));
        assertNotNull(take(offer(frag4(3, 8, false, 0, bytes(8, 6)), 5)));
        assertNotNull(take(offer(frag4(4, 8, false, 0, bytes(8, 7)), 6)));
        assertNull(offer(frag4(2, 8, false, 0, bytes(8, 8)), 7), "id 2 was evicted");
    }

    @Test
    void configIsValidated() {
        Reassembler.Config c = new Reassembler.Config();
        c.timeoutV6Nanos = 0;
        assertThrows(IllegalArgumentException.class, () -> new Reassembler(Packets.POOL, icmp, c, new Random(1)));
        c.timeoutV6Nanos = S;
        c.memoryCapBytes = 0;
        assertThrows(IllegalArgumentException.class, () -> new Reassembler(Packets.POOL, icmp, c, new Random(1)));
        c.memoryCapBytes = 1;
        c.maxDatagrams = 0;
        assertThrows(IllegalArgumentException.class, () -> new Reassembler(Packets.POOL, icmp, c, new Random(1)));
        c.maxDatagrams = 1;
        c.maxFragmentsPerDatagram = 1;
        assertThrows(IllegalArgumentException.class, () -> new Reassembler(Packets.POOL, icmp, c, new Random(1)));
    }

    @Test
    void aFragmentLargerThanTheCapDropsItsDatagram() {
        Reassembler.Config c = new Reassembler.Config();
        c.memoryCapBytes = 1000;
        r.close();
        r = new Reassembler(Packets.POOL, icmp, c, new Random(1));
        assertNull(offer(LinuxTrace.ip(0), 0));
        assertEquals(1, r.counter(Counter.MEMORY_DROP));
        assertEquals(0, r.datagramCount());
    }

    // -------------------------------------------------------------------------------- bad fragments

    @Test
    void ipv6NonLastFragmentNotAMultipleOf8() {
        byte[] f = frag6(1, 0, true, 17, 0, bytes(20, 1));
        assertNull(offer(f, 0));
        assertEquals(1, r.counter(Counter.BAD_LENGTH));
        // RFC 8200 §4.5: Parameter Problem code 0 pointing to the Payload Length field
        assertEquals(List.of("param-problem code 0 pointer 4"), icmp.events);
        assertEquals(hex(f), hex(icmp.quoted.get(0)));
        assertEquals(0, r.datagramCount());
    }

    @Test
    void ipv6FragmentBeyond65535() {
        byte[] f = frag6(1, 65528, false, 17, 0, bytes(16, 1));
        assertNull(offer(f, 0));
        assertEquals(1, r.counter(Counter.TOO_BIG));
        // pointer to the Fragment Offset field: 40 (IPv6 header) + 2
        assertEquals(List.of("param-problem code 0 pointer 42"), icmp.events);
    }

    @Test
    void ipv6TinyFirstFragmentWithoutTheUpperLayerHeader() {
        // RFC 7112 §5: a first fragment holding 8 bytes of a 20-byte TCP header
        byte[] f = frag6(1, 0, true, IpProtocol.TCP, 0, bytes(8, 1));
        assertNull(offer(f, 0));
        assertEquals(1, r.counter(Counter.INCOMPLETE_CHAIN));
        assertEquals(List.of("param-problem code 3 pointer 0"), icmp.events);
        assertEquals(0, r.datagramCount());
        // ... and one whose Destination Options header is cut
        byte[] cut = bytes(16, 2);
        cut[0] = 17;
        cut[1] = 3; // 32 bytes announced, 16 present
        assertNull(offer(frag6(2, 0, true, IpProtocol.IPV6_DEST_OPTS, 0, cut), 0));
        assertEquals(2, r.counter(Counter.INCOMPLETE_CHAIN));
        // a first fragment with a whole UDP header is fine
        assertNull(offer(frag6(3, 0, true, IpProtocol.UDP, 0, bytes(8, 3)), 0));
        assertEquals(1, r.datagramCount());
    }

    @Test
    void ipv6AtomicFragmentIsProcessedInIsolation() {
        byte[] udp = bytes(30, 1);
        assertNull(offer(frag6(7, 8, true, 17, 0, bytes(8, 2)), 0)); // same key, pending
        byte[] done = take(offer(frag6(7, 0, false, 17, 0, udp), 0));
        // RFC 6946: returned at once, Fragment header removed, the pending datagram untouched
        assertEquals(hex(Packets.ipv6(1, 2, 17, 0, 0, udp)), hex(done));
        assertEquals(1, r.counter(Counter.ATOMIC));
        assertEquals(1, r.datagramCount());
    }

    @Test
    void ipv4BadLengthsAreDropped() {
        assertNull(offer(frag4(1, 0, true, 0, bytes(12, 1)), 0));
        assertEquals(1, r.counter(Counter.BAD_LENGTH));
        assertNull(offer(frag4(1, 65512, false, 0, bytes(8, 1)), 0)); // 20 + 65520 > 65535
        assertEquals(1, r.counter(Counter.TOO_BIG));
        assertNull(offer(frag4(1, 8, true, 0, new byte[0]), 0));
        assertEquals(1, r.counter(Counter.EMPTY));
        byte[] trunc = frag4(1, 8, true, 0, bytes(8, 1));
        ByteBuf b = Packets.pooled(trunc);
        try {
            assertNull(r.acceptV4(b, 0, 20, 0));
        } finally {
            b.release();
        }
        assertEquals(1, r.counter(Counter.MALFORMED));
        assertTrue(icmp.events.isEmpty(), "IPv4 reassembly sends no parameter problems");
        assertEquals(0, r.datagramCount());
    }

    @Test
    void inconsistentLastFragmentDropsTheDatagram() {
        assertNull(offer(frag4(1, 16, false, 0, bytes(8, 1)), 0)); // end 24
        assertNull(offer(frag4(1, 32, true, 0, bytes(8, 2)), 0)); // data beyond the end
        assertEquals(1, r.counter(Counter.INCONSISTENT_END));
        assertEquals(0, r.datagramCount());
        assertNull(offer(frag4(2, 32, true, 0, bytes(8, 2)), 0)); // end 40 seen
        assertNull(offer(frag4(2, 16, false, 0, bytes(8, 1)), 0)); // last ends at 24 < 40
        assertNull(offer(frag4(3, 16, false, 0, bytes(8, 1)), 0));
        assertNull(offer(frag4(3, 16, false, 0, bytes(16, 1)), 0)); // two different last fragments
        assertEquals(3, r.counter(Counter.INCONSISTENT_END));
        assertEquals(0, r.datagramCount());
    }

    @Test
    void tooManyFragmentsDropTheDatagram() {
        Reassembler.Config c = new Reassembler.Config();
        c.maxFragmentsPerDatagram = 4;
        r.close();
        r = new Reassembler(Packets.POOL, icmp, c, new Random(1));
        for (int i = 0; i < 4; i++) {
            assertNull(offer(frag4(1, 8 * i, true, 0, bytes(8, i)), 0));
        }
        assertNull(offer(frag4(1, 32, false, 0, bytes(8, 4)), 0));
        assertEquals(1, r.counter(Counter.TOO_MANY_FRAGMENTS));
        assertEquals(0, r.datagramCount());
        assertEquals(0, r.heldBytes());
    }

    @Test
    void ecnFollowsRfc3168Section5_3() {
        // ECT(0) and CE: reassembled as CE
        assertNull(offer(frag4(1, 0, true, 0x02, bytes(8, 1)), 0));
        byte[] done = take(offer(frag4(1, 8, false, 0x03, bytes(8, 2)), 0));
        assertEquals(0x03, done[1] & 3);
        assertTrue(new Ipv4Packet().wrap(Unpooled.wrappedBuffer(done), 0, done.length).verifyChecksum());
        // Not-ECT mixed with ECT(1): dropped
        assertNull(offer(frag4(2, 0, true, 0x00, bytes(8, 1)), 0));
        assertNull(offer(frag4(2, 8, false, 0x01, bytes(8, 2)), 0));
        assertEquals(1, r.counter(Counter.ECN_INVALID));
        // IPv6: ECT(1) then CE, in the Traffic Class
        assertNull(offer(frag6(3, 0, true, 17, 0x01, bytes(8, 1)), 0));
        byte[] done6 = take(offer(frag6(3, 8, false, 17, 0x03, bytes(8, 2)), 0));
        assertEquals(0x03, new Ipv6Packet().wrap(Unpooled.wrappedBuffer(done6), 0, done6.length).trafficClass());
        assertEquals(0, r.heldBytes());
    }

    @Test
    void manyDatagramsCompletingInRandomOrderInATinyTable() {
        // maxDatagrams 4 -> an 8-slot table: probe chains, and removals that are not in insertion order
        Reassembler.Config c = new Reassembler.Config();
        c.maxDatagrams = 4;
        r.close();
        r = new Reassembler(Packets.POOL, icmp, c, new Random(1));
        SplittableRandom rnd = new SplittableRandom(5);
        List<Integer> open = new ArrayList<>(); // ids; even = IPv4, odd = IPv6
        int completed = 0;
        for (int step = 0; step < 3000; step++) {
            if (open.size() < 4 && (open.isEmpty() || rnd.nextBoolean())) {
                int id = rnd.nextInt(1 << 16);
                if (open.contains(id)) {
                    continue;
                }
                assertNull(offer((id & 1) == 0 ? frag4(id, 0, true, 0, bytes(8, id))
                        : frag6(id, 0, true, 17, 0, bytes(8, id)), step));
                open.add(id);
            } else {
                int id = open.remove(rnd.nextInt(open.size()));
                byte[] data = bytes(8, id + 1);
                byte[] done = take(offer((id & 1) == 0 ? frag4(id, 8, false, 0, data)
                        : frag6(id, 8, false, 17, 0, data), step));
                byte[] expected = (id & 1) == 0
                        ? Packets.ipv4(A4, B4, IpProtocol.UDP, id, 0, 64, new byte[0],
                                Packets.concat(bytes(8, id), 0, 8, data, 0, 8))
                        : Packets.ipv6(1, 2, 17, 0, 0, Packets.concat(bytes(8, id), 0, 8, data, 0, 8));
                assertEquals(hex(expected), hex(done), "step " + step);
                completed++;
            }
            assertEquals(open.size(), r.datagramCount());
        }
        assertTrue(completed > 1000, "completed " + completed);
        assertEquals(0, r.counter(Counter.EVICTED_LIMIT));
    }

    @Test
    void ipv6MalformedFragmentsAreCounted() {
        byte[] f = frag6(1, 8, true, 17, 0, bytes(16, 1));
        ByteBuf b = Packets.pooled(f);
        try {
            assertNull(r.acceptV6(b, 0, 50, 0)); // shorter than Payload Length says
            // destination options, then hop-by-hop: RFC 8200 §4.1 allows hop-by-hop only first
            b.setByte(6, IpProtocol.IPV6_DEST_OPTS);
            b.setByte(40, IpProtocol.HOP_BY_HOP);
            b.setByte(41, 0);
            assertNull(r.acceptV6(b, 0, f.length, 0));
        } finally {
            b.release();
        }
        assertEquals(2, r.counter(Counter.MALFORMED));
        assertNull(offer(frag6(1, 8, true, 17, 0, new byte[0]), 0));
        assertEquals(1, r.counter(Counter.EMPTY));
        byte[] badChain = bytes(16, 3);
        badChain[0] = IpProtocol.HOP_BY_HOP; // a hop-by-hop header behind the Fragment header
        badChain[1] = 0;
        assertNull(offer(frag6(2, 0, true, IpProtocol.IPV6_DEST_OPTS, 0, badChain), 0));
        assertEquals(3, r.counter(Counter.MALFORMED));
        assertEquals(0, r.datagramCount());
    }

    @Test
    void fragmentZerosDontFragmentBitIsKept() {
        byte[] a = frag4(1, 0, true, 0, bytes(8, 1));
        Ipv4Packet p = new Ipv4Packet().wrap(Unpooled.wrappedBuffer(a), 0, a.length);
        p.setFlagsFrag(true, true, 0);
        p.fillChecksum();
        assertNull(offer(a, 0));
        byte[] done = take(offer(frag4(1, 8, false, 0, bytes(8, 2)), 0));
        Ipv4Packet q = new Ipv4Packet().wrap(Unpooled.wrappedBuffer(done), 0, done.length);
        assertTrue(q.dontFrag());
        assertTrue(!q.isFragment() && q.verifyChecksum());
    }

    // -------------------------------------------------------------------------------- API misuse

    @Test
    void misuseThrows() {
        assertThrows(IllegalArgumentException.class,
                () -> offer(Packets.ipv4(A4, B4, 17, 1, 0, 64, new byte[0], bytes(8, 1)), 0));
        assertThrows(IllegalArgumentException.class, () -> offer(Packets.ipv6(1, 2, 17, 0, 0, bytes(8, 1)), 0));
        Reassembler.Listener reentrant = new Reassembler.Listener() {
            @Override
            public void reassemblyTimedOut(int family, ByteBuf firstFragment, long nowNanos) {
                r.poll(nowNanos);
            }

            @Override
            public void parameterProblem(ByteBuf fragment, int code, int pointer, long nowNanos) {
            }
        };
        r.close();
        r = new Reassembler(Packets.POOL, reentrant, new Random(1));
        assertNull(offer(LinuxTrace.ip(0), 0));
        assertThrows(IllegalStateException.class, () -> r.poll(30 * S));
        assertEquals(0, r.heldBytes(), "fragments released even when the listener throws");
        r.close();
        r.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> offer(LinuxTrace.ip(0), 0));
    }

    @Test
    void closeReleasesEverything() {
        assertNull(offer(LinuxTrace.ip(0), 0));
        assertNull(offer(LinuxTrace.ip(4), 0));
        assertEquals(2, r.datagramCount());
        r.close();
        assertEquals(0, r.heldBytes());
        assertEquals(2, r.counter(Counter.CLOSED));
        assertEquals(2, r.counter(Counter.FRAGMENTS_DISCARDED));
        assertTrue(Arrays.asList(Counter.values()).contains(Counter.CLOSED));
    }
}
