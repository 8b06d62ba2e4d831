package io.ioth.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The baseline: Netty's NIO transport over the kernel's TCP on loopback (127.0.0.1). What a Netty
 * user gets without IoTh; every IoTh figure is compared with it in the same run.
 */
final class NioBenchTransport implements BenchTransport {
    // One thread: the server side of every benchmark is one connection, or a connect/close loop.
    private final MultiThreadIoEventLoopGroup serverGroup =
            new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    @Override
    public IoHandlerFactory clientIoHandlerFactory() {
        return NioIoHandler.newFactory();
    }

    @Override
    public ServerBootstrap serverBootstrap() {
        return new ServerBootstrap().group(serverGroup).channel(NioServerSocketChannel.class);
    }

    @Override
    public Bootstrap clientBootstrap(IoEventLoop loop) {
        return new Bootstrap().group(loop).channel(NioSocketChannel.class);
    }

    @Override
    public SocketAddress serverBindAddress() {
        return new InetSocketAddress("127.0.0.1", 0); // a literal: no resolver involved
    }

    @Override
    public void close() {
        serverGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
