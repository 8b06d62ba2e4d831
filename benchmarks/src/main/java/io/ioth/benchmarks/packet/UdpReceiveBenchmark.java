package io.ioth.benchmarks.packet;

import io.ioth.benchmarks.Op;
import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.socket.StackSocket;
import io.ioth.tcpip.socket.udp.DatagramInfo;
import io.ioth.tcpip.socket.udp.UdpSocket;
import io.ioth.tcpip.stats.Counter;
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
 * Ethernet → IPv4 → UDP parse and demultiplex, per frame: the stack polls a batch of frames off its
 * link (Ethernet header, IPv4 header checksum and lengths, the UDP checksum over the whole
 * datagram, the port lookup) into a bound socket's receive queue, then the application drains the
 * socket as an event loop would (ready list, {@code receive}, release). Time per packet and
 * {@code -prof gc} bytes per packet. The frame is A:40000 → B:5000 with {@code payload} bytes
 * (64: a 106-byte frame; 1472: a full 1514-byte frame); the link's share (a pooled buffer and a
 * copy per frame) is {@link LinkBaselineBenchmark}.
 *
 * <p><b>Batches of at most 32.</b> {@code batch} is the stack's {@code ingressBatch}: frames read
 * per poll before the application drains. The datagrams of one poll sit in the socket's queue and
 * are released together, so a batch is a burst of buffer releases. Netty 4.2.20's
 * {@code Recycler$LocalPool.release} puts a buffer object returned on its owner thread into a
 * 32-slot array ({@code io.netty.recycler.chunkSize}); what overflows it goes to an MPSC chunked
 * queue of 32-slot chunks, which allocates a chunk as it grows and drops it when drained (found by
 * the engine's author with JFR: {@code MpscChunkedArrayQueue.resize}), so every burst of more than
 * 32 allocates. {@code batch=32} is the allocation-free setting; {@code batch=64} is the engine's
 * default {@code ingressBatch} and shows that cost. Any Netty code that holds more than 32 pooled
 * buffers and then releases them together pays the same.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar UdpReceive -prof gc
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
public class UdpReceiveBenchmark {
    /** Packets per benchmark invocation: {@code PACKETS / batch} polls, each drained. */
    static final int PACKETS = 64;

    @Param({"64", "1472"})
    public int payload;

    /** Polls of 32 (the figure that matters: 64 differed by the loop overhead only; {@code -p batch=64} by hand). */
    @Param({"32"})
    public int batch;

    private PacketStack s;
    private UdpSocket sock;
    private final DatagramInfo info = new DatagramInfo();
    private long datagrams, receivedBefore;

    @Setup(Level.Trial)
    public void setUp() {
        if (batch < 1 || PACKETS % batch != 0) {
            throw new IllegalArgumentException("batch must divide " + PACKETS + ": " + batch);
        }
        s = new PacketStack(batch);
        sock = s.stack.openUdp();
        int r = sock.bind(0, 5000);
        if (r != NetError.OK) throw new IllegalStateException("bind: " + NetError.name(r));
        s.link.replay(Frames.udp(5000, payload));
        receivedBefore = s.link.received();
        // one round by hand: every frame of the batch reaches the socket as the datagram sent
        s.poll();
        ByteBuf d = sock.receive(info);
        if (d == null || d.readableBytes() != payload || info.srcPort != 40000 || info.dstPort != 5000
                || info.src4() != Frames.IP_A
                || d.getByte(d.readerIndex() + payload - 1) != (byte) ((payload - 1) * 7 + 3)) { // Frames.fill
            throw new IllegalStateException("unexpected datagram " + info + " " + d);
        }
        d.release();
        datagrams = 1 + drain();
        if (datagrams != batch) throw new IllegalStateException(datagrams + " datagrams from a batch of " + batch);
    }

    @Benchmark
    @OperationsPerInvocation(PACKETS)
    @Op(value = "packet", plural = "packets")
    public long receive() {
        long n = 0;
        for (int i = PACKETS / batch; i > 0; i--) {
            s.poll();
            n += drain();
        }
        datagrams += n;
        return n;
    }

    /** The application's side of one loop iteration: every ready socket drained, every datagram released. */
    private int drain() {
        int n = 0;
        StackSocket r;
        while ((r = s.stack.nextReady()) != null) {
            r.takeEvents();
            ByteBuf d;
            while ((d = sock.receive(info)) != null) {
                d.release();
                n++;
            }
        }
        return n;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            s.checkSteady();
            long frames = s.link.received() - receivedBefore;
            if (datagrams != frames || sock.drops() != 0 || s.stack.stats().get(Counter.UDP_IN_DATAGRAMS) < frames) {
                throw new IllegalStateException(frames + " frames but " + datagrams + " datagrams received, "
                        + sock.drops() + " dropped by the socket: " + s.stack.stats());
            }
        } finally {
            s.close();
        }
    }
}
