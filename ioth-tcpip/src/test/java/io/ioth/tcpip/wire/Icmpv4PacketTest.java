package io.ioth.tcpip.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.api.Test;

class Icmpv4PacketTest {
    static Icmpv4Packet view(byte[] frame) {
        Ipv4Packet ip = new Ipv4Packet();
        assertEquals(WireError.OK, ip.wrapChecked(Hex.wrap(frame), 14, frame.length - 14));
        Icmpv4Packet p = new Icmpv4Packet();
        assertEquals(WireError.OK, p.wrapChecked(ip.buffer(), ip.payloadOffset(), ip.payloadLength()));
        return p;
    }

    @Test
    void deconstruct() {
        Icmpv4Packet p = view(Captures.ICMP4_ECHO_REQUEST);
        assertEquals(Icmpv4Packet.TYPE_ECHO_REQUEST, p.type());
        assertEquals(0, p.code());
        assertEquals(0x9328, p.checksum());
        assertEquals(0x1c88, p.ident());
        assertEquals(1, p.seq());
        assertEquals(12, p.dataLength());
        assertTrue(p.verifyChecksum());
    }

    @Test
    void construct() {
        ByteBuf b = Hex.filledA5(20);
        b.setBytes(8, Captures.ICMP4_ECHO_REPLY, 42, 12); // echo data "abab..."
        Icmpv4Packet p = new Icmpv4Packet().wrap(b, 0, 20);
        p.setType(Icmpv4Packet.TYPE_ECHO_REPLY);
        p.setCode(0);
        p.setIdent(0x1c88);
        p.setSeq(1);
        p.fillChecksum();
        assertEquals(ByteBufUtil.hexDump(Captures.ICMP4_ECHO_REPLY, 34, 20), ByteBufUtil.hexDump(b));
    }

    @Test
    void parse() {
        Icmpv4Repr r = new Icmpv4Repr();
        assertEquals(WireError.OK, r.parse(view(Captures.ICMP4_ECHO_REQUEST), ChecksumPolicy.VERIFY));
        assertEquals(Icmpv4Packet.TYPE_ECHO_REQUEST, r.type);
        assertEquals(0x1c88, r.ident);
        assertEquals(1, r.seq);
        assertEquals(12, r.dataLen);
    }

    @Test
    void emit() {
        Icmpv4Repr r = new Icmpv4Repr().echo(false, 0x1c88, 1, 12);
        ByteBuf b = Hex.filledA5(r.bufferLen() + r.dataLen);
        b.setBytes(8, Captures.ICMP4_ECHO_REPLY, 42, 12);
        r.emit(new Icmpv4Packet().wrap(b, 0, 20));
        assertEquals(ByteBufUtil.hexDump(Captures.ICMP4_ECHO_REPLY, 34, 20), ByteBufUtil.hexDump(b));
    }

    @Test
    void portUnreachable() {
        Icmpv4Packet p = view(Captures.ICMP4_PORT_UNREACHABLE);
        Icmpv4Repr r = new Icmpv4Repr();
        assertEquals(WireError.OK, r.parse(p, ChecksumPolicy.VERIFY));
        assertEquals(Icmpv4Packet.TYPE_DEST_UNREACHABLE, r.type);
        assertEquals(Icmpv4Packet.CODE_PORT_UNREACHABLE, r.code);
        Ipv4Packet inner = new Ipv4Packet().wrap(p.buffer(), p.dataOffset(), p.dataLength());
        assertEquals(Ipv4Addr.parse("10.0.0.1"), inner.src());
        assertEquals(IpProtocol.UDP, inner.protocol());
        // emit the same error around the same invoking datagram
        ByteBuf b = Hex.filledA5(p.length());
        b.setBytes(8, p.buffer(), p.dataOffset(), p.dataLength());
        new Icmpv4Repr().error(r.type, r.code, 0, p.dataLength()).emit(new Icmpv4Packet().wrap(b, 0, b.capacity()));
        assertEquals(ByteBufUtil.hexDump(p.buffer(), p.offset(), p.length()), ByteBufUtil.hexDump(b));
    }

    @Test
    void fragNeeded_carriesMtu() {
        Icmpv4Packet p = view(Captures.ICMP4_FRAG_NEEDED);
        Icmpv4Repr r = new Icmpv4Repr();
        assertEquals(WireError.OK, r.parse(p, ChecksumPolicy.VERIFY));
        assertEquals(Icmpv4Packet.CODE_FRAG_NEEDED, r.code);
        assertEquals(1280, r.mtu);
        ByteBuf b = Hex.filledA5(p.length());
        b.setBytes(8, p.buffer(), p.dataOffset(), p.dataLength());
        new Icmpv4Repr().error(3, 4, 1280, p.dataLength()).emit(new Icmpv4Packet().wrap(b, 0, b.capacity()));
        assertEquals(ByteBufUtil.hexDump(p.buffer(), p.offset(), p.length()), ByteBufUtil.hexDump(b));
    }

    @Test
    void timeExceeded() {
        Icmpv4Repr r = new Icmpv4Repr();
        assertEquals(WireError.OK, r.parse(view(Captures.ICMP4_TIME_EXCEEDED), ChecksumPolicy.VERIFY));
        assertEquals(Icmpv4Packet.TYPE_TIME_EXCEEDED, r.type);
        assertEquals(Icmpv4Packet.CODE_TTL_EXCEEDED, r.code);
        assertEquals(40, r.dataLen);
    }

    @Test
    void truncated() {
        ByteBuf b = Hex.wrap(Captures.ICMP4_ECHO_REQUEST);
        assertEquals(WireError.TRUNCATED, new Icmpv4Packet().wrapChecked(b, 34, 7));
        Icmpv4Packet p = view(Captures.ICMP4_PORT_UNREACHABLE);
        p.wrap(p.buffer(), p.offset(), 8 + 19); // error without a full inner IPv4 header
        assertEquals(WireError.TRUNCATED, new Icmpv4Repr().parse(p, ChecksumPolicy.IGNORE));
    }

    @Test
    void checksum() {
        byte[] f = Captures.ICMP4_ECHO_REQUEST.clone();
        f[f.length - 1] ^= 1;
        Icmpv4Packet p = view(f);
        assertFalse(p.verifyChecksum());
        assertEquals(WireError.BAD_CHECKSUM, new Icmpv4Repr().parse(p, ChecksumPolicy.VERIFY));
        assertEquals(WireError.OK, new Icmpv4Repr().parse(p, ChecksumPolicy.IGNORE));
    }
}
