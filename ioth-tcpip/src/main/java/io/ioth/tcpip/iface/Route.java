package io.ioth.tcpip.iface;

/**
 * The result of a route lookup ({@link Engine#route}): where a datagram to {@link #dstHi}/{@link #dstLo} goes, from
 * which source address, over which interface and next hop, with what MTU. A mutable holder the caller owns and
 * reuses, so lookups allocate nothing; a transport can keep one per connection and re-check it with
 * {@link Engine#isCurrent(Route)} (the engine bumps its route generation whenever addresses, routes or path MTUs
 * change, like Linux's {@code dst_entry} obsolescence).
 *
 * <p>Not thread-safe; owner thread.
 */
public final class Route {
    /** Delivered to this stack over the loopback interface (own address, 127/8). */
    public static final int LOCAL = 1;
    /** Limited or directed broadcast: sent to ff:ff:ff:ff:ff:ff. */
    public static final int BROADCAST = 2;
    /** Multicast: sent to the group's MAC (RFC 1112 §6.4). */
    public static final int MULTICAST = 4;
    /** Via a gateway (the next hop is not the destination). */
    public static final int GATEWAY = 8;

    public int family;
    public NetInterface iface;
    public long dstHi;
    public long dstLo;
    public long srcHi;
    public long srcLo;
    public long nextHopHi;
    public long nextHopLo;
    /** The largest IP packet to send: the interface MTU, or a lower path MTU (RFC 1191). */
    public int mtu;
    public int flags;
    /** The engine's route generation when this was filled. */
    public long generation = -1;
    /** IPv4 identification of the next atomic (DF) datagram sent with this route, valid for {@link #ipIdDst}
     * ({@link Ipv4Layer}: a per-route counter, as Linux's per-socket {@code inet_id}). Not copied by {@link #set}. */
    int ipIdNext;
    int ipIdDst;
    boolean ipIdSeeded;

    public boolean isLocal() {
        return (flags & LOCAL) != 0;
    }

    public boolean isBroadcast() {
        return (flags & BROADCAST) != 0;
    }

    public boolean isMulticast() {
        return (flags & MULTICAST) != 0;
    }

    /** Copies {@code other} into this. */
    public Route set(final Route other) {
        family = other.family;
        iface = other.iface;
        dstHi = other.dstHi;
        dstLo = other.dstLo;
        srcHi = other.srcHi;
        srcLo = other.srcLo;
        nextHopHi = other.nextHopHi;
        nextHopLo = other.nextHopLo;
        mtu = other.mtu;
        flags = other.flags;
        generation = other.generation;
        return this;
    }

    @Override
    public String toString() {
        return IpAddr.format(dstHi, dstLo) + " via " + IpAddr.format(nextHopHi, nextHopLo) + " dev "
                + (iface == null ? "?" : iface.name()) + " src " + IpAddr.format(srcHi, srcLo) + " mtu " + mtu
                + ((flags & LOCAL) != 0 ? " local" : "") + ((flags & BROADCAST) != 0 ? " broadcast" : "")
                + ((flags & MULTICAST) != 0 ? " multicast" : "");
    }
}
