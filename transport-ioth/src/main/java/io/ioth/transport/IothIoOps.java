package io.ioth.transport;

import io.netty.channel.IoOps;

/**
 * The interest a channel submits to its {@link IothIoRegistration}: a set of four bits, as NIO's {@code NioIoOps}
 * (netty-transport.md §1.5 item 5). Every combination is interned: {@link #valueOf} never allocates.
 *
 * <ul>
 *   <li>{@link #READ}: datagrams, bytes, end of stream or an error can be read;</li>
 *   <li>{@link #WRITE}: the socket can take more data (the channel flushes its outbound buffer);</li>
 *   <li>{@link #CONNECT}: an active open completed or failed;</li>
 *   <li>{@link #ACCEPT}: a connection waits in a listener's accept queue.</li>
 * </ul>
 *
 * <p>Immutable; thread-safe.
 */
public final class IothIoOps implements IoOps {
    public static final int READ_BIT = 1;
    public static final int WRITE_BIT = 2;
    public static final int CONNECT_BIT = 4;
    public static final int ACCEPT_BIT = 8;
    static final int ALL_BITS = 15;

    private static final IothIoOps[] INTERNED = new IothIoOps[ALL_BITS + 1];

    static {
        for (int i = 0; i <= ALL_BITS; i++) {
            INTERNED[i] = new IothIoOps(i);
        }
    }

    public static final IothIoOps NONE = INTERNED[0];
    public static final IothIoOps READ = INTERNED[READ_BIT];
    public static final IothIoOps WRITE = INTERNED[WRITE_BIT];
    public static final IothIoOps CONNECT = INTERNED[CONNECT_BIT];
    public static final IothIoOps ACCEPT = INTERNED[ACCEPT_BIT];

    private final int value;

    private IothIoOps(final int value) {
        this.value = value;
    }

    /** The interned instance for {@code bits} (a combination of the {@code *_BIT} constants). */
    public static IothIoOps valueOf(final int bits) {
        if ((bits & ~ALL_BITS) != 0) {
            throw new IllegalArgumentException("unknown IothIoOps bits: " + Integer.toBinaryString(bits));
        }
        return INTERNED[bits];
    }

    public int value() {
        return value;
    }

    public boolean contains(final IothIoOps ops) {
        return (value & ops.value) == ops.value;
    }

    public IothIoOps with(final IothIoOps ops) {
        return INTERNED[value | ops.value];
    }

    public IothIoOps without(final IothIoOps ops) {
        return INTERNED[value & ~ops.value];
    }

    static String format(final int bits) {
        if (bits == 0) {
            return "NONE";
        }
        final StringBuilder sb = new StringBuilder();
        if ((bits & READ_BIT) != 0) {
            sb.append("READ|");
        }
        if ((bits & WRITE_BIT) != 0) {
            sb.append("WRITE|");
        }
        if ((bits & CONNECT_BIT) != 0) {
            sb.append("CONNECT|");
        }
        if ((bits & ACCEPT_BIT) != 0) {
            sb.append("ACCEPT|");
        }
        return sb.substring(0, sb.length() - 1);
    }

    @Override
    public String toString() {
        return "IothIoOps(" + format(value) + ")";
    }
}
