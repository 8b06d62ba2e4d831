package io.ioth.tcpip.socket.tcp;

import io.ioth.tcpip.iface.IpAddr;
import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.socket.StackSocket;

/**
 * What a TCP socket and a listener share: the stack they belong to, the local address and port, and the port-table
 * link. Readiness comes from {@link StackSocket} (events on the stack's ready list, no call-outs).
 *
 * <p>Not thread-safe: owner thread.
 */
public abstract class TcpEndpoint extends StackSocket {
    final TcpStack stack;
    long localHi;
    long localLo;
    int localPort;
    /** In the port table (explicit bind, listen, or the ephemeral port of a connect). */
    boolean bound;
    /** Bound implicitly by connect (RFC 6056): such ports may be shared by connections with distinct 4-tuples. */
    boolean autoBound;
    boolean reuseAddress;
    /** IP_TOS / IPV6_TCLASS of what this endpoint sends, ECN bits clear ({@link #setTrafficClass}). */
    int tos;
    TcpEndpoint nextOnPort;

    /** RFC 3168 §5: the ECN field, the low two bits of the TOS / traffic class octet. */
    static final int ECN_MASK = 3;

    TcpEndpoint(final TcpStack stack) {
        super(stack.readyList);
        this.stack = stack;
    }

    public final TcpStack stack() {
        return stack;
    }

    public final long localHi() {
        return localHi;
    }

    public final long localLo() {
        return localLo;
    }

    public final int localPort() {
        return localPort;
    }

    /** SO_REUSEADDR (Linux semantics: two sockets may bind the same address and port when both set it and neither
     * listens). Set before bind. */
    public void setReuseAddress(final boolean on) {
        reuseAddress = on;
    }

    public boolean reuseAddress() {
        return reuseAddress;
    }

    /**
     * IP_TOS / IPV6_TCLASS: the DSCP of every segment sent from now on (RFC 2474 §3); a listener passes it to the
     * connections it accepts (their SYN-ACK included). The two ECN bits (RFC 3168 §5) are TCP's own, never the
     * application's: as Linux does for a stream socket, they are masked.
     */
    public void setTrafficClass(final int tos) {
        if (tos < 0 || tos > 255) {
            throw new IllegalArgumentException("traffic class 0..255: " + tos);
        }
        this.tos = tos & ~ECN_MASK;
    }

    /** The traffic class sent ({@link #setTrafficClass}), ECN bits clear. */
    public int trafficClass() {
        return tos;
    }

    abstract boolean isListening();

    /**
     * Binds the local address and port ({@code ::} or {@code ::ffff:0.0.0.0} = any address; port 0 = an ephemeral
     * port).
     *
     * @return {@link NetError#OK}, {@link NetError#EINVAL} (already bound), {@link NetError#EADDRINUSE},
     *         {@link NetError#EADDRNOTAVAIL} (not a local address, or no free ephemeral port)
     */
    public int bind(final long hi, final long lo, final int port) {
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (bound) {
            return NetError.EINVAL;
        }
        if (!IpAddr.isWildcard(hi, lo) && !stack.isLocalAddress(hi, lo)) {
            return NetError.EADDRNOTAVAIL;
        }
        return stack.ports.bind(this, hi, lo, port);
    }

    final void unbind() {
        if (bound) {
            stack.ports.unlink(this);
        }
    }

    final String localString() {
        return IpAddr.format(localHi, localLo) + ":" + localPort;
    }
}
