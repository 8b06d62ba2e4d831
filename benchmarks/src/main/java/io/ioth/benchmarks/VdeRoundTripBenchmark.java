package io.ioth.benchmarks;

import io.ioth.vde.FrameHandler;
import io.ioth.vde.Vde;
import io.ioth.vde.VdeOptions;
import io.ioth.vde.VdePlug;
import io.ioth.vde.VdePoller;
import io.ioth.vde.testing.VdeSwitchProcess;
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

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Frame round trips per second between two plugs on one wire: A sends to B, B answers A, one frame
 * in flight. One thread owns both plugs and blocks in one {@link VdePoller}, as a stack's event loop
 * would. {@code wire=embedded} is the in-JVM switch; {@code wire=vde_switch} a real vde_switch
 * process (needs the vde2 package), where each round trip is four unix-datagram hops.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar VdeRoundTrip -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
// FastThreadLocalThread workers, as on an event loop (see FastThreadLocalExecutor); no leak
// detection, whose sampled stack traces would be the only allocation measured
@Fork(value = 1, jvmArgsAppend = {"-Djmh.executor=CUSTOM",
        "-Djmh.executor.class=io.ioth.benchmarks.FastThreadLocalExecutor",
        "-Dio.netty.leakDetection.level=disabled"})
public class VdeRoundTripBenchmark {
    private static final long WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    @Param({"embedded", "vde_switch"})
    public String wire;

    /** Frame size: 64 bytes (the latency); {@code -p size=1514} by hand for a full frame's copies. */
    @Param({"64"})
    public int size;

    private VdeSwitchProcess sw;
    private VdePlug a, b;
    private VdePoller poller;
    private byte[] aToB, bToA;
    /** Frames lost on the wire (the real switch drops when a queue overflows); reported at tear-down. */
    private long lost;

    private final FrameHandler bounce = frame -> {
        frame.release();
        b.write(frame(bToA));
    };
    private int arrivedAtA;
    private final FrameHandler arrive = frame -> {
        frame.release();
        arrivedAtA++;
    };

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        String vnl;
        if (wire.equals("vde_switch")) {
            sw = VdeSwitchProcess.start();
            vnl = sw.vnl();
        } else {
            vnl = "switch://bench-" + ThreadLocalRandom.current().nextInt(1 << 30);
        }
        a = Vde.open(vnl, VdeOptions.defaults());
        b = Vde.open(vnl, VdeOptions.defaults());
        poller = new VdePoller();
        poller.add(a);
        poller.add(b);
        aToB = template(size, 2, 1);
        bToA = template(size, 1, 2);
    }

    /** Ethernet frame to 02:00:00:00:00:dst from 02:00:00:00:00:src, EtherType 0x88b5 (local experimental). */
    private static byte[] template(int size, int dst, int src) {
        byte[] f = new byte[size];
        f[0] = 2;
        f[5] = (byte) dst;
        f[6] = 2;
        f[11] = (byte) src;
        f[12] = (byte) 0x88;
        f[13] = (byte) 0xb5;
        return f;
    }

    private static ByteBuf frame(byte[] template) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(template.length);
        return buf.writeBytes(template);
    }

    @Benchmark
    @Op(value = "round trip", plural = "round trips")
    public int roundTrip() {
        a.write(frame(aToB));
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (b.read(bounce, 1) == 0) {
            if (System.nanoTime() > deadline) {
                lost++;
                return 0;
            }
            poller.await(WAIT_NANOS);
        }
        int before = arrivedAtA;
        while (a.read(arrive, 1) == 0) {
            if (System.nanoTime() > deadline) {
                lost++;
                return 0;
            }
            poller.await(WAIT_NANOS);
        }
        return arrivedAtA - before;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (lost > 0) System.out.println("\n" + wire + " size=" + size + ": " + lost + " frames lost");
        poller.close();
        a.close();
        b.close();
        if (sw != null) sw.close();
    }
}
