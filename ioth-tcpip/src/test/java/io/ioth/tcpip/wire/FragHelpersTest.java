package io.ioth.tcpip.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

/** The helpers helper "frag" added to the wire package: Ipv4Options, Ipv6FragmentHeader, Ipv6FragmentChain. */
class FragHelpersTest {

    @Test
    void ipv4OptionsKeepOnlyCopiedOnesPadded() {
        // the 40 option bytes Linux sent for `ping -R` (NOP + Record Route): Record Route is not copied
        ByteBuf rr = Hex.wrap(Captures.IPV4_OPTIONS_RR);
        ByteBuf dst = Hex.filledA5(40);
        assertTrue(Ipv4Options.wellFormed(rr, 14 + 20, 40));
        assertEquals(0, Ipv4Options.copyForFragment(rr, 14 + 20, 40, dst, 0));
        // NOP, option 0x82 (copied, 4 bytes), option 0x44 (timestamp, not copied, 4 bytes), option 0x83 (copied, 3)
        ByteBuf opts = Hex.wrap(Hex.decode("01 82 04 aa bb 44 04 01 02 83 03 cc 00 00 00 00"));
        assertEquals(8, Ipv4Options.copyForFragment(opts, 0, 16, dst, 0));
        assertEquals("8204aabb8303cc00", Hex.encode(dst, 0, 8));
        // malformed: length 1, length past the end, missing length octet
        assertEquals(-1, Ipv4Options.copyForFragment(Hex.wrap(Hex.decode("8201 0000")), 0, 4, dst, 0));
        assertEquals(-1, Ipv4Options.copyForFragment(Hex.wrap(Hex.decode("0108 0000")), 0, 4, dst, 0));
        assertEquals(-1, Ipv4Options.copyForFragment(Hex.wrap(Hex.decode("0101 0182")), 0, 4, dst, 0));
        assertFalse(Ipv4Options.wellFormed(Hex.wrap(Hex.decode("0108 0000")), 0, 4));
    }

    @Test
    void fragmentHeaderOfLinuxLastFragment() {
        ByteBuf b = Hex.wrap(Captures.IPV6_LAST_FRAGMENT);
        Ipv6Packet ip = new Ipv6Packet();
        assertEquals(WireError.OK, ip.wrapChecked(b, 14, b.capacity() - 14));
        Ipv6FragmentChain c = new Ipv6FragmentChain();
        assertEquals(WireError.OK, c.walk(ip));
        assertTrue(c.hasFragmentHeader());
        assertEquals(14 + 40, c.fragmentHeaderOffset);
        assertEquals(14 + Ipv6Packet.NEXT_HEADER, c.fragNextHeaderIndex);
        Ipv6FragmentHeader fh = new Ipv6FragmentHeader();
        assertEquals(WireError.OK, fh.wrapChecked(b, c.fragmentHeaderOffset, 8));
        assertEquals(IpProtocol.ICMPV6, fh.nextHeader());
        assertEquals(1232, fh.fragOffset());
        assertFalse(fh.moreFrags());
        assertEquals(14 + 40 + 2, fh.fragOffsetIndex());
        // emit writes the same 8 bytes back
        ByteBuf out = Hex.filledA5(8);
        new Ipv6FragmentHeader().wrap(out, 0, 8).emit(fh.nextHeader(), fh.fragOffset(), fh.moreFrags(), fh.ident());
        assertEquals(Hex.encode(b, 14 + 40, 8), Hex.encode(out, 0, 8));
    }

    @Test
    void unfragmentablePartRules() {
        // IPv6 | HBH | DestOpts | Routing | DestOpts | UDP: unfragmentable up to and including Routing (RFC 8200 §4.5)
        byte[] rest = Hex.decode("3c00010400000000 2b00010400000000 3c00000000000000 1100010400000000"
                + "0000000000000000");
        ByteBuf b = Hex.wrap(java.util.Arrays.copyOf(new byte[40], 40 + rest.length));
        b.setBytes(40, rest);
        Ipv6Packet ip = new Ipv6Packet().wrap(b, 0, b.capacity());
        ip.setVersionTcFlow(0, 0);
        ip.setPayloadLen(rest.length);
        ip.setNextHeader(IpProtocol.HOP_BY_HOP);
        Ipv6FragmentChain c = new Ipv6FragmentChain();
        assertEquals(WireError.OK, c.walk(ip));
        assertEquals(40 + 24, c.unfragmentableEnd);
        assertEquals(40 + 16, c.unfragNextHeaderIndex);
        assertFalse(c.hasFragmentHeader());
        // no extension headers: the fixed header alone
        ip.setNextHeader(IpProtocol.UDP);
        assertEquals(WireError.OK, c.walk(ip));
        assertEquals(40, c.unfragmentableEnd);
        assertEquals(Ipv6Packet.NEXT_HEADER, c.unfragNextHeaderIndex);
        // destination options alone are fragmentable
        ip.setNextHeader(IpProtocol.IPV6_DEST_OPTS);
        b.setByte(40, IpProtocol.UDP);
        assertEquals(WireError.OK, c.walk(ip));
        assertEquals(40, c.unfragmentableEnd);
        // hop-by-hop after the first header is refused; a cut header is truncated
        b.setByte(40, IpProtocol.HOP_BY_HOP);
        assertEquals(WireError.BAD_EXT_CHAIN, c.walk(ip));
        ip.setPayloadLen(4);
        assertEquals(WireError.TRUNCATED, c.walk(ip));
    }
}
