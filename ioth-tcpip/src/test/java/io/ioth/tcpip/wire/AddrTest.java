package io.ioth.tcpip.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AddrTest {
    @Test
    void mac() {
        long m = MacAddr.parse("02:00:00:00:00:0A");
        assertEquals(0x0200_0000_000aL, m);
        assertEquals("02:00:00:00:00:0a", MacAddr.format(m));
        assertTrue(MacAddr.isLocal(m));
        assertTrue(MacAddr.isUnicast(m));
        assertTrue(MacAddr.isBroadcast(MacAddr.BROADCAST));
        assertTrue(MacAddr.isMulticast(MacAddr.parse("33:33:ff:00:00:02")));
        assertEquals(MacAddr.parse("33:33:ff:00:00:02"), MacAddr.ofIpv6Multicast(Ipv6Addr.parseLo("ff02::1:ff00:2")));
        assertEquals(MacAddr.parse("01:00:5e:7f:00:01"), MacAddr.ofIpv4Multicast(Ipv4Addr.parse("239.255.0.1")));
        assertThrows(IllegalArgumentException.class, () -> MacAddr.parse("02:00:00:00:00"));
    }

    @Test
    void ipv4() {
        assertEquals(0x0a000001, Ipv4Addr.parse("10.0.0.1"));
        assertEquals("255.255.255.255", Ipv4Addr.format(Ipv4Addr.parse("255.255.255.255")));
        assertEquals("10.9.9.9", Ipv4Addr.format(0x0a090909));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Addr.parse("10.0.0"));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Addr.parse("10.0.0.256"));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Addr.parse("10.0.0.01"));
        assertTrue(Ipv4Addr.inPrefix(Ipv4Addr.parse("10.0.0.7"), Ipv4Addr.parse("10.0.0.0"), 24));
        assertFalse(Ipv4Addr.inPrefix(Ipv4Addr.parse("10.0.1.7"), Ipv4Addr.parse("10.0.0.0"), 24));
        assertTrue(Ipv4Addr.isMulticast(Ipv4Addr.parse("224.0.0.1")));
        assertEquals(0, Ipv4Addr.mask(0));
    }

    private static String roundTrip(String s) {
        long[] a = new long[2];
        Ipv6Addr.parse(s, a);
        return Ipv6Addr.format(a[0], a[1]);
    }

    @Test
    void ipv6_rfc5952() {
        assertEquals("2001:db8::1", roundTrip("2001:0DB8:0000:0000:0000:0000:0000:0001")); // §4.1, §4.3
        assertEquals("2001:db8:0:1:1:1:1:1", roundTrip("2001:db8:0:1:1:1:1:1"));      // §4.2.2 one 0 not "::"
        assertEquals("2001:db8::1:0:0:1", roundTrip("2001:db8:0:0:1:0:0:1"));          // §4.2.3 first on tie
        assertEquals("2001:0:0:1::1", roundTrip("2001:0:0:1:0:0:0:1"));                // §4.2.3 longest
        assertEquals("::", roundTrip("0:0:0:0:0:0:0:0"));
        assertEquals("::1", roundTrip("::1"));
        assertEquals("fe80::ff:fe00:a", roundTrip("fe80::ff:fe00:a"));
        assertEquals("1::", roundTrip("1:0:0:0:0:0:0:0"));
        assertEquals("::ffff:10.0.0.1", roundTrip("::ffff:a00:1"));                      // §5
        assertEquals("64:ff9b::a00:1", roundTrip("64:ff9b::10.0.0.1"));
        assertEquals("ff02::1:ff00:2", roundTrip("ff02::1:ff00:2"));
        long[] a = new long[2];
        for (String bad : new String[] {"", ":", ":::", "1:::2", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "1:2",
                "::g", "1:", ":1", "1:2:3:4:5:6:7:8::", "::1.2.3"}) {
            assertFalse(Ipv6Addr.tryParse(bad, a), bad);
        }
    }

    @Test
    void ipv6_helpers() {
        long mac = MacAddr.parse("02:00:00:00:00:0a");
        assertEquals("fe80::ff:fe00:a", Ipv6Addr.format(Ipv6Addr.linkLocalHi(), Ipv6Addr.eui64Lo(mac)));
        assertEquals("ff02::1:ff00:2", Ipv6Addr.format(Ipv6Addr.SOLICITED_NODE_HI,
                Ipv6Addr.solicitedNodeLo(Ipv6Addr.parseLo("fd00::2"))));
        assertTrue(Ipv6Addr.isLinkLocal(Ipv6Addr.parseHi("fe80::1")));
        assertFalse(Ipv6Addr.isLinkLocal(Ipv6Addr.parseHi("fec0::1")));
        assertTrue(Ipv6Addr.inPrefix(Ipv6Addr.parseHi("fd00::9"), Ipv6Addr.parseLo("fd00::9"),
                Ipv6Addr.parseHi("fd00::"), 0, 64));
        assertTrue(Ipv6Addr.inPrefix(0, 2, 0, 3, 127));
        assertFalse(Ipv6Addr.inPrefix(0, 2, 0, 4, 126));
        assertTrue(Ipv6Addr.inPrefix(0, 2, 0, 4, 125));
    }
}
