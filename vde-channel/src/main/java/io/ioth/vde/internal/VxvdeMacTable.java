package io.ioth.vde.internal;

import io.netty.buffer.ByteBuf;

/**
 * vxvde's MAC → peer table, shaped like vdeplug4's {@code vde_hashtable.c}: a direct-mapped array
 * whose size is the hash size rounded up to a power of two, keyed by MAC + VLAN 1, where a collision
 * simply overwrites the slot. No chaining, no garbage collection: only the age check applies
 * (vde-protocol.md §3 "MAC table"). The peer's sockaddr is kept as primitives (v4 address in
 * {@code lo}; v6 in {@code hi}/{@code lo} plus scope id) so learning and lookup allocate nothing.
 *
 * <p>Thread contract: not thread-safe; owned by the plug's owner thread. Times are ticker nanos.
 */
public final class VxvdeMacTable {
    /** libvdeplug_vxvde learns with vlan 1 (vde_find_in_hash_update(table, src, 1, ...)). */
    private static final long VLAN_BITS = 1L << 48;

    private final int mask;
    private final long expireNanos;
    private final long[] keys;
    private final long[] seen;
    private final long[] hi;
    private final long[] lo;
    private final int[] ports;
    private final int[] scopes;

    public VxvdeMacTable(int hashSize, long expireNanos) {
        if (hashSize < 1) throw new IllegalArgumentException("hashsize must be >= 1: " + hashSize);
        int size = hashSize == 1 ? 1 : Integer.highestOneBit(hashSize - 1) << 1; // _vde_hash_init rounding
        if (size <= 0) throw new IllegalArgumentException("hashsize too large: " + hashSize);
        this.mask = size - 1;
        this.expireNanos = expireNanos;
        keys = new long[size];
        seen = new long[size];
        hi = new long[size];
        lo = new long[size];
        ports = new int[size];
        scopes = new int[size];
    }

    public int size() { return mask + 1; }

    /**
     * The key of the MAC at {@code index}: vde_hashtable's {@code extmac(MAC, 1)}, i.e. the MAC's first
     * four bytes read little-endian, plus (bytes 4-5 little-endian + vlan&lt;&lt;16) &lt;&lt; 32. Never 0.
     */
    public static long key(ByteBuf buf, int index) {
        return (buf.getIntLE(index) & 0xffffffffL) | ((long) buf.getUnsignedShortLE(index + 4) << 32) | VLAN_BITS;
    }

    /** Whether the MAC at {@code index} is a group (multicast/broadcast) address: bit 0 of byte 0. */
    public static boolean isGroup(ByteBuf buf, int index) {
        return (buf.getByte(index) & 1) != 0;
    }

    /** vde_hashtable's calc_hash with seed 0 (the MurmurHash3 64-bit finalizer). */
    int slot(long key) {
        long h = key;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return (int) h & mask;
    }

    /** Records that {@code key} was last seen at {@code now} from the given sockaddr (overwrites the slot). */
    public void learn(long key, long addrHi, long addrLo, int port, int scope, long now) {
        int i = slot(key);
        keys[i] = key;
        seen[i] = now;
        hi[i] = addrHi;
        lo[i] = addrLo;
        ports[i] = port;
        scopes[i] = scope;
    }

    /** The slot holding a usable entry for {@code key} (seen no more than expiretime ago), or -1. */
    public int lookup(long key, long now) {
        int i = slot(key);
        return keys[i] == key && now - seen[i] <= expireNanos ? i : -1;
    }

    public long hi(int slot) { return hi[slot]; }

    public long lo(int slot) { return lo[slot]; }

    public int port(int slot) { return ports[slot]; }

    public int scope(int slot) { return scopes[slot]; }

    /**
     * A goodbye from this sockaddr: invalidates every entry that points at it, expired or not
     * (vde_hash_delete walks the whole table).
     *
     * @return how many entries pointed at it
     */
    public int forget(long addrHi, long addrLo, int port, int scope) {
        int n = 0;
        for (int i = 0; i <= mask; i++) {
            if (keys[i] != 0 && lo[i] == addrLo && ports[i] == port && hi[i] == addrHi && scopes[i] == scope) {
                keys[i] = 0;
                n++;
            }
        }
        return n;
    }

    /** Number of entries usable at {@code now} (tests and diagnostics; O(size)). */
    public int liveEntries(long now) {
        int n = 0;
        for (int i = 0; i <= mask; i++) if (keys[i] != 0 && now - seen[i] <= expireNanos) n++;
        return n;
    }
}
