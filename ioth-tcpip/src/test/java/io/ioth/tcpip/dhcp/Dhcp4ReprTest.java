package io.ioth.tcpip.dhcp;

import io.ioth.tcpip.testing.Hex;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.MacAddr;
import io.ioth.tcpip.wire.WireError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** DHCPv4 message view and value (RFC 2131 §2, RFC 2132): golden bytes, and every refusal of the parser. */
class Dhcp4ReprTest {
    /** A DHCPACK laid out by hand from RFC 2131 figure 1 and RFC 2132 (options after the header). */
    static final String HEADER = "02010600" + "12345678" + "0003" + "8000" + "00000000" + "0a000002" + "0a000001"
            + "00000000" + "02000000000b" + "00".repeat(10) + "00".repeat(64) + "00".repeat(128) + "63825363";
    static final String OPTIONS = "350105" + "3604" + "0a000001" + "3304" + "00000258" + "0104" + "ffffff00"
            + "0308" + "0a000001" + "0a0000fe" + "0604" + "0a000035" + "0f03" + "6c6162" + "1a02" + "05dc" + "ff";

    static Dhcp4Packet view(byte[] b) {
        return new Dhcp4Packet().wrap(Unpooled.wrappedBuffer(b), 0, b.length);
    }

    @Test
    void parse_golden() {
        byte[] b = Hex.decode(HEADER + OPTIONS);
        Dhcp4Repr r = new Dhcp4Repr();
        assertEquals(WireError.OK, r.parse(view(b)));
        assertEquals(Dhcp4Packet.OP_BOOTREPLY, r.op);
        assertEquals(0x12345678, r.xid);
        assertEquals(3, r.secs);
        assertEquals(Dhcp4Packet.FLAG_BROADCAST, r.flags);
        assertEquals(Ipv4Addr.parse("10.0.0.2"), r.yiaddr);
        assertEquals(Ipv4Addr.parse("10.0.0.1"), r.siaddr);
        assertEquals(MacAddr.parse("02:00:00:00:00:0b"), r.chaddr);
        assertEquals(Dhcp4Repr.ACK, r.messageType);
        assertEquals(Ipv4Addr.parse("10.0.0.1"), r.serverId);
        assertEquals(600, r.leaseTime);
        assertEquals(24, r.prefixLength);
        assertEquals(2, r.routerCount);
        assertEquals(Ipv4Addr.parse("10.0.0.254"), r.routers[1]);
        assertEquals(1, r.dnsCount);
        assertEquals("lab", r.domainName);
        assertEquals(1500, r.mtu);
        assertEquals(-1, r.renewalTime);
        assertEquals(-1, r.fqdnFlags);
    }

    /** Emit starts from a buffer of 0xa5 so any byte left unwritten shows (smoltcp's construct tests). */
    @Test
    void emit_golden_paddedTo300() {
        Dhcp4Repr r = new Dhcp4Repr();
        r.parse(view(Hex.decode(HEADER + OPTIONS)));
        byte[] out = new byte[r.bufferLen()];
        Arrays.fill(out, (byte) 0xa5);
        r.emit(Unpooled.wrappedBuffer(out), 0);
        assertEquals(300, out.length);
        String expected = HEADER + "350105" + "3604" + "0a000001" + "3304" + "00000258" + "0104" + "ffffff00"
                + "0308" + "0a0000010a0000fe" + "0604" + "0a000035" + "0f03" + "6c6162" + "1a02" + "05dc" + "ff";
        expected += "00".repeat(300 - expected.length() / 2);
        assertEquals(expected, Hex.encode(out));
    }

    @Test
    void clientFqdn_canonicalAndAscii_roundTrip() {
        Dhcp4Repr r = new Dhcp4Repr().clear();
        r.op = 1;
        r.messageType = Dhcp4Repr.REQUEST;
        r.fqdnFlags = Dhcp4Repr.FQDN_S | Dhcp4Repr.FQDN_E;
        r.fqdn = "host.example.org";
        byte[] b = DhcpFrames.bytes(r);
        // 51 len 3+18: flags 05 rcode 00 00, 04host07example03org00
        assertEquals("5115050000" + "04686f7374076578616d706c65036f726700",
                Hex.encode(Arrays.copyOfRange(b, 243, 243 + 23)));
        Dhcp4Repr p = new Dhcp4Repr();
        assertEquals(WireError.OK, p.parse(view(b)));
        assertEquals("host.example.org", p.fqdn);
        // RFC 4702 §2.3.1 deprecated ASCII form, as iothconf sends it (with its trailing NUL)
        byte[] ascii = Hex.decode(HEADER + "5108" + "010000" + "686f737400" + "ff");
        assertEquals(WireError.OK, p.parse(view(ascii)));
        assertEquals("host", p.fqdn);
        assertEquals(1, p.fqdnFlags);
    }

    @Test
    void optionOverload_readsFileThenSname() {
        byte[] b = Hex.decode(HEADER + "350102" + "340103" + "ff");
        // 'file' holds 54 (server id), 'sname' holds 51 (lease)
        byte[] withFile = b.clone();
        System.arraycopy(Hex.decode("36040a000001ff"), 0, withFile, 108, 7);
        System.arraycopy(Hex.decode("330400000e10ff"), 0, withFile, 44, 7);
        Dhcp4Repr r = new Dhcp4Repr();
        assertEquals(WireError.OK, r.parse(view(withFile)));
        assertEquals(Ipv4Addr.parse("10.0.0.1"), r.serverId);
        assertEquals(3600, r.leaseTime);
    }

    @Test
    void refusals() {
        Dhcp4Repr r = new Dhcp4Repr();
        byte[] ok = Hex.decode(HEADER + OPTIONS);
        assertEquals(WireError.TRUNCATED, r.parse(view(Arrays.copyOf(ok, 239))));
        byte[] magic = ok.clone();
        magic[239] = 0x64;
        assertEquals(WireError.BAD_FIELD, r.parse(view(magic)));
        byte[] htype = ok.clone();
        htype[1] = 6;
        assertEquals(WireError.UNSUPPORTED, r.parse(view(htype)));
        // an option running past the end: 0f ff
        assertEquals(WireError.MALFORMED_OPTION, r.parse(view(Hex.decode(HEADER + "350105" + "0fff6c6162"))));
        // a code with no room for its length
        assertEquals(WireError.MALFORMED_OPTION, r.parse(view(Hex.decode(HEADER + "350105" + "36"))));
        // fixed-size options with the wrong length
        for (String bad : new String[] {"3502" + "0102", "3603" + "0a0000", "3305" + "0000000000", "0103ffffff",
            "1a01" + "05", "3906" + "000000000000", "0302" + "0a00", "0605" + "0a0000350a", "3d01" + "01",
            "5102" + "0100", "3401" + "04", "0f00", "3700"}) {
            assertEquals(WireError.MALFORMED_OPTION, r.parse(view(Hex.decode(HEADER + bad + "ff"))), bad);
        }
        // a non-contiguous mask
        assertEquals(WireError.BAD_FIELD, r.parse(view(Hex.decode(HEADER + "0104ff00ff00ff"))));
        // a compression pointer in the FQDN's canonical form
        assertEquals(WireError.MALFORMED_OPTION, r.parse(view(Hex.decode(HEADER + "5105050000c00cff"))));
        // a missing END is tolerated when the area ends; PAD is skipped
        assertEquals(WireError.OK, r.parse(view(Hex.decode(HEADER + "000000350105"))));
        assertEquals(Dhcp4Repr.ACK, r.messageType);
    }

    @Test
    void controlCharacters_areNotPassedOn() {
        Dhcp4Repr r = new Dhcp4Repr();
        assertEquals(WireError.OK, r.parse(view(Hex.decode(HEADER + "0f04" + "6c0a6200" + "ff"))));
        assertEquals("l?b", r.domainName, "NUL stripped (RFC 2132 §2), newline replaced");
    }

    @Test
    void decodeName_partialAndBad() {
        ByteBuf b = Unpooled.wrappedBuffer(Hex.decode("03616263"));
        assertEquals("abc", Dhcp4Repr.decodeName(b, 0, 4), "RFC 4702 partial name");
        assertNull(Dhcp4Repr.decodeName(Unpooled.wrappedBuffer(Hex.decode("0561")), 0, 2));
        assertNull(Dhcp4Repr.decodeName(Unpooled.wrappedBuffer(Hex.decode("00ff")), 0, 2));
        assertArrayEquals(Hex.decode("0161016200"), Dhcp4Repr.encodeName("a.b."));
    }

    @Test
    void classfulDefaults_andUsableHosts() {
        assertEquals(8, Dhcp4Client.classfulLength(Ipv4Addr.parse("10.1.2.3")));
        assertEquals(16, Dhcp4Client.classfulLength(Ipv4Addr.parse("172.16.2.3")));
        assertEquals(24, Dhcp4Client.classfulLength(Ipv4Addr.parse("192.168.2.3")));
        assertEquals(true, Dhcp4Client.isUsableHost(Ipv4Addr.parse("10.0.0.0"), 31), "RFC 3021");
        assertEquals(false, Dhcp4Client.isUsableHost(Ipv4Addr.parse("10.0.0.0"), 30));
    }

    /** RFC 3397 §3's example: "eng.apple.com." and "marketing.apple.com.", compressed, split in three instances. */
    static final String RFC3397_EXAMPLE = "7709" + "03656e6705" + "6170706c" + "7709" + "6503636f6d00" + "096d61"
            + "7709" + "726b6574696e67" + "c004";

    @Test
    void domainSearch_rfc3397Example_concatenatedAndDecompressed() {
        Dhcp4Repr r = new Dhcp4Repr();
        assertEquals(WireError.OK, r.parse(view(Hex.decode(HEADER + "350105" + RFC3397_EXAMPLE + "ff"))));
        assertEquals(List.of("eng.apple.com", "marketing.apple.com"), r.searchDomains);
        // emitted compressed the same way, in one instance of 27 octets
        byte[] out = DhcpFrames.bytes(r);
        assertEquals("771b" + "03656e67056170706c6503636f6d00" + "096d61726b6574696e67c004" + "ff",
                Hex.encode(Arrays.copyOfRange(out, 243, 243 + 30)));
        assertEquals(List.of("eng.apple.com", "marketing.apple.com"), Dhcp4Repr.decodeSearchList(
                Dhcp4Repr.encodeSearchList(r.searchDomains), 27));
        // RFC 3396: instances in 'file' (option overload) continue the ones in the options field
        byte[] over = Hex.decode(HEADER + "350105" + "340101" + "7709" + "03656e6705" + "6170706c" + "ff");
        System.arraycopy(Hex.decode("7709" + "6503636f6d00" + "096d61" + "7709" + "726b6574696e67" + "c004" + "ff"),
                0, over, 108, 23);
        assertEquals(WireError.OK, r.parse(view(over)));
        assertEquals(List.of("eng.apple.com", "marketing.apple.com"), r.searchDomains);
        assertNull(new Dhcp4Repr().searchDomains);
    }

    @Test
    void domainSearch_longList_isSplitInto255OctetInstances() {
        List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            names.add("n" + i + "-" + "x".repeat(40) + ".example" + i + ".org"); // nothing to compress but "org"
        }
        Dhcp4Repr r = new Dhcp4Repr().clear();
        r.op = 2;
        r.messageType = Dhcp4Repr.ACK;
        r.searchDomains = names;
        byte[] b = DhcpFrames.bytes(r);
        assertEquals(0x77, b[243] & 0xff);
        assertEquals(255, b[244] & 0xff, "the first instance is full");
        Dhcp4Repr p = new Dhcp4Repr();
        assertEquals(WireError.OK, p.parse(view(b)));
        assertEquals(names, p.searchDomains);
    }

    @Test
    void domainSearch_refusals_boundsAndLoops() {
        Dhcp4Repr r = new Dhcp4Repr();
        for (String bad : new String[] {
            "7702" + "c000",                 // a pointer to itself
            "7704" + "01610000" + "",        // an empty name (the root alone) after "a"
            "7705" + "0161c00400",           // a forward pointer
            "7706" + "0161c0000000",         // a pointer into the name being read (loops a.a.a...)
            "7703" + "0161c0",               // a pointer cut short
            "7703" + "036162",               // a label running past the end
            "7702" + "0161",                 // no root label
            "7703" + "416100",               // label type 01 (RFC 6891 extended): refused
            "7703" + "816100",               // label type 10 (reserved)
            "7701" + "00"}) {                // the root alone
            assertEquals(WireError.MALFORMED_OPTION, r.parse(view(Hex.decode(HEADER + bad + "ff"))), bad);
        }
        // two names pointing at each other cannot both point backwards: the second's pointer is refused
        assertEquals(WireError.MALFORMED_OPTION,
                r.parse(view(Hex.decode(HEADER + "7708" + "0161c004" + "0162c000" + "ff"))));
        // a name over 255 octets through a pointer: 3 x 63-octet labels (193 octets) + a 63-octet label + pointer
        String l63 = "3f" + "61".repeat(63);
        String first = l63 + l63 + l63 + "00";
        String second = l63 + "c000";
        byte[] data = Hex.decode(first + second);
        assertNull(Dhcp4Repr.decodeSearchList(data, data.length), "64 + 193 > 255");
        assertEquals(1, Dhcp4Repr.decodeSearchList(data, first.length() / 2).size());
        // control characters and dots inside a label are not passed on
        assertEquals(List.of("a?b.c?d"), Dhcp4Repr.decodeSearchList(Hex.decode("03610a62" + "03632e64" + "00"), 9));
        // an empty option says nothing: absent
        assertEquals(WireError.OK, r.parse(view(Hex.decode(HEADER + "7700" + "ff"))));
        assertNull(r.searchDomains);
    }
}
