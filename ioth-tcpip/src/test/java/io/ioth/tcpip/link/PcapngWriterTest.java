package io.ioth.tcpip.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ioth.tcpip.link.PcapngReader.Capture;
import io.ioth.tcpip.link.PcapngReader.Packet;
import io.ioth.tcpip.link.PcapngWriter.Direction;
import io.ioth.tcpip.wire.GoldenFrames;
import io.ioth.vde.testing.ExecResult;
import io.ioth.vde.testing.RealTools;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapngWriterTest {
    /** 2023-11-14T22:13:20.123456789Z: a nanosecond part that microsecond resolution would lose. */
    static final long T0 = 1_700_000_000_123_456_789L;

    static String hex(byte[] b) {
        return ByteBufUtil.hexDump(b);
    }

    static String strip(String s) {
        return s.replaceAll("\\s+", "");
    }

    static byte[] bytesOf(PcapngWriter w, ByteArrayOutputStream out) throws IOException {
        w.flush();
        return out.toByteArray();
    }

    @Test
    void sectionHeaderAndInterfaceDescription_golden() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PcapngWriter w = new PcapngWriter(out);
        assertEquals(0, out.size(), "nothing reaches the sink before a flush");
        byte[] file = bytesOf(w, out);
        String expected = strip(""
                // SHB (pcapng §4.1): type, length 64, byte-order magic, version 1.0, section length -1
                + "0a0d0d0a 40000000 4d3c2b1a 0100 0000 ffffffffffffffff"
                // shb_userappl (4), 25 bytes + 3 pad; opt_endofopt; trailing length
                + "0400 1900" + hex("IoTh-for-Netty ioth-tcpip".getBytes(StandardCharsets.US_ASCII)) + "000000"
                + "0000 0000 40000000"
                // IDB (§4.2): type 1, length 44, LINKTYPE_ETHERNET, reserved, snaplen 65535
                + "01000000 2c000000 0100 0000 ffff0000"
                // if_name (2) "ioth0" + 3 pad; if_tsresol (9) = 9 (nanoseconds) + 3 pad; opt_endofopt; length
                + "0200 0500 696f746830 000000 0900 0100 09 000000 0000 0000 2c000000");
        assertEquals(expected, hex(file));
        Capture c = PcapngReader.parse(file);
        assertEquals(1, c.major());
        assertEquals(0, c.minor());
        assertEquals(-1L, c.sectionLength());
        assertEquals(1, c.interfaces().size());
        assertEquals(PcapngWriter.LINKTYPE_ETHERNET, c.interfaces().get(0).linkType());
        assertEquals("ioth0", c.interfaces().get(0).name());
        assertEquals(9, c.interfaces().get(0).tsresol());
        assertTrue(c.packets().isEmpty());
    }

    @Test
    void enhancedPacketBlock_golden() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PcapngWriter w = new PcapngWriter(out);
        byte[] icmp = GoldenFrames.icmp4EchoRequest(); // 54 bytes
        ByteBuf frame = Unpooled.wrappedBuffer(icmp);
        w.write(frame, T0, Direction.OUTBOUND);
        assertEquals(0, frame.readerIndex(), "indexes untouched");
        byte[] file = bytesOf(w, out);
        byte[] epb = java.util.Arrays.copyOfRange(file, 64 + 44, file.length);
        assertEquals(strip(""
                // EPB (§4.3): type 6, length 100, interface 0, timestamp high, low (T0 ns), captured 54, original 54
                + "06000000 64000000 00000000 fe9c9717 15cd853d 36000000 36000000"
                + hex(icmp) + "0000" // 54 bytes padded to 56
                // epb_flags (2), length 4, direction outbound (2); opt_endofopt; trailing length
                + "0200 0400 02000000 0000 0000 64000000"), hex(epb));
        Packet p = PcapngReader.parse(file).packets().get(0);
        assertEquals(T0, p.timestamp());
        assertArrayEquals(icmp, p.data());
        assertEquals(2, p.flags());
    }

    @Test
    void unknownDirectionWritesNoOptions() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PcapngWriter w = new PcapngWriter(out);
        w.write(Unpooled.wrappedBuffer(GoldenFrames.arpRequest()), 5L); // 42 bytes -> 44
        byte[] file = bytesOf(w, out);
        assertEquals(64 + 44 + 32 + 44, file.length);
        Packet p = PcapngReader.parse(file).packets().get(0);
        assertNull(p.flags());
        assertEquals(5L, p.timestamp());
        assertEquals(42, p.capturedLen());
    }

    @Test
    void snaplenCutsLongFramesButKeepsTheOriginalLength() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PcapngWriter w = new PcapngWriter(out, 64, 1024, null);
        byte[] big = new byte[1514];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) i;
        }
        w.write(Unpooled.wrappedBuffer(big), T0, Direction.INBOUND);
        w.write(Unpooled.wrappedBuffer(GoldenFrames.arpRequest()), T0 + 1, Direction.INBOUND);
        Capture c = PcapngReader.parse(bytesOf(w, out));
        assertEquals(64, c.interfaces().get(0).snaplen());
        assertNull(c.interfaces().get(0).name());
        Packet p = c.packets().get(0);
        assertEquals(64, p.capturedLen());
        assertEquals(1514, p.originalLen());
        assertArrayEquals(java.util.Arrays.copyOf(big, 64), p.data());
        assertEquals(42, c.packets().get(1).capturedLen());
        assertEquals(2, w.packets());
        assertEquals(1, w.truncated());
    }

    @Test
    void writesTheReadableBytesOnly() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PcapngWriter w = new PcapngWriter(out);
        byte[] icmp = GoldenFrames.icmp4EchoRequest();
        ByteBuf buf = Unpooled.buffer(100);
        buf.writeZero(7).writeBytes(icmp).writeZero(5).readerIndex(7).writerIndex(7 + icmp.length);
        w.write(buf, T0);
        assertEquals(7, buf.readerIndex());
        assertArrayEquals(icmp, PcapngReader.parse(bytesOf(w, out)).packets().get(0).data());
    }

    /** The buffer is bounded: the sink sees chunks no larger than it, and only when the next block does not fit. */
    @Test
    void bufferingIsBounded() throws IOException {
        List<Integer> chunks = new ArrayList<>();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        OutputStream sink = new OutputStream() {
            @Override
            public void write(int b) {
                throw new AssertionError("byte-at-a-time write");
            }

            @Override
            public void write(byte[] b, int off, int len) {
                chunks.add(len);
                all.write(b, off, len);
            }
        };
        PcapngWriter w = new PcapngWriter(sink, 1514, 4096, "pipe0");
        ByteBuf frame = Unpooled.wrappedBuffer(new byte[1514]);
        int block = 32 + 1516 + 12; // EPB with epb_flags
        for (int i = 0; i < 100; i++) {
            w.write(frame, T0 + i, Direction.INBOUND);
            assertTrue(w.buffered() <= 4096, "buffered " + w.buffered());
        }
        assertTrue(chunks.size() >= 100 * block / 4096, "chunks " + chunks);
        for (int n : chunks) {
            assertTrue(n <= 4096 && n > 4096 - block, "chunk " + n + " of " + chunks);
        }
        w.close();
        Capture c = PcapngReader.parse(all.toByteArray());
        assertEquals(100, c.packets().size());
        for (int i = 0; i < 100; i++) {
            assertEquals(T0 + i, c.packets().get(i).timestamp());
        }
    }

    @Test
    void bufferIsRaisedToHoldTheLargestBlock() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PcapngWriter w = new PcapngWriter(out, 9000, 16, null);
        w.write(Unpooled.wrappedBuffer(new byte[9000]), T0, Direction.OUTBOUND);
        assertEquals(9000, PcapngReader.parse(bytesOf(w, out)).packets().get(0).capturedLen());
    }

    @Test
    void writesAFileThroughAFileChannel(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("t.pcapng");
        Files.write(f, new byte[10_000]); // truncated on open
        try (PcapngWriter w = PcapngWriter.open(f)) {
            for (byte[] frame : GoldenFrames.all().values()) {
                w.write(Unpooled.wrappedBuffer(frame), T0, Direction.INBOUND);
            }
        }
        Capture c = PcapngReader.parse(Files.readAllBytes(f));
        assertEquals(GoldenFrames.all().size(), c.packets().size());
    }

    @Test
    void misuseThrows_closeIsIdempotent() throws IOException {
        assertThrows(IllegalArgumentException.class, () -> new PcapngWriter(new ByteArrayOutputStream(), 0, 1024, null));
        assertThrows(IllegalArgumentException.class,
                () -> new PcapngWriter(new ByteArrayOutputStream(), PcapngWriter.MAX_SNAPLEN + 1, 1024, null));
        assertThrows(IllegalArgumentException.class, () -> new PcapngWriter(new ByteArrayOutputStream(), 64, 0, null));
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
        PcapngWriter w = new PcapngWriter(sink);
        w.close();
        w.close();
        assertEquals(1, closes[0]);
        assertThrows(IllegalStateException.class, () -> w.write(Unpooled.wrappedBuffer(new byte[60]), 0));
        assertThrows(IllegalStateException.class, w::flush);
    }

    @Test
    void sinkFailureSurfacesAndTheBufferStaysUsable() throws IOException {
        boolean[] fail = {true};
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        OutputStream sink = new OutputStream() {
            @Override
            public void write(int b) {
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (fail[0]) {
                    throw new IOException("disk full");
                }
                all.write(b, off, len);
            }
        };
        PcapngWriter w = new PcapngWriter(sink);
        assertThrows(IOException.class, w::flush);
        assertEquals(0, w.buffered());
        fail[0] = false;
        w.write(Unpooled.wrappedBuffer(GoldenFrames.arpRequest()), T0);
        w.flush();
        assertEquals(32 + 44, all.size(), "only the EPB: the headers were lost with the failed flush");
    }

    /** Recording costs no allocation per frame (style.md §4.8, ThreadMXBean allocated bytes). */
    @Test
    void noAllocationPerFrame() throws IOException {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        PcapngWriter w = new PcapngWriter(OutputStream.nullOutputStream(), 65535, 64 * 1024, "x");
        ByteBuf heap = Unpooled.wrappedBuffer(GoldenFrames.icmp4EchoRequest());
        // not leak-tracked: under paranoid leak detection every access to a tracked buffer records a stack trace
        ByteBuf direct = Unpooled.wrappedBuffer(java.nio.ByteBuffer.allocateDirect(1514));
        assertTrue(direct.hasMemoryAddress() || direct.isDirect());
        try {
            for (int i = 0; i < 50_000; i++) { // warm up: JIT
                w.write(heap, i, Direction.INBOUND);
                w.write(direct, i, Direction.OUTBOUND);
            }
            int n = 100_000;
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < n; i++) {
                w.write(heap, i, Direction.INBOUND);
                w.write(direct, i, Direction.OUTBOUND);
            }
            long allocated = mx.getCurrentThreadAllocatedBytes() - before;
            assertTrue(allocated < n, allocated + " bytes allocated for " + 2 * n + " frames");
        } finally {
            direct.release();
        }
    }

    /** The real tools open the file and decode the golden frames (wireshark's pcapng reader, libpcap's). */
    @Test
    void tsharkAndTcpdumpDecodeTheCapture(@TempDir Path dir) throws Exception {
        RealTools.require("tshark", "tcpdump");
        Path f = dir.resolve("golden.pcapng");
        Map<String, byte[]> golden = GoldenFrames.all();
        try (PcapngWriter w = PcapngWriter.open(f)) {
            long t = T0;
            for (byte[] frame : golden.values()) {
                w.write(Unpooled.wrappedBuffer(frame), t, Direction.INBOUND);
                t += 1_000_001;
            }
        }
        ExecResult r = PcapngReader.run("tshark", "-r", f.toString(), "-T", "fields", "-E", "separator=|",
                "-e", "frame.time_epoch", "-e", "frame.len", "-e", "frame.interface_name",
                "-e", "frame.packet_flags_direction", "-e", "ip.src", "-e", "ip.dst", "-e", "icmp.type",
                "-e", "_ws.col.Protocol").check("tshark");
        String[] lines = r.out().strip().split("\n");
        assertEquals(golden.size(), lines.length, r.out());
        // the first golden frame of the ICMP echo: Captures.ICMP4_ECHO_REQUEST, index 2 in declaration order
        List<String> names = new ArrayList<>(golden.keySet());
        int i = names.indexOf("ICMP4_ECHO_REQUEST");
        assertEquals("1700000000." + (123456789 + 1000001 * i) + "|54|ioth0|0x00000001|10.0.0.1|10.0.0.2|8|ICMP",
                lines[i]);
        // nothing Wireshark finds malformed
        ExecResult malformed = PcapngReader.run("tshark", "-r", f.toString(), "-Y", "_ws.malformed || _ws.expert.severity >= error")
                .check("tshark -Y");
        assertEquals("", malformed.out().strip(), malformed.out());

        ExecResult td = PcapngReader.run("tcpdump", "-r", f.toString(), "-nn", "-e", "--time-stamp-precision=nano",
                "-tt").check("tcpdump");
        String line = td.out().split("\n")[i];
        assertEquals("1700000000." + (123456789 + 1000001 * i) + " 02:00:00:00:00:0a > 02:00:00:00:00:0b, "
                + "ethertype IPv4 (0x0800), length 54: 10.0.0.1 > 10.0.0.2: ICMP echo request, id 7304, seq 1, "
                + "length 20", line);
    }
}
