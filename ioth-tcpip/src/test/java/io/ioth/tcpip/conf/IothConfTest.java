package io.ioth.tcpip.conf;

import io.ioth.tcpip.conf.IothConf.Flag;
import io.ioth.tcpip.conf.IothConf.IpAddress;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.Ipv6Addr;
import io.ioth.tcpip.wire.MacAddr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The iothconf grammar (virtualsquare/iothconf iothconf.c {@code ioth_config}, man iothconf.3). */
class IothConfTest {

    @Test
    void empty_configuresNothing() {
        IothConf c = IothConf.parse("");
        assertEquals(Set.of(), c.flags());
        assertEquals("vde0", c.iface());
        assertNull(c.vnl());
        assertNull(c.stack());
        assertEquals(0L, c.effectiveMac());
        assertEquals(Set.of(), IothConf.parse(null).flags());
        assertEquals(Set.of(), IothConf.parse(",, ,").flags());
    }

    /** The two examples of anchors.md §1.1 / the iothconf README. */
    @Test
    void readmeExamples() {
        IothConf a = IothConf.parse("stack=vdestack,vnl=vxvde://234.0.0.1,eth,ip=10.0.0.1/24,gw=10.0.0.254");
        assertEquals("vdestack", a.stack());
        assertEquals("vxvde://234.0.0.1", a.vnl());
        assertEquals(EnumSet.of(Flag.ETH, Flag.STATIC), a.flags());
        assertEquals("10.0.0.1/24", a.addresses().get(0).toString());
        assertEquals(Ipv4Addr.parse("10.0.0.254"), a.gateway4());

        IothConf b = IothConf.parse("auto,fqdn=host.v2.cs.unibo.it");
        assertEquals(EnumSet.of(Flag.ETH, Flag.DHCP, Flag.DHCP6, Flag.RD), b.flags());
        assertEquals("host.v2.cs.unibo.it", b.fqdn());
        assertEquals(MacAddr.parse("52:6f:03:54:fb:d3"), b.effectiveMac());
    }

    @Test
    void everyFlagAndAlias() {
        assertEquals(EnumSet.of(Flag.ETH), IothConf.parse("eth").flags());
        for (String d : List.of("dhcp", "dhcp4", "dhcpv4")) {
            assertEquals(EnumSet.of(Flag.DHCP), IothConf.parse(d).flags(), d);
        }
        for (String d : List.of("dhcp6", "dhcpv6")) {
            assertEquals(EnumSet.of(Flag.DHCP6), IothConf.parse(d).flags(), d);
        }
        assertEquals(EnumSet.of(Flag.RD), IothConf.parse("rd").flags());
        assertEquals(EnumSet.of(Flag.RD), IothConf.parse("rd6").flags());
        assertEquals(EnumSet.of(Flag.RD, Flag.SLAAC), IothConf.parse("rd,slaac").flags());
        assertEquals(EnumSet.of(Flag.DEBUG), IothConf.parse("debug").flags());
        assertEquals(EnumSet.of(Flag.ETH, Flag.DHCP, Flag.DHCP6, Flag.RD), IothConf.parse("auto").flags());
        assertEquals(EnumSet.of(Flag.ETH, Flag.DHCP), IothConf.parse("auto4").flags());
        assertEquals(EnumSet.of(Flag.ETH, Flag.DHCP), IothConf.parse("autov4").flags());
        assertEquals(EnumSet.of(Flag.ETH, Flag.DHCP6, Flag.RD), IothConf.parse("auto6").flags());
        assertEquals(EnumSet.of(Flag.ETH, Flag.DHCP6, Flag.RD), IothConf.parse("autov6").flags());
    }

    @Test
    void undo_cancelsEarlierTokens_andIsRecorded() {
        IothConf c = IothConf.parse("auto,-dhcp6");
        assertEquals(EnumSet.of(Flag.ETH, Flag.DHCP, Flag.RD), c.flags());
        assertEquals(EnumSet.of(Flag.DHCP6), c.undo());
        assertEquals(Set.of(), IothConf.parse("dhcp,-dhcp").flags());
        assertEquals(EnumSet.of(Flag.DHCP), IothConf.parse("-dhcp,dhcp").flags(), "a later flag wins");
        assertEquals(EnumSet.of(Flag.DHCP), IothConf.parse("-dhcp4").undo());
        assertEquals(EnumSet.of(Flag.DHCP), IothConf.parse("-dhcpv4").undo());
        assertEquals(EnumSet.of(Flag.DHCP6), IothConf.parse("-dhcpv6").undo());
        assertEquals(EnumSet.of(Flag.RD), IothConf.parse("-rd6").undo());
        assertEquals(EnumSet.of(Flag.ETH), IothConf.parse("eth,-eth").undo());
        assertEquals(EnumSet.of(Flag.ETH, Flag.DHCP, Flag.DHCP6, Flag.RD), IothConf.parse("-auto").undo());
        assertEquals(EnumSet.of(Flag.ETH, Flag.DHCP, Flag.DHCP6, Flag.RD), IothConf.parse("-all").undo());
        assertEquals(EnumSet.of(Flag.ETH, Flag.DHCP), IothConf.parse("-auto4").undo());
        assertEquals(EnumSet.of(Flag.ETH, Flag.DHCP), IothConf.parse("-autov4").undo());
        assertEquals(EnumSet.of(Flag.ETH, Flag.DHCP6, Flag.RD), IothConf.parse("-auto6").undo());
        assertEquals(EnumSet.of(Flag.ETH, Flag.DHCP6, Flag.RD), IothConf.parse("-autov6").undo());
        IothConf s = IothConf.parse("ip=10.0.0.1/24,gw=10.0.0.254,dns=1.1.1.1,domain=lab,-static,ip=10.0.0.9/8");
        assertEquals(List.of("10.0.0.9/8"), s.addresses().stream().map(Object::toString).toList());
        assertEquals(List.of(), s.gateways());
        assertEquals(List.of(), s.dns());
        assertNull(s.domain());
        assertEquals(EnumSet.of(Flag.STATIC), s.flags());
        assertEquals(EnumSet.of(Flag.STATIC), s.undo());
    }

    @Test
    void ip_repeatable_bothFamilies_withIothconfDefaultPrefixes() {
        IothConf c = IothConf.parse("ip=10.0.0.1/16,ip=10.1.0.1,ip=2001:db8::1/48,ip=fd00::2,ip=192.168.1.1/0");
        List<String> a = c.addresses().stream().map(Object::toString).toList();
        // iothconf_static: "prefix = 0" when absent, then "(prefix == 0) ? 24 : prefix" and "? 64 : prefix"
        assertEquals(List.of("10.0.0.1/16", "10.1.0.1/24", "2001:db8::1/48", "fd00::2/64", "192.168.1.1/24"), a);
        assertTrue(c.addresses().get(2).v6());
        assertEquals(Ipv6Addr.parseHi("2001:db8::1"), c.addresses().get(2).address().hi());
        assertTrue(c.has(Flag.STATIC));
    }

    @Test
    void gw_dns_domain_repeatable() {
        IothConf c = IothConf.parse("gw=10.0.0.254,gw=fe80::1,dns=10.0.0.53,dns=2001:4860:4860::8888,"
                + "domain=lab.example,domain=example.org.");
        assertEquals(List.of("10.0.0.254", "fe80::1"), c.gateways().stream().map(IpAddress::toString).toList());
        assertEquals(Ipv4Addr.parse("10.0.0.254"), c.gateway4());
        assertEquals(List.of("10.0.0.53", "2001:4860:4860::8888"), c.dns().stream().map(Object::toString).toList());
        assertEquals(List.of("lab.example", "example.org."), c.domains());
        assertEquals("lab.example", c.domain());
        assertEquals(EnumSet.of(Flag.STATIC), c.flags());
    }

    @Test
    void iface_ifindex_stack_vnl_mac_fqdn() {
        IothConf c = IothConf.parse("stack=picox,vnl=vde:///tmp/sw,iface=eth1,ifindex=2,mac=02:00:00:00:00:0b,"
                + "fqdn=node1.lab,eth");
        assertEquals("picox", c.stack());
        assertEquals("vde:///tmp/sw", c.vnl());
        assertEquals("eth1", c.iface());
        assertEquals(2, c.ifindex());
        assertEquals(MacAddr.parse("02:00:00:00:00:0b"), c.mac());
        assertEquals(MacAddr.parse("02:00:00:00:00:0b"), c.effectiveMac(), "mac= beats the fqdn hash");
        assertEquals("node1.lab", c.fqdn());
        assertEquals(MacAddr.parse("02:00:00:00:00:0c"), IothConf.parse("macaddr=02:00:00:00:00:0c").mac());
        assertNull(IothConf.parse("vnl=").vnl(), "an empty vnl means the default network");
    }

    /**
     * Vectors derived from iothconf_hash.c with an independent MD5 (Python hashlib): MD5("node1.lab") =
     * 517d5e7d1079c4eb9912ccc5fcf923f2. MAC = bytes 0,1,2,5,6,7 = 51:7d:5e:79:c4:eb, then |= 2 and &= ~1 on the
     * first: 52:7d:5e:79:c4:eb. Interface id = bytes 0..7 with byte 0 &= ~3: 507d5e7d1079c4eb.
     */
    @Test
    void hashMac_andInterfaceId_matchIothconfHash() {
        assertEquals(MacAddr.parse("52:7d:5e:79:c4:eb"), IothConf.hashMac("node1.lab"));
        assertEquals(0x507d5e7d1079c4ebL, IothConf.hashInterfaceId("node1.lab"));
        // "if (name[namelen-1] == '.') namelen--;"
        assertEquals(IothConf.hashMac("node1.lab"), IothConf.hashMac("node1.lab."));
        // MD5("host.v2.cs.unibo.it") = 506f03597354fbd3fc2f0139c7b12784
        assertEquals(MacAddr.parse("52:6f:03:54:fb:d3"), IothConf.hashMac("host.v2.cs.unibo.it"));
        assertEquals(0x506f03597354fbd3L, IothConf.hashInterfaceId("host.v2.cs.unibo.it"));
        // MD5("b") = 92eb5ffee6ae2fec...: 0x92 has bit 1 set already and bit 0 clear; IID 0x92 & ~3 = 0x90
        assertEquals(MacAddr.parse("92:eb:5f:ae:2f:ec"), IothConf.hashMac("b"));
        assertEquals(0x90eb5ffee6ae2fecL, IothConf.hashInterfaceId("b"));
        long mac = IothConf.hashMac("web.example.org");
        assertTrue(MacAddr.isLocal(mac) && MacAddr.isUnicast(mac));
        // iothconf_hashaddr6 XORs into the address: a prefix with IID bits set keeps them XORed
        assertEquals((0x1L ^ 0x507d5e7d1079c4ebL) & ~(3L << 56), IothConf.hashAddr6Lo(1L, "node1.lab"));
    }

    @Test
    void slaacInterfaceId_hashWithFqdn_elseEui64() {
        assertEquals(0x507d5e7d1079c4ebL, IothConf.parse("rd,slaac,fqdn=node1.lab").slaacInterfaceId(0x020000000001L));
        assertEquals(Ipv6Addr.eui64Lo(0x020000000001L), IothConf.parse("rd,slaac").slaacInterfaceId(0x020000000001L));
        assertEquals(Ipv6Addr.eui64Lo(MacAddr.parse("02:00:00:00:00:0b")),
                IothConf.parse("mac=02:00:00:00:00:0b").slaacInterfaceId(0x020000000001L));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bogus", "ethx", "DHCP", "dhcp5", "-slaac", "-bogus", "ip6=fd00::1", "gateway=1.2.3.4"})
    void unknownToken_isRefused_namingIt(String token) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IothConf.parse("eth," + token + ",dhcp"));
        assertTrue(e.getMessage().contains("'" + token + "'"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"eth=1", "dhcp=yes", "auto=", "-dhcp=1", "ip", "ip=", "gw", "dns=", "domain=",
        "fqdn=", "fqdn=bad..name", "fqdn=sp ace", "mac=", "mac=zz:00:00:00:00:01", "mac=01:00:5e:00:00:01",
        "mac=00:00:00:00:00:00", "ip=10.0.0.300/24", "ip=10.0.0.1/33", "ip=10.0.0.1/x", "ip=10.0.0.1/", "ip=fd00::1/129",
        "ip=224.0.0.1/4", "ip=0.0.0.0/8", "ip=::/64", "ip=ff02::1/64", "ip=fd00:::1/64", "gw=10.0.0", "dns=fe80::zz",
        "iface=", "ifindex=0", "ifindex=-1", "ifindex=x", "stack=", "stack", "vnl", "domain=a_b..c"})
    void malformedValue_isRefused_namingTheToken(String token) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IothConf.parse(token));
        assertTrue(e.getMessage().contains("'" + token + "'"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"fqdn=a,fqdn=b", "mac=02:00:00:00:00:01,macaddr=02:00:00:00:00:02", "iface=a,iface=b",
        "stack=a,stack=b", "vnl=x,vnl=y", "ifindex=1,ifindex=2"})
    void singleValuedKey_givenTwice_isRefused(String config) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IothConf.parse(config));
        assertTrue(e.getMessage().contains("twice"), e.getMessage());
    }

    @Test
    void immutable() {
        IothConf c = IothConf.parse("dhcp,ip=10.0.0.1/24");
        assertThrows(UnsupportedOperationException.class, () -> c.flags().add(Flag.RD));
        assertThrows(UnsupportedOperationException.class, () -> c.addresses().clear());
        assertFalse(c.toString().isEmpty());
    }
}
