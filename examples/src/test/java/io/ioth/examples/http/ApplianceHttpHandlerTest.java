package io.ioth.examples.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.stream.ChunkedWriteHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Requests in as bytes, answers out as bytes: the Net Appliance's HTTP service over an EmbeddedChannel. */
class ApplianceHttpHandlerTest {
    private final List<String> log = new ArrayList<>();
    private final EmbeddedChannel ch = new EmbeddedChannel(new HttpServerCodec(), new ChunkedWriteHandler(),
            new ApplianceHttpHandler(() -> "summary of the identity", log::add));

    @AfterEach
    void close() {
        ch.finishAndReleaseAll();
    }

    private String exchange(final String request) {
        ch.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.US_ASCII));
        ch.runPendingTasks();
        final StringBuilder out = new StringBuilder();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            out.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return out.toString();
    }

    @Test
    void whoamiAnswersThePeerAddressAsTheServerSeesIt() {
        // EmbeddedChannel's remote address is an EmbeddedSocketAddress: printed as is
        final String r = exchange("GET /whoami HTTP/1.1\r\nHost: x\r\n\r\n");
        assertTrue(r.startsWith("HTTP/1.1 200 OK\r\n"), r);
        assertTrue(r.contains("content-length: 9\r\n"), r);
        assertTrue(r.endsWith("\r\n\r\nembedded\n"), r);
        assertEquals(List.of("GET /whoami from embedded -> 200 9"), log);
        assertTrue(ch.isOpen(), "HTTP/1.1 keeps the connection");
    }

    @Test
    void rootAnswersTheSummary() {
        assertTrue(exchange("GET / HTTP/1.1\r\n\r\n").endsWith("\r\n\r\nsummary of the identity\n"));
    }

    @Test
    void bytesNStreamsExactlyNPatternBytes() {
        final String r = exchange("GET /bytes/70000 HTTP/1.1\r\n\r\n");
        final int body = r.indexOf("\r\n\r\n") + 4;
        assertTrue(r.contains("content-length: 70000\r\n"), r.substring(0, body));
        assertEquals(70000, r.length() - body);
        final ByteBuf got = Unpooled.copiedBuffer(r.substring(body), StandardCharsets.ISO_8859_1);
        assertTrue(ApplianceHttpHandler.isPattern(got, 0));
        assertEquals(69999 % 251, got.getByte(69999) & 0xff);
        got.release();
    }

    @Test
    void bytesRejectsNonNumbersAndHugeCounts() {
        assertTrue(exchange("GET /bytes/12x HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 400 Bad Request"));
        assertTrue(exchange("GET /bytes/99999999999999999 HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 400"));
        assertTrue(exchange("GET /bytes/-1 HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 400"));
    }

    @Test
    void sinkAnswersLengthAndSha256OfAChunkedBody() {
        // "abc" in two chunks: sha256("abc") = ba7816bf... (FIPS 180-2 example)
        final String r = exchange("POST /sink HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2\r\nab\r\n1\r\nc\r\n0\r\n\r\n");
        assertTrue(r.endsWith("\r\n\r\n3 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n"), r);
    }

    @Test
    void unknownPathIs404AndConnectionCloseIsHonoured() {
        final String r = exchange("GET /nope HTTP/1.1\r\nConnection: close\r\n\r\n");
        assertTrue(r.startsWith("HTTP/1.1 404 Not Found\r\n"), r);
        ch.runPendingTasks();
        assertFalse(ch.isOpen(), "closed after the answer");
    }

    @Test
    void malformedRequestLineIs400() {
        assertTrue(exchange("GARBAGE\r\n\r\n").startsWith("HTTP/1.1 400"));
    }
}
