package io.ioth.transport;

import io.ioth.vde.testing.ExecResult;
import io.ioth.vde.testing.NetNs;
import io.ioth.vde.testing.RealTools;
import io.ioth.vde.testing.VdeSwitchProcess;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.CharsetUtil;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An {@link IothDatagramChannel} on an identity plugged into a real {@code vde_switch}, talking to Linux: a tap in a
 * private network namespace is the switch's other port, {@code ncat -u} is the peer.
 */
class IothRealNetworkTest {

    @Test
    void datagramsBothWaysWithNcatInANetnsThroughATap() throws Exception {
        RealTools.require("vde_switch", "vde_plug", "ip", "ncat", "ping", "ss");
        IothEventLoopGroup group = null;
        try (VdeSwitchProcess sw = VdeSwitchProcess.start(); NetNs ns = NetNs.create()) {
            ns.tap("tap0", sw.vnl());
            ns.exec("ip", "addr", "add", "10.77.0.1/24", "dev", "tap0").check("address on tap0");
            group = new IothEventLoopGroup("vnl=" + sw.vnl() + ",eth,ip=10.77.0.2/24,gw=10.77.0.1");

            // the kernel reaches the stack: ARP, then ICMP echo (answered by the stack itself)
            ns.exec("ping", "-c", "1", "-W", "5", "10.77.0.2").check("ping from Linux to the stack");

            // Linux -> IoTh: an echo server on the stack, ncat as the client
            final Channel echo = new Bootstrap().group(group).channel(IothDatagramChannel.class)
                    .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                        @Override
                        protected void channelRead0(final ChannelHandlerContext ctx, final DatagramPacket p) {
                            ctx.writeAndFlush(new DatagramPacket(p.content().retain(), p.sender()));
                        }
                    }).bind(new InetSocketAddress("10.77.0.2", 5000)).sync().channel();
            // ncat exits at the end of its stdin: keep stdin open for the echo's round trip
            final ExecResult r = ns.exec("sh", "-c",
                    "(echo hello-from-linux; sleep 1) | ncat -u 10.77.0.2 5000");
            assertTrue(r.out().contains("hello-from-linux"), "ncat got its echo back: " + r);

            // IoTh -> Linux -> IoTh: ncat as an echo server in the namespace (one /bin/cat per peer)
            ns.spawn("ncat", "-u", "-l", "-k", "10.77.0.1", "6000", "--exec", "/bin/cat");
            Nets.awaitTrue(() -> ns.exec("ss", "-uln").out().contains("10.77.0.1:6000"), "ncat listening");
            final BlockingQueue<DatagramPacket> back = new LinkedBlockingQueue<>();
            final Channel client = new Bootstrap().group(group).channel(IothDatagramChannel.class)
                    .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                        @Override
                        protected void channelRead0(final ChannelHandlerContext ctx, final DatagramPacket p) {
                            back.add(p.retain());
                        }
                    }).bind(0).sync().channel();
            for (int i = 0; i < 5; i++) {
                final String line = "hello-from-ioth " + i + "\n";
                client.writeAndFlush(new DatagramPacket(Unpooled.copiedBuffer(line, CharsetUtil.US_ASCII),
                        new InetSocketAddress("10.77.0.1", 6000))).sync();
                final DatagramPacket p = back.poll(10, TimeUnit.SECONDS);
                assertNotNull(p, "ncat echoed datagram " + i);
                try {
                    assertEquals(line, p.content().toString(CharsetUtil.US_ASCII));
                    assertEquals(new InetSocketAddress("10.77.0.1", 6000), p.sender());
                } finally {
                    p.release();
                }
            }
            client.close().sync();
            echo.close().sync();
        } finally {
            Nets.shutdown(group);
        }
    }
}
