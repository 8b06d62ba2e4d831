package io.ioth.tcpip.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ioth.tcpip.link.PcapngReader.Capture;
import io.ioth.tcpip.link.PcapngReader.Packet;
import io.ioth.tcpip.wire.GoldenFrames;
import io.ioth.vde.testing.ExecResult;
import io.ioth.vde.testing.RealTools;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapLinkTest {
    /** Simulated time, advanced by the test. */
    long now;
    final LongSupplier clock = () -> now;

    static ByteBuf frame(byte[] bytes) {
        return ByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
    }

    /**
     * The echo exchange of Captures over a pipe, recorded on end a:
     * t=1000 a sends the request (outbound), t=2500 b replies, a receives it (inbound).
     */
    void echoExchange(PipeLink.Pair wire, PcapLink a) {
        now = 1000;
        assertTrue(a.transmit(frame(GoldenFrames.icmp4EchoRequest())));
        a.flush();
        List<String> atB = new ArrayList<>();
        assertEquals(1, wire.b().receive(f -> {
            atB.add(ByteBufUtil.hexDump(f));
            f.release();
        }, 8));
        assertEquals(ByteBufUtil.hexDump(GoldenFrames.icmp4EchoRequest()), atB.get(0));
        now = 2500;
        assertTrue(wire.b().transmit(frame(GoldenFrames.icmp4EchoReply())));
        List<String> atA = new ArrayList<>();
        assertEquals(1, a.receive(f -> {
            atA.add(ByteBufUtil.hexDump(f));
            f.release();
        }, 8));
        assertEquals(ByteBufUtil.hexDump(GoldenFrames.icmp4EchoReply()), atA.get(0), "frames pass unchanged");
    }

    @Test
    void recordsBothDirectionsWithSimulatedTimestamps() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PipeLink.Pair wire = PipeLink.pair();
        PcapLink a = new PcapLink(wire.a(), new PcapngWriter(out), clock);
        echoExchange(wire, a);
        assertEquals(2, a.recorded());
        a.close();
        wire.close();
        Capture c = PcapngReader.parse(out.toByteArray());
        assertEquals(2, c.packets().size());
        Packet req = c.packets().get(0);
        Packet rep = c.packets().get(1);
        assertEquals(1000, req.timestamp());
        assertEquals(2, req.flags(), "outbound");
        assertArrayEquals(GoldenFrames.icmp4EchoRequest(), req.data());
        assertEquals(2500, rep.timestamp());
        assertEquals(1, rep.flags(), "inbound");
        assertArrayEquals(GoldenFrames.icmp4EchoReply(), rep.data());
        assertNull(a.recordingError());
    }

    @Test
    void delegatesAndClosesTheWrappedLinkAndTheWriter() {
        int[] closes = {0};
        OutputStream sink = new OutputStream() {
            @Override
            public void write(int b) {
            }

            @Override
            public void close() {
                closes[0]++;
            }
        };
        PipeLink.Pair wire = PipeLink.builder().maxFrameSize(9014).pair();
        PcapLink a = new PcapLink(wire.a(), new PcapngWriter(sink), clock);
        assertEquals(9014, a.maxFrameSize());
        assertSame(wire.a().allocator(), a.allocator());
        assertTrue(a.isUp());
        wire.a().transmit(frame(new byte[60])); // queued for b: released by b's close
        a.close();
        a.close();
        assertFalse(wire.a().isUp(), "the wrapped link is closed");
        assertFalse(a.isUp());
        assertEquals(1, closes[0], "the writer's sink is closed once");
        assertFalse(a.transmit(frame(new byte[60])), "a closed pipe drops (and releases)");
        wire.b().close();
    }

    @Test
    void aFailingWriterNeverDisturbsTheTraffic() {
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("disk full");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new IOException("disk full");
            }
        };
        PipeLink.Pair wire = PipeLink.pair();
        PcapLink a = new PcapLink(wire.a(), new PcapngWriter(broken), clock);
        echoExchange(wire, a); // flush() fails inside: recorded, not thrown
        IOException e = a.recordingError();
        assertNotNull(e);
        assertEquals("disk full", e.getMessage());
        assertEquals(1, a.recorded(), "recording stopped at the failure");
        a.close(); // does not throw
        wire.close();
    }

    /** The recorded exchange opens in tshark: echo request out, echo reply in, simulated timestamps. */
    @Test
    void tsharkShowsTheRecordedExchange(@TempDir Path dir) throws Exception {
        RealTools.require("tshark");
        Path f = dir.resolve("echo.pcapng");
        PipeLink.Pair wire = PipeLink.pair();
        PcapLink a = new PcapLink(wire.a(), PcapngWriter.open(f), clock);
        echoExchange(wire, a);
        a.close();
        wire.close();
        assertNull(a.recordingError());
        ExecResult r = PcapngReader.run("tshark", "-r", f.toString(), "-T", "fields", "-E", "separator=|",
                "-e", "frame.time_epoch", "-e", "frame.packet_flags_direction", "-e", "ip.src", "-e", "ip.dst",
                "-e", "icmp.type", "-e", "icmp.seq").check("tshark");
        assertEquals("0.000001000|0x00000002|10.0.0.1|10.0.0.2|8|1\n"
                + "0.000002500|0x00000001|10.0.0.2|10.0.0.1|0|1", r.out().strip());
    }
}
