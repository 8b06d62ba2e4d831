package io.ioth.tcpip.storage;

/**
 * SipHash-2-4 (Aumasson &amp; Bernstein, 2012) over whole 64-bit little-endian words: the keyed PRF Linux uses for
 * {@code secure_tcp_seq}, {@code secure_tcp_ts_off}, SYN cookies, port offsets ({@code siphash_4u64}) and fragment
 * identifications ({@code __ip_select_ident}, {@code siphash_2u64}). The one implementation of the stack: TCP's
 * secrets use the allocation-free {@link #hash(long, long, long, long, long, long)}; fragment IDs and the
 * reassembly table use a reusable streaming instance ({@link #init}, {@link #word}, {@link #finish}), which gives
 * the same value for the same four words.
 *
 * <p>The static function is thread-safe; an instance is not (one per owner thread).
 */
public final class SipHash {
    private static final long C0 = 0x736f6d6570736575L;
    private static final long C1 = 0x646f72616e646f6dL;
    private static final long C2 = 0x6c7967656e657261L;
    private static final long C3 = 0x7465646279746573L;

    private long v0;
    private long v1;
    private long v2;
    private long v3;
    private int length;

    /** Starts a hash under the 128-bit key (k0, k1) (the key's bytes as two little-endian words). */
    public SipHash init(final long k0, final long k1) {
        v0 = k0 ^ C0;
        v1 = k1 ^ C1;
        v2 = k0 ^ C2;
        v3 = k1 ^ C3;
        length = 0;
        return this;
    }

    /** Absorbs 8 message bytes (the word's little-endian encoding). */
    public SipHash word(final long m) {
        v3 ^= m;
        round();
        round();
        v0 ^= m;
        length += 8;
        return this;
    }

    /** The 64-bit hash of the words absorbed since {@link #init}. */
    public long finish() {
        final long b = (long) (length & 0xff) << 56; // last block: length mod 256 in the top byte, no tail bytes
        v3 ^= b;
        round();
        round();
        v0 ^= b;
        v2 ^= 0xff;
        round();
        round();
        round();
        round();
        return v0 ^ v1 ^ v2 ^ v3;
    }

    private void round() {
        v0 += v1;
        v1 = Long.rotateLeft(v1, 13);
        v1 ^= v0;
        v0 = Long.rotateLeft(v0, 32);
        v2 += v3;
        v3 = Long.rotateLeft(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = Long.rotateLeft(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = Long.rotateLeft(v1, 17);
        v1 ^= v2;
        v2 = Long.rotateLeft(v2, 32);
    }

    /**
     * SipHash-2-4 of four words (32 bytes) under (k0, k1), without an instance: equal to
     * {@code new SipHash().init(k0, k1).word(m0).word(m1).word(m2).word(m3).finish()}. Allocation-free.
     */
    public static long hash(final long k0, final long k1, final long m0, final long m1, final long m2,
                            final long m3) {
        long v0 = k0 ^ C0;
        long v1 = k1 ^ C1;
        long v2 = k0 ^ C2;
        long v3 = k1 ^ C3;
        for (int w = 0; w < 5; w++) {
            // the four message words, then the final block (message length 32 in the top byte)
            final long m = w == 0 ? m0 : w == 1 ? m1 : w == 2 ? m2 : w == 3 ? m3 : 32L << 56;
            v3 ^= m;
            for (int i = 0; i < 2; i++) {
                v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
                v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
                v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
                v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
            }
            v0 ^= m;
        }
        v2 ^= 0xff;
        for (int i = 0; i < 4; i++) {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }
}
