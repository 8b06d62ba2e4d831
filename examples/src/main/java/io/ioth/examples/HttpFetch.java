package io.ioth.examples;

import io.ioth.transport.IothSocketChannel;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.Promise;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A one-request HTTP/1.1 client on an IoTh group (one identity): the body is streamed into a sink. */
public final class HttpFetch {
    private HttpFetch() {}

    /** The answer's status and body length. */
    public record Result(int status, long bytes) {}

    /**
     * GETs {@code url} from {@code address} (the URL's host already resolved, through the stack), streaming the body
     * into {@code sink} on the loop thread.
     */
    public static Result get(final EventLoopGroup group, final InetAddress address, final URI url,
                             final OutputStream sink, final long timeoutNanos) throws Exception {
        if (!"http".equalsIgnoreCase(url.getScheme())) {
            throw new IllegalArgumentException("only http:// URLs: " + url);
        }
        final int port = url.getPort() < 0 ? 80 : url.getPort();
        final Promise<Result> done = group.next().newPromise();
        final Channel ch = new Bootstrap().group(group).channel(IothSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, Math.min(timeoutNanos / 1_000_000,
                        Integer.MAX_VALUE)))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(final Channel c) {
                        c.pipeline().addLast(new HttpClientCodec(), new Receiver(sink, done));
                    }
                }).connect(new InetSocketAddress(address, port)).sync().channel();
        try {
            final String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/"
                    : url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
            final DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
            req.headers().set(HttpHeaderNames.HOST, url.getHost() + (url.getPort() < 0 ? "" : ":" + port));
            req.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            req.headers().set(HttpHeaderNames.USER_AGENT, "ioth-fetch/0.1");
            ch.writeAndFlush(req);
            if (!done.await(timeoutNanos, TimeUnit.NANOSECONDS)) {
                throw new TimeoutException("no complete answer from " + url + " within "
                        + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
            }
            return done.getNow() != null ? done.getNow() : rethrow(done.cause());
        } finally {
            ch.close().awaitUninterruptibly();
        }
    }

    private static Result rethrow(final Throwable t) throws Exception {
        if (t instanceof Exception e) {
            throw e;
        }
        throw new IOException(t);
    }

    private static final class Receiver extends SimpleChannelInboundHandler<HttpObject> {
        private final OutputStream sink;
        private final Promise<Result> done;
        private int status;
        private long bytes;

        Receiver(final OutputStream sink, final Promise<Result> done) {
            this.sink = sink;
            this.done = done;
        }

        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final HttpObject msg) throws IOException {
            if (msg instanceof HttpResponse r) {
                status = r.status().code();
            }
            if (msg instanceof HttpContent c) {
                final ByteBuf b = c.content();
                final int n = b.readableBytes();
                if (n > 0) {
                    b.readBytes(sink, n);
                    bytes += n;
                }
                if (c instanceof LastHttpContent) {
                    done.trySuccess(new Result(status, bytes));
                    ctx.close();
                }
            }
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx) {
            done.tryFailure(new IOException("connection closed before the answer was complete (" + bytes
                    + " body bytes)"));
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
            done.tryFailure(cause instanceof UncheckedIOException u ? u.getCause() : cause);
            ctx.close();
        }
    }
}
