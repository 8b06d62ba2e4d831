/**
 * Congestion control for TCP, pluggable per stack and per socket
 * ({@link io.ioth.tcpip.socket.tcp.congestion.CongestionControl}, Linux's {@code tcp_congestion_ops}):
 * {@link io.ioth.tcpip.socket.tcp.congestion.NewReno} (RFC 5681 window rules; the RFC 6582 recovery is the
 * connection's). CUBIC (RFC 9438) will be a second implementation of the same interface.
 *
 * <p>Threading: one instance per connection, owner thread only.
 */
package io.ioth.tcpip.socket.tcp.congestion;
