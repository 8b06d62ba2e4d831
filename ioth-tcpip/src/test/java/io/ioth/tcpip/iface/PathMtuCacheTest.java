package io.ioth.tcpip.iface;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The path MTU estimates (RFC 1191, RFC 8201): bounded, lazily expired, and sized by what was learned. */
class PathMtuCacheTest {
    static final long T0 = 1_000_000_000L;
    static final long MIN = 60_000_000_000L;

    @Test
    void startsSmall_growsWithTheEstimates_keepsEveryOneAcrossGrowth() {
        PathMtuCache c = new PathMtuCache(256, 10 * MIN);
        assertEquals(PathMtuCache.INITIAL_SLOTS, c.capacity());
        for (int i = 0; i < 256; i++) {
            assertTrue(c.update(0x2001_0db8L << 32, i, 1280 + i, T0 + i)); // learned one after the other
        }
        assertEquals(512, c.capacity(), "load at most 1/2: 256 entries in 512 slots");
        for (int i = 0; i < 256; i++) {
            assertEquals(1280 + i, c.lookup(0x2001_0db8L << 32, i, T0 + MIN));
        }
        // full: the estimate that expires first is evicted, the table does not grow
        assertTrue(c.update(0x2001_0db8L << 32, 999, 1400, T0 + MIN));
        assertEquals(256, c.size());
        assertEquals(512, c.capacity());
        assertEquals(0, c.lookup(0x2001_0db8L << 32, 0, T0 + MIN), "the oldest (first) one went");
    }

    @Test
    void rfc1191_6_3_onlyLowered_thenExpiresBackToTheInterfaceMtu() {
        PathMtuCache c = new PathMtuCache(4, 10 * MIN);
        assertTrue(c.update(0, 0x0a000002, 1400, T0));
        assertFalse(c.update(0, 0x0a000002, 1450, T0 + 1), "never raised by a Datagram Too Big");
        assertTrue(c.update(0, 0x0a000002, 1300, T0 + 2));
        assertEquals(1300, c.lookup(0, 0x0a000002, T0 + 10 * MIN + 1));
        assertEquals(0, c.lookup(0, 0x0a000002, T0 + 10 * MIN + 2), "10 minutes after the last decrease");
        assertEquals(0, c.size());
    }
}
