package io.ioth.examples.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.stream.ChunkedInput;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The Net Appliance's HTTP service, transport-agnostic (it runs the same on IoTh and NIO channels):
 * <ul>
 *   <li>{@code GET /} — the identity summary;</li>
 *   <li>{@code GET /whoami} — the client's {@code ip:port} as the server's stack sees it, plain text;</li>
 *   <li>{@code GET /bytes/N} — exactly N bytes, streamed under the channel's writability;</li>
 *   <li>{@code POST /sink} — answers {@code <bytes> <sha256 hex>} of the body, streamed (nothing aggregated).</li>
 * </ul>
 * Pipeline: {@code HttpServerCodec, ChunkedWriteHandler, ApplianceHttpHandler}. One instance per channel.
 */
public final class ApplianceHttpHandler extends SimpleChannelInboundHandler<HttpObject> {
    /** The largest {@code /bytes/N}: 1 TiB, enough for any soak and bounded. */
    public static final long MAX_BYTES = 1L << 40;

    private final Supplier<String> summary;
    private final Consumer<String> log;
    private HttpRequest request;
    private MessageDigest sink;
    private long sinkBytes;

    public ApplianceHttpHandler(final Supplier<String> summary, final Consumer<String> log) {
        this.summary = summary;
        this.log = log;
    }

    /** {@code ip:port}, IPv6 in brackets (RFC 3986 §3.2.2), as the server's stack sees the peer. */
    public static String format(final SocketAddress a) {
        if (!(a instanceof InetSocketAddress isa) || isa.getAddress() == null) {
            return String.valueOf(a);
        }
        final String ip = io.netty.util.NetUtil.toAddressString(isa.getAddress()); // RFC 5952 form
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + isa.getPort();
    }

    @Override
    protected void channelRead0(final ChannelHandlerContext ctx, final HttpObject msg) {
        if (msg instanceof HttpRequest req) {
            request = req;
            sink = null;
            if (!req.decoderResult().isSuccess()) {
                request = null;
                respond(ctx, HttpResponseStatus.BAD_REQUEST, "bad request\n", false);
                return;
            }
            if (req.method().equals(HttpMethod.POST) && path(req).equals("/sink")) {
                sink = sha256();
                sinkBytes = 0;
                if (HttpUtil.is100ContinueExpected(req)) {
                    ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
                }
            }
        }
        if (msg instanceof HttpContent content && request != null) {
            if (sink != null) {
                final ByteBuf b = content.content();
                sinkBytes += b.readableBytes();
                if (b.hasArray()) {
                    sink.update(b.array(), b.arrayOffset() + b.readerIndex(), b.readableBytes());
                } else {
                    sink.update(b.nioBuffer());
                }
            }
            if (content instanceof LastHttpContent) {
                final HttpRequest req = request;
                request = null;
                serve(ctx, req);
            }
        }
    }

    private void serve(final ChannelHandlerContext ctx, final HttpRequest req) {
        final boolean keepAlive = HttpUtil.isKeepAlive(req);
        final String path = path(req);
        final boolean get = req.method().equals(HttpMethod.GET) || req.method().equals(HttpMethod.HEAD);
        if (sink != null) {
            final String body = sinkBytes + " " + HexFormat.of().formatHex(sink.digest()) + "\n";
            sink = null;
            logRequest(ctx, req, 200, sinkBytes);
            respond(ctx, HttpResponseStatus.OK, body, keepAlive);
        } else if (get && path.equals("/")) {
            final String body = summary.get();
            logRequest(ctx, req, 200, body.length());
            respond(ctx, HttpResponseStatus.OK, body.endsWith("\n") ? body : body + "\n", keepAlive);
        } else if (get && path.equals("/whoami")) {
            final String body = format(ctx.channel().remoteAddress()) + "\n";
            logRequest(ctx, req, 200, body.length());
            respond(ctx, HttpResponseStatus.OK, body, keepAlive);
        } else if (get && path.startsWith("/bytes/")) {
            final long n = parseCount(path.substring("/bytes/".length()));
            if (n < 0) {
                logRequest(ctx, req, 400, 0);
                respond(ctx, HttpResponseStatus.BAD_REQUEST, "want /bytes/N with 0 <= N <= " + MAX_BYTES + "\n",
                        keepAlive);
                return;
            }
            logRequest(ctx, req, 200, n);
            final HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM);
            HttpUtil.setContentLength(head, n);
            HttpUtil.setKeepAlive(head, keepAlive);
            ctx.write(head);
            final boolean headOnly = req.method().equals(HttpMethod.HEAD);
            final var body = ctx.writeAndFlush(new HttpChunkedInput(new PatternInput(headOnly ? 0 : n)));
            if (!keepAlive) {
                body.addListener(ChannelFutureListener.CLOSE);
            }
        } else {
            logRequest(ctx, req, 404, 0);
            respond(ctx, HttpResponseStatus.NOT_FOUND, "not found: " + path + "\n", keepAlive);
        }
    }

    private void logRequest(final ChannelHandlerContext ctx, final HttpRequest req, final int status,
                            final long bytes) {
        log.accept(req.method() + " " + req.uri() + " from " + format(ctx.channel().remoteAddress()) + " -> " + status
                + " " + bytes);
    }

    private static String path(final HttpRequest req) {
        final String uri = req.uri();
        final int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }

    private static long parseCount(final String s) {
        if (s.isEmpty() || s.length() > 14) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n <= MAX_BYTES ? n : -1;
    }

    private static void respond(final ChannelHandlerContext ctx, final HttpResponseStatus status, final String body,
                                final boolean keepAlive) {
        final FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN + "; charset=utf-8");
        HttpUtil.setContentLength(r, r.content().readableBytes());
        HttpUtil.setKeepAlive(r, keepAlive);
        final var f = ctx.writeAndFlush(r);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
        log.accept("connection from " + format(ctx.channel().remoteAddress()) + " failed: " + cause);
        ctx.close();
    }

    /** The bytes of {@code /bytes/N}: byte {@code i} is {@code i mod 251} (a prime: misplaced data shows). */
    public static byte patternByte(final long i) {
        return (byte) (i % 251);
    }

    /** N pattern bytes in 64 KiB pooled chunks; {@link io.netty.handler.stream.ChunkedWriteHandler} pulls them. */
    static final class PatternInput implements ChunkedInput<ByteBuf> {
        private static final int CHUNK = 64 * 1024;
        private final long length;
        private long offset;

        PatternInput(final long length) {
            this.length = length;
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
        public ByteBuf readChunk(final io.netty.buffer.ByteBufAllocator alloc) {
            if (isEndOfInput()) {
                return null;
            }
            final int n = (int) Math.min(CHUNK, length - offset);
            final ByteBuf b = alloc.buffer(n);
            int phase = (int) (offset % 251);
            for (int i = 0; i < n; i++) {
                b.writeByte(phase);
                if (++phase == 251) {
                    phase = 0;
                }
            }
            offset += n;
            return b;
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

    /** Whether {@code b} holds the pattern bytes starting at stream offset {@code offset}. */
    public static boolean isPattern(final ByteBuf b, final long offset) {
        int phase = (int) (offset % 251);
        for (int i = b.readerIndex(); i < b.writerIndex(); i++) {
            if (b.getByte(i) != (byte) phase) {
                return false;
            }
            if (++phase == 251) {
                phase = 0;
            }
        }
        return true;
    }
}
