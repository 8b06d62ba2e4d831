package io.ioth.tcpip.stats;

/**
 * Per-layer statistics of a stack, named after the SNMP MIB objects where there is one (RFC 2863 ifTable, RFC 4293
 * IP-MIB, RFC 4022 UDP-MIB, RFC 2933 IGMP-MIB). Drops are counted separately by {@link DropReason}.
 *
 * <p>Immutable; safe to share between threads.
 */
public enum Counter {
    ETH_IN_FRAMES,
    ETH_IN_BYTES,
    ETH_OUT_FRAMES,
    ETH_OUT_BYTES,

    ARP_IN_REQUESTS,
    ARP_IN_REPLIES,
    ARP_OUT_REQUESTS,
    ARP_OUT_REPLIES,
    /** Gratuitous ARP announcements sent (RFC 5227 §2.3). */
    ARP_OUT_ANNOUNCEMENTS,

    /** ipInReceives: datagrams handed to IPv4 (before any check). */
    IP4_IN_RECEIVES,
    /** ipInDelivers: datagrams given to ICMP, IGMP or a transport. */
    IP4_IN_DELIVERS,
    IP4_IN_BCAST,
    IP4_IN_MCAST,
    /** ipOutRequests: datagrams the stack originated. */
    IP4_OUT_REQUESTS,
    /** ipForwDatagrams. */
    IP4_FORW_DATAGRAMS,
    /** Datagrams sent over the loopback interface (own addresses, 127/8). */
    IP4_OUT_LOOPBACK,
    IP4_REASM_REQDS,
    IP4_REASM_OKS,
    IP4_FRAG_OKS,
    IP4_FRAG_CREATES,

    ICMP4_IN_MSGS,
    ICMP4_IN_ECHOS,
    ICMP4_IN_ECHO_REPS,
    ICMP4_IN_DEST_UNREACHS,
    ICMP4_IN_TIME_EXCDS,
    ICMP4_OUT_MSGS,
    ICMP4_OUT_ECHOS,
    ICMP4_OUT_ECHO_REPS,
    /** Echo replies built in the request's own buffer (no copy of the payload). */
    ICMP4_OUT_ECHO_REPS_IN_PLACE,
    ICMP4_OUT_DEST_UNREACHS,
    ICMP4_OUT_TIME_EXCDS,
    /** Path MTU estimates lowered by fragmentation-needed messages (RFC 1191). */
    PMTU_UPDATES,

    IGMP_IN_QUERIES,
    IGMP_IN_REPORTS,
    IGMP_OUT_REPORTS,
    IGMP_OUT_LEAVES,

    UDP_IN_DATAGRAMS,
    UDP_OUT_DATAGRAMS;

    static final Counter[] VALUES = values();
}
