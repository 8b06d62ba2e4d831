package io.ioth.tcpip.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.api.Test;

class ArpPacketTest {
    static final long MAC_A = 0x0200_0000_000aL;
    static final long MAC_B = 0x0200_0000_000bL;
    static final int IP_A = 0x0a000001;
    static final int IP_B = 0x0a000002;

    @Test
    void deconstruct() {
        ArpPacket p = new ArpPacket();
        assertEquals(WireError.OK, p.wrapChecked(Hex.wrap(Captures.ARP_REPLY), 14, 28));
        assertEquals(1, p.htype());
        assertEquals(0x0800, p.ptype());
        assertEquals(6, p.hlen());
        assertEquals(4, p.plen());
        assertEquals(ArpPacket.OP_REPLY, p.oper());
        assertEquals(MAC_B, p.sha());
        assertEquals(IP_B, p.spa());
        assertEquals(MAC_A, p.tha());
        assertEquals(IP_A, p.tpa());
    }

    @Test
    void construct() {
        ByteBuf b = Hex.filledA5(28);
        ArpPacket p = new ArpPacket().wrap(b, 0, 28);
        p.setHtype(1);
        p.setPtype(EtherType.IPV4);
        p.setHlen(6);
        p.setPlen(4);
        p.setOper(ArpPacket.OP_REQUEST);
        p.setSha(MAC_A);
        p.setSpa(IP_A);
        p.setTha(0);
        p.setTpa(IP_B);
        assertEquals(ByteBufUtil.hexDump(Captures.ARP_REQUEST, 14, 28), ByteBufUtil.hexDump(b));
    }

    @Test
    void parse() {
        ArpRepr r = new ArpRepr();
        assertEquals(WireError.OK, r.parse(new ArpPacket().wrap(Hex.wrap(Captures.ARP_REQUEST), 14, 28)));
        assertEquals(ArpPacket.OP_REQUEST, r.operation);
        assertEquals(MAC_A, r.senderMac);
        assertEquals(IP_A, r.senderIp);
        assertEquals(0, r.targetMac);
        assertEquals(IP_B, r.targetIp);
    }

    @Test
    void emit() {
        ArpRepr r = new ArpRepr().set(ArpPacket.OP_REPLY, MAC_B, IP_B, MAC_A, IP_A);
        ByteBuf b = Hex.filledA5(r.bufferLen());
        r.emit(new ArpPacket().wrap(b, 0, 28));
        assertEquals(ByteBufUtil.hexDump(Captures.ARP_REPLY, 14, 28), ByteBufUtil.hexDump(b));
    }

    @Test
    void truncated() {
        assertEquals(WireError.TRUNCATED, new ArpPacket().wrapChecked(Hex.wrap(Captures.ARP_REQUEST), 14, 27));
    }

    @Test
    void unsupportedForms() {
        byte[] b = Captures.ARP_REQUEST.clone();
        b[14 + 1] = 6; // hardware type 6 (IEEE 802)
        assertEquals(WireError.UNSUPPORTED, new ArpRepr().parse(new ArpPacket().wrap(Hex.wrap(b), 14, 28)));
        b = Captures.ARP_REQUEST.clone();
        b[14 + 7] = 3; // RARP request
        assertEquals(WireError.UNSUPPORTED, new ArpRepr().parse(new ArpPacket().wrap(Hex.wrap(b), 14, 28)));
    }
}
