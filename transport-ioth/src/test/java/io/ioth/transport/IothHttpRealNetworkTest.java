package io.ioth.transport;

import io.ioth.vde.testing.ExecResult;
import io.ioth.vde.testing.NetNs;
import io.ioth.vde.testing.RealTools;
import io.ioth.vde.testing.VdeSwitchProcess;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.netty.util.CharsetUtil;
import org.junit.jupiter.api.Test;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An HTTP server (Netty's codec-http) on an {@link IothServerSocketChannel} whose identity is plugged into a real
 * {@code vde_switch}, with Linux as the peer: {@code curl} in a private network namespace reaches it through a tap,
 * over IPv4 and IPv6, in clear and over TLS ({@code SslHandler}, a self-signed certificate from netty-pkitesting);
 * a Netty HTTP client on a second identity in this JVM fetches from it through the same switch, in clear and over
 * TLS. A 4 MiB response checks flow control against the kernel's TCP.
 */
class IothHttpRealNetworkTest {
    private static final int BIG = 4 * 1024 * 1024;
    private static final byte[] BIG_BODY = new byte[BIG];

    static {
        java.util.Arrays.fill(BIG_BODY, (byte) 'x');
    }

    /** "hello &lt;uri&gt; from &lt;family&gt;" for any path; 4 MiB of 'x' for /big. One request per connection. */
    private static final class Hello extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final FullHttpRequest req) {
            final ByteBuf body;
            if (req.uri().equals("/big")) {
                body = Unpooled.wrappedBuffer(BIG_BODY); // a heap buffer: the stack copies it into its frames
            } else {
                final boolean v6 = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress()
                        instanceof Inet6Address;
                body = Unpooled.copiedBuffer("hello " + req.uri() + " from " + (v6 ? "ipv6" : "ipv4") + "\n",
                        CharsetUtil.US_ASCII);
            }
            final FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    body);
            resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
            ctx.close();
        }
    }

    private static Channel httpServer(final IothEventLoopGroup group, final int port, final SslContext tls)
            throws InterruptedException {
        return new ServerBootstrap().group(group).channel(IothServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(final Channel ch) {
                        final ChannelPipeline p = ch.pipeline();
                        if (tls != null) {
                            p.addLast(tls.newHandler(ch.alloc()));
                        }
                        p.addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024), new Hello());
                    }
                }).bind(new InetSocketAddress("::", port)).sync().channel(); // :: serves IPv4 and IPv6
    }

    /** GET with a Netty client on {@code group}; returns the body. */
    private static String fetch(final IothEventLoopGroup group, final String host, final int port, final String uri,
                                final SslContext tls) throws Exception {
        final CompletableFuture<String> body = new CompletableFuture<>();
        final Channel ch = new Bootstrap().group(group).channel(IothSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(final Channel ch) {
                        final ChannelPipeline p = ch.pipeline();
                        if (tls != null) {
                            p.addLast(tls.newHandler(ch.alloc(), host, port));
                        }
                        p.addLast(new HttpClientCodec(), new HttpObjectAggregator(8 * 1024 * 1024),
                                new SimpleChannelInboundHandler<FullHttpResponse>() {
                                    @Override
                                    protected void channelRead0(final ChannelHandlerContext ctx,
                                                                final FullHttpResponse r) {
                                        body.complete(r.status().code() + " " + r.content()
                                                .toString(CharsetUtil.US_ASCII));
                                    }

                                    @Override
                                    public void exceptionCaught(final ChannelHandlerContext ctx,
                                                                final Throwable cause) {
                                        body.completeExceptionally(cause);
                                        ctx.close();
                                    }
                                });
                    }
                }).connect(host, port).sync().channel();
        try {
            final FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
            req.headers().set(HttpHeaderNames.HOST, host);
            ch.writeAndFlush(req);
            return body.get(30, TimeUnit.SECONDS);
        } finally {
            ch.close().sync();
        }
    }

    @Test
    void curlAndNettyFetchOverIpv4Ipv6AndTls() throws Exception {
        RealTools.require("vde_switch", "vde_plug", "ip", "curl", "ping");
        final X509Bundle cert = new CertificateBuilder().subject("CN=ioth.test").ecp256().setIsCertificateAuthority(true)
                .addSanDnsName("ioth.test").addSanIpAddress("10.78.0.2").addSanIpAddress("fd78::2")
                .addExtendedKeyUsageServerAuth().buildSelfSigned();
        final SslContext serverTls = SslContextBuilder.forServer(cert.toKeyManagerFactory()).build();
        final SslContext clientTls = SslContextBuilder.forClient().trustManager(cert.getCertificate()).build();
        IothEventLoopGroup server = null;
        IothEventLoopGroup client = null;
        try (VdeSwitchProcess sw = VdeSwitchProcess.start(); NetNs ns = NetNs.create()) {
            ns.tap("tap0", sw.vnl());
            ns.exec("ip", "addr", "add", "10.78.0.1/24", "dev", "tap0").check("IPv4 on tap0");
            ns.exec("ip", "-6", "addr", "add", "fd78::1/64", "dev", "tap0", "nodad").check("IPv6 on tap0");
            server = new IothEventLoopGroup("vnl=" + sw.vnl() + ",eth,ip=10.78.0.2/24,ip=fd78::2/64");
            client = new IothEventLoopGroup("vnl=" + sw.vnl() + ",eth,ip=10.78.0.3/24,ip=fd78::3/64");
            final Channel http = httpServer(server, 8080, null);
            final Channel https = httpServer(server, 8443, serverTls);
            // the stacks' IPv6 addresses are tentative for about a second (DAD): wait until Linux reaches them
            Nets.awaitTrue(() -> ns.exec("ping", "-6", "-c", "1", "-W", "1", "fd78::2").ok(), "fd78::2 answers");
            Nets.awaitTrue(() -> ns.exec("ping", "-6", "-c", "1", "-W", "1", "fd78::3").ok(), "fd78::3 answers");

            // Linux -> IoTh
            assertEquals("hello /a from ipv4\n", curl(ns, "http://10.78.0.2:8080/a"));
            assertEquals("hello /b from ipv6\n", curl(ns, "http://[fd78::2]:8080/b"));
            assertEquals("hello /c from ipv4\n", curl(ns, "-k", "https://10.78.0.2:8443/c"));
            assertEquals("hello /d from ipv6\n", curl(ns, "-k", "https://[fd78::2]:8443/d"));
            assertEquals(String.valueOf(BIG), curl(ns, "-o", "/dev/null", "-w", "%{size_download}",
                    "http://10.78.0.2:8080/big"));
            assertEquals(String.valueOf(BIG), curl(ns, "-o", "/dev/null", "-w", "%{size_download}",
                    "http://[fd78::2]:8080/big"));
            assertEquals(String.valueOf(BIG), curl(ns, "-k", "-o", "/dev/null", "-w", "%{size_download}",
                    "https://10.78.0.2:8443/big"));

            // IoTh -> IoTh through the real switch, Netty on both ends
            assertEquals("200 hello /e from ipv4\n", fetch(client, "10.78.0.2", 8080, "/e", null));
            assertEquals("200 hello /f from ipv6\n", fetch(client, "fd78::2", 8080, "/f", null));
            assertEquals("200 hello /g from ipv4\n", fetch(client, "10.78.0.2", 8443, "/g", clientTls));
            assertEquals("200 hello /h from ipv6\n", fetch(client, "fd78::2", 8443, "/h", clientTls));
            final String big = fetch(client, "10.78.0.2", 8443, "/big", clientTls);
            assertEquals(4 + BIG, big.length(), "4 MiB over TLS");

            https.close().sync();
            http.close().sync();
        } finally {
            Nets.shutdown(server, client);
        }
    }

    private static String curl(final NetNs ns, final String... args) {
        final String[] cmd = new String[args.length + 6];
        cmd[0] = "curl";
        cmd[1] = "-sS";
        cmd[2] = "--max-time";
        cmd[3] = "15";
        cmd[4] = "--noproxy";
        cmd[5] = "*";
        System.arraycopy(args, 0, cmd, 6, args.length);
        final long t0 = System.nanoTime();
        final ExecResult r = ns.exec(cmd);
        System.out.println("curl " + String.join(" ", args) + ": " + (System.nanoTime() - t0) / 1_000_000 + " ms "
                + r.out().length() + " chars " + r.err());
        assertTrue(r.ok(), "curl " + String.join(" ", args) + ": " + r);
        return r.out();
    }
}
