package io.ioth.tcpip.wire;

/**
 * IPv4 addresses kept in an {@code int} (network order: first octet most significant). Static helpers only;
 * thread-safe.
 */
public final class Ipv4Addr {
    public static final int UNSPECIFIED = 0;
    public static final int BROADCAST = 0xffffffff;
    public static final int LOOPBACK = 0x7f000001;
    public static final int LEN = 4;

    private Ipv4Addr() {
    }

    /** Netmask for a prefix length 0..32. */
    public static int mask(int prefixLen) {
        if (prefixLen < 0 || prefixLen > 32) {
            throw new IllegalArgumentException("prefix length out of range: " + prefixLen);
        }
        return prefixLen == 0 ? 0 : -1 << (32 - prefixLen);
    }

    public static boolean inPrefix(int addr, int prefix, int prefixLen) {
        int m = mask(prefixLen);
        return (addr & m) == (prefix & m);
    }

    /** 224.0.0.0/4 (RFC 5771). */
    public static boolean isMulticast(int a) {
        return (a & 0xf0000000) == 0xe0000000;
    }

    /** 127.0.0.0/8 (RFC 1122 §3.2.1.3 (g)). */
    public static boolean isLoopback(int a) {
        return (a >>> 24) == 127;
    }

    public static boolean isBroadcast(int a) {
        return a == BROADCAST;
    }

    public static boolean isUnspecified(int a) {
        return a == 0;
    }

    /** 169.254.0.0/16 (RFC 3927). */
    public static boolean isLinkLocal(int a) {
        return (a >>> 16) == 0xa9fe;
    }

    /** Parses dotted-quad. Configuration input: throws on bad syntax. */
    public static int parse(String s) {
        int v = parse(s, 0, s.length());
        if (v == -1 && !"255.255.255.255".equals(s)) {
            throw new IllegalArgumentException("not an IPv4 address: " + s);
        }
        return v;
    }

    /** Parses dotted-quad in {@code s[from, to)}; returns -1 on syntax error (ambiguous with 255.255.255.255). */
    static int parse(CharSequence s, int from, int to) {
        int v = 0;
        int parts = 0;
        int i = from;
        while (parts < 4) {
            int octet = 0;
            int digits = 0;
            while (i < to && s.charAt(i) >= '0' && s.charAt(i) <= '9' && digits < 4) {
                octet = octet * 10 + (s.charAt(i) - '0');
                digits++;
                i++;
            }
            if (digits == 0 || digits > 3 || octet > 255 || (digits > 1 && s.charAt(i - digits) == '0')) {
                return -1;
            }
            v = (v << 8) | octet;
            parts++;
            if (parts < 4) {
                if (i >= to || s.charAt(i) != '.') {
                    return -1;
                }
                i++;
            }
        }
        return i == to ? v : -1;
    }

    public static String format(int a) {
        StringBuilder sb = new StringBuilder(15);
        appendTo(sb, a);
        return sb.toString();
    }

    public static void appendTo(StringBuilder sb, int a) {
        sb.append(a >>> 24).append('.').append((a >>> 16) & 0xff).append('.')
                .append((a >>> 8) & 0xff).append('.').append(a & 0xff);
    }
}
