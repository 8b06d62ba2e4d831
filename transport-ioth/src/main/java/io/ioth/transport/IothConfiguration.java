package io.ioth.transport;

import io.ioth.tcpip.dhcp.Dhcp4Lease;
import io.ioth.tcpip.wire.MacAddr;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * What the stack of one event loop is configured with, at one moment: its MAC, its addresses, default gateways, name
 * servers and search domains, and the DHCPv4 lease, whatever configured them (the identity's static tokens, DHCPv4,
 * router advertisements, SLAAC, DHCPv6).
 *
 * <p>The first snapshot comes with {@link IothEventLoopGroup#configured()}, once every method the identity asks for is
 * done; later ones go to {@link Listener}s (leases renew, expire, are lost; RAs come and go):
 *
 * <pre>{@code
 * IothEventLoopGroup group = new IothEventLoopGroup("vnl=vde:///tmp/sw,eth,dhcp,fqdn=node7.lab.test");
 * IothConfiguration c = group.configured().get(30, TimeUnit.SECONDS);   // no sleeping: DHCP bound
 * System.out.println(c.ipv4Address() + " via " + c.gateways() + " dns " + c.dnsServers());
 * group.addConfigurationListener(group.next(), (before, now) -> log.info("now {}", now));
 * Channel ch = new Bootstrap().group(group).channel(IothSocketChannel.class)
 *         .resolver(group.resolver())                 // names resolved through this stack's DNS
 *         .handler(...).connect("appliance.lab.test", 80).sync().channel();
 * }</pre>
 *
 * <p>Immutable; thread-safe.
 */
public final class IothConfiguration {

    /** An address of the interface with its on-link prefix length. */
    public record Address(InetAddress address, int prefixLength) {
        public Address {
            Objects.requireNonNull(address, "address");
        }

        /** {@code 10.0.0.2/24}, {@code fd00::2/64}. */
        @Override
        public String toString() {
            return address.getHostAddress() + "/" + prefixLength;
        }
    }

    /** Told, on the loop of the stack, every time the configuration changes (see
     * {@link IothEventLoopGroup#addConfigurationListener}). */
    @FunctionalInterface
    public interface Listener {
        /**
         * The configuration changed (an address came or went, a lease was renewed or lost, name servers changed...).
         * Called on the event loop of the stack: a listener may use the stack but must not block.
         *
         * @param previous the snapshot before (never null)
         * @param current  the snapshot now
         */
        void configurationChanged(IothConfiguration previous, IothConfiguration current);
    }

    private final String interfaceName;
    private final long mac;
    private final String fqdn;
    private final List<Address> ipv4;
    private final List<Address> ipv6;
    private final InetAddress ipv6LinkLocal;
    private final List<InetAddress> gateways;
    private final List<InetAddress> dnsServers;
    private final List<String> searchDomains;
    private final Dhcp4Lease lease;
    private final boolean complete;

    IothConfiguration(final String interfaceName, final long mac, final String fqdn, final List<Address> ipv4,
                      final List<Address> ipv6, final InetAddress ipv6LinkLocal, final List<InetAddress> gateways,
                      final List<InetAddress> dnsServers, final List<String> searchDomains, final Dhcp4Lease lease,
                      final boolean complete) {
        this.interfaceName = interfaceName;
        this.mac = mac;
        this.fqdn = fqdn;
        this.ipv4 = List.copyOf(ipv4);
        this.ipv6 = List.copyOf(ipv6);
        this.ipv6LinkLocal = ipv6LinkLocal;
        this.gateways = List.copyOf(gateways);
        this.dnsServers = List.copyOf(dnsServers);
        this.searchDomains = List.copyOf(searchDomains);
        this.lease = lease;
        this.complete = complete;
    }

    /** The interface's name ({@code iface=}, default {@code vde0}). */
    public String interfaceName() {
        return interfaceName;
    }

    /** The interface's MAC (48 bits in a long). */
    public long mac() {
        return mac;
    }

    /** {@code 02:00:00:00:00:0b}. */
    public String macString() {
        return MacAddr.format(mac);
    }

    /** The identity's {@code fqdn=}, or null. */
    public String fqdn() {
        return fqdn;
    }

    /** The IPv4 addresses (static and leased), primary first. */
    public List<Address> ipv4Addresses() {
        return ipv4;
    }

    /** The first IPv4 address, or null. */
    public Inet4Address ipv4Address() {
        return ipv4.isEmpty() ? null : (Inet4Address) ipv4.get(0).address();
    }

    /**
     * The IPv6 addresses but the link-local one (static, SLAAC, DHCPv6), in the order the interface holds them:
     * usable ones and static ones still in Duplicate Address Detection (RFC 4862 §5.4); duplicated ones are left
     * out.
     */
    public List<Address> ipv6Addresses() {
        return ipv6;
    }

    /** The first of {@link #ipv6Addresses()}, or null. */
    public Inet6Address ipv6Address() {
        return ipv6.isEmpty() ? null : (Inet6Address) ipv6.get(0).address();
    }

    /** The link-local address ({@code fe80::/64}), or null when IPv6 is off. */
    public InetAddress ipv6LinkLocal() {
        return ipv6LinkLocal;
    }

    /** The default gateways in the order the routing table prefers them (IPv4 and IPv6). */
    public List<InetAddress> gateways() {
        return gateways;
    }

    /** The first IPv4 default gateway, or null. */
    public Inet4Address gateway4() {
        for (InetAddress g : gateways) {
            if (g instanceof Inet4Address a) {
                return a;
            }
        }
        return null;
    }

    /** The name servers: static ({@code dns=}) first, then DHCPv4's, then RDNSS and DHCPv6's; no duplicates. */
    public List<InetAddress> dnsServers() {
        return dnsServers;
    }

    /** The search domains: static ({@code domain=}) first, then DHCPv4's, then DNSSL and DHCPv6's; no duplicates. */
    public List<String> searchDomains() {
        return searchDomains;
    }

    /** The DHCPv4 lease in force, or null. Its times are in the stack's clock (the loop's ticker). */
    public Dhcp4Lease dhcp4Lease() {
        return lease;
    }

    /** The DHCPv4 lease time in seconds (RFC 2132 option 51; 0xffffffff = infinite), or 0 without a lease. */
    public long leaseSeconds() {
        return lease == null ? 0 : lease.leaseSeconds();
    }

    /**
     * Whether every method the identity asks for is done now: always for a static identity; a DHCPv4 lease held; IPv6
     * autoconfiguration configured. False again after a lease is lost, until a new one is bound.
     */
    public boolean complete() {
        return complete;
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof IothConfiguration c && mac == c.mac && complete == c.complete
                && interfaceName.equals(c.interfaceName) && Objects.equals(fqdn, c.fqdn) && ipv4.equals(c.ipv4)
                && ipv6.equals(c.ipv6) && Objects.equals(ipv6LinkLocal, c.ipv6LinkLocal)
                && gateways.equals(c.gateways) && dnsServers.equals(c.dnsServers)
                && searchDomains.equals(c.searchDomains) && Objects.equals(lease, c.lease);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mac, ipv4, ipv6, gateways, dnsServers);
    }

    /** {@code vde0 mac 02:.. ipv4 [10.0.0.2/24] ipv6 [] gw [10.0.0.1] dns [..] domains [..] lease 600s}. */
    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder(interfaceName).append(" mac ").append(macString());
        if (fqdn != null) {
            sb.append(" fqdn ").append(fqdn);
        }
        sb.append(" ipv4 ").append(ipv4).append(" ipv6 ").append(ipv6);
        sb.append(" gw ").append(hosts(gateways)).append(" dns ").append(hosts(dnsServers));
        sb.append(" domains ").append(searchDomains);
        if (lease != null) {
            sb.append(" lease ").append(lease.isInfinite() ? "infinite" : lease.leaseSeconds() + "s");
        }
        return sb.append(complete ? "" : " (incomplete)").toString();
    }

    private static String hosts(final List<InetAddress> l) {
        final StringBuilder sb = new StringBuilder("[");
        for (InetAddress a : l) {
            sb.append(sb.length() > 1 ? ", " : "").append(a.getHostAddress());
        }
        return sb.append(']').toString();
    }
}
