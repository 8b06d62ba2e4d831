package io.ioth.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
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
 * Bulk TCP throughput over one connection: the client writes 64 KiB buffers as fast as the
 * connection takes them, the server reads and discards.
 *
 * <p><b>Unit: one JMH operation is one MiB</b> (16 writes of 64 KiB), so JMH's {@code ops/s} <em>is</em>
 * MiB/s and its score, error and per-op allocation ({@code gc.alloc.rate.norm} = bytes allocated per
 * MiB moved, both sides together) need no conversion. A write waits only while the channel is not
 * writable (Netty's default write-buffer water marks), so in steady state the rate at which the
 * client writes is the rate at which the server receives: what is in flight is bounded by the water
 * mark plus the socket buffers. Tear-down checks that the server received every byte written.
 * (An {@code @AuxCounters} bytes counter was the alternative; it would report a second, derived
 * figure with no error estimate of its own.)
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar TcpBulk -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
// FastThreadLocalThread workers, as on an event loop (see FastThreadLocalExecutor); no leak detection
@Fork(value = 1, jvmArgsAppend = {"-Djmh.executor=CUSTOM",
        "-Djmh.executor.class=io.ioth.benchmarks.FastThreadLocalExecutor",
        "-Dio.netty.leakDetection.level=disabled"})
public class TcpBulkBenchmark {
    static final int CHUNK = 64 * 1024;
    static final int CHUNKS_PER_OP = (1 << 20) / CHUNK;

    /**
     * {@code nio}: the kernel over loopback; {@code ioth-<mtu>}: IoTh &harr; IoTh over the embedded switch (65535: the
     * MTU of an in-JVM wire that carries what loopback carries);
     * {@code ioth-vde}: across a real vde_switch; {@code ioth-linux} (IoTh sends, a kernel receives), {@code linux-ioth}
     * and {@code linux-linux}: through taps across a real vde_switch, {@code -loss1} with 1 % loss each way in front of
     * the server's tap ({@link BenchTransport#open}).
     */
    @Param({"nio", "ioth-1500", "ioth-9000", "ioth-65535", "ioth-vde", "ioth-linux", "linux-ioth", "linux-linux",
            "ioth-linux-loss1", "linux-linux-loss1"})
    public String transport;

    private BenchTransport net;
    private ClientLoop client;
    private Channel server, channel;
    private ByteBuf chunk;
    private long written;
    private final Discard discard = new Discard();

    /** Counts and drops what arrives. The server loop is its only writer. */
    @ChannelHandler.Sharable
    static final class Discard extends ChannelInboundHandlerAdapter {
        volatile long received;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            received += buf.readableBytes(); // single writer: the server's event loop
            buf.release();
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        net = BenchTransport.open(transport);
        server = net.serverBootstrap().childHandler(discard).bind(net.serverBindAddress())
                .syncUninterruptibly().channel();
        client = new ClientLoop(net.clientIoHandlerFactory());
        ChannelFuture cf = client.sync(net.clientBootstrap(client.loop)
                .handler(new ChannelInboundHandlerAdapter()).connect(server.localAddress()));
        channel = cf.channel();
        chunk = channel.alloc().directBuffer(CHUNK, CHUNK).writeZero(CHUNK);
    }

    @Benchmark
    @Op("MiB")
    public long bulk() {
        for (int i = 0; i < CHUNKS_PER_OP; i++) {
            while (!channel.isWritable()) {
                client.run();
            }
            // a retained duplicate: the same memory each time, a recycled wrapper, no copy
            channel.writeAndFlush(chunk.retainedDuplicate(), channel.voidPromise());
            written += CHUNK;
            // between writes the client's loop does what is ready without blocking, as an event loop does between
            // tasks (both transports: NIO selects, a user-space stack also takes its ACKs here)
            client.loop.runNow();
        }
        return written;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            if (channel != null) {
                // an empty write completes after everything written before it has gone to the transport
                client.await(channel.writeAndFlush(Unpooled.EMPTY_BUFFER));
                if (net instanceof IothBenchTransport t) System.out.printf("%n%s: %s%n", transport, t.describe(channel));
                if (net instanceof LinuxBenchTransport t) System.out.printf("%n%s: %s%n", transport, t.describe(channel));
                client.await(channel.close());
                long deadline = System.nanoTime() + ClientLoop.STALL_NANOS;
                while (discard.received < written && System.nanoTime() < deadline) {
                    // the server thread delivers; the client loop keeps running, for a user-space stack sends
                    // what it still holds after close() (the kernel does that on its own for NIO)
                    client.loop.run(TimeUnit.MILLISECONDS.toNanos(1));
                }
                if (discard.received != written) {
                    throw new IllegalStateException("server received " + discard.received + " of " + written + " bytes");
                }
            }
        } finally {
            if (chunk != null) chunk.release();
            if (server != null) server.close().syncUninterruptibly();
            if (client != null) client.close();
            if (net != null) net.close();
        }
    }
}
