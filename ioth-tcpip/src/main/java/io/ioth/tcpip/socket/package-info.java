/**
 * Sockets of a stack and their readiness: {@link io.ioth.tcpip.socket.StackSocket} (events, attachment) and the
 * intrusive {@link io.ioth.tcpip.socket.ReadyList} the owner drains after each poll. Protocols live in the
 * subpackages; none of them does I/O or reads a clock.
 */
package io.ioth.tcpip.socket;
