package io.ioth.benchmarks.engine;

import io.ioth.benchmarks.Op;
import io.ioth.tcpip.socket.tcp.TcpConfig;
import io.ioth.tcpip.socket.tcp.TcpCounter;
import io.ioth.tcpip.socket.tcp.TcpListener;
import io.ioth.tcpip.socket.tcp.TcpSocket;
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
 * Bulk TCP throughput between two IoTh stacks in one JVM, at the engine level (no Netty channel):
 * stack A sends over one connection to stack B across an in-memory Ethernet cable
 * ({@code PipeLink}, no copy, no syscall) at MTU {@code mtu}; one thread drives both stacks, as one
 * event loop owning two stacks would (A polls, B polls, the applications run: A's application keeps
 * its send buffer full with zero-copy writes of a 256 KiB buffer, B's reads and releases everything).
 * Default TCP configuration on both ends (timestamps, SACK, window scaling, NewReno, delayed ACKs,
 * receive-buffer auto-tuning), simulated time advancing {@value StackPair#ROUND_NANOS} ns per turn.
 *
 * <p><b>Unit: one op is one MiB received by B</b>, so {@code ops/s} is MiB/s of goodput, as in
 * {@code TcpBulkBenchmark} (the NIO baseline over the kernel's loopback, which the report shows in the
 * same run): both are one connection's bulk transfer on this machine, but here both ends' TCP, the
 * wire and the applications share one core, while NIO's client and server have a thread each and
 * the kernel does the TCP. Tear-down fails the run if the pipe dropped a frame (it is sized above the
 * largest window) or B did not receive every byte A's application wrote that was due.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar TcpBulkStacks -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Djmh.executor=CUSTOM",
        "-Djmh.executor.class=io.ioth.benchmarks.FastThreadLocalExecutor",
        "-Dio.netty.leakDetection.level=disabled"})
public class TcpBulkStacksBenchmark {
    static final int MIB = 1 << 20;

    @Param({"1500", "9000"})
    public int mtu;

    private StackPair net;
    private TcpSocket client, server;
    private ByteBuf chunk;
    private long received, target, retransBefore;

    @Setup(Level.Trial)
    public void setUp() {
        TcpConfig tcp = TcpConfig.builder().secret(3, 4).build();
        // the pipe holds a whole maximum receive window (6 MiB) of frames, so it never drops
        net = new StackPair(mtu, (6 << 20) / (mtu - 52) + 256, tcp, tcp, 64);
        TcpListener l = net.b.openTcpListener();
        StackPair.check(l.bind(0, StackPair.LO_B, 5001), "bind");
        StackPair.check(l.listen(8), "listen");
        client = net.a.openTcp();
        StackPair.check(client.connect(0, StackPair.LO_B, 5001, net.now), "connect");
        TcpSocket[] s = new TcpSocket[1];
        net.runUntil(() -> s[0] != null && client.isConnected(), () -> {
            if (s[0] == null) s[0] = l.accept();
        }, 10_000_000_000L);
        server = s[0];
        chunk = PooledByteBufAllocator.DEFAULT.directBuffer(256 * 1024);
        chunk.writerIndex(chunk.capacity());
        for (int i = 0; i < chunk.capacity(); i += 8) chunk.setLong(i, i * 0x9E3779B97F4A7C15L);
        retransBefore = net.a.tcpStats().get(TcpCounter.RETRANS_SEGS);
    }

    @Benchmark
    @Op("MiB")
    public long bulk() {
        target += MIB;
        while (received < target) {
            topUp();
            net.round();
            ByteBuf d;
            while ((d = server.read(1 << 20)) != null) {
                received += d.readableBytes();
                d.release();
            }
        }
        return received;
    }

    private void topUp() {
        while (client.sendSpace() > 0) {
            ByteBuf d = chunk.retainedDuplicate();
            int n = client.send(d);
            d.release();
            if (n <= 0) break;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            long retrans = net.a.tcpStats().get(TcpCounter.RETRANS_SEGS) - retransBefore;
            System.out.printf("%nMTU %d: %d MiB received, %d retransmissions, MSS %d, %s%n", mtu, received >> 20,
                    retrans, client.info(new io.ioth.tcpip.socket.tcp.TcpInfo(), net.now).sndMss,
                    client.info(new io.ioth.tcpip.socket.tcp.TcpInfo(), net.now));
            if (net.pipeDrops() != 0 || received < target) {
                throw new IllegalStateException(net.pipeDrops() + " frames dropped by the pipe, " + received
                        + " bytes received of " + target + ": " + net.a.tcpStats());
            }
        } finally {
            if (chunk != null) chunk.release();
            net.close();
        }
    }
}
