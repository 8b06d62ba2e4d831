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
 * F and G are the two halves of one SipHash-2-4 of the addresses under a 128-bit secret drawn from the injected
 * {@link RandomGenerator} at construction (seed it in tests, use a {@code SecureRandom}-seeded generator in
 * production). RFC 7739 §5.3 initialises the table with {@code table[i] = random()}; here {@code table[i]} starts at
 * a keyed PRF of {@code i} (SipHash-2-4 under a second secret), which is as unpredictable and lets the table be
 * stored only where it has been used. Successive values towards one destination differ by one,
 * which RFC 7739 §5.3 accepts (only that destination can observe them); values towards different destinations are
 * unrelated, so a third party cannot predict them (RFC 7739 §3, RFC 8200 §4.5 "[RFC7739] for security
 * considerations"). IPv4 identifications (RFC 791 §3.2, RFC 6864: unique per (src, dst, protocol) within the
 * MSL) use the same scheme with the protocol in the hash.
 *
 * <p><b>Storage.</b> A stack talks to a handful of destinations, so the counters that have been used are kept in a
 * small open-addressing map (bucket to counter) that doubles as buckets are touched; once {@link #DENSE_AT} buckets
 * have been used the whole table is materialised (8 KiB, Linux's size) and the map dropped. An idle stack keeps
 * about a hundred bytes here, a busy one the table. The identifications are the same either way.
 *
 * <p>Not thread-safe: one instance per stack, used by its event-loop thread. Allocation-free once the map (or the
 * table) has reached its high-water mark.
 */
public final class FragmentIds {
    /** Counters in the table (Linux's {@code ip_idents} had 2048 before it became size-dependent). */
    static final int TABLE_SIZE = 2048;
    /** Buckets used before the dense table replaces the map (the map then holds 512 slots, 3 KiB). */
    static final int DENSE_AT = TABLE_SIZE / 8;
    private static final int INITIAL_SLOTS = 8;

    private final long k0;
    private final long k1;
    /** Key of the PRF that gives each counter its initial value (RFC 7739 §5.3 "table[i] = random()"). */
    private final long t0;
    private final long t1;
    private final SipHash sip = new SipHash();
    /** Sparse counters: bucket + 1 (0 = empty slot) and its counter; null once {@link #table} exists. */
    private short[] keys = new short[INITIAL_SLOTS];
    private int[] counters = new int[INITIAL_SLOTS];
    private int used;
    /** Dense counters, allocated when {@link #DENSE_AT} buckets are in use; null before. */
    private int[] table;

    public FragmentIds(RandomGenerator random) {
        this.k0 = random.nextLong();
        this.k1 = random.nextLong();
        this.t0 = random.nextLong();
        this.t1 = random.nextLong();
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
        int slot = table == null ? slot(index) : -1; // may switch to the dense table
        int counter = slot >= 0 ? ++counters[slot] : ++table[index];
        return (int) h + counter; // F + table[index]
    }

    /** Whether the dense table has replaced the map (tests). */
    boolean isDense() {
        return table != null;
    }

    /** The current value of counter {@code bucket}, without touching it (tests). */
    int counter(int bucket) {
        if (table != null) {
            return table[bucket];
        }
        int mask = keys.length - 1;
        for (int i = bucket & mask; keys[i] != 0; i = (i + 1) & mask) {
            if (keys[i] == bucket + 1) {
                return counters[i];
            }
        }
        return initial(bucket);
    }

    /** The initial value of counter {@code index}: a PRF of it under (t0, t1), standing for "random()". */
    private int initial(int index) {
        return (int) SipHash.hash(t0, t1, index, 0, 0, 0);
    }

    /**
     * The map slot of bucket {@code index}, inserted (at its initial value) if new; -1 if the map was replaced by
     * the dense table instead. Sparse mode only.
     */
    private int slot(int index) {
        int mask = keys.length - 1;
        int i = index & mask; // index is already a keyed hash: uniform
        while (keys[i] != 0) {
            if (keys[i] == index + 1) {
                return i;
            }
            i = (i + 1) & mask;
        }
        if (2 * (used + 1) > keys.length) {
            if (used + 1 > DENSE_AT) {
                densify();
                return -1;
            }
            grow();
            return slot(index);
        }
        keys[i] = (short) (index + 1);
        counters[i] = initial(index);
        used++;
        return i;
    }

    private void grow() {
        short[] oldKeys = keys;
        int[] oldCounters = counters;
        keys = new short[oldKeys.length * 2];
        counters = new int[oldKeys.length * 2];
        int mask = keys.length - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldKeys[j] != 0) {
                int i = (oldKeys[j] - 1) & mask;
                while (keys[i] != 0) {
                    i = (i + 1) & mask;
                }
                keys[i] = oldKeys[j];
                counters[i] = oldCounters[j];
            }
        }
    }

    private void densify() {
        int[] t = new int[TABLE_SIZE];
        for (int i = 0; i < TABLE_SIZE; i++) {
            t[i] = initial(i);
        }
        for (int j = 0; j < keys.length; j++) {
            if (keys[j] != 0) {
                t[keys[j] - 1] = counters[j];
            }
        }
        table = t;
        keys = null;
        counters = null;
    }
}
