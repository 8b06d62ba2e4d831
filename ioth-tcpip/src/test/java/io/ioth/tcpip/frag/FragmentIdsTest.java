package io.ioth.tcpip.frag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

class FragmentIdsTest {
    // SipHash itself: io.ioth.tcpip.storage.SipHashTest

    @Test
    void perDestinationCounterOffsetByAKeyedHash() {
        FragmentIds ids = new FragmentIds(new SplittableRandom(1));
        int a1 = ids.nextV6(0, 1, 0, 2);
        int a2 = ids.nextV6(0, 1, 0, 2);
        int b1 = ids.nextV6(0, 1, 0, 3);
        int a3 = ids.nextV6(0, 1, 0, 2);
        // RFC 7739 §5.3: consecutive values towards one destination step by one (only it sees them) ...
        assertEquals(a1 + 1, a2);
        assertEquals(a2 + 1, a3);
        // ... while other destinations get unrelated values
        assertNotEquals(a2 + 1, b1);
        int v1 = ids.nextV4(0x0a000001, 0x0a000002, 17);
        int v2 = ids.nextV4(0x0a000001, 0x0a000002, 17);
        assertEquals((v1 + 1) & 0xffff, v2);
        assertTrue(v1 >= 0 && v1 <= 0xffff);
        assertNotEquals((v2 + 1) & 0xffff, ids.nextV4(0x0a000001, 0x0a000002, 6), "protocol is in the key");
    }

    @Test
    void sparseCountersThenTheDenseTable_noCounterLosesItsValueAtTheSwitch_RFC7739_5_3() {
        FragmentIds ids = new FragmentIds(new SplittableRandom(3));
        int[] before = new int[FragmentIds.TABLE_SIZE];
        int destinations = 0;
        while (!ids.isDense()) {
            for (int b = 0; b < before.length; b++) {
                before[b] = ids.counter(b);
            }
            ids.nextV6(0, 1, 0, destinations++);
        }
        assertTrue(destinations > FragmentIds.DENSE_AT, "switched after " + destinations + " destinations");
        int moved = 0;
        for (int b = 0; b < before.length; b++) {
            int diff = ids.counter(b) - before[b];
            assertTrue(diff == 0 || diff == 1, "bucket " + b + ": " + diff);
            moved += diff;
        }
        assertEquals(1, moved, "the switching call moved one counter by one; every other kept its value");
        int a1 = ids.nextV6(0, 1, 0, 5);
        assertEquals(a1 + 1, ids.nextV6(0, 1, 0, 5), "dense: consecutive ids towards one destination step by one");
    }

    @Test
    void denseTableStartsFromTheSameInitialValues_onlyUsedCountersDiffer() {
        FragmentIds fresh = new FragmentIds(new SplittableRandom(11));
        FragmentIds busy = new FragmentIds(new SplittableRandom(11));
        int calls = 10 * FragmentIds.DENSE_AT;
        for (int d = 0; d < calls; d++) {
            busy.nextV4(0x0a000001, 0x0b000000 + d, 17);
            if (d == FragmentIds.DENSE_AT / 2) {
                assertFalse(busy.isDense(), "few buckets used: still the map");
            }
        }
        assertTrue(busy.isDense());
        assertFalse(fresh.isDense());
        long moved = 0;
        for (int b = 0; b < FragmentIds.TABLE_SIZE; b++) {
            int diff = busy.counter(b) - fresh.counter(b);
            assertTrue(diff >= 0 && diff <= calls, "bucket " + b + ": " + diff);
            moved += diff;
        }
        assertEquals(calls, moved, "each call moved one counter by one; untouched ones kept their initial value");
    }

    @Test
    void unpredictableAcrossSecretsButReproducibleWithASeed() {
        assertEquals(new FragmentIds(new SplittableRandom(5)).nextV6(1, 2, 3, 4),
                new FragmentIds(new SplittableRandom(5)).nextV6(1, 2, 3, 4));
        Set<Integer> firsts = new HashSet<>();
        for (int seed = 0; seed < 100; seed++) {
            firsts.add(new FragmentIds(new SplittableRandom(seed)).nextV6(1, 2, 3, 4));
        }
        assertEquals(100, firsts.size(), "the first id towards a destination depends on the secret");
        // spread over many destinations: no obvious structure (all distinct over 10k destinations)
        FragmentIds ids = new FragmentIds(new SplittableRandom(9));
        Set<Integer> seen = new HashSet<>();
        for (int d = 0; d < 10_000; d++) {
            seen.add(ids.nextV6(0, 1, 0, d));
        }
        assertTrue(seen.size() > 9_990, "distinct: " + seen.size());
    }
}
