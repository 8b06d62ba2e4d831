package io.ioth.benchmarks.packet;

import io.ioth.benchmarks.Op;
import io.ioth.tcpip.socket.tcp.TcpConfig;
import io.ioth.tcpip.socket.tcp.TcpCounter;
import io.ioth.tcpip.socket.tcp.TcpSocket;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * ACK processing on the sending side, per ACK: the stack has a full window of
 * {@value #WINDOW_SEGMENTS} full-size segments in flight to A, whose pure ACKs (with timestamps)
 * arrive {@value #BATCH} per poll, each acknowledging one more segment and keeping A's advertised
 * right edge {@value #WINDOW_SEGMENTS} segments ahead. Per ACK the stack parses and demultiplexes it,
 * advances SND.UNA (RFC 9293 §3.10.7.4), frees the acknowledged bytes of the send buffer (released
 * slices), takes an RTT sample from the echoed timestamp (RFC 7323 §4), grows the congestion window
 * (RFC 5681), and, since the window moved by one segment, emits one new full-size segment (the ACK
 * clock: in steady state every acknowledged byte is replaced by a new one). So an op is one ACK in
 * and one segment out: subtract {@link TcpSendBenchmark} (a segment out, ACKs amortised) for the
 * ACK's own share. The application keeps the send buffer full (zero-copy writes, as in
 * {@code TcpSend}). Tear-down fails on a retransmission, a drop, or a window that is not full.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar TcpAck -prof gc
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
public class TcpAckBenchmark {
    static final int BATCH = 32, ACKS = 64;
    /** A's receive window in segments: 64 × 1448 = 92,672 bytes, 724 << 7 with window scale 7. */
    static final int WINDOW_SEGMENTS = 64;
    static final int WINDOW_FIELD = WINDOW_SEGMENTS * TcpFrames.FULL_PAYLOAD >> TcpFrames.WSCALE;

    private TcpPeer p;
    private TcpPeer.Conn c;
    private TcpSocket s;
    private ByteBuf chunk;
    private ByteBuf[] ring;
    private long acks, retransBefore, inSegsBefore;

    @Setup(Level.Trial)
    public void setUp() {
        if (WINDOW_FIELD << TcpFrames.WSCALE != WINDOW_SEGMENTS * TcpFrames.FULL_PAYLOAD) throw new AssertionError();
        p = new TcpPeer(BATCH, TcpConfig.builder().secret(1, 2).build(), 8);
        c = p.connect(40000, WINDOW_FIELD);
        s = c.socket;
        chunk = PooledByteBufAllocator.DEFAULT.directBuffer(256 * 1024);
        Frames.fill(chunk.writerIndex(chunk.capacity()), 0, chunk.capacity());
        ring = new ByteBuf[ACKS];
        for (int i = 0; i < ring.length; i++) {
            ring[i] = TcpFrames.segment(c.port, TcpPeer.PORT, c.sndNxt, c.rcvNxt, TcpPacket.ACK_FLAG, WINDOW_FIELD,
                    p.tsA(), p.link.lastTsVal, 0);
        }
        p.link.ring(ring);
        // slow start until the window is full: ACK one segment at a time until 64 are in flight after a poll
        TcpPeer.topUp(s, chunk);
        p.poll();
        for (int round = 0; inFlight() < WINDOW_SEGMENTS * TcpFrames.FULL_PAYLOAD; round++) {
            if (round > 10_000 || inFlight() == 0) {
                throw new IllegalStateException("window not filled: " + inFlight() + " bytes in flight");
            }
            acks(1);
        }
        for (int i = 0; i < 10; i++) acks(ACKS); // congestion window well above the receive window
        if (inFlight() != WINDOW_SEGMENTS * TcpFrames.FULL_PAYLOAD) {
            throw new IllegalStateException(inFlight() + " bytes in flight");
        }
        acks = 0;
        retransBefore = p.stack.tcpStats().get(TcpCounter.RETRANS_SEGS);
        inSegsBefore = p.stack.tcpStats().get(TcpCounter.IN_SEGS);
    }

    private int inFlight() {
        return p.link.sndMax() - c.rcvNxt;
    }

    @Benchmark
    @OperationsPerInvocation(ACKS)
    @Op(value = "ACK", plural = "ACKs")
    public int ack() {
        return acks(ACKS);
    }

    /** {@code n} ACKs (a multiple of BATCH, or fewer than BATCH), each one more segment, BATCH per poll. */
    private int acks(int n) {
        SegmentLink link = p.link;
        int sent = 0;
        while (n > 0) {
            int k = Math.min(n, BATCH);
            int tsA = p.tsA(), tsEcr = link.lastTsVal;
            for (int i = 0; i < k; i++) {
                c.rcvNxt += TcpFrames.FULL_PAYLOAD;
                TcpFrames.rewrite(ring[link.nextIndex()], c.sndNxt, c.rcvNxt, WINDOW_FIELD, tsA, tsEcr);
                link.deliver(1);
            }
            n -= k;
            acks += k;
            p.now += (k - 1) * TcpPeer.POLL_NANOS;
            sent += p.poll();
            p.drainReady();
            TcpPeer.topUp(s, chunk);
        }
        return sent;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            p.checkSteady();
            long retrans = p.stack.tcpStats().get(TcpCounter.RETRANS_SEGS) - retransBefore;
            long in = p.stack.tcpStats().get(TcpCounter.IN_SEGS) - inSegsBefore;
            if (retrans != 0 || in != acks || inFlight() != WINDOW_SEGMENTS * TcpFrames.FULL_PAYLOAD) {
                throw new IllegalStateException(acks + " ACKs sent, " + in + " received, " + retrans
                        + " retransmissions, " + inFlight() + " bytes in flight: " + p.stack.tcpStats());
            }
        } finally {
            for (ByteBuf b : ring) b.release();
            chunk.release();
            p.close();
        }
    }
}
