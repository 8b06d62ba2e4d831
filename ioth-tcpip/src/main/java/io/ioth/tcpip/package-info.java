/**
 * The TCP/IP engine as a library object: {@link io.ioth.tcpip.Stack} is one network identity (interfaces, MACs,
 * addresses, routes, neighbour caches, sockets).
 *
 * <p>Layout (style.md §2, after smoltcp): {@code wire} packet views and values; {@code iface} the engine
 * ({@link io.ioth.tcpip.iface.Engine}: Ethernet, ARP, IPv4, ICMPv4, IGMPv2, IPv6, ICMPv6, NDP with DAD, MLDv2,
 * routing, timers, the protocol SPI);
 * {@code socket} the sockets and their readiness ({@code socket.udp}, {@code socket.icmp}, TCP next);
 * {@code frag} fragmentation and reassembly; {@code link} the device SPI and its decorators; {@code storage} timer
 * wheel; {@code stats} drop reasons and counters.
 *
 * <p>Threading model: a stack is owned by one thread (its event loop) and never blocks, never reads a clock (every
 * entry point takes {@code now}), and never calls application code while processing packets: sockets signal
 * readiness on the stack's ready list, drained by the owner after each poll. Only {@code Stack.stats()} may be read
 * from other threads.
 */
package io.ioth.tcpip;
