package io.ioth.tcpip.storage;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SipHashTest {
    static final long K0 = 0x0706050403020100L; // key bytes 00..0f, little-endian words
    static final long K1 = 0x0f0e0d0c0b0a0908L;

    @Test
    void matchesTheReferenceVectors() {
        // SipHash reference vectors_sip64 (key 00..0f, message 00 01 02 ...): 16 bytes -> db9bc2577fcc2a3f (bytes),
        // i.e. 0x3f2acc7f57c29bdb; 32 bytes cross-checked with Guava 33.4 Hashing.sipHash24(k0, k1).
        SipHash s = new SipHash();
        assertEquals(0x3f2acc7f57c29bdbL, s.init(K0, K1).word(0x0706050403020100L).word(0x0f0e0d0c0b0a0908L).finish());
        assertEquals(0x7127512f72f27cceL, s.init(K0, K1).word(0x0706050403020100L).word(0x0f0e0d0c0b0a0908L)
                .word(0x1716151413121110L).word(0x1f1e1d1c1b1a1918L).finish());
        assertEquals(0x7127512f72f27cceL, SipHash.hash(K0, K1, 0x0706050403020100L, 0x0f0e0d0c0b0a0908L,
                0x1716151413121110L, 0x1f1e1d1c1b1a1918L));
    }

    @Test
    void staticFourWordHash_equalsTheStreamingOne() {
        SplittableRandom r = new SplittableRandom(7);
        SipHash s = new SipHash();
        for (int i = 0; i < 1000; i++) {
            long k0 = r.nextLong(), k1 = r.nextLong(), a = r.nextLong(), b = r.nextLong(), c = r.nextLong(),
                    d = r.nextLong();
            assertEquals(s.init(k0, k1).word(a).word(b).word(c).word(d).finish(), SipHash.hash(k0, k1, a, b, c, d));
        }
    }
}
