package io.ioth.examples.scenarios;

import io.ioth.examples.NetAppliance;
import io.ioth.tcpip.socket.tcp.TcpConfig;
import io.ioth.tcpip.socket.tcp.TcpInfo;
import io.ioth.transport.IothChannelOption;
import io.ioth.transport.IothIdentity;
import io.ioth.transport.IothSocketChannel;
import io.ioth.vde.sw.Impairment;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.stream.ChunkedInput;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.util.concurrent.Promise;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Scenario 5 — a production and an experimental stack side by side: the same upload ({@code POST /sink} of N bytes)
 * from two client stacks with different TCP tunables, over the same impaired link, each printing its
 * {@code TCP_INFO} and throughput. The tunables are per stack ({@link IothIdentity#withTcpConfig}: here the RTO floor)
 * and per connection ({@link IothChannelOption#TCP_CONGESTION}): nothing is global, so an experiment cannot disturb
 * the production stack beside it in the same JVM.
 *
 * <pre>
 *   production   10.5.0.2 (cubic,   rto_min 200 ms) ─┐
 *                                                    ├ switch cli ══ impaired cable ══ switch srv ── server 10.5.0.1
 *   experimental 10.5.0.3 (newreno, rto_min  20 ms) ─┘      (1% loss and 10 ms delay toward the server)
 * </pre>
 *
 * The uploads run one after the other (the same link, the same seeded loss decisions): the client is the sender, so
 * its congestion control and RTO decide. The server answers {@code <bytes> <sha256>} and each client checks it.
 *
 * <p>{@code java -cp examples/target/ioth-examples.jar io.ioth.examples.scenarios.ProductionAndExperimental [MB]}
 */
public final class ProductionAndExperimental {
    private ProductionAndExperimental() {
    }

    /** One flavour of stack: its name, address, congestion control and RTO floor. */
    public record Flavour(String name, String ip, String congestion, Duration rtoMin) {
    }

    /** The production stack: Linux's defaults. */
    public static final Flavour PRODUCTION = new Flavour("production", "10.5.0.2", "cubic", Duration.ofMillis(200));
    /** The experimental stack: NewReno and a low RTO floor. */
    public static final Flavour EXPERIMENTAL = new Flavour("experimental", "10.5.0.3", "newreno",
            Duration.ofMillis(20));

    /** One upload: what the server acknowledged, how long it took, and the sender's TCP_INFO at the end. */
    public record Run(Flavour flavour, long bytes, boolean intact, long nanos, TcpInfo info) {
        public double megabytesPerSecond() {
            return bytes / (nanos / 1e9) / 1e6;
        }
    }

    public static void main(final String[] args) throws Exception {
        final long mb = args.length > 0 ? Long.parseLong(args[0]) : 8;
        run(System.out, mb << 20, Impairment.builder().loss(0.01).delay(Duration.ofMillis(10)).seed(7).build());
    }

    public static List<Run> run(final PrintStream out, final long bytes, final Impairment link) throws Exception {
        final String cli = Lab.uniqueSwitch("pe-cli");
        final String srv = Lab.uniqueSwitch("pe-srv");
        try (Lab lab = new Lab()) {
            final Cable cable = lab.add(Cable.connect(cli, srv));
            out.println("link          " + cable + ", toward the server: " + describe(link));
            final EventLoopGroup server = lab.stack("vnl=" + srv + ",eth,ip=10.5.0.1/24");
            lab.add(NetAppliance.start(server, 80, 0, () -> "sink", line -> { }));
            out.println("server        10.5.0.1:80 on " + srv + ", POST /sink answers '<bytes> <sha256>'");

            final List<Run> runs = List.of(upload(lab, cli, cable, link, PRODUCTION, bytes, out),
                    upload(lab, cli, cable, link, EXPERIMENTAL, bytes, out));
            final Run p = runs.get(0), e = runs.get(1);
            out.printf("result        experimental/production throughput: %.2f%n",
                    e.megabytesPerSecond() / p.megabytesPerSecond());
            return runs;
        }
    }

    /** {@code 1.0% loss, 10 ms delay}. */
    static String describe(final Impairment link) {
        return String.format("%.1f%% loss, %d ms delay", link.loss() * 100, link.delay().toMillis())
                + (link.jitter().isZero() ? "" : ", " + link.jitter().toMillis() + " ms jitter")
                + (link.bandwidth() == 0 ? "" : ", " + link.bandwidth() / 1_000_000 + " Mbit/s");
    }

    private static Run upload(final Lab lab, final String vnl, final Cable cable, final Impairment link,
                              final Flavour f, final long bytes, final PrintStream out) throws Exception {
        final TcpConfig tcp = TcpConfig.builder().rtoMin(f.rtoMin().toNanos()).build();
        final EventLoopGroup g = lab.stack(IothIdentity.parse("vnl=" + vnl + ",eth,ip=" + f.ip() + "/24")
                .withTcpConfig(tcp));
        cable.impairTowardB(link); // afresh for each run: the same seeded sequence of loss decisions
        final Run r = post(g, f, new InetSocketAddress("10.5.0.1", 80), bytes);
        final TcpInfo i = r.info();
        out.printf("%-13s %s %s, rto_min %d ms: %d bytes in %s = %.2f MB/s, %s%n", f.name(), f.ip(), i.congestionControl,
                f.rtoMin().toMillis(), r.bytes(), Lab.ms(r.nanos()), r.megabytesPerSecond(),
                r.intact() ? "sha256 ok" : "SHA256 MISMATCH");
        out.printf("%-13s tcp_info: srtt %.1f ms, rttvar %.1f ms, rto %.1f ms, cwnd %d B (%d segs), ssthresh %s,"
                        + " retrans %d (fast %d, timeouts %d, tlp %d), bytes_sent %d, bytes_retrans %d%n", "",
                i.srttMicros / 1e3, i.rttvarMicros / 1e3, i.rtoMicros / 1e3, i.cwnd, i.cwnd / Math.max(1, i.sndMss),
                i.ssthresh == Integer.MAX_VALUE ? "inf" : i.ssthresh + " B", i.totalRetrans, i.fastRetransmits,
                i.rtoTimeouts, i.tlpProbes, i.bytesSent, i.bytesRetrans);
        return r;
    }

    /** POSTs {@code bytes} pattern bytes to {@code /sink}; reads TCP_INFO when the answer is in. */
    static Run post(final EventLoopGroup group, final Flavour f, final InetSocketAddress server, final long bytes)
            throws Exception {
        final Promise<Run> done = group.next().newPromise();
        final PatternBody body = new PatternBody(bytes);
        final long[] start = new long[1];
        final Channel ch = new Bootstrap().group(group).channel(IothSocketChannel.class)
                .option(IothChannelOption.TCP_CONGESTION, f.congestion())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(final Channel c) {
                        c.pipeline().addLast(new HttpClientCodec(), new ChunkedWriteHandler(),
                                new SimpleChannelInboundHandler<HttpObject>() {
                                    private final StringBuilder answer = new StringBuilder();
                                    private int status;

                                    @Override
                                    protected void channelRead0(final ChannelHandlerContext ctx, final HttpObject m) {
                                        if (m instanceof HttpResponse r) {
                                            status = r.status().code();
                                        }
                                        if (m instanceof HttpContent c) {
                                            answer.append(c.content().toString(StandardCharsets.US_ASCII));
                                        }
                                        if (m instanceof LastHttpContent) {
                                            final long took = System.nanoTime() - start[0];
                                            final TcpInfo info = ctx.channel().config()
                                                    .getOption(IothChannelOption.TCP_INFO);
                                            final boolean intact = status == 200 && answer.toString().strip()
                                                    .equals(bytes + " " + body.sha256());
                                            done.trySuccess(new Run(f, bytes, intact, took, info));
                                        }
                                    }

                                    @Override
                                    public void channelInactive(final ChannelHandlerContext ctx) {
                                        done.tryFailure(new IOException("closed before the answer"));
                                    }

                                    @Override
                                    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable t) {
                                        done.tryFailure(t);
                                        ctx.close();
                                    }
                                });
                    }
                }).connect(server).sync().channel();
        try {
            final DefaultHttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/sink");
            req.headers().set(HttpHeaderNames.HOST, server.getHostString());
            HttpUtil.setContentLength(req, bytes);
            start[0] = System.nanoTime();
            ch.write(req);
            ch.writeAndFlush(new HttpChunkedInput(body));
            if (!done.await(120, TimeUnit.SECONDS)) {
                throw new IOException(f.name() + ": no answer within 120 s");
            }
            if (!done.isSuccess()) {
                throw new IOException(f.name() + ": upload failed", done.cause());
            }
            return done.getNow();
        } finally {
            ch.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /** N bytes of the {@code /bytes/N} pattern (byte i = i mod 251), in 64 KiB chunks, hashed as they go out. */
    static final class PatternBody implements ChunkedInput<ByteBuf> {
        private static final int CHUNK = 64 * 1024;
        private final long length;
        private final MessageDigest sha;
        private long offset;
        private String hex;

        PatternBody(final long length) {
            this.length = length;
            try {
                this.sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e); // every JDK has SHA-256
            }
        }

        /** The SHA-256 of what was produced (all of it, once the input is at its end). */
        String sha256() {
            if (hex == null) {
                hex = HexFormat.of().formatHex(sha.digest());
            }
            return hex;
        }

        @Override
        public boolean isEndOfInput() {
            return offset >= length;
        }

        @Override
        public void close() {
            // nothing held
        }

        @Deprecated
        @Override
        public ByteBuf readChunk(final ChannelHandlerContext ctx) {
            return readChunk(ctx.alloc());
        }

        @Override
        public ByteBuf readChunk(final ByteBufAllocator alloc) {
            if (isEndOfInput()) {
                return null;
            }
            final int n = (int) Math.min(CHUNK, length - offset);
            final byte[] chunk = new byte[n];
            for (int i = 0; i < n; i++) {
                chunk[i] = (byte) ((offset + i) % 251);
            }
            sha.update(chunk);
            offset += n;
            return alloc.buffer(n).writeBytes(chunk);
        }

        @Override
        public long length() {
            return length;
        }

        @Override
        public long progress() {
            return offset;
        }
    }
}
