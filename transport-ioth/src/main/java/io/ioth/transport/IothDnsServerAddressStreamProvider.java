package io.ioth.transport;

import io.netty.resolver.dns.DnsServerAddressStream;
import io.netty.resolver.dns.DnsServerAddressStreamProvider;
import io.netty.resolver.dns.DnsServerAddresses;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The name servers of one IoTh event loop's stack, read from its <em>current</em> {@link IothConfiguration} at every
 * query: static {@code dns=} servers first, then those of the DHCPv4 lease, then RDNSS (RFC 8106) and DHCPv6's, so
 * that servers learned (or lost) after the resolver was built apply at once. Port 53 (RFC 1035 §4.2).
 *
 * <pre>{@code
 * DnsNameResolver r = new DnsNameResolverBuilder(loop).datagramChannelType(IothDatagramChannel.class)
 *         .nameServerProvider(IothDnsResolvers.nameServerProvider(loop)).build();
 * }</pre>
 *
 * <p>Without any name server, {@link #nameServerAddressStream} throws {@link IllegalStateException} (a resolution
 * fails with it). Thread-safe.
 */
public final class IothDnsServerAddressStreamProvider implements DnsServerAddressStreamProvider {
    /** RFC 1035 §4.2: "The DNS assumes that messages will be transmitted ... using port 53". */
    public static final int DNS_PORT = 53;

    private final IothConfigurator configurator;
    /** The last configuration read and the addresses made of it (configurations are immutable: compared by
     * identity, rebuilt only when the stack's configuration changed). */
    private volatile Cache cache;

    private record Cache(IothConfiguration configuration, DnsServerAddresses addresses) {
    }

    IothDnsServerAddressStreamProvider(final IothConfigurator configurator) {
        this.configurator = configurator;
    }

    /** The name servers now (empty if none is configured). */
    public List<InetSocketAddress> nameServers() {
        final IothConfiguration c = configurator.configuration();
        final List<InetSocketAddress> l = new ArrayList<>();
        if (c != null) {
            for (InetAddress a : c.dnsServers()) {
                l.add(new InetSocketAddress(a, DNS_PORT));
            }
        }
        return l;
    }

    @Override
    public DnsServerAddressStream nameServerAddressStream(final String hostname) {
        final IothConfiguration c = configurator.configuration();
        Cache k = cache;
        if (k == null || k.configuration != c) {
            final List<InetSocketAddress> l = nameServers();
            if (l.isEmpty()) {
                throw new IllegalStateException("no DNS server configured on identity '" + configurator.identity()
                        + "' (dns=, or one learned by dhcp, rd, dhcp6)");
            }
            k = new Cache(c, DnsServerAddresses.sequential(l)); // resolv.conf order: the first that answers
            cache = k;
        }
        return k.addresses.stream();
    }

    @Override
    public String toString() {
        return "IothDnsServerAddressStreamProvider(" + configurator.identity().describe() + ": " + nameServers() + ")";
    }
}
