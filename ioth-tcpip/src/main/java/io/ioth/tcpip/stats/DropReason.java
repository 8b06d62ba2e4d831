package io.ioth.tcpip.stats;

/**
 * Why the stack dropped a packet: one counter per reason, incremented right before the early return that drops it
 * (gVisor {@code network/ipv4/ipv4.go} {@code HandlePacket}, style.md §3 principle 7). Grouped by layer; the prefix
 * names the layer that decided.
 *
 * <p>Immutable; safe to share between threads.
 */
public enum DropReason {
    // ---------------------------------------------------------------- link / Ethernet
    /** Shorter than an Ethernet header (or a tagged header). */
    ETH_TRUNCATED,
    /** Unicast destination MAC that is not ours (IEEE 802.3 §3.2.3: the frame is for another station). */
    ETH_OTHER_HOST,
    /** Group destination MAC we do not listen to. */
    ETH_MULTICAST_NOT_JOINED,
    /** Group (multicast/broadcast) or all-zero source MAC: IEEE 802 source addresses are individual. */
    ETH_BAD_SRC_MAC,
    /** Our own MAC as source: a frame of ours reflected back (hub, loop) or a duplicate MAC on the wire. */
    ETH_OWN_SRC_MAC,
    /** 802.1Q-tagged frame on an interface without that VLAN (or untagged on a VLAN interface). */
    ETH_VLAN,
    /** EtherType the stack does not handle. */
    ETH_UNKNOWN_TYPE,
    /** IPv6 frame on an interface where IPv6 is not enabled ({@code Engine.enableIpv6} / {@code addIpv6}). */
    ETH_IPV6_DISABLED,

    // ---------------------------------------------------------------- ARP
    /** Shorter than the 28-byte Ethernet/IPv4 ARP packet. */
    ARP_TRUNCATED,
    /** Hardware/protocol type or lengths other than Ethernet/IPv4, or an unknown operation (RFC 826). */
    ARP_UNSUPPORTED,
    /** Sender MAC is a group or zero address, or sender IP is not a unicast host address. */
    ARP_BAD_SENDER,
    /** ARP packet sent by our own MAC (reflected). */
    ARP_OWN,
    /** Somebody else claims one of our addresses (RFC 5227 §2.4 conflict); not learned. */
    ARP_ADDRESS_CONFLICT,
    /** Request for an address that is not ours: merged (RFC 826) but not answered. */
    ARP_NOT_FOR_US,

    // ---------------------------------------------------------------- IPv4
    /** Shorter than the header, or than Total Length says (RFC 1122 §3.2.1.2 / RFC 791). */
    IP4_TRUNCATED,
    /** IHL below 5. */
    IP4_BAD_HEADER_LEN,
    /** Total Length smaller than the header. */
    IP4_BAD_LENGTH,
    /** Version is not 4 (RFC 1122 §3.2.1.1: "silently discard"). */
    IP4_BAD_VERSION,
    /** Header checksum does not verify (RFC 1122 §3.2.1.2: "MUST ... silently discard"). */
    IP4_BAD_CHECKSUM,
    /** Martian source: 0/8, 127/8 off loopback, multicast, limited or directed broadcast, or one of our own
     * addresses (RFC 1122 §3.2.1.3, RFC 1812 §5.3.7). */
    IP4_MARTIAN_SRC,
    /** Destination is not ours and forwarding is off (SNMP ipInAddrErrors). */
    IP4_NOT_FOR_US,
    /** Multicast destination we have not joined on the receiving interface. */
    IP4_MULTICAST_NOT_JOINED,
    /** Unicast IP destination in a link-layer broadcast/multicast frame (RFC 1122 §3.3.6: "SHOULD silently
     * discard"). */
    IP4_L2_BROADCAST_UNICAST,
    /** Forwarding: TTL would reach 0 (RFC 1812 §5.3.1); ICMP time exceeded sent. */
    IP4_TTL_EXCEEDED,
    /** No route to the destination (forwarding or local output); ICMP net unreachable when forwarding. */
    IP4_NO_ROUTE,
    /** Forwarding: larger than the next hop MTU with DF set (RFC 1191); ICMP fragmentation needed sent. */
    IP4_FRAG_NEEDED,
    /** Forwarding refused: link-local or limited-broadcast destination, or a source/destination that must not
     * leave the link (RFC 3927 §7, RFC 1812 §5.3.7). */
    IP4_NOT_FORWARDABLE,
    /** No handler for the protocol number; ICMP protocol unreachable sent (RFC 1122 §3.2.2.1). */
    IP4_UNKNOWN_PROTOCOL,
    /** A fragment the reassembler refused (overlap, bad length, memory cap...; its own counters tell which). */
    IP4_FRAGMENT_REFUSED,
    /** Fragmentation of an outgoing datagram failed (MTU too small, malformed). */
    IP4_FRAGMENTATION_FAILED,
    /** Local output larger than the path MTU with DF required (EMSGSIZE). */
    IP4_TOO_BIG,
    /** Loopback queue full. */
    IP4_LOOPBACK_FULL,

    // ---------------------------------------------------------------- IPv6
    /** Shorter than the 40-byte header or than 40 + Payload Length (RFC 8200 §3). */
    IP6_TRUNCATED,
    /** Version is not 6. */
    IP6_BAD_VERSION,
    /** Source that cannot be a single node on the wire: multicast (RFC 4291 §2.7), ::1 off the loopback interface
     * (§2.5.3), IPv4-mapped (§2.5.5.2, Linux ip6_rcv_core), or :: outside NDP/MLD (RFC 4291 §2.5.2). */
    IP6_MARTIAN_SRC,
    /** Destination that must not arrive from the wire: ::1 (RFC 4291 §2.5.3), ::, IPv4-mapped, multicast with
     * scope 0 or interface-local scope (RFC 4291 §2.7, erratum 3480). */
    IP6_MARTIAN_DST,
    /** Destination is not ours and forwarding is off (a link-local address of another interface included). */
    IP6_NOT_FOR_US,
    /** Destination is one of our addresses still being checked by DAD: "MUST silently discard" (RFC 4862 §5.4). */
    IP6_TENTATIVE_DST,
    /** Multicast destination the receiving interface has not joined. */
    IP6_MULTICAST_NOT_JOINED,
    /** Truncated extension header, an option overrunning its header, or a chain longer than we walk. */
    IP6_BAD_EXT_HEADER,
    /** Unrecognised Next Header (extension or upper layer); ICMPv6 parameter problem code 1 sent (RFC 8200 §4). */
    IP6_UNKNOWN_NEXT_HEADER,
    /** Unrecognised hop-by-hop / destination option whose action bits say discard (RFC 8200 §4.2). */
    IP6_UNKNOWN_OPTION,
    /** Routing header of an unrecognised type with Segments Left non-zero; parameter problem code 0 (RFC 8200
     * §4.4, RFC 5095 for type 0). */
    IP6_UNKNOWN_ROUTING,
    /** Next Header 59 "no next header": nothing to deliver (RFC 8200 §4.7). */
    IP6_NO_NEXT_HEADER,
    /** Forwarding: the hop limit would reach 0; ICMPv6 time exceeded sent (RFC 8200 §3, RFC 4443 §3.3). */
    IP6_HOP_LIMIT_EXCEEDED,
    /** No route (forwarding: ICMPv6 destination unreachable code 0 sent). */
    IP6_NO_ROUTE,
    /** Forwarding: larger than the next link's MTU; ICMPv6 packet too big sent (RFC 8200 §5, RFC 4443 §3.2). */
    IP6_PACKET_TOO_BIG,
    /** Forwarding refused: link-local or multicast destination, link-local or unspecified source (RFC 4291
     * §2.5.6). */
    IP6_NOT_FORWARDABLE,
    /** A fragment the reassembler refused (its own counters tell why). */
    IP6_FRAGMENT_REFUSED,
    /** Fragmentation of an outgoing packet failed. */
    IP6_FRAGMENTATION_FAILED,
    /** Local output larger than the path MTU with fragmentation forbidden, or over 65535 bytes (EMSGSIZE). */
    IP6_TOO_BIG,
    /** Loopback queue full. */
    IP6_LOOPBACK_FULL,

    // ---------------------------------------------------------------- ICMPv6
    /** Shorter than 4 bytes, or an error too short to quote an IPv6 header. */
    ICMP6_TRUNCATED,
    /** Checksum (with the IPv6 pseudo-header) does not verify (RFC 4443 §2.3). */
    ICMP6_BAD_CHECKSUM,
    /** Informational type the stack does not handle: "MUST be silently discarded" (RFC 4443 §2.4 (b)). */
    ICMP6_UNSUPPORTED,
    /** Echo reply nobody waits for. */
    ICMP6_NO_LISTENER,
    /** Error quoting a packet we did not send (RFC 5927 §4.1). */
    ICMP6_ERROR_NOT_OURS,
    /** Outgoing ICMPv6 error suppressed by the rate limiter (RFC 4443 §2.4 (f)). */
    ICMP6_RATE_LIMITED,

    // ---------------------------------------------------------------- NDP (RFC 4861) and DAD (RFC 4862)
    /** NDP message with an IP hop limit other than 255: it may come from off-link (RFC 4861 §6.1, §7.1). */
    NDP_BAD_HOP_LIMIT,
    /** NDP message failing RFC 4861 §7.1.1 / §7.1.2 / §6.1.2 validity (code, length, options, target, flags,
     * addresses). */
    NDP_INVALID,
    /** Solicitation for an address that is not ours: not answered. */
    NDP_NOT_OUR_TARGET,
    /** Solicitation for our tentative address from a node resolving it: "MUST be silently discarded" (RFC 4862
     * §5.4.3). */
    NDP_TENTATIVE_TARGET,
    /** Advertisement for one of our valid addresses by another node (a conflict after DAD): not learned. */
    NDP_ADDRESS_CONFLICT,
    /** Router Solicitation received by a host: "MUST silently discard" (RFC 4861 §6.2.6). */
    NDP_ROUTER_SOLICIT_IGNORED,
    /** Redirect: ignored, as RFC 4861 §8.3 lets a host do. */
    NDP_REDIRECT_IGNORED,
    /** A solicitation could not be sent: the interface has no usable (non-tentative) source address. */
    NDP_NO_SOURCE_ADDRESS,
    /** Router Advertisement whose IP source is not link-local (RFC 4861 §6.1.2). */
    NDP_RA_BAD_SOURCE,
    /** Router Advertisement failing the other RFC 4861 §6.1.2 checks: ICMP code not 0, shorter than 16 bytes, an
     * option of length zero or running past the message. */
    NDP_RA_MALFORMED,
    /** One option of an accepted Router Advertisement ignored: wrong length for its type, a malformed DNSSL name
     * (RFC 8106 §5.2), a prefix whose preferred lifetime exceeds the valid one (RFC 4862 §5.5.3 c), a link-local
     * prefix, an MTU outside 1280..link maximum (RFC 4861 §6.3.4). */
    NDP_RA_BAD_OPTION,

    // ---------------------------------------------------------------- DHCPv6 client (RFC 8415)
    /** Shorter than the 4-byte message header. */
    DHCP6_TRUNCATED,
    /** An option (or a sub-option of IA_NA / IAADDR) whose length runs past its container, or a fixed-size option
     * with a wrong length (RFC 8415 §16: "MUST discard"). */
    DHCP6_MALFORMED,
    /** Transaction id of no exchange in progress (RFC 8415 §16.3, §16.10). */
    DHCP6_WRONG_XID,
    /** Client Identifier missing or not ours (RFC 8415 §16.3, §16.10). */
    DHCP6_WRONG_CLIENT_ID,
    /** Advertise / Reply without a Server Identifier (RFC 8415 §16.3, §16.10). */
    DHCP6_NO_SERVER_ID,
    /** A message type a client does not accept (Solicit, Request... sent to port 546; Reconfigure without
     * authentication, RFC 8415 §16.11), or an Advertise / Reply the current state does not expect. */
    DHCP6_UNEXPECTED,
    /** Advertise or Reply refused by its contents: NoAddrsAvail, no usable address (RFC 8415 §18.2.9, §18.2.10). */
    DHCP6_REFUSED,

    // ---------------------------------------------------------------- MLD (RFC 3810)
    /** Query with a non-link-local source, a hop limit other than 1, or a bad length (RFC 3810 §5.1.14, §8.1). */
    MLD_INVALID,

    // ---------------------------------------------------------------- neighbour resolution
    /** Queued packet dropped: resolution failed after the retries (RFC 1122 §2.3.2.1, RFC 4861 §7.2.2). */
    NEIGH_RESOLUTION_FAILED,
    /** Queued packet replaced by a newer one (bounded queue, RFC 4861 §7.2.2). */
    NEIGH_QUEUE_OVERFLOW,
    /** Queued packet dropped because its entry was evicted or flushed. */
    NEIGH_FLUSHED,

    // ---------------------------------------------------------------- ICMPv4
    /** Shorter than the 8-byte header, or an error quoting less than an IPv4 header. */
    ICMP4_TRUNCATED,
    /** ICMP checksum does not verify. */
    ICMP4_BAD_CHECKSUM,
    /** Type the stack does not handle (timestamp, redirect, ...), or a bad code. */
    ICMP4_UNSUPPORTED,
    /** Echo request to a broadcast/multicast address: ignored (RFC 1122 §3.2.2.6 "MAY be silently discarded",
     * Linux icmp_echo_ignore_broadcasts=1). */
    ICMP4_BROADCAST_ECHO,
    /** Echo reply nobody waits for. */
    ICMP4_NO_LISTENER,
    /** Error message quoting a datagram we did not send. */
    ICMP4_ERROR_NOT_OURS,
    /** Outgoing ICMP error suppressed by the rate limiter (RFC 1812 §4.3.2.8). */
    ICMP4_RATE_LIMITED,

    // ---------------------------------------------------------------- IGMP
    /** Shorter than 8 bytes. */
    IGMP_TRUNCATED,
    /** IGMP checksum does not verify. */
    IGMP_BAD_CHECKSUM,
    /** Type not handled, or a query not sent to 224.0.0.1 / the group (RFC 2236 §6). */
    IGMP_UNSUPPORTED,

    // ---------------------------------------------------------------- UDP
    /** Shorter than the UDP header or than its Length field. */
    UDP_TRUNCATED,
    /** Length field below 8. */
    UDP_BAD_LENGTH,
    /** Checksum does not verify (RFC 1122 §4.1.3.4: "MUST silently discard"). */
    UDP_BAD_CHECKSUM,
    /** No socket on the port (SNMP udpNoPorts); ICMP port unreachable sent for unicast. */
    UDP_NO_PORT,
    /** Socket receive queue full (datagrams or bytes) (SNMP udpRcvbufErrors). */
    UDP_RCVBUF_FULL,

    // ---------------------------------------------------------------- output
    /** The link refused a frame (down, queue full, oversize). */
    LINK_TX_DROPPED;

    static final DropReason[] VALUES = values();
}
