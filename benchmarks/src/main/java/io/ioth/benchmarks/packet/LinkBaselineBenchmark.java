package io.ioth.benchmarks.packet;

import io.ioth.benchmarks.Op;
import io.ioth.tcpip.link.FrameLink;
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
 * The share of the {@link ReplayLink} in the receive benchmarks, without a stack: per frame, a
 * pooled direct buffer, a copy of the frame into it (the work a real link does when it reads a
 * frame) and its release. Subtract it from {@link UdpReceiveBenchmark} and {@link IcmpEchoBenchmark}
 * (same frame sizes: {@code payload} 64 is a 106-byte frame, 1472 a 1514-byte one) for the stack's
 * own time per packet.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar LinkBaseline -prof gc
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
public class LinkBaselineBenchmark {
    static final int PACKETS = 64, BATCH = 32;

    @Param({"64", "1472"})
    public int payload;

    private ReplayLink link;
    private long bytes;
    private final FrameLink.FrameSink sink = f -> {
        bytes += f.readableBytes();
        f.release();
    };

    @Setup(Level.Trial)
    public void setUp() {
        link = new ReplayLink(1514);
        link.replay(Frames.udp(5000, payload));
    }

    @Benchmark
    @OperationsPerInvocation(PACKETS)
    @Op(value = "packet", plural = "packets")
    public int receive() {
        int n = 0;
        for (int i = PACKETS / BATCH; i > 0; i--) {
            n += link.receive(sink, BATCH);
        }
        return n;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (bytes != link.received() * (Frames.HEADERS + payload)) throw new IllegalStateException("frames lost");
        link.close();
    }
}
