package io.ioth.benchmarks.packet;

import io.ioth.benchmarks.Op;
import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.socket.udp.UdpSocket;
import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.wire.EthernetFrame;
import io.ioth.tcpip.wire.IpProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Emitting a full UDP datagram, from the socket call to the frame on the link: {@code sendTo} of
 * {@code payload} bytes (1472: the largest unfragmented datagram at MTU 1500) from a pooled direct
 * buffer the application keeps. Per datagram: a pooled transmit buffer with headroom, one copy of
 * the payload, the route lookup and source selection, the UDP header and checksum over the payload
 * (RFC 768), the IPv4 header and its checksum, the neighbour lookup, the Ethernet header and the
 * link's {@code transmit} (which releases the frame). Time per datagram, the payload rate in GB/s,
 * and {@code -prof gc} bytes per datagram. Each frame is released as it is sent, so nothing piles
 * up for Netty's recycler.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar UdpSend -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// FastThreadLocalThread workers, as on an event loop (see FastThreadLocalExecutor); no leak
// detection, whose sampled stack traces would be the only allocation measured
@Fork(value = 1, jvmArgsAppend = {"-Djmh.executor=CUSTOM",
        "-Djmh.executor.class=io.ioth.benchmarks.FastThreadLocalExecutor",
        "-Dio.netty.leakDetection.level=disabled"})
public class UdpSendBenchmark {
    @Param({"1472"})
    public int payload;

    private PacketStack s;
    private UdpSocket sock;
    private ByteBuf data;
    private long sent, failed, transmittedBefore, outBefore;

    @Setup(Level.Trial)
    public void setUp() {
        s = new PacketStack(32);
        sock = s.stack.openUdp();
        int r = sock.bind(0, 5000);
        if (r != NetError.OK) throw new IllegalStateException("bind: " + NetError.name(r));
        data = PooledByteBufAllocator.DEFAULT.directBuffer(payload);
        for (int i = 0; i < payload; i++) data.writeByte(i * 7 + 3);
        transmittedBefore = s.link.transmitted();
        outBefore = s.stack.stats().get(Counter.UDP_OUT_DATAGRAMS);
        // one by hand: the frame on the link is the whole datagram, valid, from B:5000 to A:40000
        s.link.captureNext();
        send();
        byte[] f = s.link.captured();
        int len = Frames.checkFromBToA(f, IpProtocol.UDP);
        int udp = EthernetFrame.HEADER_LEN + 20;
        int sport = (f[udp] & 0xff) << 8 | (f[udp + 1] & 0xff), dport = (f[udp + 2] & 0xff) << 8 | (f[udp + 3] & 0xff);
        if (len != 8 + payload || f.length != Frames.HEADERS + payload || sport != 5000 || dport != 40000
                || sent != 1) {
            throw new IllegalStateException("unexpected frame of " + f.length + " bytes (UDP length " + len + ")");
        }
    }

    @Benchmark
    @Op(value = "datagram", plural = "datagrams", bytesParam = "payload")
    public int send() {
        int r = sock.sendTo(Frames.IP_A, 40000, data, s.now);
        if (r == payload) {
            sent++;
        } else {
            failed++;
        }
        return r;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            s.checkSteady();
            long frames = s.link.transmitted() - transmittedBefore;
            long out = s.stack.stats().get(Counter.UDP_OUT_DATAGRAMS) - outBefore;
            if (failed != 0 || frames != sent || out != sent) {
                throw new IllegalStateException(sent + " sent, " + failed + " failed, " + frames
                        + " frames on the link: " + s.stack.stats());
            }
        } finally {
            data.release();
            s.close();
        }
    }
}
