package io.ioth.tcpip.socket.tcp;

/**
 * Connections by 4-tuple: an open-addressing hash table (linear probing, backward-shift deletion) of sockets, keyed
 * by (local address, local port, remote address, remote port) with a per-stack random seed so that peers cannot
 * aim collisions at one bucket (Linux {@code inet_ehashfn} with its random {@code inet_ehash_secret}). O(1) per
 * segment, no allocation except when the table grows.
 *
 * <p>Not thread-safe: owner thread.
 */
final class FlowTable {
    private final long seed;
    private TcpSocket[] table = new TcpSocket[64];
    private int size;

    FlowTable(final long seed) {
        this.seed = seed;
    }

    int size() {
        return size;
    }

    private static long mix(long x) {
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        x *= 0xc4ceb9fe1a85ec53L;
        x ^= x >>> 33;
        return x;
    }

    int hash(final long lHi, final long lLo, final int lPort, final long rHi, final long rLo, final int rPort) {
        long h = seed;
        h = mix(h ^ rLo);
        h = mix(h ^ rHi ^ ((long) lPort << 16 | rPort));
        h = mix(h ^ lLo);
        h = mix(h ^ lHi);
        return (int) (h ^ (h >>> 32));
    }

    TcpSocket lookup(final long lHi, final long lLo, final int lPort, final long rHi, final long rLo,
                     final int rPort) {
        final int h = hash(lHi, lLo, lPort, rHi, rLo, rPort);
        final TcpSocket[] t = table;
        final int mask = t.length - 1;
        for (int i = h & mask; ; i = (i + 1) & mask) {
            final TcpSocket s = t[i];
            if (s == null) {
                return null;
            }
            if (s.flowHash == h && s.localPort == lPort && s.remotePort == rPort && s.remoteLo == rLo
                    && s.localLo == lLo && s.remoteHi == rHi && s.localHi == lHi) {
                return s;
            }
        }
    }

    void insert(final TcpSocket s) {
        if (s.inFlowTable) {
            return;
        }
        if ((size + 1) * 2 > table.length) {
            resize(table.length * 2);
        }
        s.flowHash = hash(s.localHi, s.localLo, s.localPort, s.remoteHi, s.remoteLo, s.remotePort);
        place(table, s);
        s.inFlowTable = true;
        size++;
    }

    private static void place(final TcpSocket[] t, final TcpSocket s) {
        final int mask = t.length - 1;
        int i = s.flowHash & mask;
        while (t[i] != null) {
            i = (i + 1) & mask;
        }
        t[i] = s;
    }

    private void resize(final int cap) {
        final TcpSocket[] old = table;
        final TcpSocket[] t = new TcpSocket[cap];
        for (TcpSocket s : old) {
            if (s != null) {
                place(t, s);
            }
        }
        table = t;
    }

    void remove(final TcpSocket s) {
        if (!s.inFlowTable) {
            return;
        }
        final TcpSocket[] t = table;
        final int mask = t.length - 1;
        int i = s.flowHash & mask;
        while (t[i] != s) {
            if (t[i] == null) {
                s.inFlowTable = false;
                return; // not present (cannot happen)
            }
            i = (i + 1) & mask;
        }
        // backward-shift deletion (Knuth 6.4 algorithm R): keeps every probe chain unbroken without tombstones
        int hole = i;
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            final TcpSocket c = t[j];
            if (c == null) {
                break;
            }
            final int home = c.flowHash & mask;
            // move c into the hole if its home lies cyclically outside (hole, j]
            final boolean between = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
            if (!between) {
                t[hole] = c;
                hole = j;
            }
        }
        t[hole] = null;
        s.inFlowTable = false;
        size--;
        if (table.length > 64 && size * 8 < table.length) {
            resize(table.length / 2);
        }
    }

    /** Every socket (for shutdown); allocation is fine here. */
    TcpSocket[] snapshot() {
        final TcpSocket[] out = new TcpSocket[size];
        int k = 0;
        for (TcpSocket s : table) {
            if (s != null) {
                out[k++] = s;
            }
        }
        return out;
    }
}
