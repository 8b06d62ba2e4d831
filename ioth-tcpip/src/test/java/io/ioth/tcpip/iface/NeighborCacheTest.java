package io.ioth.tcpip.iface;

import static io.ioth.tcpip.iface.NeighborCache.Counter.*;
import static io.ioth.tcpip.iface.NeighborCache.FAMILY_IPV4;
import static io.ioth.tcpip.iface.NeighborCache.FAMILY_IPV6;
import static io.ioth.tcpip.iface.NeighborCache.NO_MAC;
import static io.ioth.tcpip.iface.NeighborCache.State.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ioth.tcpip.storage.TimerWheel;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The neighbour state machine in simulated time. Each test reads as a trace: what the cache asked its owner to
 * transmit, deliver or drop, stamped with the simulated time in milliseconds. Test names carry the RFC clause.
 */
class NeighborCacheTest {

    static final long MS = 1_000_000L;
    static final long T0 = 5_000_000_000_000L; // arbitrary non-zero origin: nothing may assume time starts at 0

    // 2001:db8::2 and fe80::2
    static final long V6_HI = 0x2001_0db8_0000_0000L;
    static final long V6_LO = 2L;
    static final int V4 = 0x0a00_0002;   // 10.0.0.2
    static final long V4_LO = V4 & 0xffff_ffffL;
    static final long MAC_A = 0x02_00_00_00_00_0aL;
    static final long MAC_B = 0x02_00_00_00_00_0bL;

    /** Records the owner callbacks as trace lines. */
    static final class Trace implements NeighborCache.Owner<String> {
        final List<String> lines = new ArrayList<>();
        long now = T0;

        @Override
        public void sendSolicitation(int family, long hi, long lo, long unicastMac, long nowNanos) {
            assertEquals(now, nowNanos);
            lines.add(ms(nowNanos) + " solicit " + addr(family, hi, lo)
                    + (unicastMac == NO_MAC ? " multicast" : " unicast " + Long.toHexString(unicastMac)));
        }

        @Override
        public void deliverQueued(int family, long hi, long lo, long mac, String packet) {
            lines.add(ms(now) + " deliver " + packet + " to " + Long.toHexString(mac));
        }

        @Override
        public void dropQueued(int family, long hi, long lo, String packet, NeighborCache.Counter reason) {
            lines.add(ms(now) + " drop " + packet + " " + reason);
        }

        List<String> take() {
            List<String> out = new ArrayList<>(lines);
            lines.clear();
            return out;
        }
    }

    static String ms(long nanos) {
        return "t=" + (nanos - T0) / MS;
    }

    static String addr(int family, long hi, long lo) {
        return family == FAMILY_IPV4 ? "v4:" + Long.toHexString(lo) : "v6:" + Long.toHexString(hi) + "/" + Long.toHexString(lo);
    }

    final Trace trace = new Trace();
    NeighborCache<String> cache = new NeighborCache<>(trace, 64, 3, new SplittableRandom(7), T0);

    /**
     * Advances simulated time to T0 + ms, stopping at every deadline on the way (a discrete-event loop, as the
     * interface's poll would see it when woken at {@code nextDeadline()}).
     */
    void at(long ms) {
        long target = T0 + ms * MS;
        assertTrue(target >= trace.now, "time goes forward");
        long d;
        while ((d = cache.nextDeadline()) <= target) {
            trace.now = Math.max(trace.now, d);
            cache.poll(trace.now);
        }
        trace.now = target;
    }

    long now() {
        return trace.now;
    }

    long resolve6(String pkt) {
        return cache.resolve6(V6_HI, V6_LO, pkt, now());
    }

    NeighborCache.State state6() {
        return cache.state(FAMILY_IPV6, V6_HI, V6_LO, now());
    }

    void na(long lladdr, boolean solicited, boolean override) {
        cache.onAdvertisement(FAMILY_IPV6, V6_HI, V6_LO, lladdr, solicited, override, now());
    }

    /** Drives a fresh entry to REACHABLE at t=0 via a solicited NA. */
    void reachableAtZero() {
        at(0);
        assertEquals(NO_MAC, resolve6(null));
        na(MAC_A, true, true);
        assertEquals(REACHABLE, state6());
        trace.take();
    }

    // ------------------------------------------------------------------------------------------------ resolution

    @Test
    void rfc4861_7_2_2_resolution_multicastNs_queue_thenSolicitedNaDeliversInOrder() {
        at(0);
        assertEquals(NO_MAC, resolve6("p1"));
        at(300);
        assertEquals(NO_MAC, resolve6("p2"));
        assertEquals(INCOMPLETE, state6());
        assertEquals(2, cache.queued(FAMILY_IPV6, V6_HI, V6_LO));
        at(400);
        na(MAC_A, true, false);          // RFC 4861 §7.2.5: INCOMPLETE + TLLA + S=1 -> REACHABLE, O irrelevant
        assertEquals(List.of(
                "t=0 solicit v6:20010db800000000/2 multicast",
                "t=400 deliver p1 to 2000000000a",
                "t=400 deliver p2 to 2000000000a"), trace.take());
        assertEquals(REACHABLE, state6());
        assertEquals(MAC_A, resolve6("p3"), "resolved: caller sends p3 itself");
        assertEquals(0, cache.queued(FAMILY_IPV6, V6_HI, V6_LO));
        at(10_000);
        assertEquals(List.of(), trace.take(), "no solicitation after resolution");
        assertEquals(1, cache.count(RESOLVED));
        assertEquals(2, cache.count(QUEUE_DELIVERED));
        assertEquals(TimerWheel.NO_DEADLINE, cache.nextDeadline());
    }

    @Test
    void rfc4861_7_2_2_unansweredSolicitations_retransmitEveryRetransTimer_thenFail_queuedDroppedAndCounted() {
        at(0);
        resolve6("p1");
        assertEquals(T0 + 1000 * MS, cache.nextDeadline());
        at(500);
        resolve6("p2");
        at(3500);
        assertEquals(List.of(
                "t=0 solicit v6:20010db800000000/2 multicast",
                "t=1000 solicit v6:20010db800000000/2 multicast",
                "t=2000 solicit v6:20010db800000000/2 multicast",
                // MAX_MULTICAST_SOLICIT=3 sent and RetransTimer elapsed after the last one: resolution failed
                "t=3000 drop p1 QUEUE_DROP_FAILED",
                "t=3000 drop p2 QUEUE_DROP_FAILED"), trace.take());
        assertNull(state6(), "entry deleted");
        assertEquals(1, cache.count(RESOLUTION_FAILED));
        assertEquals(2, cache.count(QUEUE_DROP_FAILED));
        assertEquals(3, cache.count(SOLICIT_MULTICAST));
        assertEquals(0, cache.size());
        assertEquals(TimerWheel.NO_DEADLINE, cache.nextDeadline());
    }

    @Test
    void rfc1122_2_3_2_1_arp_sameRetryScheduleAsNdp_thenFailure() {
        // ARP uses the same machine (Linux arp_tbl: mcast_solicit=3, retrans 1 s).
        at(0);
        assertEquals(NO_MAC, cache.resolve4(V4, "a1", now()));
        at(5000);
        assertEquals(List.of(
                "t=0 solicit v4:a000002 multicast",
                "t=1000 solicit v4:a000002 multicast",
                "t=2000 solicit v4:a000002 multicast",
                "t=3000 drop a1 QUEUE_DROP_FAILED"), trace.take());
    }

    @Test
    void rfc1122_2_3_2_1_arpFloodPrevention_atMostOneRequestPerSecondPerDestination() {
        at(0);
        for (int ms = 0; ms < 2900; ms += 10) {
            at(ms);
            cache.resolve4(V4, null, now()); // the application keeps sending to an unresolved address
        }
        List<String> sent = trace.take();
        assertEquals(List.of(
                "t=0 solicit v4:a000002 multicast",
                "t=1000 solicit v4:a000002 multicast",
                "t=2000 solicit v4:a000002 multicast"), sent);
    }

    @Test
    void rfc4861_7_2_2_queueBound_newArrivalReplacesOldest_andIsCounted() {
        at(0);
        for (int i = 1; i <= 5; i++) {
            resolve6("p" + i);
        }
        assertEquals(3, cache.queued(FAMILY_IPV6, V6_HI, V6_LO));
        at(100);
        na(MAC_A, false, true);          // S=0: STALE, but the queue is still sent (§7.2.5)
        assertEquals(List.of(
                "t=0 solicit v6:20010db800000000/2 multicast",
                "t=0 drop p1 QUEUE_DROP_OVERFLOW",
                "t=0 drop p2 QUEUE_DROP_OVERFLOW",
                "t=100 deliver p3 to 2000000000a",
                "t=100 deliver p4 to 2000000000a",
                "t=100 deliver p5 to 2000000000a"), trace.take());
        assertEquals(STALE, state6());
        assertEquals(2, cache.count(QUEUE_DROP_OVERFLOW));
        assertEquals(5, cache.count(QUEUED));
    }

    @Test
    void rfc4861_7_2_2_queueRing_wrapsAroundAfterOverflow_keepsArrivalOrder() {
        at(0);
        for (int i = 1; i <= 4; i++) {
            resolve6("p" + i);           // p1 replaced: ring head moves
        }
        cache.remove(FAMILY_IPV6, V6_HI, V6_LO);
        assertEquals(List.of("t=0 solicit v6:20010db800000000/2 multicast", "t=0 drop p1 QUEUE_DROP_OVERFLOW",
                "t=0 drop p2 QUEUE_DROP_FLUSHED", "t=0 drop p3 QUEUE_DROP_FLUSHED", "t=0 drop p4 QUEUE_DROP_FLUSHED"),
                trace.take());
        NeighborCache<String> one = new NeighborCache<>(trace, 4, 2, new SplittableRandom(3), T0);
        one.resolve6(V6_HI, V6_LO, "a", now());
        one.resolve6(V6_HI, V6_LO, "b", now());
        one.resolve6(V6_HI, V6_LO, "c", now()); // drops a, head=1
        one.resolve6(V6_HI, V6_LO, "d", now()); // drops b, head=0
        one.onAdvertisement(FAMILY_IPV6, V6_HI, V6_LO, MAC_A, true, true, now());
        assertEquals(List.of("t=0 solicit v6:20010db800000000/2 multicast", "t=0 drop a QUEUE_DROP_OVERFLOW",
                "t=0 drop b QUEUE_DROP_OVERFLOW", "t=0 deliver c to 2000000000a", "t=0 deliver d to 2000000000a"),
                trace.take());
    }

    @Test
    void rfc4861_7_2_5_naWithoutTllaForIncompleteEntry_isDiscarded() {
        at(0);
        resolve6("p1");
        na(NO_MAC, true, true);
        assertEquals(INCOMPLETE, state6());
        assertEquals(1, cache.count(ADVERT_NO_LLADDR));
        assertEquals(1, cache.queued(FAMILY_IPV6, V6_HI, V6_LO));
        cache.clear();
        assertEquals(List.of("t=0 solicit v6:20010db800000000/2 multicast", "t=0 drop p1 QUEUE_DROP_FLUSHED"),
                trace.take());
    }

    // ------------------------------------------------------------------------------------------------ NUD

    @Test
    void rfc4861_6_3_2_reachableTime_isBaseTimesUniform0_5to1_5_fromTheInjectedSeed() {
        long rt = cache.reachableTime();
        assertTrue(rt >= 15_000 * MS && rt <= 45_000 * MS, "ReachableTime " + rt);
        NeighborCache<String> same = new NeighborCache<>(trace, 64, 3, new SplittableRandom(7), T0);
        assertEquals(rt, same.reachableTime(), "deterministic for a seed");
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int seed = 0; seed < 200; seed++) {
            long r = new NeighborCache<>(trace, 4, 1, new SplittableRandom(seed), T0).reachableTime();
            min = Math.min(min, r);
            max = Math.max(max, r);
        }
        assertTrue(min >= 15_000 * MS && max < 45_000 * MS);
        assertTrue(max - min > 25_000 * MS, "spread over the whole range");
        cache.setBaseReachableTime(10_000 * MS, now());
        assertTrue(cache.reachableTime() >= 5_000 * MS && cache.reachableTime() <= 15_000 * MS);
    }

    @Test
    void rfc4861_6_3_4_reachableTime_isRedrawnAfterAFewHours_andRetransTimerFromRaIsUsed() {
        long first = cache.reachableTime();
        reachableAtZero();
        at(2 * 3600 * 1000);             // "re-computed at least every few hours"
        cache.confirmReachable(FAMILY_IPV6, V6_HI, V6_LO, now());
        assertTrue(cache.reachableTime() != first, "re-drawn from the seeded source");
        cache.setRetransTimer(250 * MS); // RA's Retrans Timer field
        at(2 * 3600 * 1000 + 1);
        cache.resolve4(V4, "r", now());
        at(2 * 3600 * 1000 + 1000);
        assertEquals(List.of(
                "t=7200001 solicit v4:a000002 multicast",
                "t=7200251 solicit v4:a000002 multicast",
                "t=7200501 solicit v4:a000002 multicast",
                "t=7200751 drop r QUEUE_DROP_FAILED"), trace.take());
    }

    @Test
    void rfc4861_7_3_3_reachable_becomesStale_exactlyAfterReachableTime() {
        reachableAtZero();
        long rt = (cache.reachableTime() + MS - 1) / MS;
        at(rt - 1);
        assertEquals(REACHABLE, state6());
        at(rt);
        assertEquals(STALE, state6());
        assertEquals(List.of(), trace.take(), "REACHABLE -> STALE sends nothing");
    }

    @Test
    void rfc4861_7_3_3_stale_delay_probe_thenSolicitedNa_reachable() {
        reachableAtZero();
        at(60_000);
        assertEquals(STALE, state6());
        assertEquals(MAC_A, resolve6("d1"), "STALE still sends, to the cached address");
        assertEquals(DELAY, state6());
        at(64_999);
        assertEquals(MAC_A, resolve6("d2"));
        assertEquals(DELAY, state6());
        at(65_000);                      // DELAY_FIRST_PROBE_TIME = 5 s after the first send
        assertEquals(PROBE, state6());
        at(65_500);
        na(MAC_A, true, false);          // the unicast probe is answered
        assertEquals(REACHABLE, state6());
        at(90_000);
        assertEquals(List.of("t=65000 solicit v6:20010db800000000/2 unicast 2000000000a"), trace.take());
        assertEquals(1, cache.count(SOLICIT_UNICAST));
    }

    @Test
    void rfc4861_7_3_1_upperLayerConfirmation_inDelay_avoidsProbe() {
        reachableAtZero();
        at(60_000);
        resolve6(null);
        assertEquals(DELAY, state6());
        at(61_000);
        cache.confirmReachable(FAMILY_IPV6, V6_HI, V6_LO, now()); // TCP: new data acknowledged
        assertEquals(REACHABLE, state6());
        at(70_000);
        assertEquals(List.of(), trace.take(), "no probe");
        assertEquals(1, cache.count(CONFIRMED));
        cache.confirmReachable(FAMILY_IPV6, V6_HI, 99, now());
        assertEquals(1, cache.count(CONFIRM_IGNORED), "unknown neighbour: ignored, nothing created");
        assertEquals(1, cache.size());
    }

    @Test
    void rfc4861_7_3_1_confirmationOfIncompleteEntry_isIgnored() {
        at(0);
        resolve6("p");
        cache.confirmReachable(FAMILY_IPV6, V6_HI, V6_LO, now());
        assertEquals(INCOMPLETE, state6());
        assertEquals(1, cache.count(CONFIRM_IGNORED));
        cache.clear();
    }

    @Test
    void rfc4861_7_3_3_probeFailure_afterMaxUnicastSolicit_entryDeleted() {
        reachableAtZero();
        at(60_000);
        resolve6(null);
        at(70_000);
        assertEquals(List.of(
                "t=65000 solicit v6:20010db800000000/2 unicast 2000000000a",
                "t=66000 solicit v6:20010db800000000/2 unicast 2000000000a",
                "t=67000 solicit v6:20010db800000000/2 unicast 2000000000a"), trace.take());
        assertNull(state6(), "deleted RetransTimer after the third probe");
        assertEquals(1, cache.count(PROBE_FAILED));
        // The next packet starts a fresh resolution (and is queued).
        assertEquals(NO_MAC, resolve6("n1"));
        assertEquals(List.of("t=70000 solicit v6:20010db800000000/2 multicast"), trace.take());
        cache.clear();
        trace.take();
    }

    // ------------------------------------------------------------------------------------------------ §7.2.5 NA

    @Test
    void rfc4861_7_2_5_unsolicitedNa_withNoEntry_isDiscarded_noEntryCreated() {
        at(0);
        na(MAC_A, false, true);
        assertNull(state6());
        assertEquals(1, cache.count(ADVERT_NO_ENTRY));
    }

    @Test
    void rfc4861_7_2_5_unsolicitedNa_overrideSet_newLla_replacesAndGoesStale() {
        reachableAtZero();
        at(1000);
        na(MAC_B, false, true);          // e.g. a migrated node announcing itself
        assertEquals(STALE, state6());
        assertEquals(MAC_B, cache.lladdr(FAMILY_IPV6, V6_HI, V6_LO));
        assertEquals(1, cache.count(LLADDR_CHANGED));
    }

    @Test
    void rfc4861_7_2_5_unsolicitedNa_overrideClear_newLla_reachableGoesStale_lladdrKept() {
        reachableAtZero();
        at(1000);
        na(MAC_B, false, false);
        assertEquals(STALE, state6(), "a. REACHABLE -> STALE, no other update");
        assertEquals(MAC_A, cache.lladdr(FAMILY_IPV6, V6_HI, V6_LO));
        na(MAC_B, true, false);          // b. not REACHABLE: ignored even with S=1
        assertEquals(STALE, state6());
        assertEquals(MAC_A, cache.lladdr(FAMILY_IPV6, V6_HI, V6_LO));
        assertEquals(2, cache.count(ADVERT_NO_OVERRIDE));
    }

    @Test
    void rfc4861_7_2_5_na_sameLla_orNoTlla_solicitedConfirms_unsolicitedLeavesStateUnchanged() {
        reachableAtZero();
        at(40_000);
        assertEquals(STALE, state6());
        na(MAC_A, false, false);         // same address, S=0: unchanged
        assertEquals(STALE, state6());
        na(NO_MAC, true, false);         // no TLLA, S=1: REACHABLE
        assertEquals(REACHABLE, state6());
        assertEquals(MAC_A, cache.lladdr(FAMILY_IPV6, V6_HI, V6_LO));
    }

    @Test
    void rfc4861_7_2_3_nsWithSourceLla_createsStale_orReplacesDifferentLla() {
        at(0);
        cache.onLinkLayerAddress(FAMILY_IPV6, V6_HI, V6_LO, MAC_A, true, now());
        assertEquals(STALE, state6());
        assertEquals(1, cache.count(CREATED_STALE));
        na(MAC_A, true, false);
        assertEquals(REACHABLE, state6());
        cache.onLinkLayerAddress(FAMILY_IPV6, V6_HI, V6_LO, MAC_A, true, now());
        assertEquals(REACHABLE, state6(), "same LLA: unchanged");
        cache.onLinkLayerAddress(FAMILY_IPV6, V6_HI, V6_LO, MAC_B, true, now());
        assertEquals(STALE, state6(), "different LLA: replaced, MUST be STALE");
        assertEquals(MAC_B, cache.lladdr(FAMILY_IPV6, V6_HI, V6_LO));
    }

    @Test
    void rfc4861_7_2_3_nsWithSourceLla_forIncompleteEntry_resolvesToStale_andSendsQueue() {
        at(0);
        resolve6("q");
        at(200);
        cache.onLinkLayerAddress(FAMILY_IPV6, V6_HI, V6_LO, MAC_A, true, now());
        assertEquals(STALE, state6());
        at(5000);
        assertEquals(List.of("t=0 solicit v6:20010db800000000/2 multicast", "t=200 deliver q to 2000000000a"),
                trace.take());
    }

    // ------------------------------------------------------------------------------------------------ ARP

    @Test
    void rfc826_requestForUs_addsTriplet_gratuitousOnlyMerges_replyResolves() {
        at(0);
        int other = 0x0a00_0009;
        cache.onArp(other, MAC_A, false, false, now());   // request for someone else: merge only, nothing to merge
        assertNull(cache.state(FAMILY_IPV4, 0, other & 0xffff_ffffL, now()));
        assertEquals(1, cache.count(UNSOLICITED_NO_ENTRY));
        cache.onArp(other, MAC_A, false, true, now());    // request for us: "add the triplet"
        assertEquals(STALE, cache.state(FAMILY_IPV4, 0, other & 0xffff_ffffL, now()));
        cache.onArp(other, MAC_B, true, false, now());    // gratuitous (broadcast) reply: merge -> new MAC, STALE
        assertEquals(MAC_B, cache.lladdr(FAMILY_IPV4, 0, other & 0xffff_ffffL));

        assertEquals(NO_MAC, cache.resolve4(V4, "ip1", now()));
        at(20);
        cache.onArp(V4, MAC_A, true, true, now());        // the reply to our request
        assertEquals(REACHABLE, cache.state(FAMILY_IPV4, 0, V4_LO, now()));
        assertEquals(List.of("t=0 solicit v4:a000002 multicast", "t=20 deliver ip1 to 2000000000a"), trace.take());
        cache.onArp(0x0a00_0077, MAC_A, true, true, now()); // unsolicited reply, no entry: ignored (Linux arp_accept=0)
        assertEquals(1, cache.count(ADVERT_NO_ENTRY));
    }

    @Test
    void ipv4AndIpv6KeysWithEqualBits_areDistinctEntries() {
        at(0);
        // ::a00:2 has the same (hi, lo) as 10.0.0.2 packed for IPv4
        cache.onLinkLayerAddress(FAMILY_IPV4, 0, V4_LO, MAC_A, true, now());
        cache.onLinkLayerAddress(FAMILY_IPV6, 0, V4_LO, MAC_B, true, now());
        assertEquals(2, cache.size());
        assertEquals(MAC_A, cache.lladdr(FAMILY_IPV4, 0, V4_LO));
        assertEquals(MAC_B, cache.lladdr(FAMILY_IPV6, 0, V4_LO));
        assertTrue(cache.remove(FAMILY_IPV4, 0, V4_LO));
        assertEquals(MAC_B, cache.lladdr(FAMILY_IPV6, 0, V4_LO));
    }

    // ------------------------------------------------------------------------------------------------ bounds

    /** ByteBuf owner that releases what it is handed back, and counts. */
    static final class BufOwner implements NeighborCache.Owner<ByteBuf> {
        long solicits;
        long delivered;
        long dropped;

        @Override
        public void sendSolicitation(int family, long hi, long lo, long unicastMac, long nowNanos) {
            solicits++;
        }

        @Override
        public void deliverQueued(int family, long hi, long lo, long mac, ByteBuf packet) {
            delivered++;
            packet.release();
        }

        @Override
        public void dropQueued(int family, long hi, long lo, ByteBuf packet, NeighborCache.Counter reason) {
            dropped++;
            packet.release();
        }
    }

    @Test
    void floodOf100kDistinctAddresses_neverGrowsPastCap_evictsStaleOrIncomplete_keepsActiveNeighbour_noLeak() {
        BufOwner owner = new BufOwner();
        int cap = 256;
        NeighborCache<ByteBuf> c = new NeighborCache<>(owner, cap, 3, new SplittableRandom(1), T0);
        long now = T0;
        int gateway = 0x0a00_0001;
        c.resolve4(gateway, null, now);
        c.onArp(gateway, MAC_A, true, true, now);
        assertEquals(REACHABLE, c.state(FAMILY_IPV4, 0, gateway & 0xffff_ffffL, now));
        long allocated = 0;
        for (int i = 0; i < 100_000; i++) {
            now += 10_000; // 10 µs apart: 1 s of flood in total, timers keep running
            int target = 0x0b00_0000 + i;
            c.resolve4(target, Unpooled.buffer(8).writeLong(i), now);
            allocated++;
            if (i % 50 == 0) {
                // the gateway keeps carrying TCP traffic whose ACKs confirm it
                assertEquals(MAC_A, c.resolve4(gateway, null, now));
                c.confirmReachable(FAMILY_IPV4, 0, gateway & 0xffff_ffffL, now);
            }
            while (c.nextDeadline() <= now) {
                c.poll(now);
            }
            assertTrue(c.size() <= cap);
        }
        assertEquals(cap, c.size());
        assertEquals(REACHABLE, c.state(FAMILY_IPV4, 0, gateway & 0xffff_ffffL, now), "active neighbour survived");
        assertTrue(c.count(EVICTED) >= 100_000 - cap, "evicted " + c.count(EVICTED));
        assertEquals(c.count(QUEUE_DROP_EVICTED) + c.count(QUEUE_DROP_FAILED), owner.dropped);
        // let everything time out: every queued buffer is handed back exactly once
        for (long t = now; t <= now + 5_000 * MS; t += 100 * MS) {
            while (c.nextDeadline() <= t) {
                c.poll(t);
            }
        }
        assertEquals(allocated, owner.dropped + owner.delivered, "every queued packet released");
        assertEquals(1, c.size(), "only the gateway (now STALE) is left");
        assertTrue(owner.solicits <= 3L * 100_000, "solicitations bounded by MAX_MULTICAST_SOLICIT per address");
    }

    @Test
    void storageStartsSmall_doublesUpToMaxEntries_entriesQueuesAndTimersSurviveEachGrowth() {
        NeighborCache<String> c = new NeighborCache<>(trace, 100, 2, new SplittableRandom(7), T0);
        assertEquals(NeighborCache.INITIAL_ENTRIES, c.capacity());
        // 8 unresolved neighbours, each with two packets queued and its retransmission timer running
        for (int i = 1; i <= 8; i++) {
            assertEquals(NO_MAC, c.resolve4(0x0a00_0000 + i, "p" + i + "a", T0));
            c.resolve4(0x0a00_0000 + i, "p" + i + "b", T0);
        }
        assertEquals(8, c.capacity(), "not grown yet: 8 entries fit");
        // 92 more, learned from ARP requests addressed to us (created STALE): 8 -> 16 -> 32 -> 64 -> 100
        for (int i = 9; i <= 100; i++) {
            c.onArp(0x0a00_0000 + i, MAC_A + i, false, true, T0);
        }
        assertEquals(100, c.capacity(), "capped at maxEntries");
        assertEquals(100, c.size());
        for (int i = 9; i <= 100; i++) {
            assertEquals(MAC_A + i, c.lladdr(FAMILY_IPV4, 0, 0x0a00_0000L + i), "entry " + i + " after rehashing");
        }
        trace.take();
        // the queues moved with their entries: answers deliver them, in order
        for (int i = 1; i <= 8; i++) {
            assertEquals(2, c.queued(FAMILY_IPV4, 0, 0x0a00_0000L + i));
            c.onArp(0x0a00_0000 + i, MAC_B, true, true, T0);
        }
        List<String> delivered = trace.take();
        assertEquals(16, delivered.size());
        assertEquals("t=0 deliver p1a to 2000000000b", delivered.get(0));
        assertEquals("t=0 deliver p8b to 2000000000b", delivered.get(15));
        // the 101st evicts instead of growing
        c.onArp(0x0a00_0000 + 101, MAC_A, false, true, T0);
        assertEquals(100, c.size());
        assertEquals(100, c.capacity());
        assertEquals(1, c.count(EVICTED));
    }

    @Test
    void timersOfEntriesCreatedBeforeGrowth_stillFire_RFC4861_7_2_2() {
        NeighborCache<String> c = new NeighborCache<>(trace, 64, 1, new SplittableRandom(7), T0);
        c.resolve4(0x0a00_0001, "x", T0);                 // INCOMPLETE, retransmits at 1 s and 2 s, fails at 3 s
        for (int i = 2; i <= 40; i++) {
            c.onArp(0x0a00_0000 + i, MAC_A + i, false, true, T0);
        }
        assertTrue(c.capacity() >= 40);
        trace.take();
        for (long t = T0; t <= T0 + 3000 * MS; t += 100 * MS) {
            trace.now = t;
            while (c.nextDeadline() <= t) {
                c.poll(t);
            }
        }
        assertEquals(List.of(
                "t=1000 solicit v4:a000001 multicast",
                "t=2000 solicit v4:a000001 multicast",
                "t=3000 drop x QUEUE_DROP_FAILED"), trace.take());
    }

    @Test
    void steadyStateLookupsAndConfirmations_allocateNothing() {
        BufOwner owner = new BufOwner();
        NeighborCache<ByteBuf> c = new NeighborCache<>(owner, 1024, 3, new SplittableRandom(1), T0);
        long now = T0;
        for (int i = 0; i < 500; i++) {
            c.onLinkLayerAddress(FAMILY_IPV6, V6_HI, i, MAC_A + i, true, now);
        }
        for (int round = 0; round < 3; round++) {
            long before = allocatedBytes();
            for (int k = 0; k < 200_000; k++) {
                now += 1000;
                long lo = k % 500;
                c.resolve6(V6_HI, lo, null, now);
                c.confirmReachable(FAMILY_IPV6, V6_HI, lo, now);
                c.onAdvertisement(FAMILY_IPV6, V6_HI, lo, MAC_A + lo, true, false, now);
                while (c.nextDeadline() <= now) {
                    c.poll(now);
                }
            }
            long used = allocatedBytes() - before;
            if (round == 2) {
                assertTrue(used < 1024, "allocated " + used + " bytes in 200k lookups");
            }
        }
    }

    @Test
    void reentrantOwner_sendingToAnotherNeighbourFromDeliver_isSafe() {
        List<String> log = new ArrayList<>();
        NeighborCache<String>[] ref = new NeighborCache[1];
        NeighborCache.Owner<String> owner = new NeighborCache.Owner<>() {
            @Override
            public void sendSolicitation(int family, long hi, long lo, long unicastMac, long nowNanos) {
                log.add("solicit " + lo);
            }

            @Override
            public void deliverQueued(int family, long hi, long lo, long mac, String packet) {
                log.add("deliver " + packet);
                // a reply that must go to a different, unresolved neighbour (the cache is full: eviction)
                ref[0].resolve4((int) lo + 100 + (packet.charAt(0) - 'a'), "reply-to-" + packet, T0);
            }

            @Override
            public void dropQueued(int family, long hi, long lo, String packet, NeighborCache.Counter reason) {
                log.add("drop " + packet + " " + reason);
            }
        };
        NeighborCache<String> c = new NeighborCache<>(owner, 2, 3, new SplittableRandom(1), T0);
        ref[0] = c;
        c.resolve4(1, "a", T0);
        c.resolve4(1, "b", T0);
        c.resolve4(2, "x", T0);
        c.onArp(1, MAC_A, true, true, T0);
        assertEquals(List.of("solicit 1", "solicit 2", "deliver a",
                // the cache is full (cap 2): resolving 101 evicts the LRU STALE/INCOMPLETE entry, 2
                "drop x QUEUE_DROP_EVICTED", "solicit 101",
                // again full: the REACHABLE entry 1 at the LRU tail is skipped, INCOMPLETE 101 goes
                "deliver b", "drop reply-to-a QUEUE_DROP_EVICTED", "solicit 102"), log);
        assertTrue(c.size() <= 2);
        c.clear();
    }

    @Test
    void rejectsBadConfiguration() {
        assertThrows(IllegalArgumentException.class, () -> new NeighborCache<>(trace, 0, 3, new SplittableRandom(), T0));
        assertThrows(IllegalArgumentException.class, () -> new NeighborCache<>(trace, 8, 0, new SplittableRandom(), T0));
        assertThrows(IllegalArgumentException.class, () -> cache.setRetransTimer(0));
        assertThrows(IllegalArgumentException.class, () -> cache.setMaxSolicit(0, 3));
    }

    private static long allocatedBytes() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return mx.getThreadAllocatedBytes(Thread.currentThread().getId());
    }
}
