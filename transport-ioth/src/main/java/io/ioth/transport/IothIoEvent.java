package io.ioth.transport;

import io.netty.channel.IoEvent;

/**
 * What {@link IothIoHandler} hands to an {@link IothIoHandle}: the operations that are ready <em>and</em> of
 * interest. Every combination is interned (style.md §3.8, Netty's {@code EpollIoOps} cache): delivering an event
 * allocates nothing.
 *
 * <p>Immutable; thread-safe.
 */
public final class IothIoEvent implements IoEvent {
    private static final IothIoEvent[] INTERNED = new IothIoEvent[IothIoOps.ALL_BITS + 1];

    static {
        for (int i = 0; i <= IothIoOps.ALL_BITS; i++) {
            INTERNED[i] = new IothIoEvent(IothIoOps.valueOf(i));
        }
    }

    private final IothIoOps ops;

    private IothIoEvent(final IothIoOps ops) {
        this.ops = ops;
    }

    /** The interned event for the ready bits {@code bits}. */
    public static IothIoEvent of(final int bits) {
        return INTERNED[bits & IothIoOps.ALL_BITS];
    }

    /** The ready operations. */
    public IothIoOps ops() {
        return ops;
    }

    public boolean isReadable() {
        return (ops.value() & IothIoOps.READ_BIT) != 0;
    }

    public boolean isWritable() {
        return (ops.value() & IothIoOps.WRITE_BIT) != 0;
    }

    public boolean isConnectable() {
        return (ops.value() & IothIoOps.CONNECT_BIT) != 0;
    }

    public boolean isAcceptable() {
        return (ops.value() & IothIoOps.ACCEPT_BIT) != 0;
    }

    @Override
    public String toString() {
        return "IothIoEvent(" + IothIoOps.format(ops.value()) + ")";
    }
}
