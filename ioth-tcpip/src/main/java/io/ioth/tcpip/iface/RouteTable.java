package io.ioth.tcpip.iface;

import io.ioth.tcpip.wire.Ipv4Addr;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The routing table of one stack, for both families: longest-prefix match (RFC 1812 §5.2.4.3 "Longest Match"),
 * ties broken by the lower metric. Prefixes are kept in the engine's 128-bit form (IPv4 as {@code ::ffff:0:0/96}
 * + prefix, see {@link IpAddr}) and an entry only matches destinations of its own family, so an IPv6 default route
 * never catches IPv4 traffic.
 *
 * <p>Entries are kept in parallel arrays sorted by prefix length (longest first) then metric, so a lookup is a scan
 * that stops at the first match and allocates nothing; a stack has a handful of routes. On-link routes are added
 * and removed by the engine with the addresses ({@link #ORIGIN_KERNEL}, Linux "proto kernel scope link").
 *
 * <pre>{@code
 * routes.addRoute4(Ipv4Addr.parse("10.1.0.0"), 16, Ipv4Addr.parse("10.0.0.254"), null, 0);
 * routes.addDefaultGateway4(Ipv4Addr.parse("10.0.0.1"));     // 0.0.0.0/0 via 10.0.0.1
 * routes.addDefaultGateway6(Ipv6Addr.parseHi("fe80::1"), 1L, eth0);  // ::/0 via fe80::1 dev eth0
 * }</pre>
 *
 * <p>Not thread-safe: owner thread only (configuration included, as everything else of a stack).
 */
public final class RouteTable {
    /** Added by the engine for an address's subnet. */
    public static final int ORIGIN_KERNEL = 1;
    /** Added through the API. */
    public static final int ORIGIN_STATIC = 2;
    /** Learned from Router Advertisements (RFC 4861 §6.3.4 default routers and on-link prefixes; Linux "proto ra"),
     * added and expired by {@link Ipv6Autoconf}. */
    public static final int ORIGIN_RA = 3;

    private final Engine engine;
    private int count;
    private int[] family = new int[8];
    private long[] prefixHi = new long[8];
    private long[] prefixLo = new long[8];
    /** Prefix length in the 128-bit space (IPv4: 96 + length). */
    private int[] len128 = new int[8];
    private long[] gwHi = new long[8];
    private long[] gwLo = new long[8];
    private boolean[] hasGw = new boolean[8];
    private NetInterface[] iface = new NetInterface[8];
    private int[] metric = new int[8];
    private long[] prefSrcHi = new long[8];
    private long[] prefSrcLo = new long[8];
    private int[] origin = new int[8];

    RouteTable(final Engine engine) {
        this.engine = engine;
    }

    // ---------------------------------------------------------------- IPv4 API

    /**
     * Adds an IPv4 route.
     *
     * @param gateway the next hop, or 0 for an on-link route
     * @param dev     the interface, or {@code null} to use the one whose on-link route covers the gateway
     * @throws IllegalArgumentException if the gateway is not on-link (Linux: "Nexthop has invalid gateway") or
     *                                  the prefix length is out of range
     */
    public void addRoute4(final int prefix, final int prefixLen, final int gateway, final NetInterface dev,
                          final int metric) {
        final int m = Ipv4Addr.mask(prefixLen);
        add(IpAddr.FAMILY_V4, 0L, IpAddr.v4(prefix & m), 96 + prefixLen, gateway != 0, 0L, IpAddr.v4(gateway), dev,
                metric, 0L, 0L, ORIGIN_STATIC);
    }

    /** {@code 0.0.0.0/0 via gateway}, metric 0; the interface is the one the gateway is on-link on. */
    public void addDefaultGateway4(final int gateway) {
        addRoute4(0, 0, gateway, null, 0);
    }

    /** Removes the IPv4 routes for exactly this prefix (any gateway). @return how many */
    public int removeRoute4(final int prefix, final int prefixLen) {
        return remove(IpAddr.FAMILY_V4, 0L, IpAddr.v4(prefix & Ipv4Addr.mask(prefixLen)), 96 + prefixLen, null);
    }

    /**
     * Removes the one IPv4 route equal to these fields, as {@link #addRoute4} added it (the gateway, interface and
     * metric must match): a DHCP lease's default route goes, a static default route next to it stays.
     * @return whether it was there
     */
    public boolean removeRoute4(final int prefix, final int prefixLen, final int gateway, final NetInterface dev,
                                final int metric) {
        return removeExact(IpAddr.FAMILY_V4, 0L, IpAddr.v4(prefix & Ipv4Addr.mask(prefixLen)), 96 + prefixLen,
                gateway != 0, 0L, IpAddr.v4(gateway), dev, metric);
    }

    // ---------------------------------------------------------------- IPv6 API

    /** Adds an IPv6 route; {@code hasGateway=false} for on-link. See {@link #addRoute4}. */
    public void addRoute6(final long prefixHi, final long prefixLo, final int prefixLen, final boolean hasGateway,
                          final long gwHi, final long gwLo, final NetInterface dev, final int metric) {
        if (prefixLen < 0 || prefixLen > 128) {
            throw new IllegalArgumentException("prefix length out of range: " + prefixLen);
        }
        add(IpAddr.FAMILY_V6, maskHi(prefixHi, prefixLen), maskLo(prefixLo, prefixLen), prefixLen, hasGateway,
                gwHi, gwLo, dev, metric, 0L, 0L, ORIGIN_STATIC);
    }

    /** {@code ::/0 via gateway}, metric 0, over the interface whose on-link route covers the gateway (use the
     * overload with an interface for a link-local gateway on a stack with several links). */
    public void addDefaultGateway6(final long gwHi, final long gwLo) {
        addRoute6(0L, 0L, 0, true, gwHi, gwLo, null, 0);
    }

    /** {@code ::/0 via gateway dev ifc}: the usual form for a router's link-local address (fe80::1%eth0). */
    public void addDefaultGateway6(final long gwHi, final long gwLo, final NetInterface dev) {
        addRoute6(0L, 0L, 0, true, gwHi, gwLo, dev, 0);
    }

    public int removeRoute6(final long prefixHi, final long prefixLo, final int prefixLen) {
        return remove(IpAddr.FAMILY_V6, maskHi(prefixHi, prefixLen), maskLo(prefixLo, prefixLen), prefixLen, null);
    }

    // ---------------------------------------------------------------- engine

    /** Adds an entry; {@code len} is in the 128-bit space. */
    void add(final int fam, final long pHi, final long pLo, final int len, final boolean gw, final long gHi,
             final long gLo, NetInterface dev, final int met, final long srcHi, final long srcLo, final int org) {
        if (len < (fam == IpAddr.FAMILY_V4 ? 96 : 0) || len > 128) {
            throw new IllegalArgumentException("prefix length out of range");
        }
        if (gw && dev == null) {
            final int e = lookup(fam, gHi, gLo, null, true);
            if (e < 0) {
                throw new IllegalArgumentException("Nexthop has invalid gateway: " + IpAddr.format(gHi, gLo)
                        + " is not on-link on any interface");
            }
            dev = iface[e];
        }
        if (dev == null) {
            throw new IllegalArgumentException("an on-link route needs an interface");
        }
        for (int i = 0; i < count; i++) {
            if (family[i] == fam && prefixHi[i] == pHi && prefixLo[i] == pLo && len128[i] == len && metric[i] == met
                    && hasGw[i] == gw && gwHi[i] == gHi && gwLo[i] == gLo && iface[i] == dev) {
                return; // already there (Linux: EEXIST; idempotent here)
            }
        }
        if (count == family.length) {
            grow();
        }
        // insertion sort: longer prefix first, then lower metric
        int at = count;
        while (at > 0 && (len128[at - 1] < len || (len128[at - 1] == len && metric[at - 1] > met))) {
            at--;
        }
        shift(at, 1);
        family[at] = fam;
        prefixHi[at] = pHi;
        prefixLo[at] = pLo;
        len128[at] = len;
        hasGw[at] = gw;
        gwHi[at] = gw ? gHi : 0L;
        gwLo[at] = gw ? gLo : 0L;
        iface[at] = dev;
        metric[at] = met;
        prefSrcHi[at] = srcHi;
        prefSrcLo[at] = srcLo;
        origin[at] = org;
        count++;
        engine.routesChanged();
    }

    /** Removes matching entries; {@code dev == null} matches any interface. */
    int remove(final int fam, final long pHi, final long pLo, final int len, final NetInterface dev) {
        int removed = 0;
        for (int i = 0; i < count; ) {
            if (family[i] == fam && prefixHi[i] == pHi && prefixLo[i] == pLo && len128[i] == len
                    && (dev == null || iface[i] == dev)) {
                shift(i + 1, -1);
                count--;
                removed++;
            } else {
                i++;
            }
        }
        if (removed > 0) {
            engine.routesChanged();
        }
        return removed;
    }

    /**
     * Removes the entry equal to these fields (the gateway too, unlike {@link #remove}): one router's default route
     * among several, or an RA on-link prefix next to the kernel route of an address in it. @return whether found
     */
    boolean removeExact(final int fam, final long pHi, final long pLo, final int len, final boolean gw,
                        final long gHi, final long gLo, final NetInterface dev, final int met) {
        for (int i = 0; i < count; i++) {
            if (family[i] == fam && prefixHi[i] == pHi && prefixLo[i] == pLo && len128[i] == len && metric[i] == met
                    && hasGw[i] == gw && gwHi[i] == (gw ? gHi : 0L) && gwLo[i] == (gw ? gLo : 0L)
                    && iface[i] == dev) {
                shift(i + 1, -1);
                count--;
                engine.routesChanged();
                return true;
            }
        }
        return false;
    }

    /** Removes every route over {@code dev} (interface removed). */
    void removeAll(final NetInterface dev) {
        int removed = 0;
        for (int i = 0; i < count; ) {
            if (iface[i] == dev) {
                shift(i + 1, -1);
                count--;
                removed++;
            } else {
                i++;
            }
        }
        if (removed > 0) {
            engine.routesChanged();
        }
    }

    /**
     * Longest-prefix match for {@code (hi, lo)} among routes of family {@code fam} over interfaces that are up.
     *
     * @param dev        only routes over this interface, or {@code null} for any (SO_BINDTODEVICE-like)
     * @param onLinkOnly only routes without a gateway
     * @return the entry index, or -1
     */
    int lookup(final int fam, final long hi, final long lo, final NetInterface dev, final boolean onLinkOnly) {
        for (int i = 0; i < count; i++) {
            if (family[i] == fam && matches(hi, lo, prefixHi[i], prefixLo[i], len128[i])
                    && (dev == null || iface[i] == dev) && (!onLinkOnly || !hasGw[i]) && iface[i].isUp()) {
                return i;
            }
        }
        return -1;
    }

    /** The first default route of the family, or -1. */
    int defaultRoute(final int fam) {
        final int len = fam == IpAddr.FAMILY_V4 ? 96 : 0;
        for (int i = 0; i < count; i++) {
            if (family[i] == fam && len128[i] == len && iface[i].isUp()) {
                return i;
            }
        }
        return -1;
    }

    static boolean matches(final long hi, final long lo, final long pHi, final long pLo, final int len) {
        if (len == 0) {
            return true;
        }
        if (len <= 64) {
            return ((hi ^ pHi) >>> (64 - len)) == 0;
        }
        return hi == pHi && ((lo ^ pLo) >>> (128 - len)) == 0;
    }

    static long maskHi(final long hi, final int len) {
        return len >= 64 ? hi : len == 0 ? 0L : hi & (-1L << (64 - len));
    }

    static long maskLo(final long lo, final int len) {
        return len <= 64 ? 0L : len == 128 ? lo : lo & (-1L << (128 - len));
    }

    NetInterface iface(final int e) {
        return iface[e];
    }

    boolean hasGateway(final int e) {
        return hasGw[e];
    }

    long gatewayHi(final int e) {
        return gwHi[e];
    }

    long gatewayLo(final int e) {
        return gwLo[e];
    }

    long prefSrcHi(final int e) {
        return prefSrcHi[e];
    }

    long prefSrcLo(final int e) {
        return prefSrcLo[e];
    }

    public int size() {
        return count;
    }

    /** One route, for display and tests. */
    public record Entry(int family, String prefix, int prefixLength, String gateway, String dev, int metric,
                        boolean kernel) {
        @Override
        public String toString() {
            return (prefixLength == 0 ? "default" : prefix + "/" + prefixLength)
                    + (gateway == null ? "" : " via " + gateway) + " dev " + dev
                    + (kernel ? " proto kernel scope link" : "") + (metric != 0 ? " metric " + metric : "");
        }
    }

    /** A snapshot of the table in lookup order (allocates; not for the hot path). */
    public List<Entry> entries() {
        final List<Entry> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            final boolean v4 = family[i] == IpAddr.FAMILY_V4;
            out.add(new Entry(family[i], IpAddr.format(prefixHi[i], prefixLo[i]), v4 ? len128[i] - 96 : len128[i],
                    hasGw[i] ? IpAddr.format(gwHi[i], gwLo[i]) : null, iface[i].name(), metric[i],
                    origin[i] == ORIGIN_KERNEL));
        }
        return out;
    }

    /** Like {@code ip route}: one line per entry. */
    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder();
        for (Entry e : entries()) {
            sb.append(e).append('\n');
        }
        return sb.toString();
    }

    private void shift(final int from, final int by) {
        final int n = count - from;
        if (n > 0) {
            copy(from, by, n);
        }
        if (by < 0) {
            iface[count - 1] = null;
        }
    }

    private void copy(final int from, final int by, final int n) {
        System.arraycopy(family, from, family, from + by, n);
        System.arraycopy(prefixHi, from, prefixHi, from + by, n);
        System.arraycopy(prefixLo, from, prefixLo, from + by, n);
        System.arraycopy(len128, from, len128, from + by, n);
        System.arraycopy(hasGw, from, hasGw, from + by, n);
        System.arraycopy(gwHi, from, gwHi, from + by, n);
        System.arraycopy(gwLo, from, gwLo, from + by, n);
        System.arraycopy(iface, from, iface, from + by, n);
        System.arraycopy(metric, from, metric, from + by, n);
        System.arraycopy(prefSrcHi, from, prefSrcHi, from + by, n);
        System.arraycopy(prefSrcLo, from, prefSrcLo, from + by, n);
        System.arraycopy(origin, from, origin, from + by, n);
    }

    private void grow() {
        final int n = family.length * 2;
        family = Arrays.copyOf(family, n);
        prefixHi = Arrays.copyOf(prefixHi, n);
        prefixLo = Arrays.copyOf(prefixLo, n);
        len128 = Arrays.copyOf(len128, n);
        hasGw = Arrays.copyOf(hasGw, n);
        gwHi = Arrays.copyOf(gwHi, n);
        gwLo = Arrays.copyOf(gwLo, n);
        iface = Arrays.copyOf(iface, n);
        metric = Arrays.copyOf(metric, n);
        prefSrcHi = Arrays.copyOf(prefSrcHi, n);
        prefSrcLo = Arrays.copyOf(prefSrcLo, n);
        origin = Arrays.copyOf(origin, n);
    }
}
