package io.ioth.tcpip.dhcp;

import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.MacAddr;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings of a {@link Dhcp4Server}: the pool, the lease time, the options handed out, static reservations.
 *
 * <pre>{@code
 * Dhcp4ServerConfig c = Dhcp4ServerConfig.builder()
 *         .pool("10.0.0.100", "10.0.0.199").leaseSeconds(600)
 *         .router("10.0.0.1").dns("10.0.0.1").domain("lab")
 *         .reserve("02:00:00:00:00:42", "10.0.0.42")
 *         .build();
 * }</pre>
 *
 * <p>Immutable; thread-safe.
 */
public final class Dhcp4ServerConfig {
    private static final long SEC = 1_000_000_000L;

    final int serverAddress;
    final int poolStart;
    final int poolEnd;
    final int prefixLength;
    final long leaseSeconds;
    final long renewalSeconds;
    final long rebindingSeconds;
    final int[] routers;
    final int[] dns;
    final String domain;
    final List<String> searchDomains;
    final int mtu;
    final Map<Long, Integer> reservations;
    final long offerHoldNanos;
    final long declineHoldNanos;
    final long probeNanos;
    final boolean authoritative;
    final boolean arpAware;

    private Dhcp4ServerConfig(final Builder b) {
        serverAddress = b.serverAddress;
        poolStart = b.poolStart;
        poolEnd = b.poolEnd;
        prefixLength = b.prefixLength;
        leaseSeconds = b.leaseSeconds;
        renewalSeconds = b.renewalSeconds;
        rebindingSeconds = b.rebindingSeconds;
        routers = Arrays.copyOf(b.routers, b.routerCount);
        dns = Arrays.copyOf(b.dns, b.dnsCount);
        domain = b.domain;
        searchDomains = b.searchDomains;
        mtu = b.mtu;
        reservations = Map.copyOf(b.reservations);
        offerHoldNanos = b.offerHoldNanos;
        declineHoldNanos = b.declineHoldNanos;
        probeNanos = b.probeNanos;
        authoritative = b.authoritative;
        arpAware = b.arpAware;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int poolStart() {
        return poolStart;
    }

    public int poolEnd() {
        return poolEnd;
    }

    public long leaseSeconds() {
        return leaseSeconds;
    }

    /** Not thread-safe. */
    public static final class Builder {
        private int serverAddress;
        private int poolStart;
        private int poolEnd;
        private int prefixLength = -1;
        private long leaseSeconds = 3600;
        private long renewalSeconds = -1;
        private long rebindingSeconds = -1;
        private final int[] routers = new int[Dhcp4Repr.MAX_ADDRS];
        private int routerCount;
        private final int[] dns = new int[Dhcp4Repr.MAX_ADDRS];
        private int dnsCount;
        private String domain;
        private List<String> searchDomains;
        private int mtu;
        private final Map<Long, Integer> reservations = new LinkedHashMap<>();
        private long offerHoldNanos = 30 * SEC;
        private long declineHoldNanos = 600 * SEC;
        private long probeNanos = SEC / 2;
        private boolean authoritative = true;
        private boolean arpAware = true;

        private Builder() {
        }

        /** The server identifier and source address; default: the interface's first IPv4 address. */
        public Builder serverAddress(final String v) {
            serverAddress = Ipv4Addr.parse(v);
            return this;
        }

        /** The dynamic range, inclusive (required). */
        public Builder pool(final String first, final String last) {
            poolStart = Ipv4Addr.parse(first);
            poolEnd = Ipv4Addr.parse(last);
            if (Integer.compareUnsigned(poolStart, poolEnd) > 0) {
                throw new IllegalArgumentException("pool start after pool end: " + first + " > " + last);
            }
            return this;
        }

        /** The subnet mask handed out (option 1); default: the server address's prefix on the interface. */
        public Builder prefixLength(final int v) {
            if (v < 0 || v > 30) {
                throw new IllegalArgumentException("prefix length 0..30: " + v);
            }
            prefixLength = v;
            return this;
        }

        /** Option 51 (default 3600 s); {@link Dhcp4Repr#INFINITE} for an infinite lease. */
        public Builder leaseSeconds(final long v) {
            if (v <= 0 || v > Dhcp4Repr.INFINITE) {
                throw new IllegalArgumentException("lease seconds 1..0xffffffff: " + v);
            }
            leaseSeconds = v;
            return this;
        }

        /** Options 58/59 (RFC 2132 §9.11, §9.12); default: absent (the client uses 0.5 and 0.875 of the lease). */
        public Builder renewalTimes(final long t1Seconds, final long t2Seconds) {
            if (t1Seconds <= 0 || t2Seconds <= t1Seconds) {
                throw new IllegalArgumentException("0 < T1 < T2 required");
            }
            renewalSeconds = t1Seconds;
            rebindingSeconds = t2Seconds;
            return this;
        }

        /** Adds a router (option 3). */
        public Builder router(final String v) {
            if (routerCount == routers.length) {
                throw new IllegalArgumentException("too many routers");
            }
            routers[routerCount++] = Ipv4Addr.parse(v);
            return this;
        }

        /** Adds a DNS server (option 6). */
        public Builder dns(final String v) {
            if (dnsCount == dns.length) {
                throw new IllegalArgumentException("too many DNS servers");
            }
            dns[dnsCount++] = Ipv4Addr.parse(v);
            return this;
        }

        /** Option 15. */
        public Builder domain(final String v) {
            if (v != null && (v.isEmpty() || v.length() > 255)) {
                throw new IllegalArgumentException("domain: 1..255 characters");
            }
            domain = v;
            return this;
        }

        /** Option 119, the DNS search list (RFC 3397), sent compressed; none by default. */
        public Builder searchDomains(final String... names) {
            final List<String> l = List.of(names);
            Dhcp4Repr.encodeSearchList(l); // refuses bad labels and names now, not in a reply
            searchDomains = l.isEmpty() ? null : l;
            return this;
        }

        /** Option 26 (0 = absent). */
        public Builder mtu(final int v) {
            if (v != 0 && (v < 68 || v > 65535)) {
                throw new IllegalArgumentException("MTU 68..65535: " + v);
            }
            mtu = v;
            return this;
        }

        /** A static reservation: this MAC always gets this address (it need not be in the pool). */
        public Builder reserve(final String mac, final String addr) {
            reservations.put(MacAddr.parse(mac), Ipv4Addr.parse(addr));
            return this;
        }

        /** How long an offered address stays set aside for the client (default 30 s). */
        public Builder offerHold(final long nanos) {
            offerHoldNanos = nanos;
            return this;
        }

        /** How long a declined address is not offered (RFC 2131 §4.3.3 "mark the network address as not
         * available"; default 10 min, as dnsmasq). */
        public Builder declineHold(final long nanos) {
            declineHoldNanos = nanos;
            return this;
        }

        /**
         * How long to wait for an answer to the ICMP echo request that probes an address before it is first offered
         * (RFC 2131 §3.1 step 2, §4.4.1 "the server SHOULD probe the reused address before allocating the address,
         * e.g., with an ICMP echo request"; dnsmasq pings too). Default 500 ms: a host on the same virtual LAN answers
         * in milliseconds, and the client retransmits its DHCPDISCOVER only after 4 s. 0: offer without probing.
         */
        public Builder probe(final long nanos) {
            if (nanos < 0) {
                throw new IllegalArgumentException("probe wait: " + nanos);
            }
            probeNanos = nanos;
            return this;
        }

        /** Authoritative (default): NAK requests for addresses that are wrong for this network or taken
         * (RFC 2131 §4.3.2); otherwise stay silent about clients it has no record of. */
        public Builder authoritative(final boolean v) {
            authoritative = v;
            return this;
        }

        /** Skip pool addresses the interface's ARP cache shows in use by another MAC (default on). */
        public Builder arpAware(final boolean v) {
            arpAware = v;
            return this;
        }

        public Dhcp4ServerConfig build() {
            if (poolStart == 0 || poolEnd == 0) {
                throw new IllegalArgumentException("a pool is required");
            }
            return new Dhcp4ServerConfig(this);
        }
    }
}
