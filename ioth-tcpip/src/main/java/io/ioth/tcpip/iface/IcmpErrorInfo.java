package io.ioth.tcpip.iface;

import io.netty.buffer.ByteBuf;

/**
 * An ICMP (or ICMPv6) error about a datagram this stack sent, as handed to the upper layer that sent it
 * ({@link IpProtocolHandler#icmpError}): what happened ({@link #kind}, normalised across families), who reported
 * it, and the quoted original datagram's addresses, protocol and first transport bytes (ports, TCP sequence number).
 * One instance per stack, valid only during the call.
 *
 * <p>Not thread-safe: owner thread only.
 */
public final class IcmpErrorInfo {
    public static final int NET_UNREACHABLE = 1;
    public static final int HOST_UNREACHABLE = 2;
    public static final int PROTOCOL_UNREACHABLE = 3;
    public static final int PORT_UNREACHABLE = 4;
    /** Fragmentation needed (IPv4, RFC 1191) / packet too big (IPv6, RFC 8201): see {@link #mtu}. */
    public static final int FRAG_NEEDED = 5;
    public static final int TTL_EXCEEDED = 6;
    public static final int REASSEMBLY_TIMEOUT = 7;
    public static final int ADMIN_PROHIBITED = 8;
    public static final int OTHER = 9;

    public int family;
    /** Raw ICMP type and code. */
    public int type;
    public int code;
    public int kind;
    /** The next-hop MTU of a {@link #FRAG_NEEDED}, after the stack's clamping; else 0. */
    public int mtu;
    /** Who sent the error. */
    public long reporterHi;
    public long reporterLo;
    public long origSrcHi;
    public long origSrcLo;
    public long origDstHi;
    public long origDstLo;
    public int origProtocol;
    /** The quoted transport header: {@code buffer[transportOffset, transportOffset + transportLength)}, at least 8
     * bytes (RFC 792: "the first 64 bits of the original datagram's data"). Borrowed for the call. */
    public ByteBuf buffer;
    public int transportOffset;
    public int transportLength;

    /** Source port of the quoted TCP/UDP header. */
    public int origSrcPort() {
        return buffer.getUnsignedShort(transportOffset);
    }

    /** Destination port of the quoted TCP/UDP header. */
    public int origDstPort() {
        return buffer.getUnsignedShort(transportOffset + 2);
    }

    /**
     * The errno Linux reports for this error on a socket ({@code icmp_err_convert} in net/ipv4/icmp.c;
     * {@code icmpv6_err_convert} for IPv6).
     */
    public int errno() {
        switch (kind) {
            case NET_UNREACHABLE: return NetError.ENETUNREACH;
            case PROTOCOL_UNREACHABLE: return NetError.ENOPROTOOPT;
            case PORT_UNREACHABLE: return NetError.ECONNREFUSED;
            case FRAG_NEEDED: return NetError.EMSGSIZE;
            case ADMIN_PROHIBITED: return NetError.EACCES;
            default: return NetError.EHOSTUNREACH;
        }
    }

    /** Whether the error is "hard" for TCP (RFC 1122 §4.2.3.9: port/protocol unreachable may abort a connection;
     * the others are soft and MUST NOT). */
    public boolean isHard() {
        return kind == PORT_UNREACHABLE || kind == PROTOCOL_UNREACHABLE;
    }

    @Override
    public String toString() {
        return "ICMPv" + (family == IpAddr.FAMILY_V4 ? "4" : "6") + " error type " + type + " code " + code
                + " from " + IpAddr.format(reporterHi, reporterLo) + " about " + IpAddr.format(origSrcHi, origSrcLo)
                + " > " + IpAddr.format(origDstHi, origDstLo) + " proto " + origProtocol
                + (mtu != 0 ? " mtu " + mtu : "");
    }
}
