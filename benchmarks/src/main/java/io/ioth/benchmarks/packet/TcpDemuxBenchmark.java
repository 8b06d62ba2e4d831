package io.ioth.benchmarks.packet;

import io.ioth.benchmarks.Op;
import io.ioth.tcpip.socket.tcp.TcpConfig;
import io.ioth.tcpip.socket.tcp.TcpCounter;
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
 * Ethernet → IPv4 → TCP parse and demultiplex, per segment, to an established connection: the
 * floor every TCP segment pays. The segments are A's pure ACKs with the timestamp option (a 66-byte
 * frame), one after the other over {@code connections} established connections (round robin, so
 * with 1000 the connection lookup and each connection's state are not in cache); each carries
 * nothing new (same ACK and window, a newer TSval), so after the Ethernet and IPv4 checks, the TCP
 * checksum, the flow-table lookup and the RFC 9293 §3.10.7.4 checks (acceptability, PAWS,
 * TS.Recent update, ACK of nothing new) the stack has nothing to do and sends nothing. Frames are
 * rewritten in place and copied by the link as in {@link TcpReceiveBenchmark} ({@link LinkBaselineBenchmark}
 * {@code payload=64}, a 106-byte frame, is close to the link's share).
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar TcpDemux -prof gc
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
public class TcpDemuxBenchmark {
    static final int BATCH = 32, SEGMENTS = 64;

    @Param({"1", "1000"})
    public int connections;

    private TcpPeer p;
    private TcpPeer.Conn[] conns;
    private ByteBuf[] ring;
    private long segments, inSegsBefore, transmittedBefore;

    @Setup(Level.Trial)
    public void setUp() {
        if (connections < 1 || connections > 20_000) throw new IllegalArgumentException("connections: " + connections);
        p = new TcpPeer(BATCH, TcpConfig.builder().secret(1, 2).build(), 64);
        conns = new TcpPeer.Conn[connections];
        for (int i = 0; i < connections; i++) conns[i] = p.connect(20000 + i, 0xffff);
        // ring[k] belongs to conns[k % connections]
        int len = connections >= SEGMENTS ? connections : SEGMENTS - SEGMENTS % connections;
        ring = new ByteBuf[len];
        for (int k = 0; k < len; k++) {
            TcpPeer.Conn c = conns[k % connections];
            ring[k] = TcpFrames.segment(c.port, TcpPeer.PORT, c.sndNxt, c.rcvNxt, TcpPacket.ACK_FLAG, 0xffff,
                    p.tsA(), p.link.lastTsVal, 0);
        }
        p.link.ring(ring);
        inSegsBefore = p.stack.tcpStats().get(TcpCounter.IN_SEGS);
        transmittedBefore = p.link.transmitted();
    }

    @Benchmark
    @OperationsPerInvocation(SEGMENTS)
    @Op(value = "segment", plural = "segments")
    public int demux() {
        int n = 0;
        for (int k = SEGMENTS / BATCH; k > 0; k--) {
            int tsA = p.tsA();
            for (int i = 0; i < BATCH; i++) {
                int idx = p.link.nextIndex();
                TcpPeer.Conn c = conns[idx % connections];
                ByteBuf f = ring[idx];
                // the same ACK and window; only the timestamp moves (the echo stays the one of set-up)
                TcpFrames.rewrite(f, c.sndNxt, c.rcvNxt, 0xffff, tsA, f.getInt(TcpFrames.TS_ECR));
                p.link.deliver(1);
            }
            p.now += (BATCH - 1) * TcpPeer.POLL_NANOS;
            n += p.poll();
            p.drainReady();
        }
        segments += SEGMENTS;
        return n;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            p.checkSteady();
            long in = p.stack.tcpStats().get(TcpCounter.IN_SEGS) - inSegsBefore;
            long out = p.link.transmitted() - transmittedBefore;
            if (in != segments || out != 0 || p.stack.tcp().connections() != connections) {
                throw new IllegalStateException(segments + " segments sent, " + in + " received, " + out
                        + " frames answered, " + p.stack.tcp().connections() + " connections: " + p.stack.tcpStats());
            }
        } finally {
            for (ByteBuf b : ring) b.release();
            p.close();
        }
    }
}
