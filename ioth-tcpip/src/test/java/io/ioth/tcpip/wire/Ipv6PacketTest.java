package io.ioth.tcpip.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.api.Test;

class Ipv6PacketTest {
    static final long FD00 = 0xfd00_0000_0000_0000L;

    @Test
    void deconstruct() {
        Ipv6Packet p = new Ipv6Packet();
        assertEquals(WireError.OK, p.wrapChecked(Hex.wrap(Captures.UDP6), 14, 53));
        assertEquals(6, p.version());
        assertEquals(0, p.trafficClass());
        assertEquals(0x76e58, p.flowLabel());
        assertEquals(13, p.payloadLen());
        assertEquals(IpProtocol.UDP, p.nextHeader());
        assertEquals(64, p.hopLimit());
        assertEquals(FD00, p.srcHi());
        assertEquals(1, p.srcLo());
        assertEquals(FD00, p.dstHi());
        assertEquals(2, p.dstLo());
        assertEquals(54, p.payloadOffset());
    }

    @Test
    void construct() {
        ByteBuf b = Hex.filledA5(40);
        Ipv6Packet p = new Ipv6Packet().wrap(b, 0, 40);
        p.setVersionTcFlow(0, 0x76e58);
        p.setPayloadLen(13);
        p.setNextHeader(IpProtocol.UDP);
        p.setHopLimit(64);
        p.setSrc(FD00, 1);
        p.setDst(FD00, 2);
        assertEquals(ByteBufUtil.hexDump(Captures.UDP6, 14, 40), ByteBufUtil.hexDump(b));
    }

    @Test
    void parseAndEmit() {
        Ipv6Repr r = new Ipv6Repr();
        assertEquals(WireError.OK, r.parse(new Ipv6Packet().wrap(Hex.wrap(Captures.UDP6), 14, 53)));
        assertEquals(0x76e58, r.flowLabel);
        assertEquals(13, r.payloadLen);
        Ipv6Repr e = new Ipv6Repr().set(FD00, 1, FD00, 2, IpProtocol.UDP, 13, 64);
        e.flowLabel = 0x76e58;
        ByteBuf b = Hex.filledA5(e.bufferLen());
        e.emit(new Ipv6Packet().wrap(b, 0, 40));
        assertEquals(ByteBufUtil.hexDump(Captures.UDP6, 14, 40), ByteBufUtil.hexDump(b));
    }

    @Test
    void truncated() {
        assertEquals(WireError.TRUNCATED, new Ipv6Packet().wrapChecked(Hex.wrap(Captures.UDP6), 14, 39));
        assertEquals(WireError.TRUNCATED, new Ipv6Packet().wrapChecked(Hex.wrap(Captures.UDP6), 14, 52));
        byte[] b = Captures.UDP6.clone();
        b[14] = 0x40;
        assertEquals(WireError.BAD_VERSION, new Ipv6Repr().parse(new Ipv6Packet().wrap(Hex.wrap(b), 14, 53)));
    }

    @Test
    void extChain_noExtensionHeaders() {
        Ipv6ExtHeaders x = new Ipv6ExtHeaders();
        assertEquals(WireError.OK, x.walk(new Ipv6Packet().wrap(Hex.wrap(Captures.UDP6), 14, 53)));
        assertEquals(IpProtocol.UDP, x.upperProtocol);
        assertEquals(54, x.upperOffset);
        assertEquals(13, x.upperLength);
        assertEquals(0, x.headerCount);
    }

    @Test
    void extChain_hopByHop() {
        Ipv6ExtHeaders x = new Ipv6ExtHeaders();
        assertEquals(WireError.OK, x.walk(new Ipv6Packet().wrap(Hex.wrap(Captures.MLD2_REPORT_HBH), 14, 96)));
        assertEquals(IpProtocol.ICMPV6, x.upperProtocol);
        assertEquals(14 + 40 + 8, x.upperOffset);
        assertEquals(48, x.upperLength);
        assertEquals(1, x.headerCount);
        assertEquals(143, Hex.wrap(Captures.MLD2_REPORT_HBH).getUnsignedByte(x.upperOffset)); // MLDv2 report
    }

    @Test
    void extChain_fragment() {
        Ipv6ExtHeaders x = new Ipv6ExtHeaders();
        assertEquals(WireError.OK, x.walk(new Ipv6Packet().wrap(Hex.wrap(Captures.IPV6_LAST_FRAGMENT), 14, 224)));
        assertTrue(x.hasFragmentHeader);
        assertEquals(54, x.fragHeaderOffset);
        assertEquals(1232, x.fragOffset);
        assertFalse(x.moreFrags);
        assertEquals(0x9ae420ab, x.fragIdent);
        assertEquals(IpProtocol.ICMPV6, x.upperProtocol);
        assertEquals(62, x.upperOffset);
        assertEquals(176, x.upperLength);
    }

    /** Chain of {@code n} destination-options headers (8 bytes each) then UDP, written from RFC 8200 §4.6. */
    static ByteBuf chain(int n, int first) {
        ByteBuf b = Hex.filledA5(8 * n + 8);
        for (int i = 0; i < n; i++) {
            b.setByte(8 * i, i == n - 1 ? IpProtocol.UDP : IpProtocol.IPV6_DEST_OPTS);
            b.setByte(8 * i + 1, 0);
            b.setByte(8 * i + 2, 1); // PadN, 4 bytes
            b.setByte(8 * i + 3, 4);
            b.setInt(8 * i + 4, 0);
        }
        return b;
    }

    @Test
    void extChain_isBounded() {
        Ipv6ExtHeaders x = new Ipv6ExtHeaders();
        ByteBuf ok = chain(Ipv6ExtHeaders.MAX_HEADERS, IpProtocol.IPV6_DEST_OPTS);
        assertEquals(WireError.OK, x.walk(ok, 0, ok.capacity(), IpProtocol.IPV6_DEST_OPTS));
        assertEquals(IpProtocol.UDP, x.upperProtocol);
        assertEquals(8 * Ipv6ExtHeaders.MAX_HEADERS, x.upperOffset);
        ByteBuf tooLong = chain(Ipv6ExtHeaders.MAX_HEADERS + 1, IpProtocol.IPV6_DEST_OPTS);
        assertEquals(WireError.BAD_EXT_CHAIN, x.walk(tooLong, 0, tooLong.capacity(), IpProtocol.IPV6_DEST_OPTS));
    }

    @Test
    void extChain_malformed() {
        Ipv6ExtHeaders x = new Ipv6ExtHeaders();
        ByteBuf b = chain(2, 0);
        b.setByte(0, IpProtocol.HOP_BY_HOP); // hop-by-hop after another header: RFC 8200 §4.1
        assertEquals(WireError.BAD_EXT_CHAIN, x.walk(b, 0, b.capacity(), IpProtocol.IPV6_DEST_OPTS));
        ByteBuf c = chain(1, 0);
        c.setByte(1, 5); // Hdr Ext Len says 48 bytes, 16 present
        assertEquals(WireError.TRUNCATED, x.walk(c, 0, c.capacity(), IpProtocol.IPV6_DEST_OPTS));
        assertEquals(WireError.TRUNCATED, x.walk(c, 0, 7, IpProtocol.IPV6_ROUTING));
        // MLD capture cut inside its hop-by-hop header
        Ipv6Packet p = new Ipv6Packet().wrap(Hex.wrap(Captures.MLD2_REPORT_HBH), 14, 96);
        assertEquals(WireError.TRUNCATED, x.walk(p.buffer(), p.payloadOffset(), 6, p.nextHeader()));
    }
}
