package io.ioth.examples;

import io.ioth.examples.http.ApplianceHttpHandler;
import io.ioth.examples.http.EchoHandlers;
import io.ioth.transport.IothDatagramChannel;
import io.ioth.transport.IothServerSocketChannel;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.stream.ChunkedWriteHandler;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The paper's Net Appliance as a Netty program: an HTTP service ({@link ApplianceHttpHandler}) and the RFC 862 echo
 * service over TCP and UDP, all on one IoTh event loop group, i.e. on one network identity.
 *
 * <pre>{@code
 * EventLoopGroup group = new IothEventLoopGroup("vnl=vde:///tmp/sw,eth,dhcp");
 * try (NetAppliance app = NetAppliance.start(group, 80, 7, () -> "hello", System.err::println)) { ... }
 * }</pre>
 */
public final class NetAppliance implements AutoCloseable {
    private final List<Channel> channels;

    private NetAppliance(final List<Channel> channels) {
        this.channels = channels;
    }

    /**
     * Binds HTTP on {@code httpPort} and echo on {@code echoPort} (TCP and UDP) of every address of the group's stack;
     * a port of 0 leaves that service off.
     */
    public static NetAppliance start(final EventLoopGroup group, final int httpPort, final int echoPort,
                                     final Supplier<String> summary, final Consumer<String> log)
            throws InterruptedException {
        final List<Channel> bound = new ArrayList<>();
        try {
            if (httpPort > 0) {
                bound.add(new ServerBootstrap().group(group).channel(IothServerSocketChannel.class)
                        .option(ChannelOption.SO_BACKLOG, 128)
                        .childHandler(new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(final SocketChannel ch) {
                                ch.pipeline().addLast(new HttpServerCodec(), new ChunkedWriteHandler(),
                                        new ApplianceHttpHandler(summary, log));
                            }
                        }).bind(httpPort).sync().channel());
            }
            if (echoPort > 0) {
                bound.add(new ServerBootstrap().group(group).channel(IothServerSocketChannel.class)
                        .childHandler(new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(final SocketChannel ch) {
                                ch.pipeline().addLast(new EchoHandlers.Tcp());
                            }
                        }).bind(echoPort).sync().channel());
                bound.add(new Bootstrap().group(group).channel(IothDatagramChannel.class)
                        .handler(new EchoHandlers.Udp()).bind(echoPort).sync().channel());
            }
        } catch (InterruptedException | RuntimeException e) {
            new NetAppliance(bound).close();
            throw e;
        }
        return new NetAppliance(bound);
    }

    /** The listening channels (HTTP first). */
    public List<Channel> channels() {
        return channels;
    }

    /** Closes the listeners (connections already accepted stay until their peers or the group close them). */
    @Override
    public void close() {
        for (Channel c : channels) {
            c.close().awaitUninterruptibly();
        }
    }
}
