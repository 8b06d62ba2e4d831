package io.ioth.tcpip.socket.tcp;

import io.ioth.tcpip.iface.Engine;
import io.ioth.tcpip.iface.IcmpErrorInfo;
import io.ioth.tcpip.iface.IpProtocolHandler;
import io.ioth.tcpip.iface.IpRxInfo;
import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.iface.Route;
import io.ioth.tcpip.iface.StackTimers;
import io.ioth.tcpip.socket.ReadyList;
import io.ioth.tcpip.wire.IpProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.Objects;

/**
 * TCP attached to a stack's {@link Engine}: registered for IP protocol 6 ({@link IpProtocolHandler}), it hands
 * segments to the {@link TcpStack} and implements the {@link TcpNetwork} TCP talks down through:
 *
 * <ul>
 *   <li>transmit buffers from {@link Engine#allocTx} (header room in front: the IP and Ethernet headers are
 *       prepended in place);</li>
 *   <li>one {@link Route} per connection, kept in the socket and re-resolved when the engine's route generation
 *       moves ({@link Engine#isCurrent});</li>
 *   <li>output with DF set ({@link Engine#PMTUDISC_DO}, as Linux TCP) and the configured TTL;</li>
 *   <li>one client of the stack's timer wheel ({@link StackTimers}), a timer per connection at its earliest
 *       deadline.</li>
 * </ul>
 *
 * <p><b>Threading:</b> not thread-safe; the engine's owner thread only.
 */
public final class TcpLayer implements IpProtocolHandler, TcpNetwork, StackTimers.Client {
    private final Engine engine;
    private final TcpStack tcp;
    private final int timerClient;
    private final Route scratch = new Route();

    /**
     * Creates TCP for {@code engine} and registers it for protocol 6.
     *
     * @param readyList the stack's ready list (shared with UDP)
     */
    public TcpLayer(final Engine engine, final ReadyList readyList, final TcpConfig config) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.timerClient = engine.timers().register(this);
        this.tcp = new TcpStack(config, this, readyList, engine.random());
        tcp.setAddressOracle(new TcpStack.AddressOracle() {
            @Override
            public boolean isLocal(final long hi, final long lo) {
                return engine.isLocalAddress(hi, lo);
            }

            @Override
            public boolean isBroadcast(final long hi, final long lo) {
                return engine.isBroadcastAddress(hi, lo);
            }
        });
        engine.registerProtocol(IpProtocol.TCP, this);
    }

    /** The TCP of this stack: open sockets and listeners here. */
    public TcpStack tcp() {
        return tcp;
    }

    // ================================================================== IpProtocolHandler

    @Override
    public void receive(final IpRxInfo ip, final ByteBuf segment, final long nowNanos) {
        if (ip.isGroupAddressed()) {
            // TCP is unicast (RFC 9293 §3.10.7.2: SYNs to broadcast/multicast are ignored; RFC 1122 §4.2.3.10)
            tcp.stats.drop(TcpDrop.NOT_UNICAST);
            return;
        }
        tcp.input(ip.srcHi, ip.srcLo, ip.dstHi, ip.dstLo, segment, nowNanos);
    }

    @Override
    public void icmpError(final IcmpErrorInfo e, final long nowNanos) {
        if (e.transportLength < 8) {
            return; // RFC 792: at least the ports and the sequence number are quoted
        }
        final int seq = e.buffer.getInt(e.transportOffset + 4);
        tcp.icmpError(e.origSrcHi, e.origSrcLo, e.origSrcPort(), e.origDstHi, e.origDstLo, e.origDstPort(), seq,
                e.kind == IcmpErrorInfo.FRAG_NEEDED, e.mtu, e.errno(), nowNanos);
    }

    @Override
    public void pollEgress(final long nowNanos) {
        tcp.pollEgress(nowNanos);
    }

    /** TCP output queued by the application since the last egress ({@link TcpStack#hasPendingOutput}). */
    @Override
    public boolean hasPendingEgress() {
        return tcp.hasPendingOutput();
    }

    @Override
    public void close() {
        tcp.close();
    }

    // ================================================================== TcpNetwork

    @Override
    public ByteBufAllocator alloc() {
        return engine.allocator();
    }

    @Override
    public ByteBuf allocSegment(final int tcpLength) {
        return engine.allocTx(tcpLength);
    }

    @Override
    public int route(final TcpSocket s, final long nowNanos) {
        Route r = s.linkCache instanceof Route ? (Route) s.linkCache : null;
        if (r == null) {
            r = new Route();
            s.linkCache = r;
        }
        final int e = engine.route(s.remoteHi, s.remoteLo, s.localHi, s.localLo, null, r, nowNanos);
        if (e != NetError.OK) {
            return e;
        }
        if (r.isBroadcast() || r.isMulticast()) {
            return NetError.ENETUNREACH; // Linux tcp_v4_connect: -ENETUNREACH for RTCF_MULTICAST|RTCF_BROADCAST
        }
        s.routed(r.srcHi, r.srcLo);
        s.windowClampSegments = r.iface == null ? 0 : r.iface.windowClampSegments();
        return r.mtu;
    }

    @Override
    public int transmit(final TcpSocket owner, final long srcHi, final long srcLo, final long dstHi,
                        final long dstLo, final ByteBuf segment, final long nowNanos) {
        Route r = owner != null && owner.linkCache instanceof Route ? (Route) owner.linkCache : scratch;
        if (r == scratch || !engine.isCurrent(r) || r.dstLo != dstLo || r.dstHi != dstHi) {
            final int e = engine.route(dstHi, dstLo, srcHi, srcLo, null, r, nowNanos);
            if (e != NetError.OK) {
                segment.release();
                return e;
            }
            if (owner != null && r.mtu < owner.pathMtu) {
                // the path MTU went down (learned by the engine, e.g. from another connection's ICMP): segments
                // of the old size would fail with EMSGSIZE under DF; the socket shrinks its MSS at its next output
                owner.pendingMtu = r.mtu;
                tcp.markDirty(owner);
            }
        }
        return engine.output(r, segment, IpProtocol.TCP, tcp.config.ttl, owner != null ? owner.tos : 0,
                Engine.PMTUDISC_DO, nowNanos);
    }

    @Override
    public long schedule(final long deadlineNanos, final long cookie) {
        return engine.timers().schedule(timerClient, deadlineNanos, cookie);
    }

    @Override
    public void cancel(final long timerId) {
        engine.timers().cancel(timerId);
    }

    // ================================================================== StackTimers.Client

    @Override
    public void onTimer(final long value, final long nowNanos) {
        tcp.onTimer(value, nowNanos);
    }
}
