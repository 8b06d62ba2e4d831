/**
 * Congestion control for TCP, pluggable per stack and per socket
 * ({@link io.ioth.tcpip.socket.tcp.congestion.CongestionControl}, Linux's {@code tcp_congestion_ops}):
 * {@link io.ioth.tcpip.socket.tcp.congestion.NewReno} (RFC 5681 window rules) and
 * {@link io.ioth.tcpip.socket.tcp.congestion.Cubic} (RFC 9438). Loss recovery (RFC 6582 NewReno, or RFC 6675 SACK
 * with RFC 6937 PRR) is the connection's; the algorithm only chooses ssthresh and grows cwnd.
 *
 * <p>Threading: one instance per connection, owner thread only.
 */
package io.ioth.tcpip.socket.tcp.congestion;
