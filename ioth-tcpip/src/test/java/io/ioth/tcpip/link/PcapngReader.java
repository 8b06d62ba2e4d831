package io.ioth.tcpip.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ioth.vde.testing.ExecResult;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Test helper: a strict little pcapng parser, so the writer's output is checked without tshark
 * (draft-ietf-opsawg-pcapng §3-§4). It fails on any structural fault: a block length that is not a multiple of 4
 * or disagrees with its trailing copy, options that overrun the block or miss {@code opt_endofopt}, an EPB for an
 * undeclared interface. Also runs the real tools (bounded).
 */
final class PcapngReader {
    private PcapngReader() {
    }

    record Interface(int linkType, int snaplen, Map<Integer, byte[]> options) {
        String name() {
            byte[] n = options.get(PcapngWriter.IF_NAME);
            return n == null ? null : new String(n, StandardCharsets.UTF_8);
        }

        int tsresol() {
            byte[] r = options.get(PcapngWriter.IF_TSRESOL);
            return r == null ? 6 : r[0]; // pcapng §4.2: absent means microseconds
        }
    }

    record Packet(int interfaceId, long timestamp, int capturedLen, int originalLen, byte[] data, Integer flags) {
    }

    record Capture(int major, int minor, long sectionLength, Map<Integer, byte[]> shbOptions, List<Interface> interfaces,
                   List<Packet> packets) {
    }

    static Capture parse(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        assertTrue(file.length >= 28, "too short for a section header");
        assertEquals(PcapngWriter.SHB_TYPE, b.getInt(0), "first block must be a Section Header Block");
        assertEquals(PcapngWriter.BYTE_ORDER_MAGIC, b.getInt(8), "byte-order magic (little-endian expected)");
        int major = -1;
        int minor = -1;
        long sectionLength = 0;
        Map<Integer, byte[]> shbOptions = null;
        List<Interface> interfaces = new ArrayList<>();
        List<Packet> packets = new ArrayList<>();
        int pos = 0;
        while (pos < file.length) {
            assertTrue(file.length - pos >= 12, "trailing garbage at " + pos);
            int type = b.getInt(pos);
            int len = b.getInt(pos + 4);
            assertTrue(len >= 12 && len % 4 == 0, "block at " + pos + ": bad length " + len);
            assertTrue(pos + len <= file.length, "block at " + pos + " overruns the file");
            assertEquals(len, b.getInt(pos + len - 4), "block at " + pos + ": trailing length");
            int body = pos + 8;
            int end = pos + len - 4;
            switch (type) {
                case PcapngWriter.SHB_TYPE:
                    assertEquals(0, pos, "only one section expected");
                    major = b.getShort(body + 4) & 0xffff;
                    minor = b.getShort(body + 6) & 0xffff;
                    sectionLength = b.getLong(body + 8);
                    shbOptions = options(b, body + 16, end);
                    break;
                case PcapngWriter.IDB_TYPE:
                    interfaces.add(new Interface(b.getShort(body) & 0xffff, b.getInt(body + 4),
                            options(b, body + 8, end)));
                    break;
                case PcapngWriter.EPB_TYPE: {
                    int ifId = b.getInt(body);
                    assertTrue(ifId < interfaces.size(), "EPB for undeclared interface " + ifId);
                    long ts = ((long) b.getInt(body + 4) << 32) | (b.getInt(body + 8) & 0xffffffffL);
                    int cap = b.getInt(body + 12);
                    int orig = b.getInt(body + 16);
                    assertTrue(cap <= orig, "captured > original");
                    assertTrue(cap <= interfaces.get(ifId).snaplen(), "captured > snaplen");
                    int data = body + 20;
                    int optStart = data + PcapngWriter.pad4(cap);
                    assertTrue(optStart <= end, "packet data overruns the block");
                    for (int i = data + cap; i < optStart; i++) {
                        assertEquals(0, file[i], "packet padding must be zero");
                    }
                    Map<Integer, byte[]> opts = options(b, optStart, end);
                    byte[] f = opts.get(PcapngWriter.EPB_FLAGS);
                    Integer flags = f == null ? null : ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).getInt();
                    packets.add(new Packet(ifId, ts, cap, orig, Arrays.copyOfRange(file, data, data + cap), flags));
                    break;
                }
                default:
                    throw new AssertionError("unexpected block type 0x" + Integer.toHexString(type) + " at " + pos);
            }
            pos += len;
        }
        return new Capture(major, minor, sectionLength, shbOptions, interfaces, packets);
    }

    /** Options from {@code p} to {@code end}: none at all, or a list closed by opt_endofopt exactly at the end. */
    private static Map<Integer, byte[]> options(ByteBuffer b, int p, int end) {
        Map<Integer, byte[]> m = new LinkedHashMap<>();
        if (p == end) {
            return m;
        }
        while (true) {
            assertTrue(end - p >= 4, "option header overruns the block");
            int code = b.getShort(p) & 0xffff;
            int len = b.getShort(p + 2) & 0xffff;
            p += 4;
            if (code == PcapngWriter.OPT_ENDOFOPT) {
                assertEquals(0, len, "opt_endofopt length");
                assertEquals(end, p, "data after opt_endofopt");
                return m;
            }
            assertTrue(p + PcapngWriter.pad4(len) <= end, "option " + code + " overruns the block");
            byte[] v = new byte[len];
            b.get(p, v);
            for (int i = len; i < PcapngWriter.pad4(len); i++) {
                assertEquals(0, b.get(p + i), "option padding must be zero");
            }
            m.put(code, v);
            p += PcapngWriter.pad4(len);
        }
    }

    /** Runs a command (bounded, 60 s), capturing stdout and stderr. */
    static ExecResult run(String... cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile("ioth-pcap", ".out");
        Path err = Files.createTempFile("ioth-pcap", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError("timed out: " + String.join(" ", cmd));
            }
            return new ExecResult(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
