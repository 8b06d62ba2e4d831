package io.ioth.tcpip.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PacketPrinterTest {
    static final byte[][] ALL = {
        Captures.ARP_REQUEST, Captures.ARP_REPLY, Captures.ICMP4_ECHO_REQUEST, Captures.ICMP4_ECHO_REPLY,
        Captures.IPV4_OPTIONS_RR, Captures.UDP4, Captures.UDP6, Captures.ICMP4_PORT_UNREACHABLE,
        Captures.ICMP6_PORT_UNREACHABLE, Captures.TCP4_SYN, Captures.TCP4_SYN_ACK, Captures.IPV4_LAST_FRAGMENT,
        Captures.IPV6_LAST_FRAGMENT, Captures.MLD2_REPORT_HBH, Captures.NDP_NS, Captures.NDP_NA, Captures.NDP_RS,
        Captures.NDP_RA, Captures.NDP_REDIRECT, Captures.ICMP6_ECHO_REQUEST, Captures.ICMP4_TIME_EXCEEDED,
        Captures.ICMP6_TIME_EXCEEDED, Captures.ICMP4_FRAG_NEEDED, Captures.ICMP6_PACKET_TOO_BIG,
        EthernetFrameTest.TAGGED_ARP,
    };

    static String print(byte[] frame) {
        return PacketPrinter.print(Unpooled.wrappedBuffer(frame));
    }

    @Test
    void printsCaptures() {
        assertEquals("02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff, ARP, Request who-has 10.0.0.2 tell 10.0.0.1",
                print(Captures.ARP_REQUEST));
        assertEquals("02:00:00:00:00:0a > 02:00:00:00:00:0b, IP 10.0.0.1 > 10.0.0.2: ttl 64 id 1110 DF, "
                + "ICMP echo request, id 7304, seq 1, length 20", print(Captures.ICMP4_ECHO_REQUEST));
        assertEquals("02:00:00:00:00:0a > 02:00:00:00:00:0b, IP 10.0.0.1 > 10.0.0.2: ttl 64 id 22141 DF, "
                + "TCP 48554 > 5001 [S] seq 975095242 win 64240 mss 1460 sackOK TS val 439043861 ecr 0 wscale 10, "
                + "length 0", print(Captures.TCP4_SYN));
        assertEquals("02:00:00:00:00:0a > 02:00:00:00:00:0b, IP6 fd00::1 > fd00::2: hlim 64, UDP 51353 > 5000, "
                + "length 5", print(Captures.UDP6));
        assertEquals("02:00:00:00:00:0b > 33:33:00:00:00:01, IP6 fe80::ff:fe00:b > ff02::1: hlim 255, ICMP6 router "
                + "advertisement, hlim 64 lifetime 1800 sll 02:00:00:00:00:0b mtu 1500 prefix fd00::/64 rdnss "
                + "fd00::53, length 88", print(Captures.NDP_RA));
        assertTrue(print(Captures.ICMP4_FRAG_NEEDED).contains("ICMP unreachable code 4 (frag needed, mtu 1280) "
                + "for 10.0.0.1 > 10.9.9.9 proto 1"), print(Captures.ICMP4_FRAG_NEEDED));
        assertTrue(print(Captures.IPV6_LAST_FRAGMENT).contains("frag id 0x9ae420ab off 1232, nh 58 fragment, length 176"));
        assertTrue(print(EthernetFrameTest.TAGGED_ARP).contains("vlan 10 p 5, ARP, Request"));
        for (byte[] f : ALL) {
            String s = print(f);
            // every capture is well-formed: no "[layer: REASON]", no "bad cksum"
            assertFalse(s.contains("bad") || s.matches(".*\\[[^\\]]*: [A-Z_]+\\].*"), s);
        }
    }

    @Test
    void malformedLayersArePrintedNotThrown() {
        assertEquals("[ethernet: TRUNCATED]", print(new byte[5]));
        byte[] f = Captures.UDP4.clone();
        f[34 + 5] = 3;
        assertTrue(print(f).endsWith("[udp: BAD_LENGTH]"), print(f));
        f = Captures.NDP_NS.clone();
        f[f.length - 7] = 0;
        assertTrue(print(f).contains("[nd option: MALFORMED_OPTION]"), print(f));
    }

    /**
     * A small deterministic stand-in for the Jazzer target: every truncation of every capture, plus random byte
     * flips, must print without throwing.
     */
    @Test
    void neverThrows_onTruncationsAndMutations() {
        PacketPrinter printer = new PacketPrinter();
        SplittableRandom rnd = new SplittableRandom(1);
        for (byte[] frame : ALL) {
            ByteBuf b = Unpooled.wrappedBuffer(frame.clone());
            for (int n = 0; n <= frame.length; n++) {
                printer.describe(b, 0, n);
            }
            for (int round = 0; round < 2000; round++) {
                byte[] m = frame.clone();
                int flips = 1 + rnd.nextInt(4);
                for (int k = 0; k < flips; k++) {
                    m[rnd.nextInt(m.length)] = (byte) rnd.nextInt(256);
                }
                int len = rnd.nextInt(4) == 0 ? rnd.nextInt(m.length + 1) : m.length;
                printer.describe(Unpooled.wrappedBuffer(m), 0, len);
            }
        }
    }
}
