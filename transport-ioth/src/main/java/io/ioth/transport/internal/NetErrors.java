package io.ioth.transport.internal;

import io.ioth.tcpip.iface.NetError;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetConnectedException;

/**
 * The engine's errno-style results ({@link NetError}) as the exceptions Netty users get from the JDK-based
 * transports, so application code written for NIO or epoll handles the same types:
 *
 * <table>
 *   <tr><th>result</th><th>bind</th><th>connect</th><th>datagram send / receive</th></tr>
 *   <tr><td>EADDRINUSE, EADDRNOTAVAIL</td><td>BindException</td><td>BindException</td><td>SocketException</td></tr>
 *   <tr><td>ECONNREFUSED</td><td>-</td><td>ConnectException</td><td>PortUnreachableException</td></tr>
 *   <tr><td>ENETUNREACH, EHOSTUNREACH</td><td colspan=3>NoRouteToHostException</td></tr>
 *   <tr><td>EDESTADDRREQ, ENOTCONN</td><td colspan=3>NotYetConnectedException (NIO's DatagramChannel.write)</td></tr>
 *   <tr><td>ECONNRESET, ETIMEDOUT, EPIPE, ECONNABORTED</td><td>-</td><td>ConnectException</td><td>IOException
 *       with strerror(3)'s text on a stream ("Connection reset by peer")</td></tr>
 *   <tr><td>EBADF</td><td colspan=3>ClosedChannelException</td></tr>
 *   <tr><td>others</td><td colspan=3>SocketException with strerror(3)'s text</td></tr>
 * </table>
 * The JDK's own mapping (sun.nio.ch Net.c, {@code handleSocketError}) is the model.
 *
 * <p>Static; thread-safe.
 */
public final class NetErrors {
    private NetErrors() {
    }

    /** The failure of {@code bind(local)}. */
    public static Exception bind(final int result, final SocketAddress local) {
        if (result == NetError.EADDRINUSE || result == NetError.EADDRNOTAVAIL) {
            return new BindException(text(result, local));
        }
        return common(result, local);
    }

    /** The failure of a connect (an active open, or fixing a datagram socket's peer). */
    public static Exception connect(final int result, final SocketAddress remote) {
        switch (result) {
            case NetError.ECONNREFUSED:
            case NetError.ETIMEDOUT:   // SYN retries exhausted (the JDK: "Connection timed out")
            case NetError.ECONNRESET:
            case NetError.ECONNABORTED:
                return new ConnectException(text(result, remote));
            case NetError.EADDRINUSE:
            case NetError.EADDRNOTAVAIL:
                return new BindException(text(result, remote));
            default:
                return common(result, remote);
        }
    }

    /** The failure of a datagram send or receive (a pending ICMP error surfaces on either). */
    public static Exception datagram(final int result, final SocketAddress remote) {
        if (result == NetError.ECONNREFUSED) {
            // the JDK's text for a connected datagram socket's pending port unreachable
            return new PortUnreachableException(remote == null ? "ICMP Port Unreachable"
                    : "ICMP Port Unreachable: " + remote);
        }
        return common(result, remote);
    }

    /**
     * The failure of an established stream (TCP read or write): {@code ECONNRESET} is the JDK's
     * {@code IOException("Connection reset by peer")}, {@code ETIMEDOUT} "Connection timed out", {@code EPIPE}
     * "Broken pipe", {@code ECONNABORTED}; the socket errors NIO reports as plain {@code IOException}s.
     */
    public static Exception stream(final int result, final SocketAddress remote) {
        switch (result) {
            case NetError.ECONNRESET:
            case NetError.ETIMEDOUT:
            case NetError.EPIPE:
            case NetError.ECONNABORTED:
                return new IOException(NetError.message(result));
            case NetError.ENOTCONN:
                return new NotYetConnectedException();
            default:
                return common(result, remote);
        }
    }

    private static Exception common(final int result, final SocketAddress addr) {
        switch (result) {
            case NetError.ENETUNREACH:
            case NetError.EHOSTUNREACH:
                return new NoRouteToHostException(text(result, addr));
            case NetError.EDESTADDRREQ:
            case NetError.ENOTCONN:
                return new NotYetConnectedException();
            case NetError.EBADF:
                return new ClosedChannelException();
            default:
                return new SocketException(text(result, addr) + " (" + NetError.name(result) + ")");
        }
    }

    private static String text(final int result, final SocketAddress addr) {
        return addr == null ? NetError.message(result) : NetError.message(result) + ": " + addr;
    }
}
