package io.ioth.examples.cli;

import io.ioth.transport.IothConfiguration;
import io.ioth.transport.IothEventLoopGroup;
import io.ioth.transport.IothIdentity;
import io.netty.channel.IoEventLoop;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Future;

import java.net.InetAddress;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** One identity brought up for a command: its group (one loop, one stack), configured (DHCP, SLAAC...) and ready. */
final class Node implements AutoCloseable {
    private final IothEventLoopGroup group;

    private Node(final IothEventLoopGroup group) {
        this.group = group;
    }

    /** Builds the identity's stack and waits (bounded) until its configuration methods are done. */
    static Node open(final String iothconf, final long configTimeoutNanos) throws Exception {
        final IothIdentity id = iothconf == null || iothconf.isBlank() ? IothIdentity.defaults()
                : IothIdentity.parse(iothconf);
        final IothEventLoopGroup group = new IothEventLoopGroup(id);
        try {
            final Future<IothConfiguration> f = group.configured();
            if (!f.await(configTimeoutNanos, TimeUnit.NANOSECONDS)) {
                throw new TimeoutException("not configured within " + TimeUnit.NANOSECONDS.toSeconds(
                        configTimeoutNanos) + " s (no DHCP server or router answered?): " + group.configuration());
            }
            if (!f.isSuccess()) {
                throw new IllegalStateException("configuration failed: " + Ioth.message(f.cause()), f.cause());
            }
            return new Node(group);
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            throw e;
        }
    }

    IothEventLoopGroup group() {
        return group;
    }

    IoEventLoop loop() {
        return (IoEventLoop) group.next();
    }

    /** {@code mac=… ipv4=a,b ipv6=c,d} (the serve command's ready line), from the current configuration. */
    String addressLine() {
        final IothConfiguration c = group.configuration();
        final StringBuilder v4 = new StringBuilder();
        for (IothConfiguration.Address a : c.ipv4Addresses()) {
            v4.append(v4.length() == 0 ? "" : ",").append(a.address().getHostAddress());
        }
        final StringBuilder v6 = new StringBuilder();
        for (IothConfiguration.Address a : c.ipv6Addresses()) {
            if (!a.address().isLinkLocalAddress()) {
                v6.append(v6.length() == 0 ? "" : ",").append(NetUtil.toAddressString(a.address()));
            }
        }
        return "mac=" + c.macString() + " ipv4=" + v4 + " ipv6=" + v6;
    }

    /** An address literal, or a name resolved by DNS through this stack. */
    InetAddress resolve(final String host) throws Exception {
        final String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        final Future<InetAddress> f = group.resolve(h);
        if (!f.await(15, TimeUnit.SECONDS)) {
            throw new TimeoutException("resolving " + host + " through the stack timed out");
        }
        if (!f.isSuccess()) {
            throw new ExecutionException("cannot resolve " + host + ": " + Ioth.message(f.cause()), f.cause());
        }
        return f.getNow();
    }

    /** Shuts the stack down: connections closed, DHCP lease released, the plug closed. */
    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
