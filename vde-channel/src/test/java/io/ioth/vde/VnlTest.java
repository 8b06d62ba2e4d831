package io.ioth.vde;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VnlTest {

    @Test
    void vdeSwitchPathsAndPorts() {
        assertEquals(new Vnl.Switch("/tmp/sw", Vnl.Switch.ANY_PORT, null, null, -1), Vnl.parse("vde:///tmp/sw"));
        assertEquals(new Vnl.Switch("/tmp/sw", 5, null, null, -1), Vnl.parse("vde:///tmp/sw[5]"));
        assertEquals(new Vnl.Switch("/tmp/sw", 8, null, null, -1), Vnl.parse("vde:///tmp/sw[port=8]"));
        // vdeplug4 accepts key prefixes
        assertEquals(new Vnl.Switch("/tmp/sw", 7, null, null, -1), Vnl.parse("vde:///tmp/sw[p=7]"));
        // [0] asks for port 0 (REQ_NEW_PORT0)
        assertEquals(0, ((Vnl.Switch) Vnl.parse("vde:///tmp/sw[0]")).port());
        // no scheme: the whole string is a switch path (vde-protocol.md §4)
        assertEquals(new Vnl.Switch("/tmp/sw", 9, null, null, -1), Vnl.parse("/tmp/sw[9]"));
        assertEquals(new Vnl.Switch("/tmp/sw", 3, null, "users", 0660),
                Vnl.parse("vde:///tmp/sw[port=3/group=users/mode=660]"));
        assertEquals(new Vnl.Switch("/tmp/sw", Vnl.Switch.ANY_PORT, "web", null, -1), Vnl.parse("vde:///tmp/sw[web]"));
        assertEquals("/var/run/vde.ctl", ((Vnl.Switch) Vnl.parse("vde://")).dir());
    }

    @Test
    void vxvdeDefaultsAndOptions() throws Exception {
        Vnl.Vxvde d = (Vnl.Vxvde) Vnl.parse("vxvde://");
        assertEquals(InetAddress.getByName("239.0.0.1"), d.group());
        assertEquals(14789, d.port());
        assertEquals(1, d.vni());
        assertEquals(1, d.ttl());
        Vnl.Vxvde v = (Vnl.Vxvde) Vnl.parse("vxvde://239.1.2.3/port=5000/vni=42/ttl=3/if=lo/rcvbuf=2M");
        assertEquals(InetAddress.getByName("239.1.2.3"), v.group());
        assertEquals(5000, v.port());
        assertEquals(42, v.vni());
        assertEquals(3, v.ttl());
        assertEquals("lo", v.ifname());
        assertEquals(2 << 20, v.receiveBufferSize());
        Vnl.Vxvde six = (Vnl.Vxvde) Vnl.parse("vxvde://ff05:56de::1/vni=7");
        assertTrue(six.ipv6());
        assertEquals(7, six.vni());
        Vnl.Vxvde six2 = (Vnl.Vxvde) Vnl.parse("vxvde:///v6");
        assertEquals(InetAddress.getByName("ff05:56de::1"), six2.group());
        // grp=G replaces the last 3 bytes of the group and sets the VNI (libvdeplug_vxvde)
        Vnl.Vxvde g = (Vnl.Vxvde) Vnl.parse("vxvde://239.0.0.1/grp=1000");
        assertEquals(InetAddress.getByName("239.0.3.232"), g.group());
        assertEquals(1000, g.vni());
        assertEquals(Vnl.parse("vxvde://239.0.0.1/port=14789/vni=1/ttl=1"), Vnl.parse(d.toString()));
    }

    @Test
    void udpCables() throws Exception {
        assertEquals(new Vnl.Udp(null, 5000, "127.0.0.1", 6000), Vnl.parse("udp://5000->127.0.0.1:6000"));
        assertEquals(new Vnl.Udp(InetAddress.getByName("10.1.1.1"), 5000, "10.1.1.2", 6000),
                Vnl.parse("udp://10.1.1.1:5000->10.1.1.2:6000"));
        Vnl.Udp six = (Vnl.Udp) Vnl.parse("udp://[::1]:5000->[::1]:6000");
        assertEquals(InetAddress.getByName("::1"), six.localAddress());
        assertEquals("::1", six.remoteHost());
        assertEquals(six, Vnl.parse(six.toString()));
    }

    @Test
    void commandsStdioAndEmbedded() {
        assertEquals(new Vnl.Cmd("ssh host vde_plug"), Vnl.parse("cmd://ssh host vde_plug"));
        assertEquals(new Vnl.Stdio(), Vnl.parse("stdio://"));
        assertEquals(new Vnl.Embedded("default", false), Vnl.parse(""));
        assertEquals(new Vnl.Embedded("default", false), Vnl.parse(null));
        assertEquals(new Vnl.Embedded("lab", false), Vnl.parse("switch://lab"));
        assertEquals(new Vnl.Embedded("lab", true), Vnl.parse("hub://lab"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "tcp://x                          | unknown scheme 'tcp://'",
            "vde:///tmp/sw[5                  | '[' without a closing ']'",
            "vde:///tmp/sw[port=x9]]          | stray bracket",
            "vde:///tmp/sw[speed=3]           | unknown option 'speed'",
            "vde:///tmp/sw[mode=999]          | mode '999'",
            "vxvde://10.0.0.1                 | group '10.0.0.1' is not a multicast address",
            "vxvde://239.0.0.1/port=70000     | port '70000' out of range",
            "vxvde://239.0.0.1/vni=99999999   | vni '99999999' out of range",
            "vxvde://239.0.0.1/colour=red     | unknown option 'colour'",
            "vxvde://239.0.0.1/v6             | is not IPv6",
            "vxvde://nohost.example           | group 'nohost.example' is not an IP address",
            "udp://5000                       | needs '[local:]port->host:port'",
            "udp://5000->host                 | remote 'host' needs host:port",
            "udp://x->h:1                     | local port 'x' is not a number",
            "cmd://                           | cmd:// needs a command",
            "switch://bad/name                | switch name 'bad/name'",
            "stdio://x                        | stdio:// takes no arguments",
    })
    void badVnlsNameTheOffendingPart(String vnl, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Vnl.parse(vnl));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().contains(vnl), e.getMessage());
    }

    @Test
    void canonicalFormsRoundTrip() {
        for (String s : new String[] {"vde:///tmp/sw[port=5]", "vde:///tmp/sw", "switch://lab", "hub://x",
                "cmd://vde_plug vde:///tmp/x", "stdio://", "udp://5000->127.0.0.1:6000"}) {
            assertEquals(s, Vnl.parse(s).toString());
        }
        assertNull(((Vnl.Switch) Vnl.parse("vde:///a")).group());
    }
}
