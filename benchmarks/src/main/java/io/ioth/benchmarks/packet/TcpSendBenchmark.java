package io.ioth.benchmarks.packet;

import io.ioth.benchmarks.Op;
import io.ioth.tcpip.socket.tcp.TcpConfig;
import io.ioth.tcpip.socket.tcp.TcpCounter;
import io.ioth.tcpip.socket.tcp.TcpSocket;
import io.ioth.tcpip.wire.IpProtocol;
import io.ioth.tcpip.wire.TcpPacket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Emitting a full-size TCP segment, per segment: the application writes (zero-copy: the socket
 * keeps retained slices of a 256 KiB buffer it is offered again and again), the stack cuts
 * MSS-sized segments ({@value TcpFrames#FULL_PAYLOAD} bytes of data with the timestamp option, a
 * 1514-byte frame) as the congestion and send windows allow, each into a pooled transmit buffer
 * (payload copied, TCP checksum over it, IPv4 header and checksum, neighbour lookup, Ethernet) and
 * transmits it on the null link, which releases it. The peer A acknowledges everything sent with
 * one stretch ACK whenever the stack stops (its window is 8 MiB, so the stack stops on its send
 * buffer or congestion window), so the ACK processing is spread over a whole window of segments.
 * Time per segment, payload GB/s, {@code -prof gc} bytes per segment. Tear-down fails the run on
 * a retransmission, a drop or a segment that is not full-size.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar TcpSend -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Djmh.executor=CUSTOM",
        "-Djmh.executor.class=io.ioth.benchmarks.FastThreadLocalExecutor",
        "-Dio.netty.leakDetection.level=disabled"})
public class TcpSendBenchmark {
    static final int SEGMENTS = 64;
    /** The full-size payload at MTU 1500 (a parameter for the GB/s column, {@code Op#bytesParam}; only this value). */
    @Param({"1448"})
    public int payload;

    private TcpPeer p;
    private TcpPeer.Conn c;
    private TcpSocket s;
    private ByteBuf chunk;
    private final ByteBuf[] ack = new ByteBuf[1];
    private long target, acks, retransBefore;

    @Setup(Level.Trial)
    public void setUp() {
        if (payload != TcpFrames.FULL_PAYLOAD) throw new IllegalArgumentException("payload is " + TcpFrames.FULL_PAYLOAD);
        p = new TcpPeer(32, TcpConfig.builder().secret(1, 2).build(), 8);
        c = p.connect(40000, 0xffff);
        s = c.socket;
        chunk = PooledByteBufAllocator.DEFAULT.directBuffer(256 * 1024);
        Frames.fill(chunk.writerIndex(chunk.capacity()), 0, chunk.capacity());
        ack[0] = TcpFrames.segment(c.port, TcpPeer.PORT, c.sndNxt, c.rcvNxt, TcpPacket.ACK_FLAG, 0xffff,
                p.tsA(), p.link.lastTsVal, 0);
        p.link.ring(ack);
        // the first segment, checked: full-size, valid checksums, from B:5001 to A:40000
        p.link.captureNext();
        TcpPeer.topUp(s, chunk);
        p.poll();
        byte[] f = p.link.captured();
        if (Frames.checkFromBToA(f, IpProtocol.TCP) != TcpFrames.TS_HEADER_LEN + payload
                || io.netty.buffer.Unpooled.wrappedBuffer(f).getInt(TcpFrames.SEQ) != c.rcvNxt) {
            throw new IllegalStateException("unexpected first segment: " + f.length + " bytes");
        }
        target = p.link.dataSegments();
        retransBefore = p.stack.tcpStats().get(TcpCounter.RETRANS_SEGS);
    }

    @Benchmark
    @OperationsPerInvocation(SEGMENTS)
    @Op(value = "segment", plural = "segments", bytesParam = "payload")
    public long send() {
        target += SEGMENTS; // cumulative: a poll may send past one invocation's share, the next sends less
        SegmentLink link = p.link;
        while (link.dataSegments() < target) {
            TcpPeer.topUp(s, chunk);
            long before = link.dataSegments();
            p.poll();
            p.drainReady();
            if (link.dataSegments() == before) {
                // the stack is window-limited: A acknowledges everything sent so far
                c.rcvNxt = link.sndMax();
                TcpFrames.rewrite(ack[0], c.sndNxt, c.rcvNxt, 0xffff, p.tsA(), link.lastTsVal);
                link.deliver(1);
                acks++;
            }
        }
        return target;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            p.checkSteady();
            long retrans = p.stack.tcpStats().get(TcpCounter.RETRANS_SEGS) - retransBefore;
            SegmentLink l = p.link;
            if (retrans != 0 || l.dataBytes() < (long) l.dataSegments() * payload * 98 / 100) {
                throw new IllegalStateException(retrans + " retransmissions, " + l.dataSegments() + " segments of "
                        + (double) l.dataBytes() / l.dataSegments() + " bytes on average, " + acks + " ACKs: "
                        + p.stack.tcpStats());
            }
            System.out.printf("%n%d segments, %.1f per ACK, %.1f bytes on average%n", l.dataSegments(),
                    (double) l.dataSegments() / Math.max(1, acks), (double) l.dataBytes() / l.dataSegments());
        } finally {
            ack[0].release();
            chunk.release();
            p.close();
        }
    }
}
