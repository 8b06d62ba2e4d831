package io.ioth.tcpip.iface;

import io.ioth.tcpip.wire.Checksum;
import io.netty.buffer.ByteBuf;

/**
 * The IP-layer facts about a datagram being delivered to an upper layer (ICMP, IGMP, UDP, TCP): addresses in the
 * engine's 128-bit form ({@link IpAddr}), protocol, TTL/hop limit, traffic class, arrival interface and how the
 * datagram was addressed. One instance per stack is filled for each datagram and handed to
 * {@link IpProtocolHandler#receive}; it is only valid during that call (copy what you keep).
 *
 * <p>{@link #buffer} holds the whole IP datagram at {@link #ipOffset} (absolute index); the upper-layer message is
 * {@code buffer[payloadOffset, payloadOffset + payloadLength)}. The buffer is borrowed: retain (or
 * {@code retainedSlice}) what must outlive the call, never write to it.
 *
 * <p>Not thread-safe: owner thread only.
 */
public final class IpRxInfo {
    /** Sent to a broadcast address (limited or directed). */
    public static final int BROADCAST = 1;
    /** Sent to a multicast group. */
    public static final int MULTICAST = 2;
    /** Arrived in a link-layer broadcast/multicast frame. */
    public static final int L2_GROUP = 4;
    /** Arrived over the loopback interface (sent by this stack). */
    public static final int LOOPBACK = 8;
    /** Reassembled from fragments. */
    public static final int REASSEMBLED = 16;

    public int family;
    public long srcHi;
    public long srcLo;
    public long dstHi;
    public long dstLo;
    public int protocol;
    /** TTL / hop limit as received. */
    public int ttl;
    /** IPv4 TOS / IPv6 traffic class. */
    public int tos;
    public int flags;
    public NetInterface iface;
    /** Source MAC of the frame (0 over loopback). */
    public long srcMac;
    public ByteBuf buffer;
    public int ipOffset;
    public int ipHeaderLength;
    public int payloadOffset;
    public int payloadLength;

    /** Whether the destination was a broadcast or multicast address (never answer those with ICMP errors). */
    public boolean isGroupAddressed() {
        return (flags & (BROADCAST | MULTICAST)) != 0;
    }

    /** The pseudo-header partial sum for an upper-layer checksum over {@code upperLength} bytes (RFC 768,
     * RFC 9293 §3.1, RFC 8200 §8.1). */
    public int pseudoHeaderSum(final int upperLength) {
        if (family == IpAddr.FAMILY_V4) {
            return Checksum.pseudoHeaderV4(IpAddr.v4Of(srcLo), IpAddr.v4Of(dstLo), protocol, upperLength);
        }
        return Checksum.pseudoHeaderV6(srcHi, srcLo, dstHi, dstLo, protocol, upperLength);
    }

    @Override
    public String toString() {
        return "IPv" + family + " " + IpAddr.format(srcHi, srcLo) + " > " + IpAddr.format(dstHi, dstLo) + " proto "
                + protocol + " ttl " + ttl + " len " + payloadLength + " dev " + (iface == null ? "?" : iface.name())
                + ((flags & BROADCAST) != 0 ? " bcast" : "") + ((flags & MULTICAST) != 0 ? " mcast" : "");
    }
}
