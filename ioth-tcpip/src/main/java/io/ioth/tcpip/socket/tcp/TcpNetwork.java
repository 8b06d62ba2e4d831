package io.ioth.tcpip.socket.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * What TCP needs from below: transmit buffers with header room, routing (source address and path MTU),
 * transmission, and a timer service. {@link TcpLayer} implements it over the stack's {@code Engine}; the test
 * harness implements it with a recording list and a manual clock. TCP itself never does I/O and never reads a clock
 * (style.md §3 principle 2).
 *
 * <p>Called on the owner thread only.
 */
public interface TcpNetwork {
    /** The allocator for the connection-owned buffers (small-write and small-segment coalescing). */
    ByteBufAllocator alloc();

    /**
     * A buffer for a TCP segment of {@code tcpLength} bytes: reader index = writer index = where the TCP header
     * starts, with room in front for the IP and link headers.
     */
    ByteBuf allocSegment(int tcpLength);

    /**
     * Routes a connection: if the socket's local address is a wildcard, chooses the source address
     * ({@link TcpSocket#routed}); returns the path MTU ({@code > 0}) or a {@code NetError} ({@code < 0}, e.g.
     * {@code ENETUNREACH}).
     */
    int route(TcpSocket s, long nowNanos);

    /**
     * Sends one TCP segment (header and payload in the buffer's readable bytes, checksum filled). Takes ownership.
     *
     * @param owner the connection it belongs to (a route cache), or null for stateless replies (RST, SYN cookies)
     * @return {@code NetError.OK} or an error (the segment is then lost, as on a congested link)
     */
    int transmit(TcpSocket owner, long srcHi, long srcLo, long dstHi, long dstLo, ByteBuf segment, long nowNanos);

    /** Schedules {@link TcpStack#onTimer}{@code (cookie, now)} at {@code deadlineNanos}. @return a timer id != 0 */
    long schedule(long deadlineNanos, long cookie);

    /** Cancels a timer (unknown and expired ids are ignored). */
    void cancel(long timerId);
}
