package io.ioth.vde;

import io.ioth.vde.internal.InetSockAddr;
import io.ioth.vde.internal.NativeMemory;
import io.ioth.vde.internal.VxvdeHeader;
import io.ioth.vde.internal.VxvdeMacTable;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pure tests of the vxvde header, the MAC table and the sockaddr encoder: bytes in, bytes out. */
class VxvdeWireTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final long SEC = 1_000_000_000L;

    private static byte[] hex(String s) { return HEX.parseHex(s.replace(" ", "")); }

    // --- header (vde-protocol.md §3: VNI 42 -> 08 00 00 00 00 00 2a 00) ---

    @Test
    void headerGoldenBytes() {
        ByteBuf b = Unpooled.buffer(8);
        b.writeLong(VxvdeHeader.of(42));
        assertArrayEquals(hex("08 000000 00002a 00"), bytes(b));
        b.clear().writeLong(VxvdeHeader.of(1));
        assertArrayEquals(hex("08 000000 000001 00"), bytes(b));
        b.clear().writeLong(VxvdeHeader.of(0xabcdef));
        assertArrayEquals(hex("08 000000 abcdef 00"), bytes(b));
        b.release();
        assertEquals(0xabcdef, VxvdeHeader.vni(VxvdeHeader.of(0xabcdef)));
        assertThrows(IllegalArgumentException.class, () -> VxvdeHeader.of(0x1000000));
    }

    @Test
    void headerMismatchNamesTheByteThatDiffers() {
        long ours = VxvdeHeader.of(42);
        assertNull(VxvdeHeader.mismatch(read("08 000000 00002a 00"), ours));
        assertEquals(DropReason.WRONG_VNI, VxvdeHeader.mismatch(read("08 000000 00002b 00"), ours));
        assertEquals(DropReason.WRONG_VNI, VxvdeHeader.mismatch(read("08 000000 01002a 00"), ours));
        assertEquals(DropReason.BAD_HEADER, VxvdeHeader.mismatch(read("0c 000000 00002a 00"), ours)); // flags
        assertEquals(DropReason.BAD_HEADER, VxvdeHeader.mismatch(read("08 000100 00002a 00"), ours)); // reserved 1-3
        assertEquals(DropReason.BAD_HEADER, VxvdeHeader.mismatch(read("08 000000 00002a 01"), ours)); // reserved 7
        assertEquals(DropReason.BAD_HEADER, VxvdeHeader.mismatch(read("08 000000 00002b 01"), ours)); // both
    }

    private static long read(String h) {
        ByteBuf b = Unpooled.wrappedBuffer(hex(h));
        try {
            return VxvdeHeader.read(b, 0);
        } finally {
            b.release();
        }
    }

    // --- MAC table (vde_hashtable.c) ---

    @Test
    void tableSizeRoundsUpToPowerOfTwo() {
        assertEquals(1024, new VxvdeMacTable(1024, SEC).size());
        assertEquals(1024, new VxvdeMacTable(1000, SEC).size());
        assertEquals(4, new VxvdeMacTable(3, SEC).size());
        assertEquals(1, new VxvdeMacTable(1, SEC).size());
        assertThrows(IllegalArgumentException.class, () -> new VxvdeMacTable(0, SEC));
    }

    @Test
    void keyIsExtmacWithVlan1() {
        // extmac: uint32 LE of bytes 0-3, plus (uint16 LE of bytes 4-5 + 1<<16) << 32
        ByteBuf f = Unpooled.wrappedBuffer(hex("020000000001 02000000000a 0800"));
        assertEquals(0x0001_0100_0000_0002L, VxvdeMacTable.key(f, 0));
        assertEquals(0x0001_0a00_0000_0002L, VxvdeMacTable.key(f, 6));
        assertFalse(VxvdeMacTable.isGroup(f, 0));
        f.release();
        ByteBuf g = Unpooled.wrappedBuffer(hex("ffffffffffff 333300000001"));
        assertTrue(VxvdeMacTable.isGroup(g, 0));
        assertTrue(VxvdeMacTable.isGroup(g, 6));
        g.release();
    }

    @Test
    void learnedEntryExpiresAfterExpiretime() {
        VxvdeMacTable t = new VxvdeMacTable(1024, 128 * SEC);
        long mac = key("02000000000a");
        long t0 = 5_000 * SEC;
        assertEquals(-1, t.lookup(mac, t0));
        t.learn(mac, 0, 0x7f000001L, 40000, 0, t0);
        int slot = t.lookup(mac, t0);
        assertTrue(slot >= 0);
        assertEquals(0x7f000001L, t.lo(slot));
        assertEquals(40000, t.port(slot));
        assertTrue(t.lookup(mac, t0 + 128 * SEC) >= 0, "last_seen >= now - expiretime is still usable");
        assertEquals(-1, t.lookup(mac, t0 + 128 * SEC + 1));
        assertEquals(-1, t.lookup(key("02000000000b"), t0));
        // relearning refreshes the time and the address (a MAC that moved)
        t.learn(mac, 0, 0x7f000002L, 40001, 0, t0 + 200 * SEC);
        slot = t.lookup(mac, t0 + 300 * SEC);
        assertEquals(0x7f000002L, t.lo(slot));
        assertEquals(40001, t.port(slot));
    }

    @Test
    void collisionOverwritesTheSlot() {
        VxvdeMacTable t = new VxvdeMacTable(1, SEC); // one slot: every MAC collides
        t.learn(key("02000000000a"), 0, 1, 1, 0, 0);
        t.learn(key("02000000000b"), 0, 2, 2, 0, 0);
        assertEquals(-1, t.lookup(key("02000000000a"), 0));
        assertEquals(2, t.lo(t.lookup(key("02000000000b"), 0)));
    }

    @Test
    void goodbyeForgetsEveryEntryOfThatExactSockaddr() {
        VxvdeMacTable t = new VxvdeMacTable(1024, 128 * SEC);
        t.learn(key("02000000000a"), 0, 0x7f000001L, 40000, 0, 0);
        t.learn(key("02000000000b"), 0, 0x7f000001L, 40000, 0, 0);
        t.learn(key("02000000000c"), 0, 0x7f000001L, 40001, 0, 0); // same ip, other port: kept
        t.learn(key("02000000000d"), 0, 0x7f000002L, 40000, 0, 0); // other ip: kept
        assertEquals(4, t.liveEntries(0));
        assertEquals(2, t.forget(0, 0x7f000001L, 40000, 0));
        assertEquals(-1, t.lookup(key("02000000000a"), 0));
        assertEquals(-1, t.lookup(key("02000000000b"), 0));
        assertTrue(t.lookup(key("02000000000c"), 0) >= 0);
        assertTrue(t.lookup(key("02000000000d"), 0) >= 0);
        assertEquals(0, t.forget(0, 0x7f000001L, 40000, 0));
    }

    private static long key(String mac) {
        ByteBuf b = Unpooled.wrappedBuffer(hex(mac));
        try {
            return VxvdeMacTable.key(b, 0);
        } finally {
            b.release();
        }
    }

    // --- sockaddr encoding (Linux struct sockaddr_in / sockaddr_in6, x86-64/arm64 little-endian family) ---

    @Test
    void sockaddrInGoldenBytes() throws Exception {
        try (NativeMemory m = new NativeMemory(32)) {
            m.clear();
            for (int i = 0; i < 32; i++) m.putByte(i, (byte) 0xa5);
            assertEquals(16, InetSockAddr.put(m, 0, InetAddress.getByName("239.0.0.1"), 14789, false));
            assertArrayEquals(hex("0200 39c5 ef000001 0000000000000000"), read(m, 16));
            assertEquals((byte) 0xa5, m.getByte(16), "nothing written past 16 bytes");
            assertEquals(new InetSocketAddress("239.0.0.1", 14789), InetSockAddr.decode(m, 0));
            assertEquals(0xef000001, InetSockAddr.v4(m, 0));
            assertEquals(14789, InetSockAddr.port(m, 0));
        }
    }

    @Test
    void sockaddrIn6GoldenBytes() throws Exception {
        try (NativeMemory m = new NativeMemory(32)) {
            for (int i = 0; i < 32; i++) m.putByte(i, (byte) 0xa5);
            assertEquals(28, InetSockAddr.put(m, 0, InetAddress.getByName("ff05:56de::1"), 14789, true));
            assertArrayEquals(hex("0a00 39c5 00000000 ff0556de000000000000000000000001 00000000"), read(m, 28));
            assertEquals(new InetSocketAddress("ff05:56de::1", 14789), InetSockAddr.decode(m, 0));
            assertEquals(0xff0556de00000000L, InetSockAddr.v6Hi(m, 0));
            assertEquals(1L, InetSockAddr.v6Lo(m, 0));
            // the wildcard of each family
            assertEquals(28, InetSockAddr.put(m, 0, null, 0, true));
            assertArrayEquals(new byte[28], read(m, 28)[0] == 0x0a ? zeroFamily(read(m, 28)) : read(m, 28));
            assertEquals(16, InetSockAddr.put(m, 0, null, 7, false));
            assertArrayEquals(hex("0200 0007 00000000 0000000000000000"), read(m, 16));
        }
    }

    private static byte[] zeroFamily(byte[] b) {
        b[0] = 0;
        return b;
    }

    private static byte[] read(NativeMemory m, int len) {
        byte[] b = new byte[len];
        m.getBytes(0, b, len);
        return b;
    }

    private static byte[] bytes(ByteBuf b) {
        byte[] out = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), out);
        return out;
    }
}
