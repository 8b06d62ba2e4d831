package io.ioth.tcpip.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.api.Test;

class TcpPacketTest {
    static final int IP_A = 0x0a000001;
    static final int IP_B = 0x0a000002;
    static final int PH_SYN = Checksum.pseudoHeaderV4(IP_A, IP_B, IpProtocol.TCP, 40);

    static TcpPacket syn(byte[] frame) {
        return new TcpPacket().wrap(Hex.wrap(frame), 34, 40);
    }

    @Test
    void deconstruct() {
        TcpPacket p = new TcpPacket();
        assertEquals(WireError.OK, p.wrapChecked(Hex.wrap(Captures.TCP4_SYN), 34, 40));
        assertEquals(48554, p.srcPort());
        assertEquals(5001, p.dstPort());
        assertEquals(0x3a1ec5ca, p.seq());
        assertEquals(0, p.ack());
        assertEquals(40, p.headerLen());
        assertEquals(TcpPacket.SYN, p.flags());
        assertEquals(64240, p.window());
        assertEquals(0x06ad, p.checksum());
        assertEquals(0, p.urgent());
        assertEquals(20, p.optionsLength());
        assertEquals(0, p.payloadLength());
        assertEquals(1, p.segmentLength());
        assertTrue(p.verifyChecksum(PH_SYN));
    }

    @Test
    void options() {
        TcpPacket p = syn(Captures.TCP4_SYN);
        TcpOptions o = new TcpOptions();
        assertEquals(WireError.OK, o.parse(p.buffer(), p.optionsOffset(), p.optionsLength()));
        assertEquals(1460, o.mss);
        assertTrue(o.sackPermitted);
        assertTrue(o.hasTimestamp);
        assertEquals(0x1a2b4715, o.tsVal);
        assertEquals(0, o.tsEcr);
        assertEquals(10, o.windowScale);
        assertEquals(0, o.sackBlockCount);
    }

    @Test
    void construct() {
        ByteBuf b = Hex.filledA5(40);
        TcpPacket p = new TcpPacket().wrap(b, 0, 40);
        p.setSrcPort(48554);
        p.setDstPort(5001);
        p.setSeq(0x3a1ec5ca);
        p.setAck(0);
        p.setHeaderLenAndFlags(40, TcpPacket.SYN);
        p.setWindow(64240);
        p.setUrgent(0);
        b.setBytes(20, Captures.TCP4_SYN, 54, 20); // options as captured
        p.fillChecksum(PH_SYN);
        assertEquals(ByteBufUtil.hexDump(Captures.TCP4_SYN, 34, 40), ByteBufUtil.hexDump(b));
    }

    @Test
    void parse() {
        TcpRepr r = new TcpRepr();
        int ph = Checksum.pseudoHeaderV4(IP_B, IP_A, IpProtocol.TCP, 40);
        assertEquals(WireError.OK, r.parse(syn(Captures.TCP4_SYN_ACK), ph, ChecksumPolicy.VERIFY));
        assertEquals(5001, r.srcPort);
        assertEquals(TcpPacket.SYN | TcpPacket.ACK_FLAG, r.flags);
        assertEquals(0x3a1ec5cb, r.ack);
        assertEquals(0x1a2b4715, r.options.tsEcr); // echoes the SYN's TSval
        assertEquals(1460, r.options.mss);
    }

    @Test
    void emit() {
        TcpRepr r = new TcpRepr();
        r.srcPort = 48554;
        r.dstPort = 5001;
        r.seq = 0x3a1ec5ca;
        r.flags = TcpPacket.SYN;
        r.window = 64240;
        r.options.mss = 1460;
        r.options.sackPermitted = true;
        r.options.hasTimestamp = true;
        r.options.tsVal = 0x1a2b4715;
        r.options.windowScale = 10;
        assertEquals(40, r.bufferLen());
        ByteBuf b = Hex.filledA5(40);
        r.emit(new TcpPacket().wrap(b, 0, 40), PH_SYN);
        assertEquals(ByteBufUtil.hexDump(Captures.TCP4_SYN, 34, 40), ByteBufUtil.hexDump(b));
    }

    @Test
    void sackBlocks_roundTrip() {
        TcpOptions o = new TcpOptions();
        o.hasTimestamp = true;
        o.tsVal = 7;
        o.tsEcr = 9;
        o.sackBlockCount = 2;
        o.sackBlocks[0] = 100;
        o.sackBlocks[1] = 200;
        o.sackBlocks[2] = 0xfffffff0;
        o.sackBlocks[3] = 0x10;
        int n = o.bufferLen();
        assertEquals(12 + 4 + 16, n);
        ByteBuf b = Hex.filledA5(n);
        assertEquals(n, o.emit(b, 0));
        TcpOptions back = new TcpOptions();
        assertEquals(WireError.OK, back.parse(b, 0, n));
        assertEquals(2, back.sackBlockCount);
        assertEquals(0xfffffff0, back.sackBlocks[2]);
        assertEquals(0x10, back.sackBlocks[3]);
        assertEquals(9, back.tsEcr);
        assertFalse(back.sackPermitted);
    }

    @Test
    void optionOverrun_isMalformed() {
        TcpOptions o = new TcpOptions();
        ByteBuf b = Hex.wrap(Hex.decode("0204 05b4 080a 0000 0001 0000")); // TS claims 10, 8 left
        assertEquals(WireError.MALFORMED_OPTION, o.parse(b, 0, 12));
        assertEquals(WireError.MALFORMED_OPTION, o.parse(Hex.wrap(Hex.decode("0101 0200")), 0, 4)); // len 0
        assertEquals(WireError.MALFORMED_OPTION, o.parse(Hex.wrap(Hex.decode("0101 0204")), 0, 3)); // no len byte
        assertEquals(WireError.OK, o.parse(Hex.wrap(Hex.decode("0101 0000 ffff")), 0, 6)); // EOL ends the list
        assertEquals(WireError.OK, o.parse(Hex.wrap(Hex.decode("0203 0001 0402")), 0, 6)); // bad MSS len: ignored
        assertEquals(0, o.mss);
        assertTrue(o.sackPermitted);
        assertEquals(WireError.OK, o.parse(Hex.wrap(Hex.decode("0303 0f01")), 0, 4)); // shift 15 -> 14
        assertEquals(14, o.windowScale);
    }

    @Test
    void truncated() {
        assertEquals(WireError.TRUNCATED, new TcpPacket().wrapChecked(Hex.wrap(Captures.TCP4_SYN), 34, 19));
        assertEquals(WireError.TRUNCATED, new TcpPacket().wrapChecked(Hex.wrap(Captures.TCP4_SYN), 34, 39));
    }

    @Test
    void impossibleLength() {
        byte[] f = Captures.TCP4_SYN.clone();
        f[34 + 12] = 0x40; // data offset 4
        assertEquals(WireError.BAD_HEADER_LEN, syn(f).checkLen());
        assertEquals(WireError.BAD_HEADER_LEN, new TcpRepr().parse(syn(f), PH_SYN, ChecksumPolicy.IGNORE));
    }

    @Test
    void checksum() {
        byte[] f = Captures.TCP4_SYN.clone();
        f[34 + 15] ^= 1; // window
        assertFalse(syn(f).verifyChecksum(PH_SYN));
        assertEquals(WireError.BAD_CHECKSUM, new TcpRepr().parse(syn(f), PH_SYN, ChecksumPolicy.VERIFY));
        assertEquals(WireError.OK, new TcpRepr().parse(syn(f), PH_SYN, ChecksumPolicy.IGNORE));
    }
}
