package io.ioth.tcpip;

import io.ioth.tcpip.iface.IpAddr;
import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.socket.tcp.TcpCounter;
import io.ioth.tcpip.socket.tcp.TcpListener;
import io.ioth.tcpip.socket.tcp.TcpSocket;
import io.ioth.tcpip.socket.tcp.TcpState;
import io.ioth.tcpip.testing.SimNet;
import io.ioth.tcpip.testing.StackDriver;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.MacAddr;
import io.ioth.vde.sw.Impairment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two stacks in one JVM on the embedded VDE switch ({@code switch://}, {@link SimNet}), simulated time: 20 MB each
 * way at once (two connections, A to B and B to A), byte-exact by SHA-256, with the switch's {@link Impairment} on
 * both ports: loss 0 %, 2 % or 10 %, plus 1 % duplication, 5 % reordering (+3 ms) and 1 ms ± 0.5 ms delay.
 * Unlike {@code socket.tcp.SimNet} (TCP segments between two TcpStacks), every frame here crosses the whole stack:
 * Ethernet, ARP, IPv4, the engine's timers, the switch.
 */
class TwoStackTcpSimTest {
    static final long SEC = 1_000_000_000L;
    static final long MS = 1_000_000L;
    static final int SIZE = 20_000_000;

    @ParameterizedTest(name = "loss {0} %")
    @ValueSource(ints = {0, 2, 10})
    void twentyMegabytesEachWay_byteExact(int lossPercent) throws Exception {
        // 80 MB through two whole stacks: sampled leak detection (paranoid costs 10x; the buffers are the same ones
        // TwoStackSimTest and the TCP unit tests track in paranoid mode)
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
        try (SimNet net = new SimNet()) {
            Stack a = net.addStack("A", MacAddr.parse("02:00:00:02:00:01"), "10.2.0.1/24", 21);
            Stack b = net.addStack("B", MacAddr.parse("02:00:00:02:00:02"), "10.2.0.2/24", 22);
            net.runUntil(5 * SEC); // gratuitous ARPs are done
            double loss = lossPercent / 100.0;
            net.impair(a, impairment(loss, 31));
            net.impair(b, impairment(loss, 32));
            byte[] bytesAb = new byte[1 << 20];
            byte[] bytesBa = new byte[1 << 20];
            new SplittableRandom(1).nextBytes(bytesAb);
            new SplittableRandom(2).nextBytes(bytesBa);
            ByteBuf blockAb = Unpooled.directBuffer(bytesAb.length).writeBytes(bytesAb);
            ByteBuf blockBa = Unpooled.directBuffer(bytesBa.length).writeBytes(bytesBa);
            try {
                LinuxTcpRig.Sink atB = listen(b, 5001);
                LinuxTcpRig.Sink atA = listen(a, 5002);
                LinuxTcpRig.Source fromA = connect(a, "10.2.0.2", 5001, blockAb, net.now());
                LinuxTcpRig.Source fromB = connect(b, "10.2.0.1", 5002, blockBa, net.now());
                long end = net.now() + 900 * SEC;
                while (!(atB.eof && atA.eof) && atB.error == 0 && atA.error == 0 && net.now() < end) {
                    net.runUntil(net.now() + 100 * MS);
                }
                String why = "loss " + lossPercent + "%: A->B read " + atB.bytes + ", B->A read " + atA.bytes + "; A "
                        + fromA.s + " " + a.tcpStats() + "; B " + fromB.s + " " + b.tcpStats();
                assertTrue(atB.eof && atA.eof, "not done in 900 s of simulated time: " + why);
                assertEquals(0, atB.error, NetError.name(atB.error));
                assertEquals(0, atA.error, NetError.name(atA.error));
                assertEquals(SIZE, atB.bytes, why);
                assertEquals(SIZE, atA.bytes, why);
                assertEquals(sha(blockAb), atB.hex(), "A -> B byte-exact");
                assertEquals(sha(blockBa), atA.hex(), "B -> A byte-exact");
                if (lossPercent > 0) {
                    assertTrue(a.tcpStats().get(TcpCounter.RETRANS_SEGS) > 0, "A recovered from losses");
                    assertTrue(b.tcpStats().get(TcpCounter.RETRANS_SEGS) > 0, "B recovered from losses");
                }
                // both sides close: the FINs get through the impaired links too
                net.runUntil(net.now() + 10 * SEC);
                assertTrue(fromA.s.state() == TcpState.TIME_WAIT || fromA.s.state() == TcpState.CLOSED,
                        fromA.s.toString());
                System.out.printf("[tcpsim] loss %d%%: %.1f s simulated; A: %s; B: %s%n", lossPercent,
                        (net.now() - 5 * SEC) / 1e9, a.tcpStats(), b.tcpStats());
            } finally {
                blockAb.release();
                blockBa.release();
            }
        } finally {
            ResourceLeakDetector.setLevel(level);
        }
    }

    private static Impairment impairment(double loss, long seed) {
        return Impairment.builder().loss(loss).duplicate(0.01).reorder(0.05, Duration.ofMillis(3))
                .delay(Duration.ofMillis(1)).jitter(Duration.ofNanos(500_000)).seed(seed).build();
    }

    private static LinuxTcpRig.Sink listen(Stack s, int port) throws Exception {
        LinuxTcpRig.Sink sink = new LinuxTcpRig.Sink(true);
        TcpListener l = s.openTcpListener();
        assertEquals(NetError.OK, l.bind(0L, IpAddr.V4_ANY_LO, port));
        assertEquals(NetError.OK, l.listen(4));
        l.attach((StackDriver.Handler) (sock, ev, now) -> {
            TcpSocket c;
            while ((c = l.accept()) != null) {
                sink.accepted(c, now);
            }
        });
        return sink;
    }

    private static LinuxTcpRig.Source connect(Stack s, String to, int port, ByteBuf block, long now) {
        LinuxTcpRig.Source src = new LinuxTcpRig.Source(block, SIZE);
        TcpSocket c = s.openTcp();
        src.s = c;
        c.attach(src);
        assertEquals(NetError.OK, c.connect(0L, IpAddr.v4(Ipv4Addr.parse(to)), port, now));
        return src;
    }

    private static String sha(ByteBuf block) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (long n = 0; n < SIZE; ) {
            int k = (int) Math.min(block.readableBytes(), SIZE - n);
            ByteBuffer bb = block.nioBuffer(block.readerIndex(), k);
            md.update(bb);
            n += k;
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
