package io.ioth.tcpip.frag;

import io.ioth.tcpip.storage.SipHash;

import java.util.random.RandomGenerator;

/**
 * Chooses fragment Identification values that are unpredictable to off-path observers: RFC 7739 §5.3
 * ("Hash-Based Fragment Identification Selection Algorithm"), the scheme Linux uses for both families
 * ({@code __ip_select_ident} in {@code net/ipv4/route.c}, {@code __ipv6_select_ident} in
 * {@code net/ipv6/output_core.c}: a keyed SipHash of the addresses picks a counter in {@code ip_idents}).
 *
 * <pre>
 *   index = G(src, dst, secret2)          -- which counter of the table
 *   table[index] = table[index] + 1
 *   id = F(src, dst, secret1) + table[index]
 * </pre>
 *
 * F and G are the two halves of one SipHash-2-4 of the addresses under a 128-bit secret; the table and the secret
 * are drawn from the injected {@link RandomGenerator} at construction (seed it in tests, use a
 * {@code SecureRandom}-seeded generator in production). Successive values towards one destination differ by one,
 * which RFC 7739 §5.3 accepts (only that destination can observe them); values towards different destinations are
 * unrelated, so a third party cannot predict them (RFC 7739 §3, RFC 8200 §4.5 "[RFC7739] for security
 * considerations"). IPv4 identifications (RFC 791 §3.2, RFC 6864: unique per (src, dst, protocol) within the
 * MSL) use the same scheme with the protocol in the hash.
 *
 * <p>Not thread-safe: one instance per stack, used by its event-loop thread. Allocation-free after construction.
 */
public final class FragmentIds {
    /** Counters in the table (Linux's {@code ip_idents} had 2048 before it became size-dependent). */
    static final int TABLE_SIZE = 2048;

    private final long k0;
    private final long k1;
    private final int[] table = new int[TABLE_SIZE];
    private final SipHash sip = new SipHash();

    public FragmentIds(RandomGenerator random) {
        this.k0 = random.nextLong();
        this.k1 = random.nextLong();
        for (int i = 0; i < TABLE_SIZE; i++) {
            table[i] = random.nextInt(); // RFC 7739 §5.3: "table[i] = random()" at initialisation
        }
    }

    /** A 32-bit Identification for an IPv6 Fragment header sent from {@code src} to {@code dst}. */
    public int nextV6(long srcHi, long srcLo, long dstHi, long dstLo) {
        return next(sip.init(k0, k1).word(srcHi).word(srcLo).word(dstHi).word(dstLo).finish());
    }

    /** A 16-bit Identification for an IPv4 datagram from {@code src} to {@code dst} with {@code protocol}. */
    public int nextV4(int src, int dst, int protocol) {
        long h = sip.init(k0, k1).word((long) src << 32 | (dst & 0xffffffffL)).word(protocol & 0xff).finish();
        return next(h) & 0xffff;
    }

    private int next(long h) {
        int index = (int) (h >>> 32) & (TABLE_SIZE - 1); // G
        int counter = ++table[index];
        return (int) h + counter; // F + table[index]
    }
}
