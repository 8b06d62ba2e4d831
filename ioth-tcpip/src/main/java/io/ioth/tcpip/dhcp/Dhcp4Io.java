package io.ioth.tcpip.dhcp;

import io.ioth.tcpip.iface.Engine;
import io.ioth.tcpip.iface.IpAddr;
import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.iface.NetInterface;
import io.ioth.tcpip.iface.Route;
import io.ioth.tcpip.socket.udp.DatagramInfo;
import io.ioth.tcpip.socket.udp.UdpLayer;
import io.ioth.tcpip.socket.udp.UdpSocket;
import io.ioth.tcpip.wire.Checksum;
import io.ioth.tcpip.wire.IpProtocol;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.UdpPacket;
import io.ioth.tcpip.wire.UdpRepr;
import io.netty.buffer.ByteBuf;

/**
 * The UDP plumbing of a DHCP endpoint on one interface: a socket bound to {@code 0.0.0.0:port} and to the
 * interface, read in-stack through {@link UdpSocket.Receiver}; and a sender that builds the UDP datagram itself
 * so that it can use the source address RFC 2131 §4.1 asks for ("DHCP messages broadcast by a client prior to that
 * client obtaining its IP address must have the source address field in the IP header set to 0"), which a socket
 * would not pick.
 *
 * <p>Not thread-safe: owner thread only.
 */
final class Dhcp4Io implements UdpSocket.Receiver {
    /** RFC 2131 §4.1: ports 67 (server) and 68 (client). */
    static final int SERVER_PORT = 67;
    static final int CLIENT_PORT = 68;
    /** RFC 1700 / RFC 1122 §3.2.1.7 default TTL, as Linux DHCP clients use. */
    private static final int TTL = 64;

    interface Handler {
        /** One DHCP message: {@code buf}'s readable bytes (borrowed for the call). */
        void onMessage(ByteBuf buf, DatagramInfo info, long nowNanos);
    }

    final Engine engine;
    final NetInterface ifc;
    private final UdpSocket socket;
    private final Handler handler;
    private final Route route = new Route();
    private final UdpPacket udp = new UdpPacket();
    private final UdpRepr udpRepr = new UdpRepr();
    private final DatagramInfo info = new DatagramInfo();

    Dhcp4Io(final UdpLayer udpLayer, final NetInterface ifc, final int port, final Handler handler) {
        this.engine = udpLayer.engine();
        this.ifc = ifc;
        this.handler = handler;
        this.socket = udpLayer.open();
        socket.bindToInterface(ifc);
        final int r = socket.bind(0, port);
        if (r != NetError.OK) {
            socket.close();
            throw new IllegalStateException("cannot bind UDP port " + port + " on " + ifc.name() + ": "
                    + NetError.name(r));
        }
        socket.setReceiver(this);
    }

    @Override
    public void datagramQueued(final UdpSocket s) {
        ByteBuf b;
        while ((b = s.receive(info)) != null) {
            try {
                handler.onMessage(b, info, engine.lastNow());
            } finally {
                b.release();
            }
        }
    }

    /**
     * Sends {@code m} from {@code src}:{@code sport} to {@code dst}:{@code dport} out of the interface. A broadcast
     * goes to ff:ff:ff:ff:ff:ff; a unicast is routed (over the interface) and resolved by ARP as usual.
     *
     * @return {@link NetError#OK} or a negative errno (no route...)
     */
    int send(final Dhcp4Repr m, final int src, final int dst, final int sport, final int dport, final long now) {
        final int len = m.bufferLen();
        final int r = engine.route(0L, IpAddr.v4(dst), 0L, IpAddr.v4(src), ifc,
                route, now);
        if (r != NetError.OK && !(r == NetError.EADDRNOTAVAIL && dst == Ipv4Addr.BROADCAST)) {
            return r;
        }
        if (route.iface != ifc) {
            return NetError.ENETUNREACH;
        }
        route.srcLo = IpAddr.v4(src); // 0.0.0.0 before the lease (RFC 2131 §4.1)
        final ByteBuf b = engine.allocTx(UdpPacket.HEADER_LEN + len);
        final int at = b.readerIndex();
        b.writerIndex(at + UdpPacket.HEADER_LEN + len);
        m.emit(b, at + UdpPacket.HEADER_LEN);
        udpRepr.set(sport, dport, len).emit(udp.wrap(b, at, UdpPacket.HEADER_LEN + len),
                Checksum.pseudoHeaderV4(src, dst, IpProtocol.UDP, UdpPacket.HEADER_LEN + len));
        return engine.output(route, b, IpProtocol.UDP, TTL, 0, Engine.PMTUDISC_DONT | Engine.NO_MULTICAST_LOOP,
                now);
    }

    void close() {
        socket.setReceiver(null);
        socket.close();
    }
}
