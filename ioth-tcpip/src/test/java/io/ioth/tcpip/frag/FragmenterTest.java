package io.ioth.tcpip.frag;

import static io.ioth.tcpip.frag.Packets.A4;
import static io.ioth.tcpip.frag.Packets.B4;
import static io.ioth.tcpip.frag.Packets.bytes;
import static io.ioth.tcpip.frag.Packets.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ioth.tcpip.frag.Fragmenter.Result;
import io.ioth.tcpip.wire.ChecksumPolicy;
import io.ioth.tcpip.wire.IpProtocol;
import io.ioth.tcpip.wire.Ipv4Packet;
import io.ioth.tcpip.wire.Ipv4Repr;
import io.ioth.tcpip.wire.Ipv6ExtHeaders;
import io.ioth.tcpip.wire.Ipv6Packet;
import io.ioth.tcpip.wire.Ipv6Repr;
import io.ioth.tcpip.wire.WireError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

class FragmenterTest {
    final List<ByteBuf> out = new ArrayList<>();
    final Fragmenter frag = new Fragmenter(Packets.POOL, 14, new FragmentIds(new SplittableRandom(7)));

    @AfterEach
    void release() {
        Packets.releaseAll(out);
    }

    private byte[] ip(int i) {
        return bytes(out.get(i));
    }

    // -------------------------------------------------------------------------------- Linux layout, byte for byte

    @Test
    void ipv4PingS4000AtMtu1500IsLinuxLayoutByteForByte() {
        byte[] original = Packets.linuxOriginalV4(); // 20 + 8 + 4000 = 4028 bytes, id 0x90f8
        assertEquals(4028, original.length);
        ByteBuf in = Packets.pooled(original);
        try {
            assertEquals(Result.FRAGMENTED, frag.fragmentV4(in, 0, in.readableBytes(), 1500, out::add));
        } finally {
            in.release();
        }
        assertEquals(3, out.size());
        int[] offsets = {0, 1480, 2960};
        int[] lengths = {1500, 1500, 1068};
        Ipv4Packet p = new Ipv4Packet();
        for (int i = 0; i < 3; i++) {
            p.wrap(out.get(i), out.get(i).readerIndex(), out.get(i).readableBytes());
            assertEquals(offsets[i], p.fragOffset(), "offset of fragment " + i);
            assertEquals(lengths[i], p.totalLen(), "length of fragment " + i);
            assertEquals(i < 2, p.moreFrags());
            assertFalse(p.dontFrag());
            // the same bytes Linux put on the wire (ident, checksum and all)
            assertEquals(hex(LinuxTrace.ip(i)), hex(ip(i)), "fragment " + i);
        }
        assertEquals(3, frag.fragmentsCreated());
        assertEquals(1, frag.count(Result.FRAGMENTED));
    }

    @Test
    void ipv6PingS4000AtMtu1500IsLinuxLayoutByteForByte() {
        byte[] original = Packets.linuxOriginalV6(); // 40 + 8 + 4000 = 4048 bytes
        assertEquals(4048, original.length);
        int linuxIdent = 0xbf013314; // tcpdump: frag (0xbf013314:0|1448)
        ByteBuf in = Packets.pooled(original);
        try {
            assertEquals(Result.FRAGMENTED, frag.fragmentV6(in, 0, in.readableBytes(), 1500, linuxIdent, out::add));
        } finally {
            in.release();
        }
        assertEquals(3, out.size());
        // 1500 - 40 (IPv6) - 8 (Fragment header) = 1452, rounded down to a multiple of 8: 1448
        int[] offsets = {0, 1448, 2896};
        int[] sizes = {1496, 1496, 1160};
        for (int i = 0; i < 3; i++) {
            byte[] b = ip(i);
            assertEquals(sizes[i], b.length, "size of fragment " + i);
            Ipv6ExtHeaders ext = new Ipv6ExtHeaders();
            assertEquals(WireError.OK, ext.walk(new Ipv6Packet().wrap(Unpooled.wrappedBuffer(b), 0, b.length)));
            assertEquals(offsets[i], ext.fragOffset);
            assertEquals(i < 2, ext.moreFrags);
            assertEquals(linuxIdent, ext.fragIdent);
            assertEquals(hex(LinuxTrace.ip(3 + i)), hex(b), "fragment " + i);
        }
    }

    @Test
    void fragmentsLeaveHeadroomForTheEthernetHeader() {
        ByteBuf in = Packets.pooled(Packets.linuxOriginalV4());
        try {
            frag.fragmentV4(in, 0, in.readableBytes(), 1500, out::add);
        } finally {
            in.release();
        }
        for (ByteBuf f : out) {
            assertEquals(14, f.readerIndex());
            assertTrue(f.capacity() >= 14 + f.readableBytes());
            // the caller prepends Ethernet in place: no copy
            f.readerIndex(0);
            f.setBytes(0, LinuxTrace.PING_S4000.get(0), 0, 14);
        }
        assertEquals(hex(LinuxTrace.PING_S4000.get(1)), hex(bytes(out.get(1))));
    }

    @Test
    void reprVariantsGiveTheSameBytes() {
        byte[] original4 = Packets.linuxOriginalV4();
        Ipv4Repr r4 = new Ipv4Repr();
        ByteBuf b4 = Unpooled.wrappedBuffer(original4);
        assertEquals(WireError.OK, r4.parse(new Ipv4Packet().wrap(b4, 0, original4.length), ChecksumPolicy.VERIFY));
        ByteBuf payload4 = Packets.pooled(original4).skipBytes(20);
        try {
            assertEquals(Result.FRAGMENTED, frag.fragmentV4(r4, payload4, 1500, out::add));
            assertEquals(20, payload4.readerIndex(), "payload not consumed");
        } finally {
            payload4.release();
        }
        assertEquals(4008, r4.payloadLen, "repr left unchanged");
        for (int i = 0; i < 3; i++) {
            assertEquals(hex(LinuxTrace.ip(i)), hex(ip(i)));
        }
        Packets.releaseAll(out);

        byte[] original6 = Packets.linuxOriginalV6();
        Ipv6Repr r6 = new Ipv6Repr();
        assertEquals(WireError.OK, r6.parse(new Ipv6Packet().wrap(Unpooled.wrappedBuffer(original6), 0, 4048)));
        ByteBuf payload6 = Packets.pooled(original6).skipBytes(40);
        try {
            assertEquals(Result.FRAGMENTED, frag.fragmentV6(r6, payload6, 1500, 0xbf013314, out::add));
        } finally {
            payload6.release();
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(hex(LinuxTrace.ip(3 + i)), hex(ip(i)));
        }
    }

    // -------------------------------------------------------------------------------- refusals

    @Test
    void dontFragmentIsRefusedWithNothingEmitted() {
        byte[] b = Packets.ipv4(A4, B4, 17, 1, 0, 64, new byte[0], new byte[2000]);
        b[6] = 0x40; // DF
        ByteBuf in = Packets.pooled(b);
        try {
            assertEquals(Result.DONT_FRAGMENT, frag.fragmentV4(in, 0, b.length, 1500, out::add));
        } finally {
            in.release();
        }
        assertTrue(out.isEmpty());
        assertEquals(1, frag.count(Result.DONT_FRAGMENT));

        Ipv4Repr r = new Ipv4Repr().set(A4, B4, 17, 0, 64);
        r.dontFrag = true;
        ByteBuf payload = Unpooled.wrappedBuffer(new byte[2000]);
        assertEquals(Result.DONT_FRAGMENT, frag.fragmentV4(r, payload, 1500, out::add));
        assertTrue(out.isEmpty());
    }

    @Test
    void aPacketThatFitsIsNotFragmented() {
        byte[] b = Packets.ipv4(A4, B4, 17, 1, 0, 64, new byte[0], new byte[1480]);
        ByteBuf in = Unpooled.wrappedBuffer(b);
        assertEquals(Result.NOT_NEEDED, frag.fragmentV4(in, 0, b.length, 1500, out::add));
        byte[] b6 = Packets.ipv6(1, 2, 17, 0, 0, new byte[1460]);
        assertEquals(Result.NOT_NEEDED, frag.fragmentV6(Unpooled.wrappedBuffer(b6), 0, b6.length, 1500, out::add));
        assertTrue(out.isEmpty());
    }

    @Test
    void mtuMustCarryTheHeaderAndEightBytes() {
        byte[] b = Packets.ipv4(A4, B4, 17, 1, 0, 64, new byte[0], new byte[100]);
        ByteBuf in = Unpooled.wrappedBuffer(b);
        assertEquals(Result.MTU_TOO_SMALL, frag.fragmentV4(in, 0, b.length, 27, out::add));
        assertTrue(out.isEmpty());
        ByteBuf pooled = Packets.pooled(b);
        try {
            assertEquals(Result.FRAGMENTED, frag.fragmentV4(pooled, 0, b.length, 28, out::add));
        } finally {
            pooled.release();
        }
        assertEquals(13, out.size()); // 100 data bytes in 8-byte pieces: 12 x 8 + 4
        byte[] b6 = Packets.ipv6(1, 2, 59, 0, 0, new byte[100]);
        assertEquals(Result.MTU_TOO_SMALL,
                frag.fragmentV6(Unpooled.wrappedBuffer(b6), 0, b6.length, 55, 1, out::add));
    }

    @Test
    void malformedInputIsRefused() {
        byte[] b = Packets.ipv4(A4, B4, 17, 1, 0, 64, new byte[0], new byte[2000]);
        assertEquals(Result.MALFORMED, frag.fragmentV4(Unpooled.wrappedBuffer(b), 0, 1000, 1500, out::add));
        byte[] opt = Packets.ipv4(A4, B4, 17, 1, 0, 64, new byte[] {(byte) 0x82, 1, 0, 0}, new byte[2000]);
        assertEquals(Result.MALFORMED, frag.fragmentV4(Unpooled.wrappedBuffer(opt), 0, opt.length, 1500, out::add));
        byte[] v6 = Packets.ipv6(1, 2, 17, 0, 0, new byte[2000]);
        v6[0] = 0x45;
        assertEquals(Result.MALFORMED, frag.fragmentV6(Unpooled.wrappedBuffer(v6), 0, v6.length, 1500, 1, out::add));
        assertTrue(out.isEmpty());
        assertEquals(3, frag.count(Result.MALFORMED));
    }

    @Test
    void ipv6PacketAlreadyFragmentedIsRefused() {
        byte[] f = LinuxTrace.ip(3);
        byte[] big = Packets.concat(f, 0, f.length, f, 40, f.length - 40); // a fragment grown past the MTU
        new Ipv6Packet().wrap(Unpooled.wrappedBuffer(big), 0, big.length).setPayloadLen(big.length - 40);
        assertEquals(Result.ALREADY_FRAGMENTED,
                frag.fragmentV6(Unpooled.wrappedBuffer(big), 0, big.length, 1500, 1, out::add));
        assertTrue(out.isEmpty());
    }

    @Test
    void ipv6HeaderChainThatCannotFitTheFirstFragmentIsRefused() {
        // RFC 7112: a 1280-byte Destination Options header (fragmentable part) before UDP cannot all go in a
        // first fragment of at most 1280 - 48 = 1232 data bytes
        byte[] rest = new byte[1280 + 8 + 100];
        rest[0] = 17;
        rest[1] = (byte) 159; // (159 + 1) * 8 = 1280
        rest[2] = 1; // PadN option covering the rest
        rest[3] = (byte) 253;
        byte[] p = Packets.ipv6(1, 2, IpProtocol.IPV6_DEST_OPTS, 0, 0, rest);
        assertEquals(Result.HEADER_CHAIN_TOO_LONG,
                frag.fragmentV6(Unpooled.wrappedBuffer(p), 0, p.length, 1280, 1, out::add));
        assertTrue(out.isEmpty());
    }

    @Test
    void reprVariantsRefuseWhatTheyCannotDo() {
        Ipv4Repr r4 = new Ipv4Repr().set(A4, B4, 17, 0, 64);
        assertEquals(Result.MALFORMED, frag.fragmentV4(r4, Unpooled.wrappedBuffer(new byte[65516]), 1500, out::add));
        assertEquals(Result.NOT_NEEDED, frag.fragmentV4(r4, Unpooled.wrappedBuffer(new byte[1480]), 1500, out::add));
        Ipv6Repr r6 = new Ipv6Repr().set(0, 1, 0, 2, 17, 0, 64);
        ByteBuf big = Unpooled.wrappedBuffer(new byte[3000]);
        assertEquals(Result.NOT_NEEDED, frag.fragmentV6(r6, Unpooled.wrappedBuffer(new byte[1460]), 1500, out::add));
        assertEquals(Result.MALFORMED, frag.fragmentV6(r6, Unpooled.wrappedBuffer(new byte[65536]), 1500, out::add));
        r6.nextHeader = IpProtocol.IPV6_FRAGMENT;
        assertEquals(Result.ALREADY_FRAGMENTED, frag.fragmentV6(r6, big, 1500, out::add));
        r6.nextHeader = IpProtocol.HOP_BY_HOP;
        assertEquals(Result.UNSUPPORTED, frag.fragmentV6(r6, big, 1500, out::add));
        r6.nextHeader = IpProtocol.IPV6_DEST_OPTS;
        big.setByte(0, IpProtocol.HOP_BY_HOP); // destination options followed by hop-by-hop: bad chain
        assertEquals(Result.MALFORMED, frag.fragmentV6(r6, big, 1500, out::add));
        big.setByte(0, IpProtocol.IPV6_DEST_OPTS); // 2048 bytes of destination options, then another 2048: cut
        big.setByte(1, 255);
        big.setByte(2048, IpProtocol.UDP);
        big.setByte(2049, 255);
        assertEquals(Result.MALFORMED, frag.fragmentV6(r6, big, 1500, out::add));
        assertTrue(out.isEmpty());
        r6.nextHeader = IpProtocol.UDP;
        ByteBuf payload = Packets.pooled(new byte[3000]);
        try {
            assertEquals(Result.FRAGMENTED, frag.fragmentV6(r6, payload, 1500, out::add));
        } finally {
            payload.release();
        }
        assertEquals(3, out.size());
        byte[] v6 = Packets.ipv6(1, 2, IpProtocol.HOP_BY_HOP, 0, 0, new byte[3000]);
        v6[41] = (byte) 200; // hop-by-hop header runs past the packet
        assertEquals(Result.MALFORMED, frag.fragmentV6(Unpooled.wrappedBuffer(v6), 0, v6.length, 1500, 1, out::add));
        assertEquals(Result.MALFORMED, frag.fragmentV6(Unpooled.wrappedBuffer(v6), 0, 100, 1500, out::add));
    }

    // -------------------------------------------------------------------------------- options, chains, offsets

    @Test
    void ipv4OnlyCopiedOptionsGoIntoLaterFragments() {
        // NOP; Record Route (type 7, copied flag 0, 7 bytes); Security-like option 130 (copied flag 1, 11 bytes); EOL
        byte[] options = Hex("01 07 07 04 00 00 00 00 82 0b 01 02 03 04 05 06 07 08 09 00");
        assertEquals(20, options.length);
        byte[] payload = new byte[3000];
        new SplittableRandom(1).nextBytes(payload);
        byte[] b = Packets.ipv4(A4, B4, 17, 0x1234, 0, 64, options, payload);
        ByteBuf in = Packets.pooled(b);
        try {
            assertEquals(Result.FRAGMENTED, frag.fragmentV4(in, 0, b.length, 1500, out::add));
        } finally {
            in.release();
        }
        Ipv4Packet p = new Ipv4Packet();
        // first: all 40 header bytes, (1500 - 40) & ~7 = 1456 data bytes
        byte[] f0 = ip(0);
        p.wrap(Unpooled.wrappedBuffer(f0), 0, f0.length);
        assertEquals(40, p.headerLen());
        assertEquals(1496, p.totalLen());
        assertTrue(p.verifyChecksum());
        assertEquals(hex(options), hex(java.util.Arrays.copyOfRange(f0, 20, 40)));
        // later: only option 130, padded to 12 bytes; (1500 - 32) & ~7 = 1464 data bytes
        byte[] f1 = ip(1);
        p.wrap(Unpooled.wrappedBuffer(f1), 0, f1.length);
        assertEquals(32, p.headerLen());
        assertEquals(1456, p.fragOffset());
        assertEquals(32 + 1464, p.totalLen());
        assertTrue(p.verifyChecksum());
        assertEquals("820b010203040506070809" + "00", hex(java.util.Arrays.copyOfRange(f1, 20, 32)));
        byte[] f2 = ip(2);
        p.wrap(Unpooled.wrappedBuffer(f2), 0, f2.length);
        assertEquals(1456 + 1464, p.fragOffset());
        assertEquals(3000 - 1456 - 1464, p.payloadLength());
        assertFalse(p.moreFrags());
        // the data parts put back together are the payload
        byte[] data = Packets.concat(f0, 40, 1456, f1, 32, 1464, f2, 32, 80);
        assertArrayEquals(payload, data);
    }

    @Test
    void aForwardedFragmentIsSplitRelativeToItsOwnOffsetAndKeepsMf() {
        byte[] b = Packets.ipv4(A4, B4, 17, 7, 0, 63, new byte[0], new byte[1480]);
        new Ipv4Packet().wrap(Unpooled.wrappedBuffer(b), 0, b.length).setFlagsFrag(false, true, 1480);
        ByteBuf in = Packets.pooled(b);
        try {
            assertEquals(Result.FRAGMENTED, frag.fragmentV4(in, 0, b.length, 576, out::add));
        } finally {
            in.release();
        }
        Ipv4Packet p = new Ipv4Packet();
        int expected = 1480;
        for (int i = 0; i < out.size(); i++) {
            p.wrap(out.get(i), out.get(i).readerIndex(), out.get(i).readableBytes());
            assertEquals(expected, p.fragOffset());
            assertTrue(p.moreFrags(), "every piece of a non-last fragment has MF");
            assertEquals(63, p.ttl());
            expected += p.payloadLength();
        }
        assertEquals(3, out.size()); // 552 + 552 + 376
        assertEquals(1480 + 1480, expected);
    }

    @Test
    void ipv6UnfragmentablePartEndsAfterTheRoutingHeader() {
        // IPv6 | Hop-by-Hop (8) | Dest Opts (8) | Routing (24) | Dest Opts (8) | UDP (8 + 3000)
        byte[] hbh = Hex("3c 00 01 04 00 00 00 00");
        byte[] dst1 = Hex("2b 00 01 04 00 00 00 00");
        byte[] rh = Hex("3c 02 00 01 00 00 00 00" + " fd00000000000000 0000000000000009");
        byte[] dst2 = Hex("11 00 01 04 00 00 00 00");
        byte[] udp = new byte[8 + 3000];
        new SplittableRandom(2).nextBytes(udp);
        byte[] rest = Packets.concat(hbh, 0, 8, dst1, 0, 8, rh, 0, 24, dst2, 0, 8, udp, 0, udp.length);
        byte[] p = Packets.ipv6(1, 2, IpProtocol.HOP_BY_HOP, 0, 0, rest);
        ByteBuf in = Packets.pooled(p);
        try {
            assertEquals(Result.FRAGMENTED, frag.fragmentV6(in, 0, p.length, 1280, 99, out::add));
        } finally {
            in.release();
        }
        int unfrag = 40 + 8 + 8 + 24;
        int chunk = (1280 - unfrag - 8) & ~7; // 1192
        assertEquals(3, out.size());
        for (int i = 0; i < out.size(); i++) {
            byte[] f = ip(i);
            // the Unfragmentable Part is repeated, with the Routing header's Next Header now 44
            assertEquals(hex(java.util.Arrays.copyOfRange(p, 0, 4)), hex(java.util.Arrays.copyOfRange(f, 0, 4)));
            assertEquals(hex(java.util.Arrays.copyOfRange(p, 6, 56)), hex(java.util.Arrays.copyOfRange(f, 6, 56)));
            assertEquals(IpProtocol.IPV6_FRAGMENT, f[56] & 0xff);
            assertEquals(hex(java.util.Arrays.copyOfRange(p, 57, unfrag)),
                    hex(java.util.Arrays.copyOfRange(f, 57, unfrag)));
            // Fragment header: Next Header = Destination Options (the first fragmentable header)
            assertEquals(IpProtocol.IPV6_DEST_OPTS, f[unfrag] & 0xff);
            assertEquals(i * chunk | (i < 2 ? 1 : 0), ((f[unfrag + 2] & 0xff) << 8) | (f[unfrag + 3] & 0xff));
            assertEquals(f.length - 40, ((f[4] & 0xff) << 8) | (f[5] & 0xff));
        }
        assertEquals(unfrag + 8 + chunk, ip(0).length);
    }

    @Test
    void ipv6IdentsComeFromFragmentIds() {
        byte[] p = Packets.ipv6(1, 2, 59, 0, 0, new byte[2000]);
        byte[] q = Packets.ipv6(1, 3, 59, 0, 0, new byte[2000]);
        int[] ids = new int[3];
        for (int i = 0; i < 3; i++) {
            byte[] src = i < 2 ? p : q;
            ByteBuf in = Packets.pooled(src);
            try {
                assertEquals(Result.FRAGMENTED, frag.fragmentV6(in, 0, src.length, 1280, out::add));
            } finally {
                in.release();
            }
            Ipv6ExtHeaders ext = new Ipv6ExtHeaders();
            ext.walk(new Ipv6Packet().wrap(out.get(0), out.get(0).readerIndex(), out.get(0).readableBytes()));
            ids[i] = ext.fragIdent;
            Packets.releaseAll(out);
        }
        assertEquals(ids[0] + 1, ids[1], "RFC 7739 §5.3: one counter per destination");
        assertNotEquals(ids[1] + 1, ids[2]);
    }

    static byte[] Hex(String s) {
        String h = s.replaceAll("\\s+", "");
        byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }
}
