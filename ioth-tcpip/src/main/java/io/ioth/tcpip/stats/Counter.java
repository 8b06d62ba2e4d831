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

    /** ipv6 InReceives (RFC 4293). */
    IP6_IN_RECEIVES,
    IP6_IN_DELIVERS,
    IP6_IN_MCAST,
    IP6_OUT_REQUESTS,
    IP6_FORW_DATAGRAMS,
    IP6_OUT_LOOPBACK,
    IP6_REASM_REQDS,
    IP6_REASM_OKS,
    IP6_FRAG_OKS,
    IP6_FRAG_CREATES,

    ICMP6_IN_MSGS,
    ICMP6_IN_ECHOS,
    ICMP6_IN_ECHO_REPS,
    ICMP6_IN_DEST_UNREACHS,
    ICMP6_IN_PKT_TOO_BIGS,
    ICMP6_IN_TIME_EXCDS,
    ICMP6_IN_PARM_PROBLEMS,
    ICMP6_OUT_MSGS,
    ICMP6_OUT_ECHOS,
    ICMP6_OUT_ECHO_REPS,
    /** Echo replies built in the request's own buffer. */
    ICMP6_OUT_ECHO_REPS_IN_PLACE,
    ICMP6_OUT_DEST_UNREACHS,
    ICMP6_OUT_PKT_TOO_BIGS,
    ICMP6_OUT_TIME_EXCDS,
    ICMP6_OUT_PARM_PROBLEMS,

    NDP_IN_SOLICITS,
    NDP_IN_ADVERTS,
    NDP_IN_ROUTER_ADVERTS,
    NDP_OUT_SOLICITS,
    NDP_OUT_ADVERTS,
    /** Unsolicited Neighbor Advertisements after DAD (RFC 4861 §7.2.6). */
    NDP_OUT_UNSOLICITED_ADVERTS,
    /** Duplicate Address Detection runs started / passed / failed (RFC 4862 §5.4). */
    DAD_STARTED,
    DAD_SUCCEEDED,
    DAD_FAILED,
    /** Router Solicitations sent (RFC 4861 §6.3.7). */
    NDP_OUT_ROUTER_SOLICITS,
    /** Addresses formed by stateless autoconfiguration (RFC 4862 §5.5.3 d). */
    SLAAC_ADDRESSES,
    /** DHCPv6 client messages sent / accepted (RFC 8415). */
    DHCP6_OUT_MESSAGES,
    DHCP6_IN_MESSAGES,

    MLD_IN_QUERIES,
    MLD_IN_REPORTS,
    MLD_OUT_REPORTS,

    IGMP_IN_QUERIES,
    IGMP_IN_REPORTS,
    IGMP_OUT_REPORTS,
    IGMP_OUT_LEAVES,

    UDP_IN_DATAGRAMS,
    UDP_OUT_DATAGRAMS;

    static final Counter[] VALUES = values();
}
