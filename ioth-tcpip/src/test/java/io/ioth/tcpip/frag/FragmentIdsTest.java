package io.ioth.tcpip.frag;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
