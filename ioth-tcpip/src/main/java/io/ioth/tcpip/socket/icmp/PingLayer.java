package io.ioth.tcpip.socket.icmp;

import io.ioth.tcpip.iface.Engine;
import io.ioth.tcpip.iface.IcmpEchoHandler;
import io.ioth.tcpip.iface.IcmpErrorInfo;
import io.ioth.tcpip.iface.IpRxInfo;
import io.ioth.tcpip.iface.Route;
import io.ioth.tcpip.socket.ReadyList;
import io.netty.buffer.ByteBuf;

import java.util.Arrays;

/**
 * The ping sockets of one stack: hands out identifiers, sends their echo requests, and routes echo replies and
 * errors back by identifier. Registered with the engine as its {@link IcmpEchoHandler}.
 *
 * <p>Not thread-safe: owner thread only.
 */
public final class PingLayer implements IcmpEchoHandler {
    final Engine engine;
    final ReadyList readyList;
    private PingSocket[] sockets = new PingSocket[4];
    private int count;

    public PingLayer(final Engine engine, final ReadyList readyList) {
        this.engine = engine;
        this.readyList = readyList;
        engine.setEchoHandler(this);
    }

    /** A new ping socket with a random unused identifier. */
    public PingSocket open() {
        int id;
        do {
            id = engine.random().nextInt(0x10000);
        } while (find(id) != null);
        return open(id);
    }

    /** A ping socket with the given identifier (tests). @throws IllegalStateException if it is in use */
    public PingSocket open(final int ident) {
        if (ident < 0 || ident > 0xffff) {
            throw new IllegalArgumentException("identifier 0..65535: " + ident);
        }
        if (find(ident) != null) {
            throw new IllegalStateException("identifier in use: " + ident);
        }
        final PingSocket s = new PingSocket(this, ident);
        if (count == sockets.length) {
            sockets = Arrays.copyOf(sockets, count * 2);
        }
        sockets[count++] = s;
        return s;
    }

    void remove(final PingSocket s) {
        for (int i = 0; i < count; i++) {
            if (sockets[i] == s) {
                System.arraycopy(sockets, i + 1, sockets, i, count - i - 1);
                sockets[--count] = null;
                return;
            }
        }
    }

    private PingSocket find(final int ident) {
        for (int i = 0; i < count; i++) {
            if (sockets[i].ident() == ident) {
                return sockets[i];
            }
        }
        return null;
    }

    /** {@code seg}: the ICMP message (header space + data), reader index at the header. Takes ownership. */
    int sendEcho(final Route route, final ByteBuf seg, final int ident, final int seq, final int ttl, final int tos,
                 final long now) {
        return engine.sendEchoRequest(route, seg, ident, seq, ttl, tos, now);
    }

    @Override
    public boolean echoReply(final IpRxInfo ip, final int ident, final int seq, final ByteBuf data, final long now) {
        final PingSocket s = find(ident);
        if (s == null) {
            return false;
        }
        s.onReply(ip, seq, data, now);
        return true;
    }

    @Override
    public void echoError(final IcmpErrorInfo error, final int ident, final int seq, final long now) {
        final PingSocket s = find(ident);
        if (s != null) {
            s.onError(error, seq);
        }
    }
}
