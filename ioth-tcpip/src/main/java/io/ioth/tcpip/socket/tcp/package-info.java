/**
 * TCP (RFC 9293) as a pure state machine: no I/O, no clock reads, no Netty channel types. Time is the
 * {@code nowNanos} argument of every entry point; segments come in through {@link io.ioth.tcpip.socket.tcp.TcpStack}
 * and leave through a {@link io.ioth.tcpip.socket.tcp.TcpNetwork} ({@link io.ioth.tcpip.socket.tcp.TcpLayer} on a
 * stack's engine, a recording harness in tests).
 *
 * <h2>Files, split by concern (gVisor {@code transport/tcp})</h2>
 * <ul>
 *   <li>{@link io.ioth.tcpip.socket.tcp.TcpSocket}: the connection (TCB with RFC 9293 §3.3.1 names) and the
 *       application API; {@link io.ioth.tcpip.socket.tcp.TcpListener}: SYN and accept queues;</li>
 *   <li>{@code TcpInput}: SEGMENT ARRIVES (§3.10.7), RFC 5961, RFC 7323 PAWS, SACK and D-SACK generation, ACK
 *       processing, NewReno recovery, receive-buffer auto-tuning; {@code TcpOutput}: what to send now (windows,
 *       Nagle, SWS), segment emission; {@code TcpTimers}: retransmission, persist, delayed ACK, keepalive,
 *       TIME-WAIT, and the reordering and probe timers;</li>
 *   <li>{@code SackRecovery}: SACK-based loss recovery (RFC 6675) with PRR (RFC 6937) and RACK-TLP's time-based
 *       loss detection and tail loss probes (RFC 8985); {@code SackScoreboard}: the peer's SACK blocks;
 *       {@code RetransmitLog}: retransmissions in flight, to find lost ones;</li>
 *   <li>{@code SendQueue}, {@code RecvQueue}, {@code OooQueue}: zero-copy buffers; {@code RttEstimator}:
 *       RFC 6298;</li>
 *   <li>{@link io.ioth.tcpip.socket.tcp.TcpSecrets} (RFC 6528 ISN, RFC 6056 ports, SYN-cookie hashes),
 *       {@code SynCookies} (RFC 4987 §3.6), {@code PortTable}, {@code FlowTable};</li>
 *   <li>{@link io.ioth.tcpip.socket.tcp.TcpConfig} (per-stack tunables), {@link io.ioth.tcpip.socket.tcp.TcpInfo}
 *       (TCP_INFO), {@link io.ioth.tcpip.socket.tcp.TcpStats} with {@link io.ioth.tcpip.socket.tcp.TcpCounter} and
 *       {@link io.ioth.tcpip.socket.tcp.TcpDrop}.</li>
 * </ul>
 * Congestion control algorithms live in {@code io.ioth.tcpip.socket.tcp.congestion}.
 *
 * <p>Sequence numbers are {@code int}s compared only through {@link io.ioth.tcpip.socket.tcp.Seq}.
 *
 * <p>Threading: everything here belongs to the stack's owner thread.
 */
package io.ioth.tcpip.socket.tcp;
