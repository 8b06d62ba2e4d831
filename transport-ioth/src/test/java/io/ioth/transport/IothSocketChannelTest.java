package io.ioth.transport;

import io.ioth.tcpip.socket.tcp.TcpInfo;
import io.ioth.tcpip.socket.tcp.TcpState;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link IothSocketChannel} / {@link IothServerSocketChannel} between two stacks (two groups, two loop threads) on
 * an embedded switch: the "S" topology that Netty's testsuite subclasses also use, here with the checks the testsuite
 * does not make (error types for each engine result, back-pressure down to the TCP window, TCP_INFO, loop affinity
 * of accepted children).
 */
class IothSocketChannelTest {
    private static IothEventLoopGroup a;
    private static IothEventLoopGroup b;
    private static final InetSocketAddress A = new InetSocketAddress("10.252.0.1", 0);

    @BeforeAll
    static void groups() {
        final String sw = "vnl=" + Nets.uniqueSwitch() + ",eth";
        a = new IothEventLoopGroup(sw + ",ip=10.252.0.1/24");
        b = new IothEventLoopGroup(sw + ",ip=10.252.0.2/24");
    }

    @AfterAll
    static void shutdown() throws InterruptedException {
        Nets.shutdown(a, b);
    }

    private static Channel server(final ChannelInboundHandlerAdapter childHandler) throws InterruptedException {
        return new ServerBootstrap().group(a).channel(IothServerSocketChannel.class)
                .childHandler(childHandler).bind(A).sync().channel();
    }

    /** Discards what it reads and counts it. */
    private static final class Sink extends ChannelInboundHandlerAdapter {
        final AtomicLong bytes = new AtomicLong();

        @Override
        public boolean isSharable() {
            return true;
        }

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg) {
            bytes.addAndGet(((ByteBuf) msg).readableBytes());
            ReferenceCountUtil.release(msg);
        }
    }

    @Test
    void bulkTransferBetweenStacksWithTcpInfo() throws Exception {
        final Sink sink = new Sink();
        final Channel sc = server(sink);
        final Channel cc = new Bootstrap().group(b).channel(IothSocketChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).connect(sc.localAddress()).sync().channel();
        try {
            final int total = Integer.getInteger("bulk.bytes", 16 * 1024 * 1024);
            final long start = System.nanoTime();
            writeAll(cc, total, 64 * 1024);
            Nets.awaitTrue(() -> sink.bytes.get() == total, () -> "received " + sink.bytes.get() + " of " + total);
            final double secs = (System.nanoTime() - start) / 1e9;
            final TcpInfo info = cc.config().getOption(IothChannelOption.TCP_INFO);
            System.out.printf("%d MiB between two stacks: %.2f s, %.1f MB/s; %s retransmitted, rto timeouts %d%n",
                    total >> 20, secs, total / secs / 1e6, info.bytesRetrans, info.rtoTimeouts);
            assertEquals(TcpState.ESTABLISHED, info.state);
            assertTrue(info.bytesAcked >= total, "acked " + info.bytesAcked);
            assertEquals(new InetSocketAddress("10.252.0.2", ((InetSocketAddress) cc.localAddress()).getPort()),
                    cc.localAddress());
            assertEquals(sc.localAddress(), cc.remoteAddress());
        } finally {
            cc.close().sync();
            sc.close().sync();
        }
    }

    /** Writes {@code total} bytes in chunks, respecting writability (as a well-behaved Netty producer). */
    private static void writeAll(final Channel ch, final int total, final int chunk) throws Exception {
        final CountDownLatch done = new CountDownLatch(1);
        final int[] written = new int[1];
        final Runnable more = () -> {
            while (ch.isWritable() && written[0] < total) {
                final int n = Math.min(chunk, total - written[0]);
                written[0] += n;
                ch.write(ch.alloc().directBuffer(n).writeZero(n));
            }
            ch.flush();
            if (written[0] == total) {
                done.countDown();
            }
        };
        ch.eventLoop().execute(() -> {
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelWritabilityChanged(final ChannelHandlerContext ctx) {
                    if (ctx.channel().isWritable()) {
                        more.run();
                    }
                }
            });
            more.run();
        });
        assertTrue(done.await(60, TimeUnit.SECONDS), "everything written");
    }

    @Test
    void autoReadOffClosesTheWindowAndTheSenderBecomesUnwritable() throws Exception {
        final AtomicReference<Channel> child = new AtomicReference<>();
        final Sink sink = new Sink();
        final Channel sc = new ServerBootstrap().group(a).channel(IothServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.SO_RCVBUF, 64 * 1024)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(final Channel ch) {
                        child.set(ch);
                        ch.pipeline().addLast(sink);
                    }
                }).bind(A).sync().channel();
        final Channel cc = new Bootstrap().group(b).channel(IothSocketChannel.class)
                .option(ChannelOption.SO_SNDBUF, 64 * 1024)
                .handler(new ChannelInboundHandlerAdapter()).connect(sc.localAddress()).sync().channel();
        try {
            // 1 MiB offered, the receiver reads nothing: the window closes, the sender's socket fills, the rest waits
            // in Netty's outbound buffer and the channel turns unwritable
            final ByteBuf big = cc.alloc().directBuffer(1 << 20).writeZero(1 << 20);
            final ChannelFuture w = cc.writeAndFlush(big);
            Nets.awaitTrue(() -> !cc.isWritable(), "client unwritable");
            Nets.awaitTrue(() -> {
                final TcpInfo i = ((IothSocketChannel) child.get()).tcpInfo();
                return i.receiveWindow == 0 && i.receiveQueued >= 60 * 1024;
            }, () -> "receive window closed: " + ((IothSocketChannel) child.get()).tcpInfo().receiveWindow);
            assertEquals(0, sink.bytes.get(), "nothing read while autoRead is off");
            assertFalse(w.isDone());
            child.get().config().setAutoRead(true);
            w.sync();
            Nets.awaitTrue(() -> sink.bytes.get() == 1 << 20, () -> "read " + sink.bytes.get());
            Nets.awaitTrue(cc::isWritable, "writable again");
        } finally {
            cc.close().sync();
            sc.close().sync();
        }
    }

    @Test
    void errorsAreTheJdkExceptionTypes() throws Exception {
        // refused: nothing listens on that port of stack A (RST)
        final ChannelFuture refused = new Bootstrap().group(b).channel(IothSocketChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).connect("10.252.0.1", 4).awaitUninterruptibly();
        assertInstanceOf(ConnectException.class, refused.cause(), String.valueOf(refused.cause()));
        assertTrue(refused.cause().getMessage().contains("10.252.0.1"), refused.cause().getMessage());

        // unreachable: no route (stack B has no gateway)
        final ChannelFuture noRoute = new Bootstrap().group(b).channel(IothSocketChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).connect("192.0.2.1", 80).awaitUninterruptibly();
        assertInstanceOf(NoRouteToHostException.class, noRoute.cause(), String.valueOf(noRoute.cause()));

        // in use: a second listener on the same address and port
        final Channel sc = server(new ChannelInboundHandlerAdapter());
        try {
            final ChannelFuture dup = new ServerBootstrap().group(a).channel(IothServerSocketChannel.class)
                    .childHandler(new ChannelInboundHandlerAdapter()).bind(sc.localAddress()).awaitUninterruptibly();
            assertInstanceOf(BindException.class, dup.cause(), String.valueOf(dup.cause()));
            // not a local address
            final ChannelFuture foreign = new ServerBootstrap().group(a).channel(IothServerSocketChannel.class)
                    .childHandler(new ChannelInboundHandlerAdapter()).bind("10.252.0.2", 0).awaitUninterruptibly();
            assertInstanceOf(BindException.class, foreign.cause(), String.valueOf(foreign.cause()));
        } finally {
            sc.close().sync();
        }
    }

    @Test
    void connectTimeoutToASilentHost() throws Exception {
        // 10.252.0.9 is on-link but nobody answers ARP: the SYN never leaves, CONNECT_TIMEOUT_MILLIS fires
        final long start = System.nanoTime();
        final ChannelFuture f = new Bootstrap().group(b).channel(IothSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 300)
                .handler(new ChannelInboundHandlerAdapter()).connect("10.252.0.9", 80).awaitUninterruptibly();
        assertInstanceOf(io.netty.channel.ConnectTimeoutException.class, f.cause(), String.valueOf(f.cause()));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3));
        assertTrue(f.channel().closeFuture().await(5, TimeUnit.SECONDS));
    }

    @Test
    void rstFromThePeerIsConnectionResetAndHalfClosureIsAnEvent() throws Exception {
        final BlockingQueue<Object> serverEvents = new LinkedBlockingQueue<>();
        final Channel sc = new ServerBootstrap().group(a).channel(IothServerSocketChannel.class)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public boolean isSharable() {
                        return true;
                    }

                    @Override
                    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt) {
                        serverEvents.add(evt);
                        if (evt == ChannelInputShutdownEvent.INSTANCE) {
                            // the input is done, the output is not: answer, then close
                            ctx.writeAndFlush(ctx.alloc().buffer().writeBytes("bye".getBytes()))
                                    .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
                        }
                    }
                }).bind(A).sync().channel();
        final BlockingQueue<Object> clientSaw = new LinkedBlockingQueue<>();
        final ChannelInboundHandlerAdapter recorder = new ChannelInboundHandlerAdapter() {
            @Override
            public boolean isSharable() {
                return true;
            }

            @Override
            public void channelRead(final ChannelHandlerContext ctx, final Object msg) {
                clientSaw.add(((ByteBuf) msg).toString(io.netty.util.CharsetUtil.US_ASCII));
                ReferenceCountUtil.release(msg);
            }

            @Override
            public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
                clientSaw.add(cause);
            }

            @Override
            public void channelInactive(final ChannelHandlerContext ctx) {
                clientSaw.add("inactive");
            }
        };
        try {
            // half-closure: the client shuts its output down, the server sees the event, answers and closes
            final SocketChannel c1 = (SocketChannel) new Bootstrap().group(b).channel(IothSocketChannel.class)
                    .handler(recorder).connect(sc.localAddress()).sync().channel();
            c1.shutdownOutput().sync();
            assertTrue(c1.isOutputShutdown());
            assertEquals(ChannelInputShutdownEvent.INSTANCE, serverEvents.poll(10, TimeUnit.SECONDS));
            assertEquals("bye", clientSaw.poll(10, TimeUnit.SECONDS));
            assertEquals("inactive", clientSaw.poll(10, TimeUnit.SECONDS)); // the server's FIN closes the client
            assertNull(clientSaw.poll(100, TimeUnit.MILLISECONDS), "no exception on a clean close");

            // SO_LINGER=0: the client's close is an RST; with data the server's peer reads "Connection reset"
            final AtomicReference<Throwable> serverError = new AtomicReference<>();
            final CountDownLatch childClosed = new CountDownLatch(1);
            final Channel sc2 = new ServerBootstrap().group(a).channel(IothServerSocketChannel.class)
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public boolean isSharable() {
                            return true;
                        }

                        @Override
                        public void channelActive(final ChannelHandlerContext ctx) {
                            ctx.writeAndFlush(ctx.alloc().buffer().writeBytes("hi".getBytes()));
                        }

                        @Override
                        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
                            serverError.set(cause);
                        }

                        @Override
                        public void channelInactive(final ChannelHandlerContext ctx) {
                            childClosed.countDown();
                        }
                    }).bind(A).sync().channel();
            try {
                final Channel c2 = new Bootstrap().group(b).channel(IothSocketChannel.class)
                        .option(ChannelOption.SO_LINGER, 0).handler(recorder)
                        .connect(sc2.localAddress()).sync().channel();
                assertEquals("hi", clientSaw.poll(10, TimeUnit.SECONDS));
                c2.close().sync();
                assertTrue(childClosed.await(10, TimeUnit.SECONDS), "the RST closed the server's child");
                assertInstanceOf(IOException.class, serverError.get());
                assertEquals("Connection reset by peer", serverError.get().getMessage());
            } finally {
                sc2.close().sync();
            }
        } finally {
            sc.close().sync();
        }
    }

    @Test
    void acceptedChildrenStayOnTheListenersLoop() throws Exception {
        // a plain 2-loop group of two stacks as the child group: round-robin would pick the other loop for some
        // children; IothEventLoopGroup routes them home, so every child shares its listener's loop
        final IothEventLoopGroup two = new IothEventLoopGroup(
                IothIdentity.parse("vnl=" + Nets.uniqueSwitch() + ",ip=10.253.0.1/24"),
                IothIdentity.parse("vnl=" + Nets.uniqueSwitch() + ",ip=10.253.1.1/24"));
        final MultiThreadIoEventLoopGroup plain = new MultiThreadIoEventLoopGroup(1, IothIoHandler.newFactory(
                "vnl=" + Nets.uniqueSwitch() + ",ip=10.253.2.1/24"));
        try {
            final BlockingQueue<Boolean> sameLoop = new LinkedBlockingQueue<>();
            final Channel sc = new ServerBootstrap().group(two).channel(IothServerSocketChannel.class)
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public boolean isSharable() {
                            return true;
                        }

                        @Override
                        public void channelActive(final ChannelHandlerContext ctx) {
                            sameLoop.add(ctx.channel().eventLoop() == ctx.channel().parent().eventLoop());
                        }
                    }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            for (int i = 0; i < 4; i++) {
                // the client on the same stack (loopback): the listener's loop
                final Channel c = new Bootstrap().group(sc.eventLoop()).channel(IothSocketChannel.class)
                        .handler(new ChannelInboundHandlerAdapter()).connect(sc.localAddress()).sync().channel();
                assertEquals(Boolean.TRUE, sameLoop.poll(10, TimeUnit.SECONDS));
                c.close().sync();
            }
            sc.close().sync();

            // a child group that does not hold the listener's loop: registration refused, child closed
            final CountDownLatch childSeen = new CountDownLatch(1);
            final Channel sc2 = new ServerBootstrap().group(two, plain).channel(IothServerSocketChannel.class)
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public boolean isSharable() {
                            return true;
                        }

                        @Override
                        public void handlerAdded(final ChannelHandlerContext ctx) {
                            childSeen.countDown();
                        }
                    }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            final BlockingQueue<String> clientEnd = new LinkedBlockingQueue<>();
            final Channel c = new Bootstrap().group(sc2.eventLoop()).channel(IothSocketChannel.class)
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelInactive(final ChannelHandlerContext ctx) {
                            clientEnd.add("closed");
                        }
                    }).connect(sc2.localAddress()).sync().channel();
            assertEquals("closed", clientEnd.poll(10, TimeUnit.SECONDS), "the refused child's connection ended");
            assertEquals(1, childSeen.getCount(), "the child was never registered on the foreign loop");
            assertFalse(c.isActive());
            sc2.close().sync();
        } finally {
            Nets.shutdown(two, plain);
        }
    }

    @Test
    void optionsReachTheSocket() throws Exception {
        final Channel sc = server(new ChannelInboundHandlerAdapter());
        final IothSocketChannel cc = (IothSocketChannel) new Bootstrap().group(b).channel(IothSocketChannel.class)
                .option(ChannelOption.SO_SNDBUF, 100_000)
                .option(ChannelOption.SO_RCVBUF, 50_000)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(IothChannelOption.TCP_CONGESTION, "cubic")
                .option(IothChannelOption.TCP_KEEPIDLE, 30)
                .handler(new ChannelInboundHandlerAdapter()).connect(sc.localAddress()).sync().channel();
        try {
            final TcpInfo info = cc.tcpInfo();
            assertNotNull(info);
            assertEquals(100_000, info.sendBufferSize);
            assertEquals(50_000, info.receiveBufferSize);
            assertEquals("cubic", info.congestionControl);
            assertEquals("cubic", cc.config().getOption(IothChannelOption.TCP_CONGESTION));
            assertTrue(cc.config().isTcpNoDelay(), "TCP_NODELAY defaults to true, as NIO and epoll");
            assertTrue(cc.config().isKeepAlive());
            assertEquals(30, cc.config().getOption(IothChannelOption.TCP_KEEPIDLE));
            // an option the transport does not know is ignored (setOption returns false), as every transport does
            assertFalse(cc.config().setOption(ChannelOption.TCP_FASTOPEN_CONNECT, true));
        } finally {
            cc.close().sync();
            sc.close().sync();
        }
    }
}
