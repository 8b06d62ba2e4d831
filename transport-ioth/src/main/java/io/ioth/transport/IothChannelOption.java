package io.ioth.transport;

import io.ioth.tcpip.socket.tcp.TcpInfo;
import io.netty.channel.ChannelOption;

/**
 * Options of IoTh channels beyond the standard {@link ChannelOption}s (as Netty's {@code EpollChannelOption}).
 * The TCP ones apply to {@link IothSocketChannel} (and, where noted, to {@link IothServerSocketChannel}, whose
 * accepted connections inherit them).
 *
 * <p>Constants; thread-safe.
 */
public final class IothChannelOption<T> extends ChannelOption<T> {
    /** IP_TTL: the TTL of unicast and broadcast datagrams, 1..255; -1 = the stack's default (64, as Linux). */
    public static final ChannelOption<Integer> IP_TTL = valueOf(IothChannelOption.class, "IP_TTL");

    /**
     * SO_BINDTODEVICE: send and receive only through the stack interface of this name (e.g. {@code "vde0"}, the
     * {@code iface=} of the identity); null = any.
     */
    public static final ChannelOption<String> SO_BINDTODEVICE = valueOf(IothChannelOption.class, "SO_BINDTODEVICE");

    /**
     * TCP_CONGESTION: the congestion control of a TCP socket, by its Linux name: {@code "newreno"} (or
     * {@code "reno"}) or {@code "cubic"}. Set before connect; on a server channel, inherited by accepted sockets.
     */
    public static final ChannelOption<String> TCP_CONGESTION = valueOf(IothChannelOption.class, "TCP_CONGESTION");

    /** TCP_KEEPIDLE: seconds of idleness before the first keep-alive probe (with SO_KEEPALIVE); -1 = the stack's. */
    public static final ChannelOption<Integer> TCP_KEEPIDLE = valueOf(IothChannelOption.class, "TCP_KEEPIDLE");

    /** TCP_KEEPINTVL: seconds between keep-alive probes; -1 = the stack's. */
    public static final ChannelOption<Integer> TCP_KEEPINTVL = valueOf(IothChannelOption.class, "TCP_KEEPINTVL");

    /** TCP_KEEPCNT: unanswered keep-alive probes before the connection is dropped; -1 = the stack's. */
    public static final ChannelOption<Integer> TCP_KEEPCNT = valueOf(IothChannelOption.class, "TCP_KEEPCNT");

    /**
     * TCP_INFO (read-only, as Linux's {@code getsockopt(TCP_INFO)}): a fresh snapshot of the connection's state and
     * counters (RTT, cwnd, retransmissions, queues...). Allocates one {@link TcpInfo} per call (an API edge, not a hot
     * path); from another thread it waits for the channel's loop. Null before the channel has a socket.
     */
    public static final ChannelOption<TcpInfo> TCP_INFO = valueOf(IothChannelOption.class, "TCP_INFO");

    @SuppressWarnings({"unused", "deprecation"})
    private IothChannelOption() {
        super(null);
    }
}
