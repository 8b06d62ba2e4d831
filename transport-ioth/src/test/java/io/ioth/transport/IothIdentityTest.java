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

/** The iothconf subset of {@link IothIdentity}: what it accepts, and the token it names when it refuses. */
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
    void everyKeyWithSpacesCaseAndRepeatedAddresses() {
        final IothIdentity id = IothIdentity.parse(
                " VNL=switch://lab , iface=eth1, MAC=02:00:00:00:00:0B, ip=192.168.7.2/24, ip=10.1.0.2/16,"
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

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "color=blue                        | color=blue       | unknown key",
            "eth=1                             | eth=1            | takes no value",
            "vnl=                              | vnl=             | needs a value",
            "vnl=bogus://x                     | vnl=bogus://x    | unknown scheme",
            "vnl=switch://a,vnl=switch://b     | vnl=switch://b   | given twice",
            "mac=02:00:00:00:00                | mac=02:00:00:00:00 | not a MAC",
            "mac=01:00:5e:00:00:01             | mac=01:00:5e:00:00:01 | not a unicast MAC",
            "ip=10.0.0.2                       | ip=10.0.0.2      | ADDR/PREFIXLEN",
            "ip=10.0.0.256/24                  | ip=10.0.0.256/24 | not an IPv4 address",
            "ip=10.0.0.2/33                    | ip=10.0.0.2/33   | out of range",
            "ip=10.0.0.2/x                     | ip=10.0.0.2/x    | not a number",
            "ip=224.0.0.5/24                   | ip=224.0.0.5/24  | not a unicast host address",
            "ip=127.0.0.2/8                    | ip=127.0.0.2/8   | not a unicast host address",
            "ip=2001:db8::zz/64                | ip=2001:db8::zz/64 | not an IPv6 address",
            "ip=10.0.0.2/24,ip=10.0.0.2/16     | ip=10.0.0.2/16   | given twice",
            "ip=10.0.0.2/24,gw=10.0.1.1        | gw=10.0.1.1      | not on-link",
            "gw=10.0.0.1                       | gw=10.0.0.1      | not on-link",
            "ip=10.0.0.2/24,gw=10.0.0.1,gw=10.0.0.3 | gw=10.0.0.3 | given twice",
            "iface=lo                          | iface=lo         | loopback",
            "iface=a/b                         | iface=a/b        | interface name",
            "dhcp                              | dhcp             | issue 6",
            "fqdn=host.example                 | fqdn=host.example | issue 6",
            "-slaac                            | -slaac           | issue 6",
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
