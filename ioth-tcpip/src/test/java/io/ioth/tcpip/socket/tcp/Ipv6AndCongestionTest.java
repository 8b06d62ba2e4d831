package io.ioth.tcpip.socket.tcp;

import static io.ioth.tcpip.socket.tcp.Seg.ACK;
import static io.ioth.tcpip.socket.tcp.Seg.SYN;
import static io.ioth.tcpip.socket.tcp.Seg.flags;
import static io.ioth.tcpip.socket.tcp.TcpHarness.LOCAL_SEQ;
import static io.ioth.tcpip.socket.tcp.TcpHarness.REMOTE_SEQ;
import static io.ioth.tcpip.socket.tcp.TcpHarness.readAll;
import static io.ioth.tcpip.socket.tcp.TcpHarness.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.socket.tcp.congestion.CongestionControl;
import io.ioth.tcpip.socket.tcp.congestion.CongestionState;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

/** IPv6 addressing in TCP (RFC 8200 §8.1 checksum, §5 MSS) and pluggable congestion control. */
class Ipv6AndCongestionTest extends TcpTestBase {
    static final int R = REMOTE_SEQ + 1;
    static final int L = LOCAL_SEQ + 1;
    static final long V6_HI = 0x2001_0db8_0000_0000L;
    static final long V6_LOCAL = 1;
    static final long V6_REMOTE = 2;

    @Test
    void ipv6_passiveOpen_checksumsAndMss_RFC8200() {
        final TcpHarness h = new TcpHarness();
        final TcpListener l = h.tcp.openListener();
        assertEquals(NetError.OK, l.bind(0, 0, 80)); // '::' covers both families
        l.listen(4);
        final ByteBuf syn = h.build(flags(SYN).seq(REMOTE_SEQ), V6_HI, V6_REMOTE, V6_HI, V6_LOCAL);
        try {
            h.tcp.input(V6_HI, V6_REMOTE, V6_HI, V6_LOCAL, syn, h.now);
        } finally {
            syn.release();
        }
        // the harness verified the IPv6 pseudo-header checksum of the reply
        final Seg.Sent sa = h.one();
        assertEquals(1440, sa.options().mss, "1500 - 40 - 20");
        final ByteBuf ack = h.build(flags(ACK).seq(R).ack(L).data("six"), V6_HI, V6_REMOTE, V6_HI, V6_LOCAL);
        try {
            h.tcp.input(V6_HI, V6_REMOTE, V6_HI, V6_LOCAL, ack, h.now);
        } finally {
            ack.release();
        }
        final TcpSocket s = l.accept();
        assertNotNull(s);
        assertEquals(V6_LOCAL, s.localLo());
        assertEquals(1220, s.info(new TcpInfo(), h.now).sndMss, "no MSS option over IPv6: 1220 (RFC 8200 §5)");
        assertEquals("six", readAll(s));
    }

    /** A test algorithm: a fixed window of 3 segments whatever happens. */
    static final class Fixed3 implements CongestionControl {
        static final Factory FACTORY = new Factory() {
            @Override
            public CongestionControl create() {
                return new Fixed3();
            }

            @Override
            public String name() {
                return "fixed3";
            }
        };

        @Override
        public String name() {
            return "fixed3";
        }

        @Override
        public void init(final CongestionState s, final long now) {
            s.cwnd = 3 * s.mss;
        }

        @Override
        public void onAck(final CongestionState s, final int acked, final long now) {
        }

        @Override
        public int ssthreshOnLoss(final CongestionState s, final long now) {
            return 3 * s.mss;
        }
    }

    @Test
    void congestionControl_perSocket_andInheritedFromTheListener() {
        final TcpHarness h = new TcpHarness(b -> b.sendBufferSize(1 << 20));
        final TcpSocket c = h.tcp.open();
        c.setCongestionControl(Fixed3.FACTORY);
        assertEquals("fixed3", c.congestionControl());
        c.connect(TcpHarness.REMOTE_HI, TcpHarness.REMOTE_LO, TcpHarness.REMOTE_PORT, h.now);
        assertThrows(IllegalStateException.class, () -> c.setCongestionControl(Fixed3.FACTORY));
        h.flush();
        h.take();
        h.send(flags(SYN | ACK).seq(REMOTE_SEQ).ack(L).mss(1460).dport(c.localPort()));
        h.take();
        write(c, Seg.filler(10 * 1460));
        h.flush();
        assertEquals(3, h.take().size(), "the socket's algorithm sets the window");
        h.send(flags(ACK).seq(R).ack(L + 3 * 1460).dport(c.localPort()));
        assertEquals(3, h.take().size(), "and keeps it");

        final TcpHarness h2 = new TcpHarness();
        final TcpListener l = h2.tcp.openListener();
        l.setCongestionControl(Fixed3.FACTORY);
        l.bind(0, 0, 80);
        l.listen(4);
        h2.send(TcpHarness.remoteSyn());
        h2.send(flags(ACK).seq(R).ack(L));
        assertEquals("fixed3", l.accept().congestionControl());
    }

    @Test
    void congestionControl_perStack() {
        final TcpHarness h = new TcpHarness(b -> b.congestionControl(Fixed3.FACTORY));
        assertEquals("fixed3", h.passiveEstablished().congestionControl());
    }

    @Test
    void outOfOrderQueue_isBoundedPerConnection_andPerStack() {
        final TcpHarness h = new TcpHarness(b -> b.maxOooSegments(2));
        final TcpSocket s = h.passiveEstablished();
        h.send(flags(ACK).seq(R + 100).ack(L).len(10));
        h.send(flags(ACK).seq(R + 200).ack(L).len(10));
        h.send(flags(ACK).seq(R + 300).ack(L).len(10));
        assertEquals(1, h.tcp.stats().drops(TcpDrop.OOO_QUEUE_FULL));
        assertEquals(20, h.tcp.outOfOrderBytes());
        h.send(flags(ACK).seq(R).ack(L).len(100)); // connects the first held segment
        assertEquals(110, s.readableBytes());
        assertEquals(10, h.tcp.outOfOrderBytes());
        readAll(s);

        final TcpHarness h2 = new TcpHarness(b -> b.maxOooBytesPerStack(1000));
        h2.passiveEstablished();
        h2.send(flags(ACK).seq(R + 100).ack(L).len(900));
        h2.send(flags(ACK).seq(R + 2000).ack(L).len(200));
        assertEquals(1, h2.tcp.stats().drops(TcpDrop.OOO_QUEUE_FULL));
        assertEquals(900, h2.tcp.outOfOrderBytes());
    }
}
