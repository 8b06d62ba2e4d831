package io.ioth.transport;

import io.ioth.tcpip.Stack;
import io.ioth.tcpip.dhcp.Dhcp4Server;
import io.ioth.tcpip.dhcp.Dhcp4ServerConfig;
import io.ioth.tcpip.stats.StackStats;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ThreadPerTaskExecutor;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;

/**
 * The one-line swap: an event loop group whose every loop runs its own user-space TCP/IP stack with a network
 * identity of its own.
 *
 * <pre>{@code
 * // before: EventLoopGroup group = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
 * EventLoopGroup group = new IothEventLoopGroup("vnl=vde:///tmp/sw,eth,ip=10.0.0.2/24,gw=10.0.0.1");
 * new Bootstrap().group(group).channel(IothDatagramChannel.class)   // and the channel class
 *         .handler(...).bind(5000).sync();
 * }</pre>
 *
 * <h2>Threading model: one stack per event loop</h2>
 * <ul>
 *   <li>Each loop of the group owns one stack (an {@link IothIoHandler}) and the VDE plug of its interface; only
 *       that loop's thread touches them. There are no locks on the data path and no hand-off per frame.</li>
 *   <li>The group defaults to <b>one</b> loop, i.e. one stack: one identity = one address on the wire. A group of
 *       several loops takes one identity per loop ({@link #IothEventLoopGroup(IothIdentity...)}), each with its own
 *       MAC and addresses; an identity that fixes a MAC or an address is never used for two stacks.</li>
 *   <li>A channel lives on the loop of the stack that holds its socket. A channel's {@code isCompatible} refuses any
 *       other loop once it has a socket, and this group's {@link #register(Channel)} sends a channel that already
 *       belongs to one of its stacks (an accepted TCP child, see {@link IothServerSocketChannel}) to that stack's loop instead of the next one
 *       round-robin. A {@code ServerBootstrap} should therefore use the same group for parent and children.</li>
 *   <li>Two bootstraps with two groups of different identities (different VDE networks, different addresses) live
 *       side by side in one JVM, each stack on its own thread.</li>
 * </ul>
 *
 * <h2>Configuration and names</h2>
 * An identity may configure itself (DHCPv4, IPv6 router discovery, SLAAC, DHCPv6; see {@link IothIdentity}):
 * {@link #configured()} completes, on the loop, once every method it asks for is done (at once for a static
 * identity), with an {@link IothConfiguration} snapshot; {@link #addConfigurationListener} hears later changes
 * (renewals, lost leases, router advertisements). {@link #resolver()} resolves host names through each stack's own
 * DNS ({@link IothDnsResolvers}).
 *
 * <pre>{@code
 * IothEventLoopGroup group = new IothEventLoopGroup("vnl=vde:///tmp/sw,eth,dhcp,fqdn=node7.lab.test");
 * IothConfiguration c = group.configured().get(30, TimeUnit.SECONDS);   // bound: no sleep(2000)
 * new Bootstrap().group(group).channel(IothSocketChannel.class).resolver(group.resolver())
 *         .handler(...).connect("appliance.lab.test", 80);
 * }</pre>
 *
 * <p>Thread-safe (as every {@code EventLoopGroup}).
 */
public class IothEventLoopGroup extends MultiThreadIoEventLoopGroup {
    private final IothIoHandler.Factory factory;
    /** Created by the first {@link #resolver()} call; closed when the group terminates. */
    private volatile AddressResolverGroup<InetSocketAddress> resolver;

    /** One loop on the embedded switch {@code switch://default}, random MAC, no address but loopback. */
    public IothEventLoopGroup() {
        this(IothIdentity.defaults());
    }

    /** One loop, one stack of the identity written as an iothconf string (see {@link IothIdentity}). */
    public IothEventLoopGroup(final String iothconf) {
        this(IothIdentity.parse(iothconf));
    }

    /** One loop, one stack of {@code identity}. */
    public IothEventLoopGroup(final IothIdentity identity) {
        this(IothIoHandler.newFactory(new IothIdentity[]{identity}), null);
    }

    /** One loop per identity, in order: loop {@code i} runs the stack of {@code identities[i]}. */
    public IothEventLoopGroup(final IothIdentity... identities) {
        this(IothIoHandler.newFactory(identities), null);
    }

    /** One loop of {@code identity}, its thread made by {@code threadFactory}. */
    public IothEventLoopGroup(final ThreadFactory threadFactory, final IothIdentity identity) {
        this(IothIoHandler.newFactory(new IothIdentity[]{identity}),
                new ThreadPerTaskExecutor(Objects.requireNonNull(threadFactory, "threadFactory")));
    }

    private IothEventLoopGroup(final IothIoHandler.Factory factory, final Executor executor) {
        super(factory.identities().length, executor, factory);
        this.factory = factory;
        bringUp();
    }

    /**
     * Starts every loop and waits until its stack is on the wire: an identity answers ARP and ping (and announces
     * its addresses) as soon as the group exists, not from its first channel on. A loop of a plain
     * {@code MultiThreadIoEventLoopGroup} starts with its first task or registration, as any Netty loop.
     */
    private void bringUp() {
        final List<Future<?>> up = new ArrayList<>();
        for (EventExecutor e : this) {
            final IothIoHandler h = factory.handlerOf(e);
            up.add(e.submit(() -> {
                if (h != null && h.stack() == null) {
                    throw new IllegalStateException("the stack of identity '" + h.identity() + "' could not be built",
                            h.stackFailure());
                }
            }));
        }
        for (Future<?> f : up) {
            if (!f.awaitUninterruptibly(30, TimeUnit.SECONDS) || !f.isSuccess()) {
                shutdownGracefully(0, 0, TimeUnit.SECONDS);
                throw new IllegalStateException("failed to bring up " + this, f.cause());
            }
        }
    }

    /** The identities, one per loop, in loop order. */
    public List<IothIdentity> identities() {
        return List.of(factory.identities());
    }

    /**
     * The stack of {@code loop} (a loop of this group). Owner-thread contract: call its methods on {@code loop}
     * only (e.g. {@code loop.submit(() -> group.stack(loop).routes().toString())}), except {@link Stack#stats()}.
     * Null once the loop has shut down.
     */
    public Stack stack(final EventLoop loop) {
        final IothIoHandler h = factory.handlerOf(loop);
        return h == null ? null : h.stack();
    }

    /** The counters of {@code loop}'s stack (any thread), or null. */
    public StackStats stats(final EventLoop loop) {
        final Stack s = stack(loop);
        return s == null ? null : s.stats();
    }

    // ---------------------------------------------------------------- configuration (issue 6)

    /**
     * Completes once every configuration method of the identity of the group's first (usually only) loop is done:
     * at once for a static identity; {@code dhcp}: a lease bound; {@code slaac}: a global address usable after DAD;
     * {@code dhcp6}: bound; {@code rd}: a router advertisement heard (or the solicitations given up). Fails if the
     * loop shuts down first. Its listeners run on that loop.
     */
    public Future<IothConfiguration> configured() {
        return configured(firstLoop());
    }

    /** {@link #configured()} for {@code loop}, a loop of this group. */
    public Future<IothConfiguration> configured(final EventLoop loop) {
        return configurator(loop).configured();
    }

    /** The current configuration of {@code loop}'s stack (any thread), or null before its stack exists. */
    public IothConfiguration configuration(final EventLoop loop) {
        return configurator(loop).configuration();
    }

    /** The current configuration of the first loop's stack. */
    public IothConfiguration configuration() {
        return configuration(firstLoop());
    }

    /** Tells {@code listener}, on {@code loop}, every later change of {@code loop}'s configuration. */
    public void addConfigurationListener(final EventLoop loop, final IothConfiguration.Listener listener) {
        configurator(loop).addListener(listener);
    }

    public void removeConfigurationListener(final EventLoop loop, final IothConfiguration.Listener listener) {
        configurator(loop).removeListener(listener);
    }

    /**
     * The resolver group of this group's stacks, for {@code Bootstrap.resolver(...)}: a channel's host names are
     * resolved by DNS through the stack of the channel's own loop, with that identity's name servers and search
     * domains ({@link IothDnsResolvers}). Closed when the group terminates.
     */
    public AddressResolverGroup<InetSocketAddress> resolver() {
        AddressResolverGroup<InetSocketAddress> r = resolver;
        if (r == null) {
            synchronized (this) {
                r = resolver;
                if (r == null) {
                    r = IothDnsResolvers.newAddressResolverGroup();
                    resolver = r;
                    final AddressResolverGroup<InetSocketAddress> toClose = r;
                    terminationFuture().addListener(f -> toClose.close());
                }
            }
        }
        return r;
    }

    /** Resolves {@code host} once through the first loop's stack (an address literal is returned as is). */
    public Future<InetAddress> resolve(final String host) {
        return IothDnsResolvers.resolve(firstLoop(), host);
    }

    /**
     * Runs a DHCPv4 server on the interface of {@code loop}'s identity (which needs a static address in the pool's
     * subnet); it stops when the loop shuts down. The server's methods are for that loop's thread only.
     */
    public Future<Dhcp4Server> startDhcpServer(final EventLoop loop, final Dhcp4ServerConfig config) {
        final IothConfigurator c = configurator(loop);
        Objects.requireNonNull(config, "config");
        return loop.submit(() -> c.startDhcpServer(config));
    }

    /** {@link #startDhcpServer(EventLoop, Dhcp4ServerConfig)} on the first loop. */
    public Future<Dhcp4Server> startDhcpServer(final Dhcp4ServerConfig config) {
        return startDhcpServer(firstLoop(), config);
    }

    private EventLoop firstLoop() {
        return (EventLoop) iterator().next();
    }

    private IothConfigurator configurator(final EventLoop loop) {
        final IothIoHandler h = factory.handlerOf(Objects.requireNonNull(loop, "loop"));
        if (h == null) {
            throw new IllegalArgumentException(loop + " is not a running loop of " + this);
        }
        return h.configurator();
    }

    /** Whether {@code loop} is one of this group's loops. */
    public boolean owns(final EventLoop loop) {
        return factory.handlerOf(loop) != null;
    }

    @Override
    public ChannelFuture register(final Channel channel) {
        final EventLoop home = homeOf(channel);
        return home != null ? home.register(channel) : super.register(channel);
    }

    @Override
    public ChannelFuture register(final ChannelPromise promise) {
        final EventLoop home = homeOf(promise.channel());
        return home != null ? home.register(promise) : super.register(promise);
    }

    @Override
    @Deprecated
    public ChannelFuture register(final Channel channel, final ChannelPromise promise) {
        final EventLoop home = homeOf(channel);
        return home != null ? home.register(channel, promise) : super.register(channel, promise);
    }

    /** The loop whose stack already holds {@code channel}'s socket, if it is one of ours. */
    private EventLoop homeOf(final Channel channel) {
        if (channel instanceof AbstractIothChannel c) {
            final EventLoop home = c.homeLoop();
            if (home != null && owns(home)) {
                return home;
            }
        }
        return null;
    }
}
