package io.ioth.transport;

import io.netty.channel.IoHandle;

/**
 * An {@link IoHandle} served by an {@link IothIoHandler}: every Ioth channel's {@code Unsafe} implements it (as
 * Netty's {@code AbstractNioUnsafe} implements {@code NioIoHandle}); it is what
 * {@link IothIoHandler#isCompatible} checks.
 *
 * <p><b>Readiness is level-triggered.</b> The stack only says that "something changed" for a socket (its events are
 * hints, {@code io.ioth.tcpip.socket.StackSocket}); the handler then asks the handle for its level state with
 * {@link #readyOps()} and calls {@link #handle} with {@code readyOps() & interest} when that is not empty. After
 * {@code handle} returns the handler asks again and, while something of interest is still ready (a read loop that
 * stopped at {@code maxMessagesPerRead}), serves the handle again on the next loop iteration without blocking, as
 * a level-triggered epoll would.
 *
 * <p>Threading: every method is called on the handler's event loop.
 */
public interface IothIoHandle extends IoHandle {

    /**
     * The operations that could make progress now, as {@link IothIoOps} bits: {@code READ_BIT} when data, end of
     * stream or an error waits (including "the stack closed the socket"), {@code WRITE_BIT} when the socket takes
     * data, {@code CONNECT_BIT} when a pending connect completed or failed, {@code ACCEPT_BIT} when a connection
     * waits to be accepted. Cheap: called after every event of the socket.
     */
    int readyOps();
}
