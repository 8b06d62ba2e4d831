package io.ioth.tcpip.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.api.Test;

class Ipv4PacketTest {
    static final int IP_A = 0x0a000001;
    static final int IP_B = 0x0a000002;

    @Test
    void deconstruct() {
        Ipv4Packet p = new Ipv4Packet();
        assertEquals(WireError.OK, p.wrapChecked(Hex.wrap(Captures.ICMP4_ECHO_REQUEST), 14, 40));
        assertEquals(4, p.version());
        assertEquals(20, p.headerLen());
        assertEquals(0, p.tos());
        assertEquals(40, p.totalLen());
        assertEquals(0x0456, p.ident());
        assertTrue(p.dontFrag());
        assertFalse(p.moreFrags());
        assertEquals(0, p.fragOffset());
        assertEquals(64, p.ttl());
        assertEquals(IpProtocol.ICMP, p.protocol());
        assertEquals(0x227d, p.checksum());
        assertEquals(IP_A, p.src());
        assertEquals(IP_B, p.dst());
        assertEquals(34, p.payloadOffset());
        assertEquals(20, p.payloadLength());
        assertTrue(p.verifyChecksum());
    }

    @Test
    void construct() {
        ByteBuf b = Hex.filledA5(20);
        Ipv4Packet p = new Ipv4Packet().wrap(b, 0, 20);
        p.setVersionAndHeaderLen(20);
        p.setTos(0);
        p.setTotalLen(40);
        p.setIdent(0x0456);
        p.setFlagsFrag(true, false, 0);
        p.setTtl(64);
        p.setProtocol(IpProtocol.ICMP);
        p.setSrc(IP_A);
        p.setDst(IP_B);
        p.fillChecksum();
        assertEquals(ByteBufUtil.hexDump(Captures.ICMP4_ECHO_REQUEST, 14, 20), ByteBufUtil.hexDump(b));
    }

    @Test
    void parse() {
        Ipv4Repr r = new Ipv4Repr();
        assertEquals(WireError.OK, r.parse(new Ipv4Packet().wrap(Hex.wrap(Captures.ICMP4_ECHO_REQUEST), 14, 40),
                ChecksumPolicy.VERIFY));
        assertEquals(IP_A, r.src);
        assertEquals(IP_B, r.dst);
        assertEquals(IpProtocol.ICMP, r.protocol);
        assertEquals(20, r.payloadLen);
        assertEquals(64, r.ttl);
        assertEquals(0x0456, r.ident);
        assertTrue(r.dontFrag);
    }

    @Test
    void emit() {
        Ipv4Repr r = new Ipv4Repr().set(IP_A, IP_B, IpProtocol.ICMP, 20, 64);
        r.ident = 0x0456;
        r.dontFrag = true;
        ByteBuf b = Hex.filledA5(r.bufferLen());
        r.emit(new Ipv4Packet().wrap(b, 0, 20));
        assertEquals(ByteBufUtil.hexDump(Captures.ICMP4_ECHO_REQUEST, 14, 20), ByteBufUtil.hexDump(b));
    }

    @Test
    void optionsAreSkipped() {
        Ipv4Packet p = new Ipv4Packet();
        assertEquals(WireError.OK, p.wrapChecked(Hex.wrap(Captures.IPV4_OPTIONS_RR), 14, 80));
        assertEquals(60, p.headerLen());
        assertEquals(40, p.optionsLength());
        assertEquals(14 + 60, p.payloadOffset());
        assertEquals(20, p.payloadLength());
        assertEquals(7, p.buffer().getUnsignedByte(p.optionsOffset() + 1)); // NOP, then RR (type 7)
        Ipv4Repr r = new Ipv4Repr();
        assertEquals(WireError.OK, r.parse(p, ChecksumPolicy.VERIFY));
        assertEquals(60, r.headerLen);
        assertEquals(Icmpv4Packet.TYPE_ECHO_REQUEST, p.buffer().getUnsignedByte(p.payloadOffset()));
    }

    @Test
    void fragmentFields() {
        Ipv4Repr r = new Ipv4Repr();
        assertEquals(WireError.OK, r.parse(new Ipv4Packet().wrap(Hex.wrap(Captures.IPV4_LAST_FRAGMENT), 14, 148),
                ChecksumPolicy.VERIFY));
        assertEquals(1480, r.fragOffset);
        assertFalse(r.moreFrags);
        assertFalse(r.dontFrag);
        assertEquals(128, r.payloadLen);
        assertEquals(0xf4d8, r.ident);
    }

    @Test
    void ethernetPaddingIsIgnored() {
        byte[] padded = new byte[60]; // 54-byte frame padded to the Ethernet minimum
        System.arraycopy(Captures.ICMP4_ECHO_REQUEST, 0, padded, 0, 54);
        Ipv4Packet p = new Ipv4Packet();
        assertEquals(WireError.OK, p.wrapChecked(Hex.wrap(padded), 14, 46));
        assertEquals(20, p.payloadLength());
    }

    @Test
    void truncated() {
        Ipv4Packet p = new Ipv4Packet();
        assertEquals(WireError.TRUNCATED, p.wrapChecked(Hex.wrap(Captures.ICMP4_ECHO_REQUEST), 14, 19));
        assertEquals(WireError.TRUNCATED, p.wrapChecked(Hex.wrap(Captures.ICMP4_ECHO_REQUEST), 14, 39)); // < total
        assertEquals(WireError.TRUNCATED, p.wrapChecked(Hex.wrap(Captures.IPV4_OPTIONS_RR), 14, 50));   // in options
    }

    @Test
    void impossibleLength() {
        byte[] b = Captures.ICMP4_ECHO_REQUEST.clone();
        b[14] = 0x44; // IHL 4
        assertEquals(WireError.BAD_HEADER_LEN, new Ipv4Packet().wrapChecked(Hex.wrap(b), 14, 40));
        b = Captures.ICMP4_ECHO_REQUEST.clone();
        b[14 + 3] = 19; // total length 19 < header
        assertEquals(WireError.BAD_LENGTH, new Ipv4Packet().wrapChecked(Hex.wrap(b), 14, 40));
        b = Captures.ICMP4_ECHO_REQUEST.clone();
        b[14] = 0x4f; // IHL 15 (60 bytes) > total length 40
        assertEquals(WireError.BAD_LENGTH, new Ipv4Packet().wrapChecked(Hex.wrap(b), 14, 40));
        b = Captures.ICMP4_ECHO_REQUEST.clone();
        b[14] = 0x65; // version 6
        Ipv4Packet p = new Ipv4Packet().wrap(Hex.wrap(b), 14, 40);
        assertEquals(WireError.BAD_VERSION, new Ipv4Repr().parse(p, ChecksumPolicy.IGNORE));
    }

    @Test
    void checksum() {
        byte[] b = Captures.ICMP4_ECHO_REQUEST.clone();
        b[14 + 8] = 63; // TTL changed, checksum not
        Ipv4Packet p = new Ipv4Packet().wrap(Hex.wrap(b), 14, 40);
        assertFalse(p.verifyChecksum());
        assertEquals(WireError.BAD_CHECKSUM, new Ipv4Repr().parse(p, ChecksumPolicy.VERIFY));
        assertEquals(WireError.OK, new Ipv4Repr().parse(p, ChecksumPolicy.IGNORE));
        p.fillChecksum();
        assertTrue(p.verifyChecksum());
        assertTrue(new Ipv4Packet().wrap(Hex.wrap(Captures.IPV4_OPTIONS_RR), 14, 80).verifyChecksum());
    }
}
