package io.ioth.benchmarks.packet;

import io.ioth.benchmarks.Op;
import io.ioth.tcpip.wire.Checksum;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
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

import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The engine's Internet checksum ({@link Checksum#sum}, RFC 1071: 64-bit reads, deferred carries)
 * over one pooled direct buffer of {@code size} bytes: a minimum-size packet (64), a full frame's
 * IP datagram at MTU 1500, and a jumbo one at MTU 9000. One op is one buffer; the report shows the
 * time per buffer and the rate in GB/s (10<sup>9</sup> bytes/s). The buffer stays in the L1/L2 cache
 * (as a packet just received or written does), so this is the arithmetic, not memory bandwidth.
 *
 * <p>{@link #sumNative} is a ceiling for comparison, not the engine: the same loop (8-byte reads,
 * deferred carries) reading the buffer's memory address directly in the machine's byte order and
 * swapping the folded sum once at the end (RFC 1071 §2 (B), byte-order independence), without
 * {@code ByteBuf.getLong}'s per-read bounds and reference-count checks and byte swap. The
 * difference is what the engine's checksum could gain from reading memory that way.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar Checksum -prof gc
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
public class ChecksumBenchmark {
    @Param({"1500", "9000"})
    public int size;

    private ByteBuf buf;

    @Setup(Level.Trial)
    public void setUp() {
        buf = PooledByteBufAllocator.DEFAULT.directBuffer(size, size);
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < size; i++) buf.writeByte(random.nextInt(256));
        // the same sum byte by byte, as RFC 1071 §4.1 writes it: the benchmark measures a correct sum
        long ref = 0;
        for (int i = 0; i + 1 < size; i += 2) ref += buf.getUnsignedShort(i);
        if ((size & 1) != 0) ref += buf.getUnsignedByte(size - 1) << 8;
        while ((ref >>> 16) != 0) ref = (ref & 0xffff) + (ref >>> 16);
        if (Checksum.sum(buf, 0, size, 0) != ref) {
            throw new IllegalStateException("Checksum.sum disagrees with RFC 1071 §4.1");
        }
        if (!buf.hasMemoryAddress() || sumNative() != ref) {
            throw new IllegalStateException("sumNative disagrees with RFC 1071 §4.1");
        }
    }

    @Benchmark
    @Op(value = "buffer", plural = "buffers", bytesParam = "size")
    public int sum() {
        return Checksum.sum(buf, 0, size, 0);
    }

    @Benchmark
    @Op(value = "buffer", plural = "buffers", bytesParam = "size")
    public int sumNative() {
        long address = buf.memoryAddress();
        long acc = 0;
        int i = 0;
        for (int last = size - 8; i <= last; i += 8) {
            long v = PlatformDependent.getLong(address + i);
            acc += (v >>> 32) + (v & 0xffffffffL);
        }
        int s = Checksum.fold(acc);
        if (!BIG_ENDIAN) s = (s & 0xff) << 8 | s >>> 8; // RFC 1071 §2 (B): swap once, at the end
        return Checksum.sum(buf, i, size - i, s); // the last 0-7 bytes
    }

    private static final boolean BIG_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN;

    @TearDown(Level.Trial)
    public void tearDown() {
        buf.release();
    }
}
