package io.ioth.tcpip.iface;

import io.netty.buffer.ByteBuf;

/**
 * An upper-layer protocol registered with the stack for one IP protocol number ({@link Engine#registerProtocol}):
 * UDP (17) and, with the TCP work, TCP (6). The engine calls it on the owner thread from {@code poll}:
 *
 * <ul>
 *   <li>{@link #receive}: one datagram for this protocol, addressed to this stack (reassembled if it was
 *       fragmented). {@code segment}'s readable bytes are exactly the upper-layer message; it is borrowed for the
 *       call (retain or {@code retainedSlice} to keep it; never release it or write to it). A protocol that finds no
 *       receiver answers itself, e.g. UDP with {@link Engine#sendDestUnreachable}, TCP with a RST.</li>
 *   <li>{@link #icmpError}: an ICMP error quoting a datagram of this protocol we sent.</li>
 *   <li>{@link #pollEgress}: the egress phase of every poll: emit what is due (TCP's output), via
 *       {@link Engine#output}; {@link #hasPendingEgress} says whether that is needed before any deadline.</li>
 * </ul>
 *
 * <p>Rules (style.md §2): during {@code receive} and {@code icmpError} a protocol must not call out to application
 * code; it updates socket state and marks sockets ready ({@code StackSocket.signal}); the owner drains the ready
 * list after the poll. Timers come from {@link Engine#timers()}.
 */
public interface IpProtocolHandler {
    void receive(IpRxInfo ip, ByteBuf segment, long nowNanos);

    default void icmpError(IcmpErrorInfo error, long nowNanos) {
    }

    default void pollEgress(long nowNanos) {
    }

    /**
     * Whether {@link #pollEgress} has work now that no timer announces: output the application queued between polls
     * (TCP writes, window updates after reads, closes). {@link Engine#nextDeadline} then answers "poll again at
     * once", so a loop that writes after a poll does not wait for the next timer or frame to send it.
     */
    default boolean hasPendingEgress() {
        return false;
    }

    /** The stack is closing: release everything. */
    default void close() {
    }
}
