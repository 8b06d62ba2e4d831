package io.ioth.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.CharsetUtil;
import io.ioth.tcpip.stats.DropReason;
import io.ioth.tcpip.stats.Counter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.nio.channels.NotYetConnectedException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link IothDatagramChannel} on real {@link IothEventLoopGroup}s, two identities on one embedded switch. */
class IothDatagramChannelTest {
    private EventLoopGroup a;
    private EventLoopGroup b;

    @AfterEach
    void tearDown() throws InterruptedException {
        Nets.shutdown(a, b);
    }

    @Test
    void echoBetweenTwoIdentitiesOverTheEmbeddedSwitch() throws Exception {
        final String sw = Nets.uniqueSwitch();
        a = new IothEventLoopGroup("vnl=" + sw + ",eth,ip=10.9.0.1/24");
        b = new IothEventLoopGroup("vnl=" + sw + ",eth,ip=10.9.0.2/24");
        final Channel server = new Bootstrap().group(a).channel(IothDatagramChannel.class)
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(final ChannelHandlerContext ctx, final DatagramPacket p) {
                        ctx.writeAndFlush(new DatagramPacket(p.content().retain(), p.sender()));
                    }
                }).bind(new InetSocketAddress("10.9.0.1", 7)).sync().channel();
        final BlockingQueue<DatagramPacket> got = new LinkedBlockingQueue<>();
        final Channel client = new Bootstrap().group(b).channel(IothDatagramChannel.class)
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(final ChannelHandlerContext ctx, final DatagramPacket p) {
                        got.add(p.retain());
                    }
                }).bind(0).sync().channel();
        final int port = ((InetSocketAddress) client.localAddress()).getPort();
        for (int i = 0; i < 100; i++) {
            client.writeAndFlush(new DatagramPacket(Unpooled.copiedBuffer("hello " + i, CharsetUtil.US_ASCII),
                    new InetSocketAddress("10.9.0.1", 7))).sync();
            final DatagramPacket p = got.poll(10, TimeUnit.SECONDS);
            assertNotNull(p, "echo " + i);
            try {
                assertEquals("hello " + i, p.content().toString(CharsetUtil.US_ASCII));
                assertEquals(new InetSocketAddress("10.9.0.1", 7), p.sender());
                assertEquals(port, p.recipient().getPort());
            } finally {
                p.release();
            }
        }
        client.close().sync();
        server.close().sync();
    }

    // ------------------------------------------------------------------ helpers

    private static Channel receiver(final EventLoopGroup g, final InetSocketAddress at,
                                    final BlockingQueue<DatagramPacket> into) throws InterruptedException {
        return receiver(new Bootstrap().group(g), at, into);
    }

    private static Channel receiver(final Bootstrap b, final InetSocketAddress at,
                                    final BlockingQueue<DatagramPacket> into) throws InterruptedException {
        return b.channel(IothDatagramChannel.class).handler(new SimpleChannelInboundHandler<DatagramPacket>() {
            @Override
            protected void channelRead0(final ChannelHandlerContext ctx, final DatagramPacket p) {
                into.add(p.retain());
            }
        }).bind(at).sync().channel();
    }

    private static DatagramPacket text(final String s, final String host, final int port) {
        return new DatagramPacket(Unpooled.copiedBuffer(s, CharsetUtil.US_ASCII), new InetSocketAddress(host, port));
    }

    private static String take(final BlockingQueue<DatagramPacket> q) throws InterruptedException {
        final DatagramPacket p = q.poll(10, TimeUnit.SECONDS);
        assertNotNull(p, "a datagram within 10 s");
        try {
            return p.content().toString(CharsetUtil.US_ASCII);
        } finally {
            p.release();
        }
    }

    private static void drain(final BlockingQueue<DatagramPacket> q) {
        for (DatagramPacket p; (p = q.poll()) != null; ) {
            p.release();
        }
    }

    private void twoStacks() {
        final String sw = Nets.uniqueSwitch();
        a = new IothEventLoopGroup("vnl=" + sw + ",eth,ip=10.9.0.1/24");
        b = new IothEventLoopGroup("vnl=" + sw + ",eth,ip=10.9.0.2/24");
    }

    // ------------------------------------------------------------------ bind, connect, errors

    @Test
    void bindErrorsAreBindExceptions() throws Exception {
        twoStacks();
        final BlockingQueue<DatagramPacket> q = new LinkedBlockingQueue<>();
        final Channel first = receiver(a, new InetSocketAddress("10.9.0.1", 5353), q);
        final ChannelFuture again = new Bootstrap().group(a).channel(IothDatagramChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).bind(new InetSocketAddress(5353)).await();
        assertInstanceOf(BindException.class, again.cause(), "wildcard over a bound address: EADDRINUSE");
        assertTrue(again.cause().getMessage().contains("Address already in use"), again.cause().getMessage());
        final ChannelFuture notOurs = new Bootstrap().group(a).channel(IothDatagramChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).bind(new InetSocketAddress("10.9.0.77", 0)).await();
        assertInstanceOf(BindException.class, notOurs.cause(), "not a local address: EADDRNOTAVAIL");
        assertTrue(notOurs.cause().getMessage().contains("Cannot assign requested address"));
        // SO_REUSEADDR on both sides shares the port (Linux udp_lib_lport_inuse)
        final Channel r1 = new Bootstrap().group(a).channel(IothDatagramChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true).handler(new ChannelInboundHandlerAdapter())
                .bind(new InetSocketAddress(5400)).sync().channel();
        final Channel r2 = new Bootstrap().group(a).channel(IothDatagramChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true).handler(new ChannelInboundHandlerAdapter())
                .bind(new InetSocketAddress(5400)).sync().channel();
        r1.close().sync();
        r2.close().sync();
        first.close().sync();
        // closing released the port
        receiver(a, new InetSocketAddress("10.9.0.1", 5353), q).close().sync();
    }

    @Test
    void connectedChannelHearsPortUnreachableAcrossTheSwitchAndStaysOpen() throws Exception {
        twoStacks();
        final CompletableFuture<Throwable> caught = new CompletableFuture<>();
        final Channel c = new Bootstrap().group(b).channel(IothDatagramChannel.class)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
                        caught.complete(cause);
                    }
                }).connect(new InetSocketAddress("10.9.0.1", 9999)).sync().channel();
        assertTrue(c.isActive());
        assertEquals(new InetSocketAddress("10.9.0.1", 9999), c.remoteAddress());
        assertEquals(InetAddress.getByName("10.9.0.2"), ((InetSocketAddress) c.localAddress()).getAddress(),
                "connect picked the source address of the route (Linux ip4_datagram_connect)");
        c.writeAndFlush(Unpooled.copiedBuffer("anyone?", CharsetUtil.US_ASCII)).sync();
        // RFC 1122 §4.1.3.1: the peer answers ICMP port unreachable; a connected socket reports it (ECONNREFUSED)
        final Throwable t;
        try {
            t = caught.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("no exception; A: " + ((IothEventLoopGroup) a).stats(a.next()) + "\nB: "
                    + ((IothEventLoopGroup) b).stats(b.next()), e);
        }
        assertInstanceOf(PortUnreachableException.class, t);
        assertTrue(c.isOpen(), "a port unreachable does not close a datagram channel (NIO)");
        c.disconnect().sync();
        assertNull(c.remoteAddress());
        final ChannelFuture w = c.writeAndFlush(Unpooled.copiedBuffer("x", CharsetUtil.US_ASCII)).await();
        assertInstanceOf(NotYetConnectedException.class, w.cause());
        c.close().sync();
    }

    @Test
    void unsupportedMessagesAndUnresolvedAddressesFailTheWriteOnly() throws Exception {
        twoStacks();
        final Channel c = new Bootstrap().group(b).channel(IothDatagramChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).bind(0).sync().channel();
        assertInstanceOf(UnsupportedOperationException.class, c.writeAndFlush("a string").await().cause());
        assertInstanceOf(java.nio.channels.UnresolvedAddressException.class, c.writeAndFlush(new DatagramPacket(
                Unpooled.copiedBuffer("x", CharsetUtil.US_ASCII),
                InetSocketAddress.createUnresolved("nowhere.invalid", 9))).await().cause());
        assertTrue(c.isOpen());
        c.close().sync();
    }

    // ------------------------------------------------------------------ broadcast, multicast, big and empty

    @Test
    void broadcastNeedsSoBroadcast() throws Exception {
        twoStacks();
        final BlockingQueue<DatagramPacket> q = new LinkedBlockingQueue<>();
        final Channel server = receiver(a, new InetSocketAddress(6767), q); // wildcard: hears broadcasts
        final Channel plain = new Bootstrap().group(b).channel(IothDatagramChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).bind(0).sync().channel();
        final Throwable refused = plain.writeAndFlush(text("to all", "10.9.0.255", 6767)).await().cause();
        assertInstanceOf(SocketException.class, refused, "Linux udp_sendmsg: EACCES without SO_BROADCAST");
        assertTrue(refused.getMessage().contains("Permission denied"), refused.getMessage());
        final Channel bcast = new Bootstrap().group(b).channel(IothDatagramChannel.class)
                .option(ChannelOption.SO_BROADCAST, true).handler(new ChannelInboundHandlerAdapter())
                .bind(0).sync().channel();
        assertTrue(bcast.config().getOption(ChannelOption.SO_BROADCAST));
        bcast.writeAndFlush(text("to all", "10.9.0.255", 6767)).sync();
        assertEquals("to all", take(q));
        drain(q);
        plain.close().sync();
        bcast.close().sync();
        server.close().sync();
    }

    @Test
    void multicastJoinReceivesAndLeaveStops() throws Exception {
        twoStacks();
        final BlockingQueue<DatagramPacket> q = new LinkedBlockingQueue<>();
        final IothDatagramChannel member = (IothDatagramChannel) receiver(a, new InetSocketAddress(7000), q);
        final InetAddress group = InetAddress.getByName("239.1.2.3");
        member.joinGroup(group).sync();
        final Channel sender = new Bootstrap().group(b).channel(IothDatagramChannel.class)
                .option(ChannelOption.IP_MULTICAST_ADDR, InetAddress.getByName("10.9.0.2")) // send via vde0
                .option(ChannelOption.IP_MULTICAST_TTL, 1)
                .handler(new ChannelInboundHandlerAdapter()).bind(0).sync().channel();
        sender.writeAndFlush(text("to the group", "239.1.2.3", 7000)).sync();
        assertEquals("to the group", take(q));
        assertInstanceOf(SocketException.class, member.joinGroup(group).await().cause(), "joined twice: EADDRINUSE");
        member.leaveGroup(group).sync();
        final long notJoined = ((IothEventLoopGroup) a).stats(member.eventLoop()).drops(DropReason.ETH_MULTICAST_NOT_JOINED);
        sender.writeAndFlush(text("after leaving", "239.1.2.3", 7000)).sync();
        // the last leave removed the group MAC: the frame is now dropped at the Ethernet layer
        Nets.awaitTrue(() -> ((IothEventLoopGroup) a).stats(member.eventLoop())
                .drops(DropReason.ETH_MULTICAST_NOT_JOINED) > notJoined, "the frame for the left group dropped");
        assertNull(q.poll(), "nothing delivered after leaving");
        assertInstanceOf(UnsupportedOperationException.class, member.block(group, InetAddress.getByName("10.9.0.2"))
                .await().cause(), "IGMPv2 has no source filters");
        sender.close().sync();
        member.close().sync();
    }

    @Test
    void aDatagramLargerThanTheMtuAndTheReadBufferArrivesWhole() throws Exception {
        twoStacks();
        final BlockingQueue<DatagramPacket> q = new LinkedBlockingQueue<>();
        final Channel server = receiver(a, new InetSocketAddress("10.9.0.1", 8000), q);
        final Channel c = new Bootstrap().group(b).channel(IothDatagramChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).bind(0).sync().channel();
        final byte[] big = new byte[9000]; // 7 IPv4 fragments on a 1500-byte MTU; > the 2048-byte read buffer
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        c.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(big), new InetSocketAddress("10.9.0.1", 8000)))
                .sync();
        c.writeAndFlush(new DatagramPacket(Unpooled.EMPTY_BUFFER, new InetSocketAddress("10.9.0.1", 8000))).sync();
        final DatagramPacket p = q.poll(10, TimeUnit.SECONDS);
        assertNotNull(p);
        try {
            assertEquals(big.length, p.content().readableBytes());
            final byte[] got = new byte[big.length];
            p.content().getBytes(p.content().readerIndex(), got);
            assertTrue(java.util.Arrays.equals(big, got), "byte-exact after reassembly");
        } finally {
            p.release();
        }
        assertEquals("", take(q), "an empty datagram is a datagram");
        c.close().sync();
        server.close().sync();
    }

    // ------------------------------------------------------------------ options

    @Test
    void soRcvbufBoundsTheSocketQueueAndOptionsRoundTrip() throws Exception {
        twoStacks();
        final BlockingQueue<DatagramPacket> q = new LinkedBlockingQueue<>();
        final Channel server = receiver(new Bootstrap().group(a).option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.SO_RCVBUF, 2500), new InetSocketAddress("10.9.0.1", 8100), q);
        final Channel c = new Bootstrap().group(b).channel(IothDatagramChannel.class)
                .option(ChannelOption.IP_TOS, 0x10).option(IothChannelOption.IP_TTL, 7)
                .option(IothChannelOption.SO_BINDTODEVICE, "vde0")
                .handler(new ChannelInboundHandlerAdapter()).bind(0).sync().channel();
        assertEquals(0x10, c.config().getOption(ChannelOption.IP_TOS));
        assertEquals(7, c.config().getOption(IothChannelOption.IP_TTL));
        assertEquals("vde0", c.config().getOption(IothChannelOption.SO_BINDTODEVICE));
        assertEquals(2500, server.config().getOption(ChannelOption.SO_RCVBUF));
        assertTrue(server.config().getOptions().containsKey(ChannelOption.IP_MULTICAST_TTL));
        final long dropsBefore = ((IothEventLoopGroup) a).stats(server.eventLoop()).drops(DropReason.UDP_RCVBUF_FULL);
        final long inBefore = ((IothEventLoopGroup) a).stats(server.eventLoop()).get(Counter.UDP_IN_DATAGRAMS);
        for (int i = 0; i < 6; i++) {
            c.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(new byte[1000]),
                    new InetSocketAddress("10.9.0.1", 8100))).sync();
        }
        Nets.awaitTrue(() -> ((IothEventLoopGroup) a).stats(server.eventLoop()).get(Counter.UDP_IN_DATAGRAMS)
                - inBefore == 6, "6 datagrams reached the server's stack");
        assertEquals(4, ((IothEventLoopGroup) a).stats(server.eventLoop()).drops(DropReason.UDP_RCVBUF_FULL)
                - dropsBefore, "2500 bytes hold two 1000-byte datagrams; four are dropped (and counted)");
        server.config().setAutoRead(true);
        take(q);
        take(q);
        assertNull(q.poll(200, TimeUnit.MILLISECONDS));
        c.close().sync();
        server.close().sync();
    }

    // ------------------------------------------------------------------ loops, identities, threading

    @Test
    void channelsAndLoopsOfOtherTransportsAreRefused() throws Exception {
        twoStacks();
        final EventLoopGroup nio = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            final ChannelFuture iothOnNio = new Bootstrap().group(nio).channel(IothDatagramChannel.class)
                    .handler(new ChannelInboundHandlerAdapter()).register().await();
            assertInstanceOf(IllegalStateException.class, iothOnNio.cause());
            assertTrue(iothOnNio.cause().getMessage().contains("incompatible event loop"),
                    iothOnNio.cause().getMessage());
            final ChannelFuture nioOnIoth = new Bootstrap().group(a).channel(NioDatagramChannel.class)
                    .handler(new ChannelInboundHandlerAdapter()).register().await();
            assertInstanceOf(IllegalStateException.class, nioOnIoth.cause());
        } finally {
            Nets.shutdown(nio);
        }
    }

    @Test
    void aChannelStaysOnTheStackThatHoldsItsSocket() throws Exception {
        twoStacks();
        final Channel c = new Bootstrap().group(a).channel(IothDatagramChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).bind(0).sync().channel();
        assertEquals(c.eventLoop(), ((AbstractIothChannel) c).homeLoop());
        c.deregister().sync();
        final ChannelFuture elsewhere = b.next().register(c).await();
        assertInstanceOf(IllegalStateException.class, elsewhere.cause(), "another stack's loop is refused");
        a.register(c).sync(); // home again: same socket, same port
        assertTrue(c.isActive());
        c.close().sync();
    }

    @Test
    void twoVdeNetworksWithTheSameAddressesInOneJvm() throws Exception {
        // two bootstraps, two identities each, on two separate embedded switches; the addresses repeat
        final String sw1 = Nets.uniqueSwitch();
        final String sw2 = Nets.uniqueSwitch();
        a = new IothEventLoopGroup("vnl=" + sw1 + ",ip=10.20.0.1/24");
        b = new IothEventLoopGroup("vnl=" + sw2 + ",ip=10.20.0.1/24");
        final EventLoopGroup a2 = new IothEventLoopGroup("vnl=" + sw1 + ",ip=10.20.0.2/24");
        final EventLoopGroup b2 = new IothEventLoopGroup("vnl=" + sw2 + ",ip=10.20.0.2/24");
        try {
            final BlockingQueue<DatagramPacket> q1 = new LinkedBlockingQueue<>();
            final BlockingQueue<DatagramPacket> q2 = new LinkedBlockingQueue<>();
            final Channel s1 = receiver(a, new InetSocketAddress(9000), q1);
            final Channel s2 = receiver(b, new InetSocketAddress(9000), q2);
            final Channel c1 = new Bootstrap().group(a2).channel(IothDatagramChannel.class)
                    .handler(new ChannelInboundHandlerAdapter()).bind(0).sync().channel();
            final Channel c2 = new Bootstrap().group(b2).channel(IothDatagramChannel.class)
                    .handler(new ChannelInboundHandlerAdapter()).bind(0).sync().channel();
            for (int i = 0; i < 10; i++) {
                c1.writeAndFlush(text("net1 #" + i, "10.20.0.1", 9000)).sync();
                c2.writeAndFlush(text("net2 #" + i, "10.20.0.1", 9000)).sync();
                assertEquals("net1 #" + i, take(q1));
                assertEquals("net2 #" + i, take(q2));
            }
            assertNull(q1.poll(100, TimeUnit.MILLISECONDS));
            assertNull(q2.poll());
            assertFalse(s1.eventLoop() == s2.eventLoop());
            for (Channel ch : new Channel[]{c1, c2, s1, s2}) {
                ch.close().sync();
            }
        } finally {
            Nets.shutdown(a2, b2);
        }
    }

    @Test
    void oneGroupOfSeveralIdentitiesRunsOneStackPerLoop() throws Exception {
        final String sw = Nets.uniqueSwitch();
        a = new IothEventLoopGroup(IothIdentity.parse("vnl=" + sw + ",ip=10.30.0.1/24"),
                IothIdentity.parse("vnl=" + sw + ",ip=10.30.0.2/24"));
        final IothEventLoopGroup g = (IothEventLoopGroup) a;
        assertEquals(2, g.identities().size());
        final io.netty.channel.EventLoop l1 = g.next();
        final io.netty.channel.EventLoop l2 = g.next();
        assertFalse(l1 == l2);
        final BlockingQueue<DatagramPacket> q = new LinkedBlockingQueue<>();
        // each channel binds the address of its own loop's identity
        final Channel s = receiver(new Bootstrap().group(l1), new InetSocketAddress(0), q);
        final String ip1 = Nets.onLoop(l1, () -> io.ioth.tcpip.wire.Ipv4Addr.format(
                g.stack(l1).interfaceByName("vde0").primaryIpv4()));
        final String ip2 = Nets.onLoop(l2, () -> io.ioth.tcpip.wire.Ipv4Addr.format(
                g.stack(l2).interfaceByName("vde0").primaryIpv4()));
        assertFalse(ip1.equals(ip2));
        final Channel c = new Bootstrap().group(l2).channel(IothDatagramChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).bind(0).sync().channel();
        c.writeAndFlush(text("across loops", ip1, ((InetSocketAddress) s.localAddress()).getPort())).sync();
        assertEquals("across loops", take(q));
        c.close().sync();
        s.close().sync();
    }

    @Test
    void echoOverIpv6BetweenTwoIdentities() throws Exception {
        final String sw = Nets.uniqueSwitch();
        a = new IothEventLoopGroup("vnl=" + sw + ",eth,ip=fd00:9::1/64");
        b = new IothEventLoopGroup("vnl=" + sw + ",eth,ip=fd00:9::2/64");
        final InetAddress aAddr = InetAddress.getByName("fd00:9::1");
        final InetAddress bAddr = InetAddress.getByName("fd00:9::2");
        awaitUsable6((IothEventLoopGroup) a, aAddr);
        awaitUsable6((IothEventLoopGroup) b, bAddr);
        final Channel server = new Bootstrap().group(a).channel(IothDatagramChannel.class)
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(final ChannelHandlerContext ctx, final DatagramPacket p) {
                        ctx.writeAndFlush(new DatagramPacket(p.content().retain(), p.sender()));
                    }
                }).bind(new InetSocketAddress(aAddr, 7)).sync().channel();
        final BlockingQueue<DatagramPacket> got = new LinkedBlockingQueue<>();
        final Channel client = receiver(b, new InetSocketAddress(InetAddress.getByName("::"), 0), got);
        client.writeAndFlush(new DatagramPacket(Unpooled.copiedBuffer("hello v6", CharsetUtil.US_ASCII),
                new InetSocketAddress(aAddr, 7))).sync();
        final DatagramPacket p = got.poll(10, TimeUnit.SECONDS);
        assertNotNull(p, "the echo over IPv6 (NDP, then UDP)");
        try {
            assertEquals("hello v6", p.content().toString(CharsetUtil.US_ASCII));
            assertEquals(new InetSocketAddress(aAddr, 7), p.sender());
        } finally {
            p.release();
        }
        client.close().sync();
        server.close().sync();
    }

    /** Waits out Duplicate Address Detection (RFC 4862 §5.4: tentative for ~1 s) of {@code addr}. */
    private static void awaitUsable6(final IothEventLoopGroup g, final InetAddress addr) {
        final io.netty.channel.EventLoop loop = g.next();
        Nets.awaitTrue(() -> {
            try {
                return Nets.onLoop(loop, () -> g.stack(loop).interfaceByName("vde0").ipv6State(
                        io.ioth.tcpip.iface.IpAddr.hiOf(addr), io.ioth.tcpip.iface.IpAddr.loOf(addr)))
                        == io.ioth.tcpip.iface.NetInterface.AddressState.PREFERRED;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, addr + " usable after DAD");
    }
}
