package io.ioth.tcpip.socket.tcp;

import io.ioth.tcpip.iface.IpAddr;
import io.ioth.tcpip.iface.NetError;

/**
 * Bound ports: listeners, explicitly bound sockets and the ephemeral ports of active opens, chained per port in a
 * two-level array (256 pages of 256 chains, pages allocated on first use; as UDP's table). Also the ephemeral port
 * choice of RFC 6056 §3.3.4 Algorithm 4 ("Double-Hash Port Selection"), which Linux's {@code __inet_hash_connect}
 * follows: a keyed offset per (local address, remote address, remote port) plus a small table of perturbations, so
 * ports are unpredictable off-path yet successive connections to one peer walk the range without repeating.
 *
 * <p>Not thread-safe: owner thread.
 */
final class PortTable {
    /** RFC 6056 §3.3.4: TABLE_LENGTH (a power of two). */
    static final int TABLE_LENGTH = 256;

    private final TcpStack stack;
    private final TcpEndpoint[][] pages = new TcpEndpoint[256][];
    private short[] perturb;

    PortTable(final TcpStack stack) {
        this.stack = stack;
    }

    TcpEndpoint chain(final int port) {
        final TcpEndpoint[] page = pages[port >>> 8];
        return page == null ? null : page[port & 0xff];
    }

    void link(final TcpEndpoint e) {
        final int port = e.localPort;
        TcpEndpoint[] page = pages[port >>> 8];
        if (page == null) {
            page = pages[port >>> 8] = new TcpEndpoint[256];
        }
        e.nextOnPort = page[port & 0xff];
        page[port & 0xff] = e;
        e.bound = true;
    }

    void unlink(final TcpEndpoint e) {
        final TcpEndpoint[] page = pages[e.localPort >>> 8];
        e.bound = false;
        if (page == null) {
            return;
        }
        TcpEndpoint prev = null;
        for (TcpEndpoint c = page[e.localPort & 0xff]; c != null; prev = c, c = c.nextOnPort) {
            if (c == e) {
                if (prev == null) {
                    page[e.localPort & 0xff] = c.nextOnPort;
                } else {
                    prev.nextOnPort = c.nextOnPort;
                }
                c.nextOnPort = null;
                return;
            }
        }
    }

    /** The listener for a segment to {@code (hi, lo, port)}: an exact address beats a wildcard (Linux
     * {@code inet_lhash2_lookup} scoring). */
    TcpListener listener(final long hi, final long lo, final int port) {
        TcpListener best = null;
        for (TcpEndpoint c = chain(port); c != null; c = c.nextOnPort) {
            if (!(c instanceof TcpListener) || !c.isListening()) {
                continue;
            }
            if (c.localHi == hi && c.localLo == lo) {
                return (TcpListener) c;
            }
            if (best == null && IpAddr.covers(c.localHi, c.localLo, hi, lo)) {
                best = (TcpListener) c;
            }
        }
        return best;
    }

    /** Linux {@code inet_csk_bind_conflict}: an overlapping address conflicts unless both set SO_REUSEADDR and
     * neither listens. */
    private boolean conflicts(final TcpEndpoint e, final long hi, final long lo, final int port) {
        for (TcpEndpoint c = chain(port); c != null; c = c.nextOnPort) {
            if (c == e || !IpAddr.overlaps(hi, lo, c.localHi, c.localLo)) {
                continue;
            }
            if (e.reuseAddress && c.reuseAddress && !c.isListening()) {
                continue;
            }
            return true;
        }
        return false;
    }

    /** Another listener on an overlapping address and the same port (SO_REUSEADDR never allows two listeners). */
    boolean listenConflict(final TcpEndpoint e) {
        for (TcpEndpoint c = chain(e.localPort); c != null; c = c.nextOnPort) {
            if (c != e && c.isListening() && IpAddr.overlaps(e.localHi, e.localLo, c.localHi, c.localLo)) {
                return true;
            }
        }
        return false;
    }

    int bind(final TcpEndpoint e, final long hi, final long lo, final int port) {
        int p = port;
        if (p == 0) {
            // bind(0): RFC 6056 §3.3.1 Algorithm 1 (random start, first free), as Linux inet_csk_find_open_port
            final int min = stack.config.ephemeralLow;
            final int num = stack.config.ephemeralHigh - min + 1;
            int next = min + stack.random.nextInt(num);
            p = 0;
            for (int count = num; count > 0; count--) {
                if (!conflicts(e, hi, lo, next) && chain(next) == null) {
                    p = next;
                    break;
                }
                next = next == stack.config.ephemeralHigh ? min : next + 1;
            }
            if (p == 0) {
                return NetError.EADDRINUSE;
            }
        } else if (conflicts(e, hi, lo, p)) {
            return NetError.EADDRINUSE;
        }
        e.localHi = hi;
        e.localLo = lo;
        e.localPort = p;
        link(e);
        return NetError.OK;
    }

    /**
     * The ephemeral port of an active open, RFC 6056 §3.3.4 Algorithm 4:
     * <pre>
     *   offset = F(local_IP, remote_IP, remote_port, secret_key1)
     *   index  = G(local_IP, remote_IP, remote_port, secret_key2) mod TABLE_LENGTH
     *   do { port = min_ephemeral + (offset + table[index]) % num_ephemeral;  table[index]++;
     *        if (check_suitable_port(port)) return port; } while (--count > 0)
     * </pre>
     * A port is suitable if nobody bound it explicitly on an overlapping address and the 4-tuple is unused
     * (connections to different peers share ephemeral ports, as in Linux).
     */
    int connectPort(final TcpSocket s, final long nowNanos) {
        final TcpConfig c = stack.config;
        final int min = c.ephemeralLow;
        final int num = c.ephemeralHigh - min + 1;
        if (perturb == null) {
            perturb = new short[TABLE_LENGTH];
        }
        final int offset = c.secrets.portOffset(s.localHi, s.localLo, s.remoteHi, s.remoteLo, s.remotePort);
        final int index = c.secrets.portTableIndex(s.localHi, s.localLo, s.remoteHi, s.remoteLo, s.remotePort)
                & (TABLE_LENGTH - 1);
        for (int count = num; count > 0; count--) {
            final int port = min + (int) Long.remainderUnsigned((offset & 0xffff_ffffL) + (perturb[index] & 0xffff),
                    num);
            perturb[index]++;
            if (suitable(s, port)) {
                if (s.bound) {
                    unlink(s);
                }
                s.localPort = port;
                s.autoBound = true;
                link(s);
                return NetError.OK;
            }
        }
        return NetError.EADDRNOTAVAIL;
    }

    private boolean suitable(final TcpSocket s, final int port) {
        for (TcpEndpoint c = chain(port); c != null; c = c.nextOnPort) {
            if (c != s && !c.autoBound && IpAddr.overlaps(s.localHi, s.localLo, c.localHi, c.localLo)) {
                return false;
            }
        }
        return stack.flows.lookup(s.localHi, s.localLo, port, s.remoteHi, s.remoteLo, s.remotePort) == null;
    }

    /** Every listener (stack shutdown); allocation is fine here. */
    java.util.List<TcpListener> listeners() {
        final java.util.List<TcpListener> out = new java.util.ArrayList<>();
        for (TcpEndpoint[] page : pages) {
            if (page == null) {
                continue;
            }
            for (TcpEndpoint c : page) {
                for (; c != null; c = c.nextOnPort) {
                    if (c instanceof TcpListener) {
                        out.add((TcpListener) c);
                    }
                }
            }
        }
        return out;
    }
}
