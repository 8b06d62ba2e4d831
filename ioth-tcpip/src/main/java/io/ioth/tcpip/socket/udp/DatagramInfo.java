package io.ioth.tcpip.socket.udp;

import io.ioth.tcpip.iface.IpAddr;

import java.net.InetSocketAddress;

/**
 * Where a received datagram came from and was addressed to, filled by {@link UdpSocket#receive}. A mutable holder
 * the caller owns and reuses (no allocation per datagram); addresses in the engine's 128-bit form
 * ({@link IpAddr}: IPv4 as {@code ::ffff:a.b.c.d}).
 *
 * <p>Not thread-safe.
 */
public final class DatagramInfo {
    /** Sent to a broadcast address. */
    public static final int BROADCAST = 1;
    /** Sent to a multicast group. */
    public static final int MULTICAST = 2;

    public long srcHi;
    public long srcLo;
    public int srcPort;
    public long dstHi;
    public long dstLo;
    public int dstPort;
    /** Index of the arrival interface. */
    public int ifIndex;
    public int ttl;
    public int tos;
    public int flags;

    /** The source as an IPv4 address (when {@link IpAddr#isV4}). */
    public int src4() {
        return IpAddr.v4Of(srcLo);
    }

    public int dst4() {
        return IpAddr.v4Of(dstLo);
    }

    /** The sender, for the API edge (allocates). */
    public InetSocketAddress sender() {
        return new InetSocketAddress(IpAddr.toInetAddress(srcHi, srcLo), srcPort);
    }

    /** The destination the datagram was sent to (allocates). */
    public InetSocketAddress recipient() {
        return new InetSocketAddress(IpAddr.toInetAddress(dstHi, dstLo), dstPort);
    }

    @Override
    public String toString() {
        return IpAddr.format(srcHi, srcLo) + ":" + srcPort + " > " + IpAddr.format(dstHi, dstLo) + ":" + dstPort
                + " if " + ifIndex + ((flags & BROADCAST) != 0 ? " bcast" : "")
                + ((flags & MULTICAST) != 0 ? " mcast" : "");
    }
}
