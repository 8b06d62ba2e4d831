/**
 * The IoTh transport for Netty 4.2: every event loop runs its own user-space TCP/IP stack (io.ioth.tcpip) with a
 * network identity of its own, plugged into a VDE virtual Ethernet (io.ioth.vde).
 *
 * <ul>
 *   <li>{@link io.ioth.transport.IothEventLoopGroup}: the one-line swap for {@code MultiThreadIoEventLoopGroup};
 *       {@link io.ioth.transport.IothIoHandler#newFactory} for the primary 4.2 form.</li>
 *   <li>{@link io.ioth.transport.IothIdentity}: wire, MAC, and how the stack configures itself (static, DHCPv4,
 *       router discovery, SLAAC, DHCPv6, DNS servers and domains) as an iothconf string;
 *       {@link io.ioth.transport.IothConfiguration}: what it is configured with ({@code group.configured()});
 *       {@link io.ioth.transport.IothDnsResolvers}: DNS through the identity's own stack.</li>
 *   <li>{@link io.ioth.transport.IothDatagramChannel}: UDP; {@link io.ioth.transport.IothSocketChannel} and
 *       {@link io.ioth.transport.IothServerSocketChannel}: TCP, on the same
 *       {@link io.ioth.transport.AbstractIothChannel} base; {@link io.ioth.transport.IothChannelOption}: the
 *       transport's own options (TCP tunables, TCP_INFO).</li>
 *   <li>{@link io.ioth.transport.IothIoHandle}, {@link io.ioth.transport.IothIoRegistration},
 *       {@link io.ioth.transport.IothIoOps}, {@link io.ioth.transport.IothIoEvent}: the IoHandler seam
 *       (netty-transport.md §1).</li>
 * </ul>
 *
 * <p>Threading model: one stack per event loop; a stack and its sockets are touched by their loop's thread only
 * (see {@link io.ioth.transport.IothEventLoopGroup}).
 */
package io.ioth.transport;
