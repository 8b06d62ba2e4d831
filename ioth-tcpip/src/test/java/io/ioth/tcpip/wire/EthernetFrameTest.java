package io.ioth.tcpip.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.api.Test;

class EthernetFrameTest {
    /**
     * {@link Captures#ARP_REQUEST} with an 802.1Q tag (PCP 5, VID 10) inserted after the source MAC, written by hand
     * from IEEE 802.1Q §9.6: the container kernel has no 8021q module, so no tagged frame could be captured.
     */
    static final byte[] TAGGED_ARP = Hex.decode("ffff ffff ffff 0200 0000 000a 8100 a00a 0806 0001 0800 0604 0001 "
            + "0200 0000 000a 0a00 0001 0000 0000 0000 0a00 0002");

    @Test
    void deconstruct() {
        EthernetFrame f = new EthernetFrame();
        assertEquals(WireError.OK, f.wrapChecked(Hex.wrap(Captures.ICMP4_ECHO_REQUEST), 0, 54));
        assertEquals(MacAddr.parse("02:00:00:00:00:0b"), f.dst());
        assertEquals(MacAddr.parse("02:00:00:00:00:0a"), f.src());
        assertEquals(EtherType.IPV4, f.etherType());
        assertEquals(EthernetFrame.NO_VLAN, f.vlanId());
        assertEquals(14, f.payloadOffset());
        assertEquals(40, f.payloadLength());
    }

    @Test
    void deconstructTagged() {
        EthernetFrame f = new EthernetFrame();
        assertEquals(WireError.OK, f.wrapChecked(Hex.wrap(TAGGED_ARP), 0, TAGGED_ARP.length));
        assertTrue(f.isTagged());
        assertEquals(10, f.vlanId());
        assertEquals(5, f.pcp());
        assertEquals(EtherType.ARP, f.etherType());
        assertEquals(18, f.payloadOffset());
        assertEquals(28, f.payloadLength());
    }

    @Test
    void construct() {
        ByteBuf b = Hex.filledA5(14);
        EthernetFrame f = new EthernetFrame().wrap(b, 0, 14);
        f.setDst(MacAddr.BROADCAST);
        f.setSrc(MacAddr.parse("02:00:00:00:00:0a"));
        f.setEtherType(EtherType.ARP);
        assertEquals(ByteBufUtil.hexDump(Captures.ARP_REQUEST, 0, 14), ByteBufUtil.hexDump(b));
    }

    @Test
    void parseAndEmit() {
        EthernetRepr r = new EthernetRepr();
        assertEquals(WireError.OK, r.parse(new EthernetFrame().wrap(Hex.wrap(TAGGED_ARP))));
        assertEquals(10, r.vlanId);
        assertEquals(18, r.bufferLen());
        ByteBuf b = Hex.filledA5(18);
        r.emit(new EthernetFrame().wrap(b, 0, 18));
        byte[] want = new byte[18];
        System.arraycopy(TAGGED_ARP, 0, want, 0, 18);
        assertArrayEquals(want, ByteBufUtil.getBytes(b));

        r.set(MacAddr.parse("02:00:00:00:00:0a"), MacAddr.BROADCAST, EtherType.ARP);
        ByteBuf u = Hex.filledA5(14);
        r.emit(new EthernetFrame().wrap(u, 0, 14));
        assertEquals(ByteBufUtil.hexDump(Captures.ARP_REQUEST, 0, 14), ByteBufUtil.hexDump(u));
    }

    @Test
    void truncated() {
        EthernetFrame f = new EthernetFrame();
        assertEquals(WireError.TRUNCATED, f.wrapChecked(Hex.wrap(Captures.ARP_REQUEST), 0, 13));
        assertEquals(WireError.TRUNCATED, f.wrapChecked(Hex.wrap(TAGGED_ARP), 0, 17)); // tag but no inner type
        assertEquals(WireError.TRUNCATED, new EthernetRepr().parse(f.wrap(Hex.wrap(TAGGED_ARP), 0, 16)));
    }
}
