package io.ioth.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
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
 * Request/response latency over one connection, one message in flight: the client writes
 * {@code size} bytes, the server echoes them, the operation ends when all {@code size} bytes are
 * back at the client. {@code TCP_NODELAY} on both ends (Netty's default for NIO, set explicitly so
 * every transport runs the same configuration). Sampled ({@link Mode#SampleTime}), so the results
 * carry percentiles (p50, p99, p99.9) and not only the mean.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar TcpEcho -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
// FastThreadLocalThread workers, as on an event loop (see FastThreadLocalExecutor); no leak detection
@Fork(value = 1, jvmArgsAppend = {"-Djmh.executor=CUSTOM",
        "-Djmh.executor.class=io.ioth.benchmarks.FastThreadLocalExecutor",
        "-Dio.netty.leakDetection.level=disabled"})
public class TcpEchoBenchmark {
    /**
     * {@code nio}: the kernel over loopback; {@code ioth-1500}: IoTh &harr; IoTh over the embedded switch;
     * {@code ioth-linux}: an IoTh client, a Linux server through a tap across a real vde_switch
     * ({@link BenchTransport#open}). {@code ioth-9000} and {@code ioth-vde} (IoTh &harr; IoTh across a real vde_switch)
     * by hand with {@code -p transport=...}: they stay out of the plan so the quick profile keeps within its 5 minutes.
     */
    @Param({"nio", "ioth-1500", "ioth-linux"})
    public String transport;

    /** Message size: one small segment, and 16 KiB (several segments at MTU 1500). */
    @Param({"64", "16384"})
    public int size;

    private BenchTransport net;
    private ClientLoop client;
    private Channel server, channel;
    private ByteBuf request;
    private int received;

    /** Writes back whatever arrives; flushes once per read burst. */
    @ChannelHandler.Sharable
    static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }

    /** Counts the echoed bytes; runs on the client loop, i.e. on the benchmark thread. */
    private final class Receive extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            received += buf.readableBytes();
            buf.release();
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        net = BenchTransport.open(transport);
        server = net.serverBootstrap().childOption(ChannelOption.TCP_NODELAY, true).childHandler(new Echo())
                .bind(net.serverBindAddress()).syncUninterruptibly().channel();
        client = new ClientLoop(net.clientIoHandlerFactory());
        ChannelFuture cf = client.sync(net.clientBootstrap(client.loop).option(ChannelOption.TCP_NODELAY, true)
                .handler(new Receive()).connect(server.localAddress()));
        channel = cf.channel();
        request = channel.alloc().directBuffer(size, size);
        for (int i = 0; i < size; i++) request.writeByte(i);
    }

    @Benchmark
    @Op(value = "round trip", plural = "round trips")
    public int echo() {
        received = 0;
        channel.writeAndFlush(request.retainedDuplicate(), channel.voidPromise());
        while (received < size) {
            client.run();
        }
        if (received != size) throw new IllegalStateException("echoed " + received + " bytes for " + size);
        return received;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            if (channel != null) client.await(channel.close());
        } finally {
            if (request != null) request.release();
            if (server != null) server.close().syncUninterruptibly();
            if (client != null) client.close();
            if (net != null) net.close();
        }
    }
}
