package io.ioth.tcpip.wire;

import io.netty.buffer.ByteBuf;

/**
 * IPv6 addresses kept in two {@code long}s: {@code hi} = bytes 0..7, {@code lo} = bytes 8..15 (big-endian).
 * Static helpers only; thread-safe. Text form follows RFC 5952 (lower case, leading zeros dropped, the longest run
 * of two or more zero groups compressed to "::", the first such run on a tie, IPv4-mapped shown dotted, §5).
 */
public final class Ipv6Addr {
    public static final int LEN = 16;
    /** ::1 */
    public static final long LOOPBACK_HI = 0L;
    public static final long LOOPBACK_LO = 1L;
    /** ff02::1, all-nodes (RFC 4291 §2.7.1) */
    public static final long ALL_NODES_HI = 0xff02_0000_0000_0000L;
    public static final long ALL_NODES_LO = 1L;
    /** ff02::2, all-routers */
    public static final long ALL_ROUTERS_HI = 0xff02_0000_0000_0000L;
    public static final long ALL_ROUTERS_LO = 2L;

    private Ipv6Addr() {
    }

    public static long getHi(ByteBuf buf, int index) {
        return buf.getLong(index);
    }

    public static long getLo(ByteBuf buf, int index) {
        return buf.getLong(index + 8);
    }

    public static void set(ByteBuf buf, int index, long hi, long lo) {
        buf.setLong(index, hi);
        buf.setLong(index + 8, lo);
    }

    public static boolean isUnspecified(long hi, long lo) {
        return hi == 0 && lo == 0;
    }

    public static boolean isLoopback(long hi, long lo) {
        return hi == 0 && lo == 1;
    }

    /** ff00::/8 (RFC 4291 §2.7). */
    public static boolean isMulticast(long hi) {
        return (hi >>> 56) == 0xff;
    }

    /** fe80::/10 (RFC 4291 §2.5.6). */
    public static boolean isLinkLocal(long hi) {
        return (hi >>> 54) == (0xfe80L >>> 6);
    }

    /** Solicited-node multicast ff02::1:ffXX:XXXX for an address (RFC 4291 §2.7.1); this is the hi half. */
    public static final long SOLICITED_NODE_HI = 0xff02_0000_0000_0000L;

    /** The lo half of the solicited-node multicast address for an address whose lo half is {@code lo}. */
    public static long solicitedNodeLo(long lo) {
        return 0x0000_0001_ff00_0000L | (lo & 0xff_ffffL);
    }

    /** Link-local fe80::/64 address with a modified EUI-64 interface id from a MAC (RFC 4291 App. A). */
    public static long linkLocalHi() {
        return 0xfe80_0000_0000_0000L;
    }

    public static long eui64Lo(long mac) {
        long oui = (mac >>> 24) & 0xffffff;
        long nic = mac & 0xffffff;
        return ((oui ^ 0x020000L) << 40) | (0xfffeL << 24) | nic;
    }

    /** True if the first {@code prefixLen} bits of both addresses are equal. */
    public static boolean inPrefix(long hi, long lo, long pHi, long pLo, int prefixLen) {
        if (prefixLen < 0 || prefixLen > 128) {
            throw new IllegalArgumentException("prefix length out of range: " + prefixLen);
        }
        if (prefixLen <= 64) {
            long m = prefixLen == 0 ? 0 : -1L << (64 - prefixLen);
            return (hi & m) == (pHi & m);
        }
        long m = -1L << (128 - prefixLen);
        return hi == pHi && (lo & m) == (pLo & m);
    }

    /** Parses RFC 4291 §2.2 text into {@code out[0]} (hi) and {@code out[1]} (lo). Throws on bad syntax. */
    public static void parse(String s, long[] out) {
        if (!tryParse(s, out)) {
            throw new IllegalArgumentException("not an IPv6 address: " + s);
        }
    }

    public static long parseHi(String s) {
        long[] out = new long[2];
        parse(s, out);
        return out[0];
    }

    public static long parseLo(String s) {
        long[] out = new long[2];
        parse(s, out);
        return out[1];
    }

    /** Parses RFC 4291 §2.2 text (including "::" and a dotted IPv4 tail). @return false on bad syntax */
    public static boolean tryParse(String s, long[] out) {
        int[] g = new int[8];
        int n = 0;
        int gap = -1;
        int i = 0;
        int len = s.length();
        if (len < 2) {
            return false;
        }
        if (s.startsWith("::")) {
            gap = 0;
            i = 2;
            if (len == 2) {
                out[0] = 0;
                out[1] = 0;
                return true;
            }
        } else if (s.charAt(0) == ':') {
            return false;
        }
        while (i < len) {
            if (n >= 8) {
                return false;
            }
            int start = i;
            int v = 0;
            while (i < len && Character.digit(s.charAt(i), 16) >= 0 && i - start < 5) {
                v = (v << 4) | Character.digit(s.charAt(i), 16);
                i++;
            }
            if (i < len && s.charAt(i) == '.') { // dotted IPv4 tail (RFC 4291 §2.2 (3))
                if (n > 6) {
                    return false;
                }
                int a = Ipv4Addr.parse(s, start, len);
                if (a == -1 && !s.endsWith("255.255.255.255")) {
                    return false;
                }
                g[n++] = a >>> 16;
                g[n++] = a & 0xffff;
                i = len;
                break;
            }
            int digits = i - start;
            if (digits == 0 || digits > 4) {
                return false;
            }
            g[n++] = v;
            if (i == len) {
                break;
            }
            if (s.charAt(i) != ':') {
                return false;
            }
            i++;
            if (i < len && s.charAt(i) == ':') {
                if (gap >= 0) {
                    return false; // only one "::"
                }
                gap = n;
                i++;
            } else if (i == len) {
                return false; // trailing single ':'
            }
        }
        if (gap < 0 && n != 8) {
            return false;
        }
        if (gap >= 0 && n > 7) {
            return false;
        }
        int[] full = new int[8];
        if (gap < 0) {
            full = g;
        } else {
            int tail = n - gap;
            System.arraycopy(g, 0, full, 0, gap);
            System.arraycopy(g, gap, full, 8 - tail, tail);
        }
        long hi = 0;
        long lo = 0;
        for (int k = 0; k < 4; k++) {
            hi = (hi << 16) | full[k];
            lo = (lo << 16) | full[k + 4];
        }
        out[0] = hi;
        out[1] = lo;
        return true;
    }

    public static String format(long hi, long lo) {
        StringBuilder sb = new StringBuilder(39);
        appendTo(sb, hi, lo);
        return sb.toString();
    }

    /** Appends the RFC 5952 text form. */
    public static void appendTo(StringBuilder sb, long hi, long lo) {
        // RFC 5952 §5: IPv4-mapped addresses (::ffff:0:0/96) are shown with a dotted-quad tail.
        if (hi == 0 && (lo >>> 32) == 0xffffL) {
            sb.append("::ffff:");
            Ipv4Addr.appendTo(sb, (int) lo);
            return;
        }
        // RFC 5952 §4.2.1-4.2.3: longest run of >= 2 zero groups, first one on a tie.
        int bestStart = -1;
        int bestLen = 1;
        int runStart = -1;
        for (int k = 0; k < 8; k++) {
            if (group(hi, lo, k) == 0) {
                if (runStart < 0) {
                    runStart = k;
                }
                int runLen = k - runStart + 1;
                if (runLen > bestLen) {
                    bestLen = runLen;
                    bestStart = runStart;
                }
            } else {
                runStart = -1;
            }
        }
        for (int k = 0; k < 8; k++) {
            if (k == bestStart) {
                sb.append("::");
                k += bestLen - 1;
                continue;
            }
            if (k > 0 && k != bestStart + bestLen) {
                sb.append(':');
            }
            sb.append(Integer.toHexString(group(hi, lo, k))); // §4.1 no leading zeros, §4.3 lower case
        }
    }

    private static int group(long hi, long lo, int k) {
        long w = k < 4 ? hi : lo;
        return (int) (w >>> ((3 - (k & 3)) * 16)) & 0xffff;
    }
}
