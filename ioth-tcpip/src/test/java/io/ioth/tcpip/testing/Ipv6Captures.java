package io.ioth.tcpip.testing;

/**
 * IPv6 frames captured from Linux 6.18 (helper "v6"), the golden bytes of the IPv6 trace tests. Two private network
 * namespaces A and B joined by a veth pair, as for {@code io.ioth.tcpip.wire.Captures}: A is vA 02:00:00:00:00:0a
 * fd00::1/64 (fe80::ff:fe00:a), B is vB 02:00:00:00:00:0b, given fd00::2/64 during the capture (fe80::ff:fe00:b).
 * Transmit checksum offload off on both ends (SIOCETHTOOL ETHTOOL_STXCSUM = 0), {@code net.ipv6.auto_flowlabels=0}
 * (so flow labels are 0, as this stack sends them), {@code ndisc_notify=1} on B (unsolicited NA after DAD). Captured
 * with {@code tcpdump -U -i vA -s 0 -w}; frames marked "(python)" were crafted in A with an AF_PACKET socket to get
 * B's answer. The namespaces were deleted afterwards.
 */
public final class Ipv6Captures {
    private Ipv6Captures() {
    }

    /**
     * B's MLDv2 state change report after `ip addr add fd00::2/64`: TO_EX ff02::1:ff00:2 and ff02::1:ff00:b, from
     * fe80::ff:fe00:b, hop-by-hop Router Alert (110 bytes).
     */
    public static byte[] mld2StateChange() {
        return Hex.decode(""
                + "3333 0000 0016 0200 0000 000b 86dd 6000 0000 0038 0001 fe80 0000 0000 0000 0000 "
                + "00ff fe00 000b ff02 0000 0000 0000 0000 0000 0000 0016 3a00 0502 0000 0100 8f00 "
                + "6fd7 0000 0002 0400 0000 ff02 0000 0000 0000 0000 0001 ff00 0002 0400 0000 ff02 "
                + "0000 0000 0000 0000 0001 ff00 000b");
    }

    /**
     * B's DAD Neighbor Solicitation for fd00::2: :: &gt; ff02::1:ff00:2, with the RFC 7527 Nonce option Linux adds (86
     * bytes).
     */
    public static byte[] dadNsWithNonce() {
        return Hex.decode(""
                + "3333 ff00 0002 0200 0000 000b 86dd 6000 0000 0020 3aff 0000 0000 0000 0000 0000 "
                + "0000 0000 0000 ff02 0000 0000 0000 0000 0001 ff00 0002 8700 e289 0000 0000 fd00 "
                + "0000 0000 0000 0000 0000 0000 0002 0e01 63c9 f0cc 387a");
    }

    /**
     * B's unsolicited Neighbor Advertisement after DAD (ndisc_notify=1): fd00::2 &gt; ff02::1, O only, TLLA. Also B's
     * defence against a DAD NS from :: (identical bytes) (86 bytes).
     */
    public static byte[] unsolicitedNa() {
        return Hex.decode(""
                + "3333 0000 0001 0200 0000 000b 86dd 6000 0000 0020 3aff fd00 0000 0000 0000 0000 "
                + "0000 0000 0002 ff02 0000 0000 0000 0000 0000 0000 0001 8800 5a8f 2000 0000 fd00 "
                + "0000 0000 0000 0000 0000 0000 0002 0201 0200 0000 000b");
    }

    /** A resolves fd00::2 (prompted by `ping -6`): fd00::1 &gt; ff02::1:ff00:2, SLLA (86 bytes). */
    public static byte[] nsForB() {
        return Hex.decode(""
                + "3333 ff00 0002 0200 0000 000a 86dd 6000 0000 0020 3aff fd00 0000 0000 0000 0000 "
                + "0000 0000 0001 ff02 0000 0000 0000 0000 0001 ff00 0002 8700 7d8e 0000 0000 fd00 "
                + "0000 0000 0000 0000 0000 0000 0002 0101 0200 0000 000a");
    }

    /** B answers: fd00::2 &gt; fd00::1, S and O, TLLA (86 bytes). */
    public static byte[] naSolicited() {
        return Hex.decode(""
                + "0200 0000 000a 0200 0000 000b 86dd 6000 0000 0020 3aff fd00 0000 0000 0000 0000 "
                + "0000 0000 0002 fd00 0000 0000 0000 0000 0000 0000 0001 8800 1c91 6000 0000 fd00 "
                + "0000 0000 0000 0000 0000 0000 0002 0201 0200 0000 000b");
    }

    /** `ping -6 -c1 -p 6162 -s 12 fd00::2`: id 0x5a60 seq 1 (74 bytes). */
    public static byte[] echoRequest() {
        return Hex.decode(""
                + "0200 0000 000b 0200 0000 000a 86dd 6000 0000 0014 3a40 fd00 0000 0000 0000 0000 "
                + "0000 0000 0001 fd00 0000 0000 0000 0000 0000 0000 0002 8000 e2fc 5a60 0001 6162 "
                + "6162 6162 6162 6162 6162");
    }

    /** B's echo reply (74 bytes). */
    public static byte[] echoReply() {
        return Hex.decode(""
                + "0200 0000 000a 0200 0000 000b 86dd 6000 0000 0014 3a40 fd00 0000 0000 0000 0000 "
                + "0000 0000 0002 fd00 0000 0000 0000 0000 0000 0000 0001 8100 e1fc 5a60 0001 6162 "
                + "6162 6162 6162 6162 6162");
    }

    /** a DAD NS from :: for fd00::2 sent by A (python AF_PACKET, no nonce): what B defends against (78 bytes). */
    public static byte[] dadNsFromA() {
        return Hex.decode(""
                + "3333 ff00 0002 0200 0000 000a 86dd 6000 0000 0018 3aff 0000 0000 0000 0000 0000 "
                + "0000 0000 0000 ff02 0000 0000 0000 0000 0001 ff00 0002 8700 7da3 0000 0000 fd00 "
                + "0000 0000 0000 0000 0000 0000 0002");
    }

    /** fd00::1 &gt; fd00::2 with Next Header 253 (RFC 3692 experimental) and 8 zero bytes (python) (62 bytes). */
    public static byte[] unknownNextHeader() {
        return Hex.decode(""
                + "0200 0000 000b 0200 0000 000a 86dd 6000 0000 0008 fd40 fd00 0000 0000 0000 0000 "
                + "0000 0000 0001 fd00 0000 0000 0000 0000 0000 0000 0002 0000 0000 0000 0000");
    }

    /** B: parameter problem code 1, pointer 6 (110 bytes). */
    public static byte[] paramProblemNextHeader() {
        return Hex.decode(""
                + "0200 0000 000a 0200 0000 000b 86dd 6000 0000 0038 3a40 fd00 0000 0000 0000 0000 "
                + "0000 0000 0002 fd00 0000 0000 0000 0000 0000 0000 0001 0401 aa33 0000 0006 6000 "
                + "0000 0008 fd40 fd00 0000 0000 0000 0000 0000 0000 0001 fd00 0000 0000 0000 0000 "
                + "0000 0000 0002 0000 0000 0000 0000");
    }

    /** echo request behind a Destination Options header with unknown option 0x80 (action 10) (python) (74 bytes). */
    public static byte[] destOptAction10() {
        return Hex.decode(""
                + "0200 0000 000b 0200 0000 000a 86dd 6000 0000 0014 3c40 fd00 0000 0000 0000 0000 "
                + "0000 0000 0001 fd00 0000 0000 0000 0000 0000 0000 0002 3a00 8004 0000 0000 8000 "
                + "aeb8 1234 0001 6162 6364");
    }

    /** B: parameter problem code 2, pointer 42 (the option type) (122 bytes). */
    public static byte[] paramProblemOption() {
        return Hex.decode(""
                + "0200 0000 000a 0200 0000 000b 86dd 6000 0000 0044 3a40 fd00 0000 0000 0000 0000 "
                + "0000 0000 0002 fd00 0000 0000 0000 0000 0000 0000 0001 0402 ab3d 0000 002a 6000 "
                + "0000 0014 3c40 fd00 0000 0000 0000 0000 0000 0000 0001 fd00 0000 0000 0000 0000 "
                + "0000 0000 0002 3a00 8004 0000 0000 8000 aeb8 1234 0001 6162 6364");
    }

    /** the same with option 0xc0 (action 11) to ff02::1: B stays silent (python) (74 bytes). */
    public static byte[] destOptAction11Multicast() {
        return Hex.decode(""
                + "3333 0000 0001 0200 0000 000a 86dd 6000 0000 0014 3c40 fd00 0000 0000 0000 0000 "
                + "0000 0000 0001 ff02 0000 0000 0000 0000 0000 0000 0001 3a00 c004 0000 0000 8000 "
                + "acb6 1234 0002 6162 6364");
    }

    /** echo request behind a type 0 Routing header with Segments Left 1 (python) (90 bytes). */
    public static byte[] routingSegmentsLeft() {
        return Hex.decode(""
                + "0200 0000 000b 0200 0000 000a 86dd 6000 0000 0024 2b40 fd00 0000 0000 0000 0000 "
                + "0000 0000 0001 fd00 0000 0000 0000 0000 0000 0000 0002 3a02 0001 0000 0000 fd00 "
                + "0000 0000 0000 0000 0000 0000 0009 8000 aeb6 1234 0003 6162 6364");
    }

    /** B: parameter problem code 0, pointer 42 (the Routing Type) (138 bytes). */
    public static byte[] paramProblemRouting() {
        return Hex.decode(""
                + "0200 0000 000a 0200 0000 000b 86dd 6000 0000 0054 3a40 fd00 0000 0000 0000 0000 "
                + "0000 0000 0002 fd00 0000 0000 0000 0000 0000 0000 0001 0400 3f17 0000 002a 6000 "
                + "0000 0024 2b40 fd00 0000 0000 0000 0000 0000 0000 0001 fd00 0000 0000 0000 0000 "
                + "0000 0000 0002 3a02 0001 0000 0000 fd00 0000 0000 0000 0000 0000 0000 0009 8000 "
                + "aeb6 1234 0003 6162 6364");
    }

    /** B's unicast NUD probe of fd00::1, from its link-local address, SLLA (86 bytes). */
    public static byte[] probeFromB() {
        return Hex.decode(""
                + "0200 0000 000a 0200 0000 000b 86dd 6000 0000 0020 3aff fe80 0000 0000 0000 0000 "
                + "00ff fe00 000b fd00 0000 0000 0000 0000 0000 0000 0001 8700 7e09 0000 0000 fd00 "
                + "0000 0000 0000 0000 0000 0000 0001 0101 0200 0000 000b");
    }

    /** UDP fd00::1.46899 &gt; fd00::2.5999 "closed" (python) (68 bytes). */
    public static byte[] udpToClosedPort() {
        return Hex.decode(""
                + "0200 0000 000b 0200 0000 000a 86dd 6000 0000 000e 1140 fd00 0000 0000 0000 0000 "
                + "0000 0000 0001 fd00 0000 0000 0000 0000 0000 0000 0002 b733 176f 000e fee6 636c "
                + "6f73 6564");
    }

    /** B: destination unreachable code 4 (116 bytes). */
    public static byte[] portUnreachable() {
        return Hex.decode(""
                + "0200 0000 000a 0200 0000 000b 86dd 6000 0000 003e 3a40 fd00 0000 0000 0000 0000 "
                + "0000 0000 0002 fd00 0000 0000 0000 0000 0000 0000 0001 0104 934f 0000 0000 6000 "
                + "0000 000e 1140 fd00 0000 0000 0000 0000 0000 0000 0001 fd00 0000 0000 0000 0000 "
                + "0000 0000 0002 b733 176f 000e fee6 636c 6f73 6564");
    }

    /** A's unicast NUD probe of fe80::ff:fe00:b from fe80::ff:fe00:a, SLLA (86 bytes). */
    public static byte[] probeOfB() {
        return Hex.decode(""
                + "0200 0000 000b 0200 0000 000a 86dd 6000 0000 0020 3aff fe80 0000 0000 0000 0000 "
                + "00ff fe00 000a fe80 0000 0000 0000 0000 00ff fe00 000b 8700 7cf7 0000 0000 fe80 "
                + "0000 0000 0000 0000 00ff fe00 000b 0101 0200 0000 000a");
    }

    /**
     * B answers the probe: S only, no TLLA (Linux ndisc_recv_ns: Override and TLLA only for multicast solicitations)
     * (78 bytes).
     */
    public static byte[] probeAnswer() {
        return Hex.decode(""
                + "0200 0000 000a 0200 0000 000b 86dd 6000 0000 0018 3aff fe80 0000 0000 0000 0000 "
                + "00ff fe00 000b fe80 0000 0000 0000 0000 00ff fe00 000a 8800 3f0a 4000 0000 fe80 "
                + "0000 0000 0000 0000 00ff fe00 000b");
    }

    /** B's unicast NUD probe of fe80::ff:fe00:a from fe80::ff:fe00:b, SLLA (86 bytes). */
    public static byte[] probeOfA() {
        return Hex.decode(""
                + "0200 0000 000a 0200 0000 000b 86dd 6000 0000 0020 3aff fe80 0000 0000 0000 0000 "
                + "00ff fe00 000b fe80 0000 0000 0000 0000 00ff fe00 000a 8700 7cf7 0000 0000 fe80 "
                + "0000 0000 0000 0000 00ff fe00 000a 0101 0200 0000 000b");
    }

    /** MLDv2 general query from fe80::ff:fe00:a, max resp 1000 ms, QRV 2, QQIC 125 (python) (90 bytes). */
    public static byte[] mld2GeneralQuery() {
        return Hex.decode(""
                + "3333 0000 0001 0200 0000 000a 86dd 6000 0000 0024 0001 fe80 0000 0000 0000 0000 "
                + "00ff fe00 000a ff02 0000 0000 0000 0000 0000 0000 0001 3a00 0502 0000 0100 8200 "
                + "7ab5 03e8 0000 0000 0000 0000 0000 0000 0000 0000 0000 027d 0000");
    }

    /** B's answer: IS_EX ff02::1:ff00:2, IS_EX ff02::1:ff00:b (newest group first) (110 bytes). */
    public static byte[] mld2CurrentState() {
        return Hex.decode(""
                + "3333 0000 0016 0200 0000 000b 86dd 6000 0000 0038 0001 fe80 0000 0000 0000 0000 "
                + "00ff fe00 000b ff02 0000 0000 0000 0000 0000 0000 0016 3a00 0502 0000 0100 8f00 "
                + "73d7 0000 0002 0200 0000 ff02 0000 0000 0000 0000 0001 ff00 0002 0200 0000 ff02 "
                + "0000 0000 0000 0000 0001 ff00 000b");
    }

    /** echo request fd00::1 &gt; ff02::1 id 0x4321 seq 7 (python) (66 bytes). */
    public static byte[] multicastEchoRequest() {
        return Hex.decode(""
                + "3333 0000 0001 0200 0000 000a 86dd 6000 0000 000c 3a40 fd00 0000 0000 0000 0000 "
                + "0000 0000 0001 ff02 0000 0000 0000 0000 0000 0000 0001 8000 4f98 4321 0007 7778 "
                + "797a");
    }

    /** B's reply from fd00::2 (source selection) (66 bytes). */
    public static byte[] multicastEchoReply() {
        return Hex.decode(""
                + "0200 0000 000a 0200 0000 000b 86dd 6000 0000 000c 3a40 fd00 0000 0000 0000 0000 "
                + "0000 0000 0002 fd00 0000 0000 0000 0000 0000 0000 0001 8100 5099 4321 0007 7778 "
                + "797a");
    }
}
