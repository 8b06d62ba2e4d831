package io.ioth.transport;

import io.netty.channel.ChannelOption;

/**
 * Options of IoTh channels beyond the standard {@link ChannelOption}s (as Netty's {@code EpollChannelOption}).
 * The TCP tunables and a TCP_INFO-like snapshot join these when the stream channels land.
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

    @SuppressWarnings({"unused", "deprecation"})
    private IothChannelOption() {
        super(null);
    }
}
