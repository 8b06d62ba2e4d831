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
    /** IPv6 frame while IPv6 is not enabled on the stack. */
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
