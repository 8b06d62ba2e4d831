package io.ioth.benchmarks;

import io.netty.bootstrap.Bootstrap;
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

import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Connection setup rate: per operation the client connects, the server accepts and closes the new
 * connection at once, and the operation ends when the client has seen the close (its channel
 * closed after the server's FIN). So one op is a full three-way handshake, an accept, and both
 * FINs: a server that answers and hangs up, like HTTP/1.0. The server closes first, so TIME_WAIT
 * stays on the server side (RFC 9293 §3.6) and the client never runs out of ephemeral ports.
 * One connection at a time.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar TcpConnect -prof gc
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
public class TcpConnectBenchmark {
    /**
     * {@code nio}: the kernel over loopback; {@code ioth-1500}: IoTh &harr; IoTh over the embedded switch
     * ({@link BenchTransport#open}; the MTU plays no part in a handshake, so one is enough).
     */
    @Param({"nio", "ioth-1500"})
    public String transport;

    private BenchTransport net;
    private ClientLoop client;
    private Channel server;
    private Bootstrap bootstrap;
    private SocketAddress serverAddress;

    /** Closes every accepted connection as soon as it is active. */
    @ChannelHandler.Sharable
    static final class AcceptAndClose extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.close();
        }
    }

    /** Nothing to do on the client side but be closed; one instance for every connection. */
    @ChannelHandler.Sharable
    static final class Idle extends ChannelInboundHandlerAdapter {
    }

    @Setup(Level.Trial)
    public void setUp() {
        net = BenchTransport.open(transport);
        server = net.serverBootstrap().childHandler(new AcceptAndClose()).bind(net.serverBindAddress())
                .syncUninterruptibly().channel();
        serverAddress = server.localAddress();
        client = new ClientLoop(net.clientIoHandlerFactory());
        bootstrap = net.clientBootstrap(client.loop).handler(new Idle());
    }

    @Benchmark
    @Op("conn")
    public Channel connectAcceptClose() {
        ChannelFuture connect = bootstrap.connect(serverAddress);
        Channel ch = connect.channel();
        client.await(ch.closeFuture());
        if (!connect.isSuccess()) {
            throw new IllegalStateException("connect failed", connect.cause());
        }
        return ch;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            if (server != null) server.close().syncUninterruptibly();
            if (client != null) client.close();
        } finally {
            if (net != null) net.close();
        }
    }
}
