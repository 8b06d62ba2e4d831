package io.ioth.transport;

import io.ioth.vde.testing.LeakDetectionExtension;
import io.ioth.vde.testing.RealTools;
import io.ioth.vde.testing.VdeSwitchProcess;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.ioth.tcpip.stats.Counter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shutdown frees everything: channels closed, queued datagrams released (paranoid leak detection), the stack
 * closed, the VDE port given back to vde_switch, and the process's file descriptors back to the baseline.
 */
class IothShutdownTest {

    @ParameterizedTest(name = "quiet period {0} s")
    @ValueSource(ints = {0, 1})
    void shutdownClosesChannelsTheStackAndTheWireAndFreesEveryFd(final int quietPeriod) throws Exception {
        RealTools.require("vde_switch");
        try (VdeSwitchProcess sw = VdeSwitchProcess.start()) {
            sw.mgmt("port/print"); // opens the console connection the baseline includes
            Nets.shutdown(new IothEventLoopGroup("vnl=" + Nets.uniqueSwitch())); // warm up (see below)
            final int baseline = Nets.openFds();
            final String emb = Nets.uniqueSwitch();
            // one identity on the real switch, two on an embedded one; a quiet period of 0 can make Netty skip
            // prepareToDestroy() and go straight to destroy() (the path VdeIoHandler records)
            final IothEventLoopGroup real = new IothEventLoopGroup("vnl=" + sw.vnl() + ",ip=10.50.0.1/24");
            final IothEventLoopGroup e1 = new IothEventLoopGroup("vnl=" + emb + ",ip=10.51.0.1/24");
            final IothEventLoopGroup e2 = new IothEventLoopGroup("vnl=" + emb + ",ip=10.51.0.2/24");
            final List<Channel> channels = new ArrayList<>();
            try {
                assertTrue(sw.mgmt("port/print").contains("ACTIVE"), "the stack's port is on the switch");
                channels.add(bind(real, 5000, true));
                final Channel lazy = bind(e1, 5000, false); // autoRead off: datagrams stay queued in the socket
                channels.add(lazy);
                final Channel sender = bind(e2, 0, true);
                channels.add(sender);
                for (int i = 0; i < 20; i++) {
                    if (i == 1) { // the first waits for ARP (whose queue holds 16): let it resolve
                        Nets.awaitTrue(() -> e1.stats(lazy.eventLoop()).get(Counter.UDP_IN_DATAGRAMS) == 1,
                                "the first datagram arrived");
                    }
                    sender.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(new byte[100]),
                            new InetSocketAddress("10.51.0.1", 5000))).sync();
                }
                Nets.awaitTrue(() -> e1.stats(lazy.eventLoop()).get(Counter.UDP_IN_DATAGRAMS) == 20,
                        "20 datagrams queued, unread");
            } finally {
                for (EventLoopGroup g : new EventLoopGroup[]{real, e1, e2}) {
                    g.shutdownGracefully(quietPeriod, 5, TimeUnit.SECONDS);
                }
                for (EventLoopGroup g : new EventLoopGroup[]{real, e1, e2}) {
                    assertTrue(g.terminationFuture().await(15, TimeUnit.SECONDS), g + " terminated");
                }
            }
            for (Channel c : channels) {
                assertFalse(c.isOpen(), c + " closed by the shutdown");
            }
            Nets.awaitTrue(() -> !sw.mgmt("port/print").contains("ACTIVE"), "the stack's port freed on vde_switch");
            // <=: an fd of an earlier test may close meanwhile; what must not happen is one of ours staying open
            // (one condition, awaited: a second count right after could see an fd another thread opens meanwhile)
            Nets.awaitTrue(() -> Nets.openFds() <= baseline, () -> "fds back to " + baseline + ": " + Nets.fdTargets());
            assertEquals(List.of(), LeakDetectionExtension.collect(), "no ByteBuf leaked");
        }
    }

    @Test
    void aGroupThatNeverRanAChannelShutsDownCleanly() throws Exception {
        // warm up: the JVM opens some files once and keeps them (jars of newly loaded classes, /dev/urandom)
        Nets.shutdown(new IothEventLoopGroup("vnl=" + Nets.uniqueSwitch() + ",ip=10.52.0.1/24"));
        final int baseline = Nets.openFds();
        final IothEventLoopGroup g = new IothEventLoopGroup("vnl=" + Nets.uniqueSwitch() + ",ip=10.52.0.1/24");
        Nets.shutdown(g);
        Nets.awaitTrue(() -> Nets.openFds() <= baseline, () -> "fds back to " + baseline + ": " + Nets.fdTargets());
    }

    private static Channel bind(final EventLoopGroup g, final int port, final boolean autoRead)
            throws InterruptedException {
        return new Bootstrap().group(g).channel(IothDatagramChannel.class).option(ChannelOption.AUTO_READ, autoRead)
                .handler(new ChannelInboundHandlerAdapter()).bind(port).sync().channel();
    }
}
