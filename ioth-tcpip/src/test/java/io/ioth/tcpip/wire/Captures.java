package io.ioth.tcpip.wire;

/**
 * Ethernet frames captured from Linux, used as golden bytes by the wire tests (style.md §4.1).
 *
 * <p>How they were captured (helper "wire", kernel 6.x in this container): two private network namespaces A and B
 * joined by a veth pair (A: vA 02:00:00:00:00:0a 10.0.0.1/24 fd00::1/64; B: vB 02:00:00:00:00:0b 10.0.0.2/24
 * fd00::2/64). Transmit checksum offload was switched off on both ends (SIOCETHTOOL ETHTOOL_STXCSUM = 0, from a
 * python ioctl, as ethtool is not installed) so the captures carry complete checksums. B forwarded to a third
 * namespace C over a veth with MTU 1280 (10.9.9.0/24, fd09::/64), to get time-exceeded / frag-needed /
 * packet-too-big. Capture: {@code ip netns exec A tcpdump -U -i vA -s 0 -w all.pcap}; the commands are named on
 * each constant. RS, RA and redirect were sent from python raw ICMPv6 sockets (the kernel computes their checksum;
 * radvd is not installed); tcpdump -vv reported every checksum here as correct. The namespaces were deleted
 * afterwards. No 802.1Q capture: the kernel here has no 8021q module (see EthernetFrameTest).
 */
final class Captures {
    private Captures() {
    }


    /** ARP request who-has 10.0.0.2 tell 10.0.0.1 (A, broadcast) (42 bytes). */
    static final byte[] ARP_REQUEST = Hex.decode(""
            + "ffff ffff ffff 0200 0000 000a 0806 0001 0800 0604 0001 0200 0000 000a 0a00 0001 "
            + "0000 0000 0000 0a00 0002");

    /** ARP reply 10.0.0.2 is-at 02:00:00:00:00:0b (B) (42 bytes). */
    static final byte[] ARP_REPLY = Hex.decode(""
            + "0200 0000 000a 0200 0000 000b 0806 0001 0800 0604 0002 0200 0000 000b 0a00 0002 "
            + "0200 0000 000a 0a00 0001");

    /** `ping -c1 -p 6162 -s 12 10.0.0.2`: IPv4 DF, ICMP echo request id 0x1c88 seq 1 (54 bytes). */
    static final byte[] ICMP4_ECHO_REQUEST = Hex.decode(""
            + "0200 0000 000b 0200 0000 000a 0800 4500 0028 0456 4000 4001 227d 0a00 0001 0a00 "
            + "0002 0800 9328 1c88 0001 6162 6162 6162 6162 6162 6162");

    /** the echo reply from B (54 bytes). */
    static final byte[] ICMP4_ECHO_REPLY = Hex.decode(""
            + "0200 0000 000a 0200 0000 000b 0800 4500 0028 ecb2 0000 4001 7a20 0a00 0002 0a00 "
            + "0001 0000 9b28 1c88 0001 6162 6162 6162 6162 6162 6162");

    /** `ping -c1 -R -s 12 10.0.0.2`: IHL 15, NOP + Record Route option (40 option bytes) (94 bytes). */
    static final byte[] IPV4_OPTIONS_RR = Hex.decode(""
            + "0200 0000 000b 0200 0000 000a 0800 4f00 0050 0457 4000 4001 e643 0a00 0001 0a00 "
            + "0002 0107 2708 0a00 0001 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 0000 "
            + "0000 0000 0000 0000 0000 0800 bd4f 1c8b 0001 0001 0203 0405 0607 0809 0a0b");

    /** `echo -n hello | ncat -u 10.0.0.2 5000`: UDP 50397 > 5000, 5 bytes (47 bytes). */
    static final byte[] UDP4 = Hex.decode(""
            + "0200 0000 000b 0200 0000 000a 0800 4500 0021 9c4c 4000 4011 8a7d 0a00 0001 0a00 "
            + "0002 c4dd 1388 000d cf99 6865 6c6c 6f");

    /** `echo -n hello | ncat -u fd00::2 5000`: UDP 51353 > 5000 over IPv6, 5 bytes (67 bytes). */
    static final byte[] UDP6 = Hex.decode(""
            + "0200 0000 000b 0200 0000 000a 86dd 6007 6e58 000d 1140 fd00 0000 0000 0000 0000 "
            + "0000 0000 0001 fd00 0000 0000 0000 0000 0000 0000 0002 c899 1388 000d e5db 6865 "
            + "6c6c 6f");

    /** B answers UDP to closed port 5999: ICMP dest unreachable code 3, tos 0xc0 (76 bytes). */
    static final byte[] ICMP4_PORT_UNREACHABLE = Hex.decode(""
            + "0200 0000 000a 0200 0000 000b 0800 45c0 003e ecbb 0000 4001 7941 0a00 0002 0a00 "
            + "0001 0303 111f 0000 0000 4500 0022 2a54 4000 4011 fc74 0a00 0001 0a00 0002 c2fa "
            + "176f 000e d921 636c 6f73 6564");

    /** B answers UDP to closed port 5999 over IPv6: ICMPv6 dest unreachable code 4 (116 bytes). */
    static final byte[] ICMP6_PORT_UNREACHABLE = Hex.decode(""
            + "0200 0000 000a 0200 0000 000b 86dd 6004 f512 003e 3a40 fd00 0000 0000 0000 0000 "
            + "0000 0000 0002 fd00 0000 0000 0000 0000 0000 0000 0001 0104 aef0 0000 0000 6006 "
            + "e458 000e 1140 fd00 0000 0000 0000 0000 0000 0000 0001 fd00 0000 0000 0000 0000 "
            + "0000 0000 0002 b733 176f 000e fee6 636c 6f73 6564");

    /** `ncat 10.0.0.2 5001`: SYN with MSS 1460, SACK-perm, TS, NOP, WS 10 (74 bytes). */
    static final byte[] TCP4_SYN = Hex.decode(""
            + "0200 0000 000b 0200 0000 000a 0800 4500 003c 567d 4000 4006 d03c 0a00 0001 0a00 "
            + "0002 bdaa 1389 3a1e c5ca 0000 0000 a002 faf0 06ad 0000 0204 05b4 0402 080a 1a2b "
            + "4715 0000 0000 0103 030a");

    /** B's SYN-ACK with MSS, SACK-perm, TS (ecr = SYN's val), NOP, WS 10 (74 bytes). */
    static final byte[] TCP4_SYN_ACK = Hex.decode(""
            + "0200 0000 000a 0200 0000 000b 0800 4500 003c 0000 4000 4006 26ba 0a00 0002 0a00 "
            + "0001 1389 bdaa f5cd e961 3a1e c5cb a012 fe88 b4ef 0000 0204 05b4 0402 080a be1c "
            + "b0c7 1a2b 4715 0103 030a");

    /** `ping -c1 -s 1600 10.0.0.2`: last fragment of the reply, offset 1480, MF=0 (162 bytes). */
    static final byte[] IPV4_LAST_FRAGMENT = Hex.decode(""
            + "0200 0000 000a 0200 0000 000b 0800 4500 0094 f4d8 00b9 4001 70d5 0a00 0002 0a00 "
            + "0001 c0c1 c2c3 c4c5 c6c7 c8c9 cacb cccd cecf d0d1 d2d3 d4d5 d6d7 d8d9 dadb dcdd "
            + "dedf e0e1 e2e3 e4e5 e6e7 e8e9 eaeb eced eeef f0f1 f2f3 f4f5 f6f7 f8f9 fafb fcfd "
            + "feff 0001 0203 0405 0607 0809 0a0b 0c0d 0e0f 1011 1213 1415 1617 1819 1a1b 1c1d "
            + "1e1f 2021 2223 2425 2627 2829 2a2b 2c2d 2e2f 3031 3233 3435 3637 3839 3a3b 3c3d "
            + "3e3f");

    /** `ping -6 -s 1400` with MTU 1280: last fragment (fragment header, offset 1232) (238 bytes). */
    static final byte[] IPV6_LAST_FRAGMENT = Hex.decode(""
            + "0200 0000 000b 0200 0000 000a 86dd 6002 9da9 00b8 2c40 fd00 0000 0000 0000 0000 "
            + "0000 0000 0001 fd00 0000 0000 0000 0000 0000 0000 0002 3a00 04d0 9ae4 20ab c8c9 "
            + "cacb cccd cecf d0d1 d2d3 d4d5 d6d7 d8d9 dadb dcdd dedf e0e1 e2e3 e4e5 e6e7 e8e9 "
            + "eaeb eced eeef f0f1 f2f3 f4f5 f6f7 f8f9 fafb fcfd feff 0001 0203 0405 0607 0809 "
            + "0a0b 0c0d 0e0f 1011 1213 1415 1617 1819 1a1b 1c1d 1e1f 2021 2223 2425 2627 2829 "
            + "2a2b 2c2d 2e2f 3031 3233 3435 3637 3839 3a3b 3c3d 3e3f 4041 4243 4445 4647 4849 "
            + "4a4b 4c4d 4e4f 5051 5253 5455 5657 5859 5a5b 5c5d 5e5f 6061 6263 6465 6667 6869 "
            + "6a6b 6c6d 6e6f 7071 7273 7475 7677");

    /** MLDv2 report sent by the kernel at link up: hop-by-hop header (router alert + PadN) (110 bytes). */
    static final byte[] MLD2_REPORT_HBH = Hex.decode(""
            + "3333 0000 0016 0200 0000 000a 86dd 6000 0000 0038 0001 fe80 0000 0000 0000 0000 "
            + "00ff fe00 000a ff02 0000 0000 0000 0000 0000 0000 0016 3a00 0502 0000 0100 8f00 "
            + "6fda 0000 0002 0400 0000 ff02 0000 0000 0000 0000 0001 ff00 000a 0400 0000 ff02 "
            + "0000 0000 0000 0000 0001 ff00 0001");

    /** Neighbor Solicitation fd00::1 > ff02::1:ff00:2 for fd00::2, source link-layer option (86 bytes). */
    static final byte[] NDP_NS = Hex.decode(""
            + "3333 ff00 0002 0200 0000 000a 86dd 6000 0000 0020 3aff fd00 0000 0000 0000 0000 "
            + "0000 0000 0001 ff02 0000 0000 0000 0000 0001 ff00 0002 8700 7d8e 0000 0000 fd00 "
            + "0000 0000 0000 0000 0000 0000 0002 0101 0200 0000 000a");

    /** Neighbor Advertisement fd00::2 > fd00::1, flags R S O, target link-layer option (86 bytes). */
    static final byte[] NDP_NA = Hex.decode(""
            + "0200 0000 000a 0200 0000 000b 86dd 6000 0000 0020 3aff fd00 0000 0000 0000 0000 "
            + "0000 0000 0002 fd00 0000 0000 0000 0000 0000 0000 0001 8800 9c90 e000 0000 fd00 "
            + "0000 0000 0000 0000 0000 0000 0002 0201 0200 0000 000b");

    /** Router Solicitation from a raw ICMPv6 socket (kernel-computed checksum), source link-layer option (70 bytes). */
    static final byte[] NDP_RS = Hex.decode(""
            + "3333 0000 0002 0200 0000 000a 86dd 6000 0000 0010 3aff fe80 0000 0000 0000 0000 "
            + "00ff fe00 000a ff02 0000 0000 0000 0000 0000 0000 0002 8500 7b1a 0000 0000 0101 "
            + "0200 0000 000a");

    /** Router Advertisement from a raw socket in B (kernel checksum): SLLA, MTU 1500, prefix fd00::/64 L A, RDNSS fd00::53 (142 bytes). */
    static final byte[] NDP_RA = Hex.decode(""
            + "3333 0000 0001 0200 0000 000b 86dd 600f 14c8 0058 3aff fe80 0000 0000 0000 0000 "
            + "00ff fe00 000b ff02 0000 0000 0000 0000 0000 0000 0001 8600 44b6 4000 0708 0000 "
            + "0000 0000 0000 0101 0200 0000 000b 0501 0000 0000 05dc 0304 40c0 0001 5180 0000 "
            + "3840 0000 0000 fd00 0000 0000 0000 0000 0000 0000 0000 1903 0000 0000 0258 fd00 "
            + "0000 0000 0000 0000 0000 0000 0053");

    /** Redirect from a raw socket in B (kernel checksum): fd09::9 via fd00::3, target link-layer option (102 bytes). */
    static final byte[] NDP_REDIRECT = Hex.decode(""
            + "0200 0000 000a 0200 0000 000b 86dd 600a c70e 0030 3aff fd00 0000 0000 0000 0000 "
            + "0000 0000 0002 fd00 0000 0000 0000 0000 0000 0000 0001 8900 7e6c 0000 0000 fd00 "
            + "0000 0000 0000 0000 0000 0000 0003 fd09 0000 0000 0000 0000 0000 0000 0009 0201 "
            + "0200 0000 000c");

    /** `ping -6 -c1 -s 12 fd00::2`: ICMPv6 echo request id 0x1c89 seq 1 (74 bytes). */
    static final byte[] ICMP6_ECHO_REQUEST = Hex.decode(""
            + "0200 0000 000b 0200 0000 000a 86dd 6002 9da9 0014 3a40 fd00 0000 0000 0000 0000 "
            + "0000 0000 0001 fd00 0000 0000 0000 0000 0000 0000 0002 8000 4afe 1c89 0001 0001 "
            + "0203 0405 0607 0809 0a0b");

    /** router B: `ping -t 1 10.9.9.9` &rarr; ICMP time exceeded (code 0) (82 bytes). */
    static final byte[] ICMP4_TIME_EXCEEDED = Hex.decode(""
            + "0200 0000 000a 0200 0000 000b 0800 45c0 0044 ced4 0000 4001 9722 0a00 0002 0a00 "
            + "0001 0b00 f4ff 0000 0000 4500 0028 2467 4000 0101 385c 0a00 0001 0a09 0909 0800 "
            + "bba4 1e36 0001 0001 0203 0405 0607 0809 0a0b");

    /** router B: `ping -6 -t 1 fd09::9` &rarr; ICMPv6 time exceeded (code 0) (122 bytes). */
    static final byte[] ICMP6_TIME_EXCEEDED = Hex.decode(""
            + "0200 0000 000a 0200 0000 000b 86dd 6006 56d5 0044 3a40 fd00 0000 0000 0000 0000 "
            + "0000 0000 0002 fd00 0000 0000 0000 0000 0000 0000 0001 0300 8653 0000 0000 6006 "
            + "e25b 0014 3a01 fd00 0000 0000 0000 0000 0000 0000 0001 fd09 0000 0000 0000 0000 "
            + "0000 0000 0009 8000 4940 1e37 0001 0001 0203 0405 0607 0809 0a0b");

    /** router B, next hop MTU 1280: `ping -M do -s 1400 10.9.9.9` &rarr; frag needed, mtu 1280 (590 bytes). */
    static final byte[] ICMP4_FRAG_NEEDED = Hex.decode(""
            + "0200 0000 000a 0200 0000 000b 0800 45c0 0240 ced6 0000 4001 9524 0a00 0002 0a00 "
            + "0001 0304 0ec9 0000 0500 4500 0594 0000 4000 4001 1857 0a00 0001 0a09 0909 0800 "
            + "0d38 1e38 0001 c874 0c6b 0000 0000 8992 0300 0000 0000 1011 1213 1415 1617 1819 "
            + "1a1b 1c1d 1e1f 2021 2223 2425 2627 2829 2a2b 2c2d 2e2f 3031 3233 3435 3637 3839 "
            + "3a3b 3c3d 3e3f 4041 4243 4445 4647 4849 4a4b 4c4d 4e4f 5051 5253 5455 5657 5859 "
            + "5a5b 5c5d 5e5f 6061 6263 6465 6667 6869 6a6b 6c6d 6e6f 7071 7273 7475 7677 7879 "
            + "7a7b 7c7d 7e7f 8081 8283 8485 8687 8889 8a8b 8c8d 8e8f 9091 9293 9495 9697 9899 "
            + "9a9b 9c9d 9e9f a0a1 a2a3 a4a5 a6a7 a8a9 aaab acad aeaf b0b1 b2b3 b4b5 b6b7 b8b9 "
            + "babb bcbd bebf c0c1 c2c3 c4c5 c6c7 c8c9 cacb cccd cecf d0d1 d2d3 d4d5 d6d7 d8d9 "
            + "dadb dcdd dedf e0e1 e2e3 e4e5 e6e7 e8e9 eaeb eced eeef f0f1 f2f3 f4f5 f6f7 f8f9 "
            + "fafb fcfd feff 0001 0203 0405 0607 0809 0a0b 0c0d 0e0f 1011 1213 1415 1617 1819 "
            + "1a1b 1c1d 1e1f 2021 2223 2425 2627 2829 2a2b 2c2d 2e2f 3031 3233 3435 3637 3839 "
            + "3a3b 3c3d 3e3f 4041 4243 4445 4647 4849 4a4b 4c4d 4e4f 5051 5253 5455 5657 5859 "
            + "5a5b 5c5d 5e5f 6061 6263 6465 6667 6869 6a6b 6c6d 6e6f 7071 7273 7475 7677 7879 "
            + "7a7b 7c7d 7e7f 8081 8283 8485 8687 8889 8a8b 8c8d 8e8f 9091 9293 9495 9697 9899 "
            + "9a9b 9c9d 9e9f a0a1 a2a3 a4a5 a6a7 a8a9 aaab acad aeaf b0b1 b2b3 b4b5 b6b7 b8b9 "
            + "babb bcbd bebf c0c1 c2c3 c4c5 c6c7 c8c9 cacb cccd cecf d0d1 d2d3 d4d5 d6d7 d8d9 "
            + "dadb dcdd dedf e0e1 e2e3 e4e5 e6e7 e8e9 eaeb eced eeef f0f1 f2f3 f4f5 f6f7 f8f9 "
            + "fafb fcfd feff 0001 0203 0405 0607");

    /** router B, next hop MTU 1280: `ping -6 -M do -s 1400 fd09::9` &rarr; packet too big, mtu 1280 (1294 bytes). */
    static final byte[] ICMP6_PACKET_TOO_BIG = Hex.decode(""
            + "0200 0000 000a 0200 0000 000b 86dd 600b 9710 04d8 3a40 fd00 0000 0000 0000 0000 "
            + "0000 0000 0002 fd00 0000 0000 0000 0000 0000 0000 0001 0200 56c5 0000 0500 6006 "
            + "e25b 0580 3a40 fd00 0000 0000 0000 0000 0000 0000 0001 fd09 0000 0000 0000 0000 "
            + "0000 0000 0009 8000 c657 1e39 0001 c874 0c6b 0000 0000 58a2 0300 0000 0000 1011 "
            + "1213 1415 1617 1819 1a1b 1c1d 1e1f 2021 2223 2425 2627 2829 2a2b 2c2d 2e2f 3031 "
            + "3233 3435 3637 3839 3a3b 3c3d 3e3f 4041 4243 4445 4647 4849 4a4b 4c4d 4e4f 5051 "
            + "5253 5455 5657 5859 5a5b 5c5d 5e5f 6061 6263 6465 6667 6869 6a6b 6c6d 6e6f 7071 "
            + "7273 7475 7677 7879 7a7b 7c7d 7e7f 8081 8283 8485 8687 8889 8a8b 8c8d 8e8f 9091 "
            + "9293 9495 9697 9899 9a9b 9c9d 9e9f a0a1 a2a3 a4a5 a6a7 a8a9 aaab acad aeaf b0b1 "
            + "b2b3 b4b5 b6b7 b8b9 babb bcbd bebf c0c1 c2c3 c4c5 c6c7 c8c9 cacb cccd cecf d0d1 "
            + "d2d3 d4d5 d6d7 d8d9 dadb dcdd dedf e0e1 e2e3 e4e5 e6e7 e8e9 eaeb eced eeef f0f1 "
            + "f2f3 f4f5 f6f7 f8f9 fafb fcfd feff 0001 0203 0405 0607 0809 0a0b 0c0d 0e0f 1011 "
            + "1213 1415 1617 1819 1a1b 1c1d 1e1f 2021 2223 2425 2627 2829 2a2b 2c2d 2e2f 3031 "
            + "3233 3435 3637 3839 3a3b 3c3d 3e3f 4041 4243 4445 4647 4849 4a4b 4c4d 4e4f 5051 "
            + "5253 5455 5657 5859 5a5b 5c5d 5e5f 6061 6263 6465 6667 6869 6a6b 6c6d 6e6f 7071 "
            + "7273 7475 7677 7879 7a7b 7c7d 7e7f 8081 8283 8485 8687 8889 8a8b 8c8d 8e8f 9091 "
            + "9293 9495 9697 9899 9a9b 9c9d 9e9f a0a1 a2a3 a4a5 a6a7 a8a9 aaab acad aeaf b0b1 "
            + "b2b3 b4b5 b6b7 b8b9 babb bcbd bebf c0c1 c2c3 c4c5 c6c7 c8c9 cacb cccd cecf d0d1 "
            + "d2d3 d4d5 d6d7 d8d9 dadb dcdd dedf e0e1 e2e3 e4e5 e6e7 e8e9 eaeb eced eeef f0f1 "
            + "f2f3 f4f5 f6f7 f8f9 fafb fcfd feff 0001 0203 0405 0607 0809 0a0b 0c0d 0e0f 1011 "
            + "1213 1415 1617 1819 1a1b 1c1d 1e1f 2021 2223 2425 2627 2829 2a2b 2c2d 2e2f 3031 "
            + "3233 3435 3637 3839 3a3b 3c3d 3e3f 4041 4243 4445 4647 4849 4a4b 4c4d 4e4f 5051 "
            + "5253 5455 5657 5859 5a5b 5c5d 5e5f 6061 6263 6465 6667 6869 6a6b 6c6d 6e6f 7071 "
            + "7273 7475 7677 7879 7a7b 7c7d 7e7f 8081 8283 8485 8687 8889 8a8b 8c8d 8e8f 9091 "
            + "9293 9495 9697 9899 9a9b 9c9d 9e9f a0a1 a2a3 a4a5 a6a7 a8a9 aaab acad aeaf b0b1 "
            + "b2b3 b4b5 b6b7 b8b9 babb bcbd bebf c0c1 c2c3 c4c5 c6c7 c8c9 cacb cccd cecf d0d1 "
            + "d2d3 d4d5 d6d7 d8d9 dadb dcdd dedf e0e1 e2e3 e4e5 e6e7 e8e9 eaeb eced eeef f0f1 "
            + "f2f3 f4f5 f6f7 f8f9 fafb fcfd feff 0001 0203 0405 0607 0809 0a0b 0c0d 0e0f 1011 "
            + "1213 1415 1617 1819 1a1b 1c1d 1e1f 2021 2223 2425 2627 2829 2a2b 2c2d 2e2f 3031 "
            + "3233 3435 3637 3839 3a3b 3c3d 3e3f 4041 4243 4445 4647 4849 4a4b 4c4d 4e4f 5051 "
            + "5253 5455 5657 5859 5a5b 5c5d 5e5f 6061 6263 6465 6667 6869 6a6b 6c6d 6e6f 7071 "
            + "7273 7475 7677 7879 7a7b 7c7d 7e7f 8081 8283 8485 8687 8889 8a8b 8c8d 8e8f 9091 "
            + "9293 9495 9697 9899 9a9b 9c9d 9e9f a0a1 a2a3 a4a5 a6a7 a8a9 aaab acad aeaf b0b1 "
            + "b2b3 b4b5 b6b7 b8b9 babb bcbd bebf c0c1 c2c3 c4c5 c6c7 c8c9 cacb cccd cecf d0d1 "
            + "d2d3 d4d5 d6d7 d8d9 dadb dcdd dedf e0e1 e2e3 e4e5 e6e7 e8e9 eaeb eced eeef f0f1 "
            + "f2f3 f4f5 f6f7 f8f9 fafb fcfd feff 0001 0203 0405 0607 0809 0a0b 0c0d 0e0f 1011 "
            + "1213 1415 1617 1819 1a1b 1c1d 1e1f 2021 2223 2425 2627 2829 2a2b 2c2d 2e2f 3031 "
            + "3233 3435 3637 3839 3a3b 3c3d 3e3f 4041 4243 4445 4647 4849 4a4b 4c4d 4e4f 5051 "
            + "5253 5455 5657 5859 5a5b 5c5d 5e5f 6061 6263 6465 6667 6869 6a6b 6c6d 6e6f 7071 "
            + "7273 7475 7677 7879 7a7b 7c7d 7e7f 8081 8283 8485 8687 8889 8a8b 8c8d 8e8f 9091 "
            + "9293 9495 9697 9899 9a9b 9c9d 9e9f");
}
