package io.ioth.tcpip.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.api.Test;

class Icmpv6PacketTest {
    static final long MAC_A = 0x0200_0000_000aL;
    static final long MAC_B = 0x0200_0000_000bL;

    /** The IPv6 header and the ICMPv6 view of a captured frame (no extension headers). */
    static final class Msg {
        final Ipv6Packet ip = new Ipv6Packet();
        final Icmpv6Packet icmp = new Icmpv6Packet();
        final Icmpv6Repr repr = new Icmpv6Repr();

        Msg(byte[] frame) {
            assertEquals(WireError.OK, ip.wrapChecked(Hex.wrap(frame), 14, frame.length - 14));
            assertEquals(IpProtocol.ICMPV6, ip.nextHeader());
            assertEquals(WireError.OK, icmp.wrapChecked(ip.buffer(), ip.payloadOffset(), ip.payloadLen()));
        }

        WireError parse() {
            return repr.parse(icmp, ip.srcHi(), ip.srcLo(), ip.dstHi(), ip.dstLo(), ChecksumPolicy.VERIFY);
        }

        /** Emits {@code r} into a 0xa5 buffer as long as this message and returns its hex. */
        String emit(Icmpv6Repr r) {
            ByteBuf b = Hex.filledA5(icmp.length());
            int fixed = r.bufferLen();
            if (!Icmpv6Repr.isNdp(r.type)) {
                b.setBytes(fixed, icmp.buffer(), icmp.offset() + fixed, icmp.length() - fixed); // echo data / inner
            } else if (fixed < icmp.length()) {
                // options the Repr does not emit (prefix, RDNSS) are copied by the caller
                b.setBytes(fixed, icmp.buffer(), icmp.offset() + fixed, icmp.length() - fixed);
            }
            r.emit(new Icmpv6Packet().wrap(b, 0, b.capacity()), ip.srcHi(), ip.srcLo(), ip.dstHi(), ip.dstLo());
            return ByteBufUtil.hexDump(b);
        }

        String hex() {
            return ByteBufUtil.hexDump(icmp.buffer(), icmp.offset(), icmp.length());
        }
    }

    @Test
    void deconstruct() {
        Msg m = new Msg(Captures.ICMP6_ECHO_REQUEST);
        assertEquals(Icmpv6Packet.TYPE_ECHO_REQUEST, m.icmp.type());
        assertEquals(0, m.icmp.code());
        assertEquals(0x4afe, m.icmp.checksum());
        assertEquals(0x1c89, m.icmp.ident());
        assertEquals(1, m.icmp.seq());
        assertEquals(12, m.icmp.dataLength());
        assertTrue(m.icmp.verifyChecksum(m.ip.srcHi(), m.ip.srcLo(), m.ip.dstHi(), m.ip.dstLo()));
    }

    @Test
    void construct() {
        Msg m = new Msg(Captures.ICMP6_ECHO_REQUEST);
        ByteBuf b = Hex.filledA5(20);
        b.setBytes(8, m.icmp.buffer(), m.icmp.offset() + 8, 12);
        Icmpv6Packet p = new Icmpv6Packet().wrap(b, 0, 20);
        p.setType(128);
        p.setCode(0);
        p.setWord1(0x1c89_0001);
        p.fillChecksum(m.ip.srcHi(), m.ip.srcLo(), m.ip.dstHi(), m.ip.dstLo());
        assertEquals(m.hex(), ByteBufUtil.hexDump(b));
    }

    @Test
    void parseAndEmit_echo() {
        Msg m = new Msg(Captures.ICMP6_ECHO_REQUEST);
        assertEquals(WireError.OK, m.parse());
        assertEquals(0x1c89, m.repr.ident);
        assertEquals(1, m.repr.seq);
        assertEquals(12, m.repr.dataLen);
        assertEquals(m.hex(), m.emit(new Icmpv6Repr().echo(true, 0x1c89, 1, 12)));
    }

    @Test
    void errors() {
        Msg du = new Msg(Captures.ICMP6_PORT_UNREACHABLE);
        assertEquals(WireError.OK, du.parse());
        assertEquals(Icmpv6Packet.TYPE_DEST_UNREACHABLE, du.repr.type);
        assertEquals(Icmpv6Packet.CODE_PORT_UNREACHABLE, du.repr.code);
        Ipv6Packet inner = new Ipv6Packet().wrap(du.icmp.buffer(), du.icmp.dataOffset(), du.icmp.dataLength());
        assertEquals(IpProtocol.UDP, inner.nextHeader());
        Icmpv6Repr r = new Icmpv6Repr().clear();
        r.type = Icmpv6Packet.TYPE_DEST_UNREACHABLE;
        r.code = Icmpv6Packet.CODE_PORT_UNREACHABLE;
        r.dataLen = du.icmp.dataLength();
        assertEquals(du.hex(), du.emit(r));

        Msg ptb = new Msg(Captures.ICMP6_PACKET_TOO_BIG);
        assertEquals(WireError.OK, ptb.parse());
        assertEquals(Icmpv6Packet.TYPE_PACKET_TOO_BIG, ptb.repr.type);
        assertEquals(1280, ptb.repr.mtu);
        assertEquals(1240, ptb.icmp.length()); // RFC 4443 §2.4 (c): the whole error fits in the minimum MTU
        r.clear();
        r.type = Icmpv6Packet.TYPE_PACKET_TOO_BIG;
        r.mtu = 1280;
        r.dataLen = ptb.icmp.dataLength();
        assertEquals(ptb.hex(), ptb.emit(r));

        Msg te = new Msg(Captures.ICMP6_TIME_EXCEEDED);
        assertEquals(WireError.OK, te.parse());
        assertEquals(Icmpv6Packet.TYPE_TIME_EXCEEDED, te.repr.type);
        assertEquals(0, te.repr.code);
    }

    @Test
    void neighborSolicitation() {
        Msg m = new Msg(Captures.NDP_NS);
        assertEquals(255, m.ip.hopLimit());
        assertEquals(WireError.OK, m.parse());
        assertEquals(Icmpv6Packet.TYPE_NEIGHBOR_SOLICIT, m.repr.type);
        assertEquals(Ipv6Addr.parseHi("fd00::2"), m.repr.targetHi);
        assertEquals(2, m.repr.targetLo);
        assertEquals(MAC_A, m.repr.sourceLinkAddr);
        assertEquals(Icmpv6Repr.NO_LL_ADDR, m.repr.targetLinkAddr);
        Icmpv6Repr r = new Icmpv6Repr().clear();
        r.type = Icmpv6Packet.TYPE_NEIGHBOR_SOLICIT;
        r.targetHi = Ipv6Addr.parseHi("fd00::2");
        r.targetLo = 2;
        r.sourceLinkAddr = MAC_A;
        assertEquals(32, r.bufferLen());
        assertEquals(m.hex(), m.emit(r));
    }

    @Test
    void neighborAdvertisement() {
        Msg m = new Msg(Captures.NDP_NA);
        assertEquals(WireError.OK, m.parse());
        assertEquals(Icmpv6Packet.NA_FLAG_ROUTER | Icmpv6Packet.NA_FLAG_SOLICITED | Icmpv6Packet.NA_FLAG_OVERRIDE,
                m.repr.naFlags);
        assertEquals(MAC_B, m.repr.targetLinkAddr);
        Icmpv6Repr r = new Icmpv6Repr().clear();
        r.type = Icmpv6Packet.TYPE_NEIGHBOR_ADVERT;
        r.naFlags = 0xe0;
        r.targetHi = Ipv6Addr.parseHi("fd00::2");
        r.targetLo = 2;
        r.targetLinkAddr = MAC_B;
        assertEquals(m.hex(), m.emit(r));
    }

    @Test
    void routerSolicitation() {
        Msg m = new Msg(Captures.NDP_RS);
        assertEquals(WireError.OK, m.parse());
        assertEquals(MAC_A, m.repr.sourceLinkAddr);
        Icmpv6Repr r = new Icmpv6Repr().clear();
        r.type = Icmpv6Packet.TYPE_ROUTER_SOLICIT;
        r.sourceLinkAddr = MAC_A;
        assertEquals(m.hex(), m.emit(r));
    }

    @Test
    void routerAdvertisement_withPrefixMtuRdnss() {
        Msg m = new Msg(Captures.NDP_RA);
        assertEquals(WireError.OK, m.parse());
        assertEquals(64, m.repr.curHopLimit);
        assertEquals(0, m.repr.raFlags);
        assertEquals(1800, m.repr.routerLifetime);
        assertEquals(MAC_B, m.repr.sourceLinkAddr);
        assertEquals(1500, m.repr.optMtu);
        NdiscOption o = new NdiscOption().reset(m.icmp.buffer(), m.icmp.dataOffset(), m.icmp.dataLength());
        int[] seen = new int[4];
        int i = 0;
        while (o.next()) {
            assertTrue(o.wellFormed());
            seen[i++] = o.type();
            if (o.type() == NdiscOption.PREFIX_INFO) {
                assertEquals(64, o.prefixLen());
                assertEquals(NdiscOption.PREFIX_FLAG_ON_LINK | NdiscOption.PREFIX_FLAG_AUTONOMOUS, o.prefixFlags());
                assertEquals(86400, o.prefixValidLifetime());
                assertEquals(14400, o.prefixPreferredLifetime());
                assertEquals("fd00::", Ipv6Addr.format(o.prefixHi(), o.prefixLo()));
            } else if (o.type() == NdiscOption.RDNSS) {
                assertEquals(600, o.rdnssLifetime());
                assertEquals(1, o.rdnssCount());
                assertEquals("fd00::53", Ipv6Addr.format(o.rdnssHi(0), o.rdnssLo(0)));
            }
        }
        assertEquals(WireError.OK, o.error());
        assertEquals("[1, 5, 3, 25]", java.util.Arrays.toString(seen));
        Icmpv6Repr r = new Icmpv6Repr().clear();
        r.type = Icmpv6Packet.TYPE_ROUTER_ADVERT;
        r.curHopLimit = 64;
        r.routerLifetime = 1800;
        r.sourceLinkAddr = MAC_B;
        r.optMtu = 1500;
        assertEquals(32, r.bufferLen()); // prefix + RDNSS (copied by Msg.emit) follow
        assertEquals(m.hex(), m.emit(r));
        // the prefix option emitter writes the captured bytes too
        ByteBuf b = Hex.filledA5(32);
        NdiscOption.emitPrefixInfo(b, 0, 64, 0xc0, 86400, 14400, Ipv6Addr.parseHi("fd00::"), 0);
        assertEquals(ByteBufUtil.hexDump(m.icmp.buffer(), m.icmp.offset() + 32, 32), ByteBufUtil.hexDump(b));
    }

    @Test
    void redirect() {
        Msg m = new Msg(Captures.NDP_REDIRECT);
        assertEquals(WireError.OK, m.parse());
        assertEquals("fd00::3", Ipv6Addr.format(m.repr.targetHi, m.repr.targetLo));
        assertEquals("fd09::9", Ipv6Addr.format(m.repr.destHi, m.repr.destLo));
        assertEquals(0x0200_0000_000cL, m.repr.targetLinkAddr);
        Icmpv6Repr r = new Icmpv6Repr().clear();
        r.type = Icmpv6Packet.TYPE_REDIRECT;
        r.targetHi = m.repr.targetHi;
        r.targetLo = m.repr.targetLo;
        r.destHi = m.repr.destHi;
        r.destLo = m.repr.destLo;
        r.targetLinkAddr = 0x0200_0000_000cL;
        assertEquals(m.hex(), m.emit(r));
    }

    @Test
    void zeroLengthOption_isMalformed_rfc4861_4_6() {
        byte[] f = Captures.NDP_NS.clone();
        f[f.length - 7] = 0; // option length 0
        Msg m = new Msg(f);
        assertEquals(WireError.MALFORMED_OPTION, m.repr.parse(m.icmp, 0, 0, 0, 0, ChecksumPolicy.IGNORE));
        assertEquals(WireError.MALFORMED_OPTION,
                new NdiscOption().validate(m.icmp.buffer(), m.icmp.dataOffset(), m.icmp.dataLength()));
    }

    @Test
    void optionOverrun_isMalformed() {
        byte[] f = Captures.NDP_NS.clone();
        f[f.length - 7] = 2; // 16 bytes, 8 present
        Msg m = new Msg(f);
        assertEquals(WireError.MALFORMED_OPTION, m.repr.parse(m.icmp, 0, 0, 0, 0, ChecksumPolicy.IGNORE));
    }

    @Test
    void wrongLengthKnownOption_isIgnored() {
        byte[] f = Captures.NDP_RA.clone();
        f[14 + 40 + 16 + 8 + 1] = 2; // MTU option claims 16 bytes (swallowing the prefix option's first 8)
        Msg m = new Msg(f);
        NdiscOption o = new NdiscOption().reset(m.icmp.buffer(), m.icmp.dataOffset(), m.icmp.dataLength());
        assertTrue(o.next()); // SLLA
        assertTrue(o.next()); // MTU, now 16 bytes
        assertEquals(NdiscOption.MTU, o.type());
        assertFalse(o.wellFormed());
    }

    @Test
    void truncated() {
        Msg m = new Msg(Captures.NDP_NS);
        assertEquals(WireError.TRUNCATED, new Icmpv6Packet().wrapChecked(m.icmp.buffer(), m.icmp.offset(), 23));
        assertEquals(WireError.TRUNCATED, new Icmpv6Packet().wrapChecked(m.icmp.buffer(), m.icmp.offset(), 7));
        Msg ra = new Msg(Captures.NDP_RA);
        assertEquals(WireError.TRUNCATED, new Icmpv6Packet().wrapChecked(ra.icmp.buffer(), ra.icmp.offset(), 15));
    }

    @Test
    void badFields() {
        byte[] f = Captures.NDP_NS.clone();
        f[14 + 40 + 1] = 1; // code 1
        Msg m = new Msg(f);
        assertEquals(WireError.BAD_FIELD, m.repr.parse(m.icmp, 0, 0, 0, 0, ChecksumPolicy.IGNORE));
        f = Captures.NDP_NS.clone();
        f[14 + 40 + 8] = (byte) 0xff; // multicast target
        m = new Msg(f);
        assertEquals(WireError.BAD_FIELD, m.repr.parse(m.icmp, 0, 0, 0, 0, ChecksumPolicy.IGNORE));
    }

    @Test
    void checksum() {
        Msg m = new Msg(Captures.NDP_NA);
        assertTrue(m.icmp.verifyChecksum(m.ip.srcHi(), m.ip.srcLo(), m.ip.dstHi(), m.ip.dstLo()));
        // the pseudo-header matters: same bytes, another destination
        assertFalse(m.icmp.verifyChecksum(m.ip.srcHi(), m.ip.srcLo(), m.ip.dstHi(), m.ip.dstLo() + 1));
        assertEquals(WireError.BAD_CHECKSUM, m.repr.parse(m.icmp, m.ip.srcHi(), m.ip.srcLo(), m.ip.dstHi(), 3,
                ChecksumPolicy.VERIFY));
    }
}
