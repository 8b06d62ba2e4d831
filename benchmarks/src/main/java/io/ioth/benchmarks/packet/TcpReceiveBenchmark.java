package io.ioth.benchmarks.packet;

import io.ioth.benchmarks.Op;
import io.ioth.tcpip.socket.tcp.TcpConfig;
import io.ioth.tcpip.socket.tcp.TcpCounter;
import io.ioth.tcpip.socket.tcp.TcpSocket;
import io.ioth.tcpip.wire.ChecksumPolicy;
import io.ioth.tcpip.wire.TcpPacket;
import io.netty.buffer.ByteBuf;
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
 * The TCP in-order receive path, per data segment: an established connection (timestamps, SACK and
 * window scaling negotiated as with Linux) receives full-size segments ({@value TcpFrames#FULL_PAYLOAD}
 * bytes of data in a 1514-byte frame) in order, {@value #BATCH} per poll; the stack parses Ethernet,
 * IPv4 and TCP, verifies both checksums (the TCP one over the whole segment), finds the connection,
 * runs the RFC 9293 §3.10.7.4 checks (sequence acceptability, PAWS with the timestamp, ACK), queues
 * the payload zero-copy (a retained slice of the frame) and sends ACKs as it would (every second
 * full-size segment, RFC 9293 §3.8.6.3 / RFC 1122 §4.2.3.2, to the null link); the application
 * reads and releases everything after each poll. Time per segment, {@code -prof gc} bytes per segment.
 *
 * <p>Each op rewrites the next template frame in place (sequence number, ACK, TSval/TSecr, the TCP
 * checksum fixed incrementally, RFC 1624) so the stream stays valid forever; the link then copies
 * it into a pooled buffer ({@link SegmentLink}: a real link's cost, {@link LinkBaselineBenchmark}
 * {@code payload=1472} alone, subtract it for the stack's share). Simulated time advances
 * {@link TcpPeer#POLL_NANOS} per poll. Tear-down fails the run unless every byte was read, every
 * segment acknowledged, and nothing dropped.
 *
 * <p>{@code checksum} is the TCP checksum policy of the stack: {@code VERIFY} (production);
 * {@code -p checksum=IGNORE} (fuzzing only) shows what the stack costs without summing the payload.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar TcpReceive -prof gc
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
public class TcpReceiveBenchmark {
    /** Segments per poll (the stack's ingressBatch) and per invocation; at most 32 (see UdpReceiveBenchmark). */
    static final int BATCH = 32, SEGMENTS = 64;

    @Param({"VERIFY"})
    public String checksum;

    private TcpPeer p;
    private TcpPeer.Conn c;
    private TcpSocket s;
    private ByteBuf[] ring;
    private long bytesRead, segments, inSegsBefore;

    @Setup(Level.Trial)
    public void setUp() {
        p = new TcpPeer(BATCH, TcpConfig.builder().secret(1, 2).checksumPolicy(ChecksumPolicy.valueOf(checksum))
                .build(), 8);
        c = p.connect(40000, 0xffff);
        s = c.socket;
        ring = new ByteBuf[SEGMENTS];
        for (int i = 0; i < ring.length; i++) {
            ring[i] = TcpFrames.segment(c.port, TcpPeer.PORT, c.sndNxt, c.rcvNxt, TcpPacket.ACK_FLAG, 0xffff,
                    p.tsA(), p.link.lastTsVal, TcpFrames.FULL_PAYLOAD);
        }
        p.link.ring(ring);
        // one round by hand: the data arrives intact and is acknowledged
        round();
        round();
        if (bytesRead != 2L * SEGMENTS * TcpFrames.FULL_PAYLOAD || !ackedButOne()) {
            throw new IllegalStateException("read " + bytesRead + " bytes, last ACK " + p.link.lastAck + " of "
                    + c.sndNxt + ": " + p.stack.tcpStats());
        }
        segments = 2L * SEGMENTS;
        inSegsBefore = p.stack.tcpStats().get(TcpCounter.IN_SEGS) - segments;
    }

    @Benchmark
    @OperationsPerInvocation(SEGMENTS)
    @Op(value = "segment", plural = "segments")
    public long receive() {
        round();
        segments += SEGMENTS;
        return bytesRead;
    }

    private void round() {
        for (int k = SEGMENTS / BATCH; k > 0; k--) {
            int tsA = p.tsA(), tsEcr = p.link.lastTsVal;
            for (int i = 0; i < BATCH; i++) {
                TcpFrames.rewrite(ring[p.link.nextIndex()], c.sndNxt, c.rcvNxt, 0xffff, tsA, tsEcr);
                p.link.deliver(1);
                c.sndNxt += TcpFrames.FULL_PAYLOAD;
            }
            p.now += (BATCH - 1) * TcpPeer.POLL_NANOS; // POLL_NANOS per segment in all
            p.poll();
            p.drainReady();
            ByteBuf d;
            while ((d = s.read(1 << 20)) != null) {
                bytesRead += d.readableBytes();
                d.release();
            }
        }
    }

    /** Every segment but at most the last is acknowledged (an ACK for at least every second one, RFC 9293 §3.8.6.3). */
    private boolean ackedButOne() {
        int unacked = c.sndNxt - p.link.lastAck;
        return unacked == 0 || unacked == TcpFrames.FULL_PAYLOAD;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            p.checkSteady();
            long in = p.stack.tcpStats().get(TcpCounter.IN_SEGS) - inSegsBefore;
            if (bytesRead != segments * TcpFrames.FULL_PAYLOAD || in != segments || !ackedButOne()
                    || p.link.dataSegments() != 0) {
                throw new IllegalStateException(segments + " segments sent, " + in + " received, " + bytesRead
                        + " bytes read, last ACK " + Integer.toUnsignedString(p.link.lastAck) + " of "
                        + Integer.toUnsignedString(c.sndNxt) + ": " + p.stack.tcpStats());
            }
        } finally {
            for (ByteBuf b : ring) b.release();
            p.close();
        }
    }
}
