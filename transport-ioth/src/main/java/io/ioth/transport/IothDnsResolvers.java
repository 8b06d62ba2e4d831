package io.ioth.transport;

import io.netty.channel.EventLoop;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.HostsFileEntriesResolver;
import io.netty.resolver.InetNameResolver;
import io.netty.resolver.InetSocketAddressResolver;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.FutureListener;
import io.netty.util.concurrent.Promise;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * DNS through an identity's own stack: Netty's {@link DnsNameResolver} over an {@link IothDatagramChannel} on the
 * identity's event loop, asking the name servers of its current {@link IothConfiguration} (static {@code dns=},
 * DHCPv4, RDNSS, DHCPv6; {@link IothDnsServerAddressStreamProvider}) with its search domains ({@code domain=}, DHCPv4
 * options 15/119, DNSSL, DHCPv6), as iothdns binds a resolver to a stack (anchors.md §1.1).
 *
 * <pre>{@code
 * IothEventLoopGroup group = new IothEventLoopGroup("vnl=vde:///tmp/sw,eth,dhcp");
 * group.configured().sync();
 * new Bootstrap().group(group).channel(IothSocketChannel.class)
 *         .resolver(group.resolver())                         // = IothDnsResolvers.newAddressResolverGroup()
 *         .handler(...).connect("appliance.lab.test", 80);
 * InetAddress a = IothDnsResolvers.resolve(group.next(), "appliance").get(10, TimeUnit.SECONDS);   // once (CLI)
 * }</pre>
 *
 * <h2>Behaviour</h2>
 * <ul>
 *   <li>Every bootstrap resolves on the loop of its channel, i.e. through the stack its channel will use: a group
 *       of several identities resolves each channel's names through that channel's identity.</li>
 *   <li>Name servers are read at each query: servers learned after the resolver was built (a lease, an RA) apply at
 *       once. When the search domains or the address families of the stack change, the next resolution builds a
 *       fresh {@link DnsNameResolver} (and so drops its cache).</li>
 *   <li>Address types follow the stack: only IPv4 addresses: A only; only global IPv6 addresses: AAAA only;
 *       both or none: A preferred, then AAAA.</li>
 *   <li>Nothing of the host is read: no {@code /etc/resolv.conf} ({@code ndots 1}, 5 s query timeout, the stack's
 *       servers and domains), and no {@code /etc/hosts} but {@code localhost} (the stack's loopback).</li>
 *   <li>A truncated UDP answer is asked again over TCP ({@link IothSocketChannel}, RFC 7766 §5).</li>
 *   <li>A name that needs a query fails with {@link UnknownHostException} when the stack has no name server.</li>
 * </ul>
 *
 * <p>Thread-safe: resolutions may be started from any thread; the resolver runs on the identity's loop.
 */
public final class IothDnsResolvers {
    /** resolv.conf's defaults (resolv.conf(5): ndots 1, timeout 5 s). */
    static final int NDOTS = 1;
    static final long QUERY_TIMEOUT_MILLIS = 5_000;

    /** {@code [::]:0}. */
    private static final InetSocketAddress DUAL_STACK_ANY = new InetSocketAddress(anyV6(), 0);

    private static InetAddress anyV6() {
        try {
            return InetAddress.getByAddress(new byte[16]); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // 16 bytes: cannot happen
        }
    }

    private IothDnsResolvers() {
    }

    /**
     * A new resolver group for {@code Bootstrap.resolver(...)}: on each IoTh event loop it resolves through that loop's
     * stack. Close it when done (an {@link IothEventLoopGroup#resolver()} is closed with its group).
     */
    public static AddressResolverGroup<InetSocketAddress> newAddressResolverGroup() {
        return newAddressResolverGroup(UnaryOperator.identity());
    }

    /**
     * As {@link #newAddressResolverGroup()}, each {@link DnsNameResolverBuilder} passed through {@code customizer}
     * after this class set it up (e.g. {@code b -> b.queryTimeoutMillis(1000).ttl(0, 60)}).
     */
    public static AddressResolverGroup<InetSocketAddress> newAddressResolverGroup(
            final UnaryOperator<DnsNameResolverBuilder> customizer) {
        Objects.requireNonNull(customizer, "customizer");
        return new AddressResolverGroup<>() {
            @Override
            protected AddressResolver<InetSocketAddress> newResolver(final EventExecutor executor) {
                final IothConfigurator c = configuratorOf(executor);
                return new InetSocketAddressResolver(executor, new StackNameResolver((EventLoop) executor, c,
                        customizer));
            }
        };
    }

    /**
     * A name resolver ({@link InetAddress}es) through the stack of {@code loop}, an IoTh event loop. Close it when
     * done.
     */
    public static InetNameResolver newNameResolver(final EventLoop loop) {
        return new StackNameResolver(loop, configuratorOf(loop), UnaryOperator.identity());
    }

    /**
     * Resolves {@code host} once through the stack of {@code loop} (an address literal is returned as is): for
     * command-line tools. The resolver is closed when the future completes.
     */
    public static Future<InetAddress> resolve(final EventLoop loop, final String host) {
        final InetNameResolver r = newNameResolver(loop);
        final Future<InetAddress> f = r.resolve(host);
        f.addListener((FutureListener<InetAddress>) done -> r.close());
        return f;
    }

    /** The name servers of {@code loop}'s stack, read at each query (for a {@link DnsNameResolverBuilder} of your
     * own). */
    public static IothDnsServerAddressStreamProvider nameServerProvider(final EventLoop loop) {
        return new IothDnsServerAddressStreamProvider(configuratorOf(loop));
    }

    static IothConfigurator configuratorOf(final EventExecutor executor) {
        final IothConfigurator c = IothConfigurator.of(executor);
        if (c == null || !(executor instanceof EventLoop)) {
            throw new IllegalArgumentException(executor + " is not a running IoTh event loop: names resolve through "
                    + "the stack of an IothEventLoopGroup's loop (use the IoTh group in the bootstrap)");
        }
        return c;
    }

    /** No host {@code /etc/hosts}: the stack's own {@code localhost} only. */
    private static final HostsFileEntriesResolver LOCALHOST_ONLY = (host, types) -> {
        if (!"localhost".equalsIgnoreCase(host) && !"localhost.".equalsIgnoreCase(host)) {
            return null;
        }
        return types == ResolvedAddressTypes.IPV6_ONLY || types == ResolvedAddressTypes.IPV6_PREFERRED
                ? NetUtil.LOCALHOST6 : NetUtil.LOCALHOST4;
    };

    /**
     * The resolver of one loop: a {@link DnsNameResolver} over the loop's stack, rebuilt when the search domains or
     * the address families of the stack's configuration change. Resolutions run on the loop.
     */
    static final class StackNameResolver extends InetNameResolver {
        private final EventLoop loop;
        private final IothConfigurator configurator;
        private final IothDnsServerAddressStreamProvider servers;
        private final UnaryOperator<DnsNameResolverBuilder> customizer;
        // loop thread only
        private DnsNameResolver delegate;
        private List<String> delegateDomains;
        private ResolvedAddressTypes delegateTypes;
        private boolean closed;

        StackNameResolver(final EventLoop loop, final IothConfigurator configurator,
                          final UnaryOperator<DnsNameResolverBuilder> customizer) {
            super(loop);
            this.loop = loop;
            this.configurator = configurator;
            this.servers = new IothDnsServerAddressStreamProvider(configurator);
            this.customizer = customizer;
        }

        @Override
        protected void doResolve(final String host, final Promise<InetAddress> promise) {
            if (!loop.inEventLoop()) {
                loop.execute(() -> doResolve(host, promise));
                return;
            }
            final DnsNameResolver r = delegate(host, promise);
            if (r != null) {
                r.resolve(host).addListener((FutureListener<InetAddress>) f -> {
                    if (f.isSuccess()) {
                        promise.trySuccess(f.getNow());
                    } else {
                        promise.tryFailure(f.cause());
                    }
                });
            }
        }

        @Override
        protected void doResolveAll(final String host, final Promise<List<InetAddress>> promise) {
            if (!loop.inEventLoop()) {
                loop.execute(() -> doResolveAll(host, promise));
                return;
            }
            final DnsNameResolver r = delegate(host, promise);
            if (r != null) {
                r.resolveAll(host).addListener((FutureListener<List<InetAddress>>) f -> {
                    if (f.isSuccess()) {
                        promise.trySuccess(f.getNow());
                    } else {
                        promise.tryFailure(f.cause());
                    }
                });
            }
        }

        /** The resolver for the current configuration, or null after failing {@code promise}. Loop thread. */
        private DnsNameResolver delegate(final String host, final Promise<?> promise) {
            if (closed) {
                promise.tryFailure(new IllegalStateException("resolver closed"));
                return null;
            }
            final IothConfiguration c = configurator.configuration();
            if (c == null) {
                promise.tryFailure(new UnknownHostException(host + ": the stack of identity '"
                        + configurator.identity() + "' is not running"));
                return null;
            }
            final boolean literal = NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host);
            final ResolvedAddressTypes types = types(c);
            if (!literal && LOCALHOST_ONLY.address(host, types) == null && c.dnsServers().isEmpty()) {
                promise.tryFailure(new UnknownHostException(host + ": no DNS server configured on identity '"
                        + configurator.identity() + "' (dns=, or one learned by dhcp, rd, dhcp6)"));
                return null;
            }
            if (delegate == null || !c.searchDomains().equals(delegateDomains) || types != delegateTypes) {
                if (delegate != null) {
                    delegate.close();
                }
                final DnsNameResolverBuilder b = new DnsNameResolverBuilder(loop)
                        .datagramChannelType(IothDatagramChannel.class)
                        // DnsNameResolverBuilder binds new InetSocketAddress(0), 0.0.0.0 in most JVMs: IPv4 only.
                        // "::" serves both families on an IothDatagramChannel (dual-stack, as Linux's default)
                        .localAddress(DUAL_STACK_ANY)
                        // a truncated answer (TC=1) is asked again over TCP, on the stack too (RFC 7766 §5)
                        .socketChannelType(IothSocketChannel.class)
                        .nameServerProvider(servers)
                        .searchDomains(c.searchDomains())
                        .ndots(NDOTS)
                        .queryTimeoutMillis(QUERY_TIMEOUT_MILLIS)
                        .resolvedAddressTypes(types)
                        .hostsFileEntriesResolver(LOCALHOST_ONLY);
                delegate = customizer.apply(b).build();
                delegateDomains = c.searchDomains();
                delegateTypes = types;
            }
            return delegate;
        }

        /** Ask for what the stack can reach. */
        private static ResolvedAddressTypes types(final IothConfiguration c) {
            final boolean v4 = !c.ipv4Addresses().isEmpty();
            final boolean v6 = !c.ipv6Addresses().isEmpty();
            if (v4 && !v6) {
                return ResolvedAddressTypes.IPV4_ONLY;
            }
            if (v6 && !v4) {
                return ResolvedAddressTypes.IPV6_ONLY;
            }
            return ResolvedAddressTypes.IPV4_PREFERRED;
        }

        @Override
        public void close() {
            if (!loop.inEventLoop()) {
                if (!loop.isShuttingDown()) {
                    loop.execute(this::close);
                }
                return;
            }
            closed = true;
            if (delegate != null) {
                delegate.close();
                delegate = null;
            }
        }

        @Override
        public String toString() {
            return "StackNameResolver(" + configurator.identity().describe() + ")";
        }
    }
}
