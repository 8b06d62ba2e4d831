package io.ioth.tcpip.iface;

import io.netty.buffer.ByteBuf;

/**
 * Receives ICMP echo replies and the errors quoting our echo requests: the ping sockets
 * ({@code io.ioth.tcpip.socket.icmp}). Called on the owner thread during ingress; must only record and signal.
 */
public interface IcmpEchoHandler {
    /**
     * @param data the echo data (readable bytes), borrowed for the call
     * @return whether a socket took it (else it is counted as ICMP4_NO_LISTENER)
     */
    boolean echoReply(IpRxInfo ip, int ident, int seq, ByteBuf data, long nowNanos);

    /** An error (unreachable, time exceeded) about the echo request {@code ident}/{@code seq} we sent. */
    void echoError(IcmpErrorInfo error, int ident, int seq, long nowNanos);
}
