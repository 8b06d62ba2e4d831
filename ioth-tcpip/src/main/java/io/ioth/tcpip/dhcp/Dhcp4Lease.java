package io.ioth.tcpip.dhcp;

import io.ioth.tcpip.wire.Ipv4Addr;

import java.util.Arrays;
import java.util.List;

/**
 * A DHCPv4 lease as the client holds it (RFC 2131 §4.4.1): the address and prefix, the server, the options the
 * stack applies or records (routers, DNS servers, domain, search list, MTU), and the lease timing. Times are
 * absolute in the stack's clock ({@code nowNanos}); {@link Long#MAX_VALUE} for an infinite lease (RFC 2131 §3.3,
 * 0xffffffff).
 *
 * <p>Immutable; thread-safe (the arrays are copied in and out).
 */
public final class Dhcp4Lease {
    private final int address;
    private final int prefixLength;
    private final int serverId;
    private final int[] routers;
    private final int[] dns;
    private final String domain;
    private final List<String> searchDomains;
    private final int mtu;
    private final long leaseSeconds;
    private final long startNanos;
    private final long renewAtNanos;
    private final long rebindAtNanos;
    private final long expiresAtNanos;

    Dhcp4Lease(final int address, final int prefixLength, final int serverId, final int[] routers, final int[] dns,
               final String domain, final List<String> searchDomains, final int mtu, final long leaseSeconds,
               final long startNanos,
               final long renewAtNanos, final long rebindAtNanos, final long expiresAtNanos) {
        this.address = address;
        this.prefixLength = prefixLength;
        this.serverId = serverId;
        this.routers = routers.clone();
        this.dns = dns.clone();
        this.domain = domain;
        this.searchDomains = searchDomains == null ? List.of() : List.copyOf(searchDomains);
        this.mtu = mtu;
        this.leaseSeconds = leaseSeconds;
        this.startNanos = startNanos;
        this.renewAtNanos = renewAtNanos;
        this.rebindAtNanos = rebindAtNanos;
        this.expiresAtNanos = expiresAtNanos;
    }

    /** The leased address ('yiaddr'). */
    public int address() {
        return address;
    }

    /** From option 1 (RFC 2132 §3.3); the classful length when the server sent none. */
    public int prefixLength() {
        return prefixLength;
    }

    /** The server identifier (option 54). */
    public int serverId() {
        return serverId;
    }

    /** Option 3 (a copy), preferred first. */
    public int[] routers() {
        return routers.clone();
    }

    /** The first router, or 0. */
    public int router() {
        return routers.length == 0 ? 0 : routers[0];
    }

    /** Option 6 (a copy). */
    public int[] dnsServers() {
        return dns.clone();
    }

    /** Option 15, or null. */
    public String domain() {
        return domain;
    }

    /** Option 119, the DNS search list (RFC 3397), in the server's order; empty if none (immutable). */
    public List<String> searchDomains() {
        return searchDomains;
    }

    /** Option 26 (interface MTU, RFC 2132 §5.1), or 0 if absent or below the minimum of 68. */
    public int mtu() {
        return mtu;
    }

    /** Option 51 in seconds ({@link Dhcp4Repr#INFINITE} for an infinite lease). */
    public long leaseSeconds() {
        return leaseSeconds;
    }

    public boolean isInfinite() {
        return leaseSeconds == Dhcp4Repr.INFINITE;
    }

    /** When the request that obtained the lease was sent (RFC 2131 §4.4.1: the lease runs from there). */
    public long startNanos() {
        return startNanos;
    }

    /** T1: the client enters RENEWING. */
    public long renewAtNanos() {
        return renewAtNanos;
    }

    /** T2: the client enters REBINDING. */
    public long rebindAtNanos() {
        return rebindAtNanos;
    }

    /** The lease ends: the address is removed. */
    public long expiresAtNanos() {
        return expiresAtNanos;
    }

    /** {@code "10.0.2.15/24"}. */
    public String cidr() {
        return Ipv4Addr.format(address) + "/" + prefixLength;
    }

    @Override
    public boolean equals(final Object o) {
        if (!(o instanceof Dhcp4Lease l)) {
            return false;
        }
        return address == l.address && prefixLength == l.prefixLength && serverId == l.serverId
                && Arrays.equals(routers, l.routers) && Arrays.equals(dns, l.dns)
                && java.util.Objects.equals(domain, l.domain) && searchDomains.equals(l.searchDomains) && mtu == l.mtu
                && leaseSeconds == l.leaseSeconds
                && startNanos == l.startNanos && renewAtNanos == l.renewAtNanos && rebindAtNanos == l.rebindAtNanos
                && expiresAtNanos == l.expiresAtNanos;
    }

    @Override
    public int hashCode() {
        return address * 31 + Long.hashCode(startNanos);
    }

    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder("lease ").append(cidr()).append(" from ")
                .append(Ipv4Addr.format(serverId));
        for (int r : routers) {
            sb.append(" router ").append(Ipv4Addr.format(r));
        }
        for (int d : dns) {
            sb.append(" dns ").append(Ipv4Addr.format(d));
        }
        if (domain != null) {
            sb.append(" domain ").append(domain);
        }
        if (!searchDomains.isEmpty()) {
            sb.append(" search ").append(String.join(",", searchDomains));
        }
        if (mtu != 0) {
            sb.append(" mtu ").append(mtu);
        }
        return sb.append(isInfinite() ? " infinite" : " " + leaseSeconds + "s").toString();
    }
}
