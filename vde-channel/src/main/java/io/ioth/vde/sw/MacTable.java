package io.ioth.vde.sw;

import java.util.concurrent.locks.StampedLock;

/**
 * The switch's learning table: MAC address to port number, with vde_switch's aging and
 * min-persistence rules (vde-protocol.md §1.6; vde-2 src/vde_switch/hash.c {@code find_in_hash_update}).
 *
 * <p>Open addressing with linear probing over parallel primitive arrays; nothing is boxed and the
 * per-frame path allocates nothing. Threading: any thread. Lookups and refresh checks run under a
 * {@link StampedLock} optimistic read (no shared-memory writes, so senders on different cores do not
 * bounce a lock's cache line); only structural changes (a new MAC, a move, a refresh of a timestamp
 * older than {@code refreshNanos}, expiry sweeps, flushes) take the write lock. A timestamp is
 * refreshed at most once per {@code refreshNanos}, so ages are exact to that granularity (vde_switch's
 * own clock has 1 s resolution).
 */
final class MacTable {
    private static final long PRESENT = 1L << 48; // keys are mac | PRESENT so 0 means an empty slot

    private final StampedLock lock = new StampedLock();
    private final long expireNanos;
    private final long minPersistenceNanos;
    private final long refreshNanos;
    private volatile Table table;

    private static final class Table {
        final long[] keys;
        final int[] ports;
        final long[] seen;
        final int mask;
        int size;

        Table(int capacity) {
            keys = new long[capacity];
            ports = new int[capacity];
            seen = new long[capacity];
            mask = capacity - 1;
        }
    }

    MacTable(int initialCapacity, long expireNanos, long minPersistenceNanos) {
        int cap = Integer.highestOneBit(Math.max(16, initialCapacity - 1) << 1);
        this.table = new Table(cap);
        this.expireNanos = expireNanos;
        this.minPersistenceNanos = minPersistenceNanos;
        this.refreshNanos = Math.max(1, Math.min(1_000_000_000L, expireNanos / 8));
    }

    private static int slot(long key, int mask) {
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> 40) & mask;
    }

    /** Bounded probe (safe on a table being changed under an optimistic read). */
    private static int find(Table t, long key) {
        long[] keys = t.keys;
        int mask = t.mask;
        int i = slot(key, mask);
        for (int n = 0; n <= mask; n++) {
            long k = keys[i];
            if (k == key) return i;
            if (k == 0) return -1;
            i = (i + 1) & mask;
        }
        return -1;
    }

    /**
     * The port {@code mac} was learned on, or -1 if unknown or expired.
     */
    int lookup(long mac, long now) {
        long key = mac | PRESENT;
        long stamp = lock.tryOptimisticRead();
        int port = -1;
        long seen = 0;
        if (stamp != 0) {
            Table t = table;
            int i = find(t, key);
            if (i >= 0) {
                port = t.ports[i];
                seen = t.seen[i];
            }
        }
        if (stamp == 0 || !lock.validate(stamp)) {
            stamp = lock.readLock();
            try {
                Table t = table;
                int i = find(t, key);
                port = i < 0 ? -1 : t.ports[i];
                seen = i < 0 ? 0 : t.seen[i];
            } finally {
                lock.unlockRead(stamp);
            }
        }
        // vde-protocol.md §1.6: entries expire after `expire` idle
        if (port >= 0 && now - seen > expireNanos) return -1;
        return port;
    }

    /** Learns {@code mac} (a non-group source address) on {@code port} at {@code now}. */
    void learn(long mac, int port, long now) {
        long key = mac | PRESENT;
        long stamp = lock.tryOptimisticRead();
        if (stamp != 0) {
            Table t = table;
            int i = find(t, key);
            if (i >= 0) {
                int p = t.ports[i];
                long age = now - t.seen[i];
                if (lock.validate(stamp)) {
                    if (p == port && age < refreshNanos) return;      // fresh: nothing to write
                    if (p != port && age < minPersistenceNanos) return; // move refused, entry not refreshed (hash.c)
                }
            }
        }
        long ws = lock.writeLock();
        try {
            learnLocked(key, port, now);
        } finally {
            lock.unlockWrite(ws);
        }
    }

    private void learnLocked(long key, int port, long now) {
        Table t = table;
        int i = find(t, key);
        if (i < 0) {
            if ((t.size + 1) * 2 > t.keys.length) t = grow(t, now);
            i = slot(key, t.mask);
            while (t.keys[i] != 0) i = (i + 1) & t.mask;
            t.keys[i] = key;
            t.ports[i] = port;
            t.seen[i] = now;
            t.size++;
        } else if (t.ports[i] == port) {
            t.seen[i] = now;
        } else if (now - t.seen[i] >= minPersistenceNanos) {
            // vde-protocol.md §1.6: a known MAC moves only when older than min persistence
            t.ports[i] = port;
            t.seen[i] = now;
        }
    }

    private Table grow(Table old, long now) {
        removeIf(old, -1, now); // drop the expired first; maybe that is enough
        if ((old.size + 1) * 2 <= old.keys.length) return old;
        Table t = new Table(old.keys.length * 2);
        for (int j = 0; j < old.keys.length; j++) {
            long k = old.keys[j];
            if (k == 0) continue;
            int i = slot(k, t.mask);
            while (t.keys[i] != 0) i = (i + 1) & t.mask;
            t.keys[i] = k;
            t.ports[i] = old.ports[j];
            t.seen[i] = old.seen[j];
            t.size++;
        }
        table = t;
        return t;
    }

    /** Removes the entries of {@code port} (vde-protocol.md §1.5: a freed port's MACs are flushed at once). */
    void flushPort(int port) {
        long ws = lock.writeLock();
        try {
            removeIf(table, port, 0);
        } finally {
            lock.unlockWrite(ws);
        }
    }

    /** Garbage-collects expired entries (vde_switch does this every 2 s). */
    void expire(long now) {
        long ws = lock.writeLock();
        try {
            removeIf(table, -1, now);
        } finally {
            lock.unlockWrite(ws);
        }
    }

    /** Removes entries of {@code port}, or (port -1) entries expired at {@code now}. Write lock held. */
    private void removeIf(Table t, int port, long now) {
        int i = 0;
        int cap = t.keys.length;
        while (i < cap) {
            boolean kill = t.keys[i] != 0
                    && (port >= 0 ? t.ports[i] == port : now - t.seen[i] > expireNanos);
            if (kill) {
                removeAt(t, i); // may shift another entry into i: look at i again
            } else {
                i++;
            }
        }
    }

    /** Backward-shift deletion for linear probing (Knuth, TAOCP vol. 3, algorithm R). */
    private static void removeAt(Table t, int i) {
        int mask = t.mask;
        int j = i;
        t.size--;
        while (true) {
            t.keys[i] = 0;
            while (true) {
                j = (j + 1) & mask;
                long k = t.keys[j];
                if (k == 0) return;
                int home = slot(k, mask);
                boolean stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
                if (!stays) break;
            }
            t.keys[i] = t.keys[j];
            t.ports[i] = t.ports[j];
            t.seen[i] = t.seen[j];
            i = j;
        }
    }

    /** Live entries (for tests and diagnostics). */
    int size() {
        long rs = lock.readLock();
        try {
            return table.size;
        } finally {
            lock.unlockRead(rs);
        }
    }
}
