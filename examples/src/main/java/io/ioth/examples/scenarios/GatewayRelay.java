package io.ioth.examples.scenarios;

import io.ioth.examples.NetAppliance;
import io.ioth.examples.http.ApplianceHttpHandler;
import io.ioth.examples.HttpFetch;
import io.ioth.transport.IothServerSocketChannel;
import io.ioth.transport.IothSocketChannel;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.TimeUnit;

/**
 * Scenario 4 — a gateway between stacks: a TCP relay whose inbound side is a listener on stack A and whose outbound
 * side is a connection from stack B. It is Netty's {@code HexDumpProxy} with one change: the outbound
 * {@code Bootstrap} takes group B instead of the inbound channel's own loop, so the two halves of each relayed
 * connection live on two stacks (two identities, two networks, two threads). Backpressure works both ways with
 * {@code AUTO_READ}: a side stops reading while the other cannot take more, so a slow end throttles a fast one.
 *
 * <pre>
 *   client 10.4.1.20 ── net-a ── 10.4.1.1:8080 [relay: stack A | stack B] 10.4.2.1 ── net-b ── server 10.4.2.10:80
 * </pre>
 *
 * The server's {@code /whoami} answers the relay's B-side address: the client's identity stops at the gateway.
 *
 * <p>{@code java -cp examples/target/ioth-examples.jar io.ioth.examples.scenarios.GatewayRelay}
 */
public final class GatewayRelay {
    private GatewayRelay() {
    }

    /** What the client saw through the relay. */
    public record Result(String whoami, long bulkBytes, boolean bulkIntact, long bulkNanos) {
    }

    public static void main(final String[] args) throws Exception {
        run(System.out, 8L << 20);
    }

    /**
     * Starts the relay on group {@code inbound}'s stack, on {@code port}; each accepted connection is relayed to
     * {@code target} through a connection made by group {@code outbound}'s stack.
     */
    public static Channel relay(final EventLoopGroup inbound, final int port, final EventLoopGroup outbound,
                                final InetSocketAddress target) throws InterruptedException {
        return new ServerBootstrap().group(inbound).channel(IothServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(final Channel ch) {
                        ch.pipeline().addLast(new Frontend(outbound, target)); // one per connection: it holds its
                    }                                                           // outbound half
                })
                .childOption(ChannelOption.AUTO_READ, false)
                .bind(port).sync().channel();
    }

    public static Result run(final PrintStream out, final long bulkBytes) throws Exception {
        final String netA = Lab.uniqueSwitch("gw-a");
        final String netB = Lab.uniqueSwitch("gw-b");
        try (Lab lab = new Lab()) {
            final EventLoopGroup server = lab.stack("vnl=" + netB + ",eth,ip=10.4.2.10/24");
            lab.add(NetAppliance.start(server, 80, 0, () -> "the server behind the gateway", line -> { }));
            out.println("server  10.4.2.10:80 on " + netB);

            final EventLoopGroup sideA = lab.stack("vnl=" + netA + ",eth,ip=10.4.1.1/24");
            final EventLoopGroup sideB = lab.stack("vnl=" + netB + ",eth,ip=10.4.2.1/24");
            final Channel relay = relay(sideA, 8080, sideB, new InetSocketAddress("10.4.2.10", 80));
            lab.add(() -> relay.close().awaitUninterruptibly());
            out.println("relay   10.4.1.1:8080 on " + netA + " (stack A) -> 10.4.2.10:80 from 10.4.2.1 on " + netB
                    + " (stack B)");

            final EventLoopGroup client = lab.stack("vnl=" + netA + ",eth,ip=10.4.1.20/24");
            final String whoami = Lab.get(client, "10.4.1.1", 8080, "/whoami", 10, TimeUnit.SECONDS);
            out.println("client  10.4.1.20 on " + netA + ": GET http://10.4.1.1:8080/whoami -> " + whoami);

            final PatternCheck check = new PatternCheck();
            final long t0 = System.nanoTime();
            final HttpFetch.Result r = HttpFetch.get(client, InetAddress.getByName("10.4.1.1"),
                    URI.create("http://10.4.1.1:8080/bytes/" + bulkBytes), check, TimeUnit.SECONDS.toNanos(60));
            final long took = System.nanoTime() - t0;
            final boolean intact = r.status() == 200 && check.ok && check.offset == bulkBytes;
            out.printf("client  GET /bytes/%d through the relay: %d bytes, %s, in %s (%.1f MB/s)%n", bulkBytes,
                    check.offset, intact ? "byte-exact" : "CORRUPT", Lab.ms(took), check.offset / (took / 1e9) / 1e6);
            return new Result(whoami, check.offset, intact, took);
        }
    }

    /**
     * One direction of a relayed connection: what {@code from} reads is written to {@code to}, flushed at the end of
     * each read burst. Backpressure: when {@code to} cannot take more (its outbound buffer is above the high water
     * mark; writes from another thread count as soon as they are queued) {@code from} stops reading, and reads again
     * when {@code to} drains ({@code channelWritabilityChanged}, on {@code to}'s loop). TCP does the rest: unread
     * data closes the sender's window.
     */
    private abstract static class Half extends ChannelInboundHandlerAdapter {
        /** The other channel (on the other stack, the other thread). */
        abstract Channel to();

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg) {
            final Channel to = to();
            to.write(msg, to.voidPromise());
            if (!to.isWritable()) {
                ctx.channel().config().setAutoRead(false);
                // the other loop may have drained and fired its writability change (setAutoRead(true), a no-op then)
                // between our check and the line above: without this re-check reading would stop for good
                if (to.isWritable()) {
                    ctx.channel().config().setAutoRead(true);
                }
            }
        }

        @Override
        public void channelReadComplete(final ChannelHandlerContext ctx) {
            to().flush();
        }

        @Override
        public void channelWritabilityChanged(final ChannelHandlerContext ctx) {
            final Channel to = to();
            if (ctx.channel().isWritable() && to != null && to.isActive()) {
                to.config().setAutoRead(true); // the other side's reads resume (on its own loop)
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx) {
            final Channel to = to();
            if (to != null) {
                closeOnFlush(to);
            }
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
            closeOnFlush(ctx.channel());
        }
    }

    /** The inbound half: one per accepted connection, on stack A's loop. */
    private static final class Frontend extends Half {
        private final EventLoopGroup outboundGroup;
        private final InetSocketAddress target;
        private volatile Channel outbound;

        Frontend(final EventLoopGroup outboundGroup, final InetSocketAddress target) {
            this.outboundGroup = outboundGroup;
            this.target = target;
        }

        @Override
        Channel to() {
            return outbound;
        }

        @Override
        public void channelActive(final ChannelHandlerContext ctx) {
            final Channel inbound = ctx.channel();
            // HexDumpProxyFrontendHandler, except .group(outboundGroup): the other half lives on stack B
            final var connect = new Bootstrap().group(outboundGroup).channel(IothSocketChannel.class)
                    .handler(new Backend(inbound))
                    .connect(target);
            outbound = connect.channel();
            connect.addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    inbound.config().setAutoRead(true); // the connection is up: start moving the client's bytes
                } else {
                    inbound.close();
                }
            });
        }
    }

    /** The outbound half, on stack B's loop. */
    private static final class Backend extends Half {
        private final Channel inbound;

        Backend(final Channel inbound) {
            this.inbound = inbound;
        }

        @Override
        Channel to() {
            return inbound;
        }
    }

    /** Closes {@code ch} once what is queued on it has been written. */
    static void closeOnFlush(final Channel ch) {
        if (ch.isActive()) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            ch.close();
        }
    }

    /** A sink that checks the {@code /bytes/N} pattern as it streams by (nothing kept). */
    static final class PatternCheck extends OutputStream {
        long offset;
        boolean ok = true;

        @Override
        public void write(final int b) {
            ok &= (byte) b == ApplianceHttpHandler.patternByte(offset++);
        }

        @Override
        public void write(final byte[] b, final int off, final int len) throws IOException {
            for (int i = 0; i < len; i++) {
                write(b[off + i]);
            }
        }
    }
}
