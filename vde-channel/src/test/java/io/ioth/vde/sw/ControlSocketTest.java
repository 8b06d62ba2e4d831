package io.ioth.vde.sw;

import io.ioth.vde.Vde;
import io.ioth.vde.VdeOptions;
import io.ioth.vde.VdePlug;
import io.ioth.vde.VdePoller;
import io.ioth.vde.testing.RealTools;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static io.ioth.vde.sw.Frames.A;
import static io.ioth.vde.sw.Frames.BROADCAST;
import static io.ioth.vde.sw.Frames.frame;
import static io.ioth.vde.sw.Frames.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A real {@code vde_plug vde:///DIR} talks to an in-JVM plug through the embedded switch's control socket. */
class ControlSocketTest {
    private static final long X = 0x02000000007eL; // the MAC behind vde_plug

    @Test
    void realVdePlugJoinsTheEmbeddedSwitch() throws Exception {
        RealTools.require("vde_plug");
        Path dir = Files.createTempDirectory("ioth-emb-").resolve("sw");
        EmbeddedSwitch sw = EmbeddedSwitch.create();
        EmbeddedPlug a = sw.plug(VdeOptions.defaults());
        VdePoller poller = new VdePoller();
        poller.add(a);
        ControlSocket cs = sw.listen(dir);
        Process p = null;
        try {
            assertTrue(Files.exists(dir.resolve("ctl")));
            p = new ProcessBuilder("vde_plug", "-D", "ioth-test", "vde://" + dir).redirectErrorStream(false).start();
            await(poller, () -> cs.endpoints().size() == 1, "vde_plug's handshake");
            assertTrue(cs.endpoints().get(0).contains("ioth-test"), cs.endpoints().toString());
            int extPort = Integer.parseInt(cs.endpoints().get(0).split(" ")[0]);
            assertEquals(2, extPort, "lowest free port after the in-JVM plug's port 1");
            try (var files = Files.list(dir)) { // §1.1: the switch's data socket is DIR/%03d.%d (port, fd)
                assertEquals(1, files.filter(f -> f.getFileName().toString().matches("002\\.\\d+")).count());
            }

            // vde_plug stdin (stream framing, vde-protocol.md §2) -> switch -> in-JVM plug
            OutputStream toPlug = p.getOutputStream();
            byte[] f1 = ByteBufUtil.decodeHexDump(hex(BROADCAST, X, 1, 2, 3));
            toPlug.write(new byte[] {0, (byte) f1.length});
            toPlug.write(f1);
            toPlug.flush();
            StringBuilder got = new StringBuilder();
            await(poller, () -> {
                a.read(f -> { got.append(ByteBufUtil.hexDump(f)); f.release(); }, 16);
                return got.length() > 0;
            }, "the frame from vde_plug");
            assertEquals(hex(BROADCAST, X, 1, 2, 3), got.toString());
            assertEquals(extPort, sw.lookup(X));

            // an in-JVM jumbo frame (up to EmbeddedSwitch.MAX_FRAME) cannot go to vdeplug4, which takes 9234 bytes at
            // most: the external port drops it, so the first record at vde_plug's stdout is the next frame
            ByteBuf jumbo = io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(10_000);
            ByteBuf header = frame(X, A);
            jumbo.writeBytes(header).writeZero(10_000 - header.readableBytes());
            header.release();
            assertTrue(a.write(jumbo));

            // in-JVM plug -> switch (known unicast to the external port) -> vde_plug stdout
            assertTrue(a.write(frame(X, A, 9, 8, 7)));
            InputStream fromPlug = p.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] expect = ByteBufUtil.decodeHexDump(hex(X, A, 9, 8, 7));
            await(poller, () -> {
                try {
                    while (fromPlug.available() > 0) out.write(fromPlug.read());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                return out.size() >= 2 + expect.length;
            }, "the frame at vde_plug's stdout");
            byte[] rec = out.toByteArray();
            assertEquals(expect.length, ((rec[0] & 0xff) << 8) | (rec[1] & 0xff));
            assertEquals(ByteBufUtil.hexDump(expect), ByteBufUtil.hexDump(rec, 2, rec.length - 2));

            // stdin EOF: vde_plug exits, its control stream closes, the port is freed (§1.5)
            toPlug.close();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            await(poller, () -> cs.endpoints().isEmpty(), "the port to be freed");
            assertEquals(-1, sw.lookup(X), "a freed port's MACs are flushed");
            try (var files = Files.list(dir)) {
                assertEquals(List.of("ctl"), files.map(f -> f.getFileName().toString()).toList());
            }
        } finally {
            if (p != null && p.isAlive()) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            cs.close();
            poller.close();
            a.close();
            sw.close();
        }
        assertFalse(Files.exists(dir), "the switch removes ctl and its empty directory (§1.1)");
        Files.deleteIfExists(dir.getParent());
    }

    /**
     * vde-protocol.md §1.2: the request's sun_path is 108 bytes. One that fills all 108 without a NUL
     * (naming a file that exists, so access() passes) must be refused like any bad request: the
     * client's connection closed, the switch still serving others. Before the fix the
     * IllegalArgumentException of the socket-address encoder ended the I/O thread (ctl removed, every
     * external port freed) and leaked the bad client's connection.
     */
    @Test
    void requestWithAnUnterminatedPathIsRefusedAndTheSwitchKeepsServing() throws Exception {
        Path top = Files.createTempDirectory("ioth-cs-");
        Path dir = top.resolve("sw");
        String base = top.toString() + "/";
        Path longFile = Path.of(base + "x".repeat(108 - base.length()));
        Files.createFile(longFile);
        assertEquals(108, longFile.toString().getBytes(StandardCharsets.UTF_8).length);
        EmbeddedSwitch sw = EmbeddedSwitch.create();
        ControlSocket cs = sw.listen(dir);
        VdePoller poller = new VdePoller();
        try (SocketChannel bad = SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("ctl")));
             Selector sel = Selector.open()) {
            ByteBuffer req = ByteBuffer.allocate(122 + 3).order(ByteOrder.LITTLE_ENDIAN);
            req.putInt(0xFEEDFACE).putInt(3).putInt(0).putShort((short) 1);
            req.put(longFile.toString().getBytes(StandardCharsets.UTF_8)); // 108 bytes, no NUL
            req.put("bad".getBytes(StandardCharsets.US_ASCII)).flip();
            while (req.hasRemaining()) bad.write(req);
            bad.configureBlocking(false);
            bad.register(sel, SelectionKey.OP_READ);
            ByteBuffer in = ByteBuffer.allocate(256);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            int r = 0;
            while (r != -1) {
                assertTrue(System.nanoTime() < deadline, "the bad client's connection was never closed");
                sel.select(100);
                sel.selectedKeys().clear();
                r = bad.read(in);
                assertTrue(r <= 0, "no answer for a bad request");
            }
            // the switch still serves: a well-formed client (our own vde:// plug) joins
            try (VdePlug ok = Vde.open("vde://" + dir)) {
                assertTrue(ok.isConnected());
                await(poller, () -> cs.endpoints().size() == 1, "the good client's port");
            }
        } finally {
            cs.close();
            poller.close();
            sw.close();
            Files.deleteIfExists(longFile);
            Files.deleteIfExists(dir);
            Files.deleteIfExists(top);
        }
    }

    private static void await(VdePoller poller, BooleanSupplier cond, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            poller.await(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }
}
