package io.ioth.transport;

import io.netty.channel.EventLoopGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The iothconf grammar of {@link IothIdentity} (on the engine's IothConf): what it accepts, how it prints back, and
 * the token it names when it refuses. */
class IothIdentityTest {

    @Test
    void theExampleOfTheIssue() {
        final IothIdentity id = IothIdentity.parse("vnl=vde:///tmp/sw,eth,ip=10.0.0.2/24,gw=10.0.0.1");
        assertEquals("vde:///tmp/sw", id.vnl());
        assertTrue(id.eth());
        assertEquals(List.of("10.0.0.2/24"), id.ipv4Addresses());
        assertEquals("10.0.0.1", id.gateway4());
        assertEquals(IothIdentity.DEFAULT_IFACE, id.interfaceName());
        assertFalse(id.hasMac());
        assertTrue(id.isExclusive(), "a static address backs one stack");
        assertEquals("vnl=vde:///tmp/sw,eth,ip=10.0.0.2/24,gw=10.0.0.1", id.toString());
    }

    @Test
    void emptyIsTheEmbeddedDefaultSwitchWithNoAddress() {
        final IothIdentity id = IothIdentity.parse("");
        assertEquals("", id.vnl());
        assertEquals(List.of(), id.ipv4Addresses());
        assertNull(id.gateway4());
        assertFalse(id.isExclusive(), "random MAC, no address: several stacks may share it");
        assertEquals("vnl=switch://default", IothIdentity.defaults().toString());
        assertEquals(IothIdentity.defaults().toString(), IothIdentity.parse(null).toString());
    }

    @Test
    void everyStaticKeyWithSpacesAndRepeatedAddresses() {
        final IothIdentity id = IothIdentity.parse(
                " vnl=switch://lab , iface=eth1, mac=02:00:00:00:00:0B, ip=192.168.7.2/24, ip=10.1.0.2/16,"
                        + " ip=2001:db8::2/64, gw=192.168.7.1, gw=2001:db8::1,, ");
        assertEquals("switch://lab", id.vnl());
        assertEquals("eth1", id.interfaceName());
        assertEquals(0x02_00_00_00_00_0bL, id.mac());
        assertEquals(List.of("192.168.7.2/24", "10.1.0.2/16"), id.ipv4Addresses());
        assertEquals(List.of("2001:db8::2/64"), id.ipv6Addresses());
        assertEquals("2001:db8::1", id.gateway6());
        assertEquals(IothIdentity.parse(id.toString()).toString(), id.toString(), "toString parses back");
    }

    @Test
    void macaddrIsAnAliasAndEthCanBeUndone() {
        final IothIdentity id = IothIdentity.parse("eth,macaddr=02:11:22:33:44:55,-eth");
        assertEquals(0x02_11_22_33_44_55L, id.mac());
        assertFalse(id.eth());
    }

    @Test
    void theFullGrammar_dynamicMethodsNamesDnsAndTheirAliases() {
        final IothIdentity id = IothIdentity.parse("vnl=switch://lab,stack=vdestack,eth,dhcpv4,dhcpv6,rd6,slaac,"
                + "fqdn=node7.lab.test.,dns=10.0.0.53,dns=fd00::53,domain=lab.test,domain=example.org,debug");
        assertTrue(id.dhcp4());
        assertTrue(id.dhcp6());
        assertTrue(id.routerDiscovery());
        assertTrue(id.slaac());
        assertTrue(id.isDynamic());
        assertEquals("node7.lab.test.", id.fqdn());
        assertEquals(List.of("10.0.0.53", "fd00::53"), id.dnsServers());
        assertEquals(List.of("lab.test", "example.org"), id.domains());
        // iothconf_hash.c: the MAC of "eth" with an fqdn and no mac= is the hash MAC (the trailing dot ignored)
        assertTrue(id.hasMac());
        assertEquals(io.ioth.tcpip.conf.IothConf.hashMac("node7.lab.test"), id.mac());
        assertTrue(id.isExclusive(), "a name (hash MAC, hash interface id) backs one stack");
        assertEquals("vnl=switch://lab,stack=vdestack,fqdn=node7.lab.test.,eth,dhcp,dhcp6,rd,slaac,dns=10.0.0.53,"
                + "dns=fd00::53,domain=lab.test,domain=example.org,debug", id.toString());
        assertEquals(id, IothIdentity.parse(id.toString()), "toString parses back to an equal identity");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            // iothconf's shorthands and undo tokens (the undo cancels what came before it in the same string)
            "auto                              | vnl=switch://default,eth,dhcp,dhcp6,rd",
            "auto4                             | vnl=switch://default,eth,dhcp",
            "auto6                             | vnl=switch://default,eth,dhcp6,rd",
            "auto,-dhcp6                       | vnl=switch://default,eth,dhcp,rd",
            "rd,slaac,-rd,rd                   | vnl=switch://default,rd,slaac",
            "ip=10.0.0.2/24,gw=10.0.0.1,-static,dhcp | vnl=switch://default,dhcp",
            // a missing (or zero) prefix length is iothconf's default: /24, /64
            "ip=10.0.0.2,ip=fd00::2            | vnl=switch://default,ip=10.0.0.2/24,ip=fd00::2/64",
            // an empty vnl is the default switch
            "vnl=,eth                          | vnl=switch://default,eth",
            // a gateway not on-link yet is fine when a dynamic method of its family may bring the prefix
            "dhcp,gw=10.9.9.1                  | vnl=switch://default,dhcp,gw=10.9.9.1",
            "rd,gw=fd00:9::1                   | vnl=switch://default,rd,gw=fd00:9::1",
            "ip=fd00::2/64,gw=fe80::1          | vnl=switch://default,ip=fd00::2/64,gw=fe80::1",
    })
    void shorthandsUndoAndDefaults(final String conf, final String canonical) {
        final IothIdentity id = IothIdentity.parse(conf);
        assertEquals(canonical, id.toString());
        assertEquals(canonical, IothIdentity.parse(canonical).toString(), "the canonical form is a fixed point");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "color=blue                        | color=blue       | unknown key",
            "VNL=switch://a                    | VNL=switch://a   | unknown key",
            "eth=1                             | eth=1            | takes no value",
            "dhcp=yes                          | dhcp=yes         | takes no value",
            "vnl=bogus://x                     | vnl=bogus://x    | unknown scheme",
            "vnl=switch://a,vnl=switch://b     | vnl=switch://b   | given twice",
            "mac=02:00:00:00:00                | mac=02:00:00:00:00 | not a MAC",
            "mac=01:00:5e:00:00:01             | mac=01:00:5e:00:00:01 | not a unicast MAC",
            "ip=                               | ip=              | empty value",
            "ip=10.0.0.256/24                  | ip=10.0.0.256/24 | not an IPv4 address",
            "ip=10.0.0.2/33                    | ip=10.0.0.2/33   | out of range",
            "ip=10.0.0.2/x                     | ip=10.0.0.2/x    | bad prefix length",
            "ip=224.0.0.5/24                   | ip=224.0.0.5/24  | not a unicast",
            "ip=127.0.0.2/8                    | ip=127.0.0.2/8   | not a unicast host address",
            "ip=::1/128                        | ip=::1/128       | not a unicast host address",
            "ip=2001:db8::zz/64                | ip=2001:db8::zz/64 | not an IPv6 address",
            "ip=10.0.0.2/24,ip=10.0.0.2/16     | ip=10.0.0.2/16   | given twice",
            "ip=10.0.0.2/24,gw=10.0.1.1        | gw=10.0.1.1      | not on-link",
            "gw=10.0.0.1                       | gw=10.0.0.1      | not on-link",
            "ip=fd00::2/64,gw=fd01::1          | gw=fd01::1       | not on-link",
            "gw=224.0.0.1                      | gw=224.0.0.1     | not a unicast address",
            "dns=255.255.255.255               | dns=255.255.255.255 | not a unicast address",
            "dns=ff02::1                       | dns=ff02::1      | not a unicast address",
            "iface=lo                          | iface=lo         | loopback",
            "iface=a/b                         | iface=a/b        | interface name",
            "ifindex=2                         | ifindex=2        | iface=",
            "fqdn=bad!name                     | fqdn=bad!name    | bad character",
            "fqdn=a,fqdn=b                     | fqdn=b           | given twice",
            "domain=..                         | domain=..        | bad domain name",
            "slaac                             | slaac            | needs rd",
            "-slaac                            | -slaac           | unknown key",
    })
    void refusesNamingTheToken(final String conf, final String token, final String why) {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IothIdentity.parse(conf));
        assertTrue(e.getMessage().contains("'" + token + "'"), () -> "names the token: " + e.getMessage());
        assertTrue(e.getMessage().contains(why), () -> "says why (" + why + "): " + e.getMessage());
    }

    @Test
    void anUnreachableWireFailsTheGroupsConstructor() {
        final IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new IothEventLoopGroup("vnl=vde:///nonexistent/ioth-transport-test,ip=10.0.0.2/24"));
        assertTrue(String.valueOf(e.getCause()).contains("vde:///nonexistent/ioth-transport-test"),
                () -> String.valueOf(e.getCause()));
    }

    @Test
    void anExclusiveIdentityBacksOneStackOnly() throws Exception {
        final IothIdentity id = IothIdentity.parse("vnl=" + Nets.uniqueSwitch() + ",ip=10.3.0.2/24");
        final IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new io.netty.channel.MultiThreadIoEventLoopGroup(2, IothIoHandler.newFactory(id)));
        assertTrue(String.valueOf(e.getCause()).contains("already backs a stack"), () -> String.valueOf(e.getCause()));
        // a shareable identity (random MAC, no address) may back several stacks
        final EventLoopGroup g = new io.netty.channel.MultiThreadIoEventLoopGroup(2,
                IothIoHandler.newFactory("vnl=" + Nets.uniqueSwitch()));
        Nets.shutdown(g);
    }
}
