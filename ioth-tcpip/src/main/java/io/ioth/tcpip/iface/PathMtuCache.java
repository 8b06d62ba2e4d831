package io.ioth.tcpip.iface;

/**
 * Path MTU estimates per destination, learned from ICMP "fragmentation needed" (RFC 1191) and, with IPv6, "packet
 * too big" (RFC 8201). Bounded: an open-addressing table (load at most 1/2) of at most {@code maxEntries}; when it is
 * full the entry that expires first is evicted. The table starts with {@link #INITIAL_SLOTS} slots and doubles as
 * estimates arrive, so a stack that never got an ICMP "too big" keeps a few hundred bytes here. An estimate expires
 * {@code expiryNanos} after it was last lowered (RFC 1191 §6.3: "the PMTU estimate should be increased ... 10
 * minutes"), which returns the destination to the interface MTU (Linux {@code mtu_expires}). Expiry is lazy, on
 * lookup.
 *
 * <p>Not thread-safe: owner thread only. No allocation once the table has reached the high-water mark of entries
 * (it never shrinks).
 */
public final class PathMtuCache {
    /** Slots allocated at construction (fewer if {@code maxEntries} needs fewer); doubled on demand. */
    public static final int INITIAL_SLOTS = 8;

    private final int maxEntries;
    private final int maxSlots;
    private final long expiryNanos;
    private long[] keyHi;
    private long[] keyLo;
    /** 0 = empty slot. */
    private int[] mtu;
    private long[] expires;
    private int mask;
    private int size;

    public PathMtuCache(final int maxEntries, final long expiryNanos) {
        if (maxEntries < 1 || maxEntries > (1 << 20)) {
            throw new IllegalArgumentException("maxEntries 1..2^20: " + maxEntries);
        }
        this.maxEntries = maxEntries;
        this.expiryNanos = expiryNanos;
        this.maxSlots = Integer.highestOneBit(maxEntries * 2 - 1) << 1; // >= 2 * maxEntries: load <= 1/2
        allocate(Math.min(maxSlots, INITIAL_SLOTS));
    }

    private void allocate(final int slots) {
        keyHi = new long[slots];
        keyLo = new long[slots];
        mtu = new int[slots];
        expires = new long[slots];
        mask = slots - 1;
    }

    /** Doubles the slots and re-inserts every entry (load stays at most 1/2). */
    private void grow() {
        final long[] oldHi = keyHi;
        final long[] oldLo = keyLo;
        final int[] oldMtu = mtu;
        final long[] oldExpires = expires;
        allocate(oldMtu.length << 1);
        for (int j = 0; j < oldMtu.length; j++) {
            if (oldMtu[j] != 0) {
                int i = home(oldHi[j], oldLo[j]);
                while (mtu[i] != 0) {
                    i = (i + 1) & mask;
                }
                keyHi[i] = oldHi[j];
                keyLo[i] = oldLo[j];
                mtu[i] = oldMtu[j];
                expires[i] = oldExpires[j];
            }
        }
    }

    /** Slots allocated so far (diagnostics and tests). */
    public int capacity() {
        return mtu.length;
    }

    /** The path MTU estimate for the destination, or 0 if there is none (use the interface MTU). */
    public int lookup(final long hi, final long lo, final long nowNanos) {
        if (size == 0) {
            return 0;
        }
        final int i = find(hi, lo);
        if (i < 0) {
            return 0;
        }
        if (nowNanos - expires[i] >= 0) {
            delete(i);
            return 0;
        }
        return mtu[i];
    }

    /**
     * Records an estimate; an existing one is replaced (and its expiry restarted) only if the new value is lower
     * (RFC 1191 §6.3: "the host ... MUST NOT increase its estimate in response to" a Datagram Too Big message).
     *
     * @return whether the stored estimate changed
     */
    public boolean update(final long hi, final long lo, final int newMtu, final long nowNanos) {
        int i = find(hi, lo);
        if (i >= 0 && nowNanos - expires[i] < 0) {
            if (newMtu >= mtu[i]) {
                return false;
            }
            mtu[i] = newMtu;
            expires[i] = nowNanos + expiryNanos;
            return true;
        }
        if (i >= 0) {
            delete(i);
        }
        if (size == maxEntries) {
            evictOne(nowNanos);
        } else if (2 * (size + 1) > mtu.length && mtu.length < maxSlots) {
            grow();
        }
        i = home(hi, lo);
        while (mtu[i] != 0) {
            i = (i + 1) & mask;
        }
        keyHi[i] = hi;
        keyLo[i] = lo;
        mtu[i] = newMtu;
        expires[i] = nowNanos + expiryNanos;
        size++;
        return true;
    }

    /** Forgets the estimate for a destination. */
    public void remove(final long hi, final long lo) {
        final int i = find(hi, lo);
        if (i >= 0) {
            delete(i);
        }
    }

    public int size() {
        return size;
    }

    private void evictOne(final long nowNanos) {
        int victim = -1;
        for (int i = 0; i <= mask; i++) {
            if (mtu[i] != 0 && (victim < 0 || expires[i] - expires[victim] < 0)) {
                victim = i;
            }
        }
        delete(victim);
    }

    private int home(final long hi, final long lo) {
        long h = hi * 0x9E37_79B9_7F4A_7C15L ^ lo;
        h ^= h >>> 33;
        h *= 0xff51_afd7_ed55_8ccdL;
        h ^= h >>> 33;
        return (int) h & mask;
    }

    private int find(final long hi, final long lo) {
        int i = home(hi, lo);
        while (mtu[i] != 0) {
            if (keyLo[i] == lo && keyHi[i] == hi) {
                return i;
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    /** Backward-shift deletion (Knuth 6.4 algorithm R). */
    private void delete(int i) {
        size--;
        int j = i;
        while (true) {
            mtu[i] = 0;
            while (true) {
                j = (j + 1) & mask;
                if (mtu[j] == 0) {
                    return;
                }
                final int k = home(keyHi[j], keyLo[j]);
                final boolean stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
                if (!stays) {
                    keyHi[i] = keyHi[j];
                    keyLo[i] = keyLo[j];
                    mtu[i] = mtu[j];
                    expires[i] = expires[j];
                    i = j;
                    break;
                }
            }
        }
    }
}
