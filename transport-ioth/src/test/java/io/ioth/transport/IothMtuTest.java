package io.ioth.transport;

import io.ioth.tcpip.iface.NetInterface;
import io.netty.channel.EventLoop;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link IothIdentity#withMtu}: the interface MTU, jumbo frames on the embedded switch, refused beyond the wire. */
class IothMtuTest {
    private static int mtuOf(final IothEventLoopGroup g) throws Exception {
        final EventLoop loop = g.next();
        return loop.submit(() -> {
            for (NetInterface i : g.stack(loop).interfaces()) {
                if (!i.isLoopback()) {
                    return i.mtu();
                }
            }
            return -1;
        }).get(10, TimeUnit.SECONDS);
    }

    private static String vnl() {
        return "vnl=switch://mtu-test-" + System.nanoTime() + ",eth,ip=10.9.0.1/24";
    }

    @Test
    void ethernetMtuByDefault() throws Exception {
        final IothIdentity id = IothIdentity.parse(vnl());
        assertEquals(IothIdentity.DEFAULT_MTU, id.mtu());
        final IothEventLoopGroup g = new IothEventLoopGroup(id);
        try {
            assertEquals(1500, mtuOf(g));
        } finally {
            g.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void jumboMtuOnTheEmbeddedSwitch() throws Exception {
        final IothIdentity id = IothIdentity.parse(vnl()).withMtu(9000);
        assertTrue(!id.equals(IothIdentity.parse(id.source())), "the MTU is part of the identity's value");
        final IothEventLoopGroup g = new IothEventLoopGroup(id);
        try {
            assertEquals(9000, mtuOf(g));
        } finally {
            g.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void anyIpPacketOnTheEmbeddedSwitch() throws Exception {
        // the in-JVM wire carries what loopback carries: MTU 65535, the largest IPv4 packet (RFC 791 §3.1)
        final IothEventLoopGroup g = new IothEventLoopGroup(IothIdentity.parse(vnl()).withMtu(65535));
        try {
            assertEquals(65535, mtuOf(g));
        } finally {
            g.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void anMtuTheWireCannotCarryFailsTheGroup() {
        // a UDP cable carries vdeplug4's 9234-byte frames (AbstractPlug.MAX_FRAME): MTU 9220 at most
        final IothIdentity id = IothIdentity.parse("vnl=udp://127.0.0.1:0->127.0.0.1:9,eth,ip=10.9.0.1/24").withMtu(9300);
        final Exception e = assertThrows(Exception.class, () -> new IothEventLoopGroup(id));
        Throwable t = e;
        while (t.getCause() != null && !(t instanceof IllegalArgumentException)) {
            t = t.getCause();
        }
        assertTrue(String.valueOf(t.getMessage()).contains("MTU 9300"), String.valueOf(e));
        assertThrows(IllegalArgumentException.class, () -> IothIdentity.defaults().withMtu(67));
        assertThrows(IllegalArgumentException.class, () -> IothIdentity.defaults().withMtu(65536));
    }
}
