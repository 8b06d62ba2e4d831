package io.ioth.tcpip.iface;

import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.stats.DropReason;
import io.ioth.tcpip.stats.StackStats;
import io.ioth.tcpip.wire.EtherType;
import io.ioth.tcpip.wire.IgmpPacket;
import io.ioth.tcpip.wire.IpProtocol;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.Ipv4Packet;
import io.ioth.tcpip.wire.Ipv4Repr;
import io.ioth.tcpip.wire.MacAddr;
import io.ioth.tcpip.storage.TimerWheel;
import io.netty.buffer.ByteBuf;

/**
 * The host part of IGMPv2 (RFC 2236), minimal: an unsolicited Membership Report when a group is first joined on an
 * interface (repeated once after a random delay up to the Unsolicited Report Interval), a Leave Group when the last
 * member leaves (if we were the last to report), and delayed reports answering general and group-specific queries,
 * suppressed when another member reports first (§3). IGMPv3 queries are answered as v2 queries (RFC 3376 §7.2.1).
 * Every message is sent with TTL 1 and the Router Alert option (§2).
 *
 * <p>Not thread-safe: part of one engine, owner thread only.
 */
final class IgmpLayer implements StackTimers.Client {
    static final int ALL_SYSTEMS = 0xe000_0001;
    static final int ALL_ROUTERS = 0xe000_0002;
    /** Linux igmp_send_report: TOS 0xc0, DF set. */
    private static final int TOS = 0xc0;

    private final Engine engine;
    private final StackStats stats;
    private final int timerClient;
    private final IgmpPacket in = new IgmpPacket();
    private final IgmpPacket out = new IgmpPacket();
    private final Ipv4Packet outIp = new Ipv4Packet();
    private final Ipv4Repr outRepr = new Ipv4Repr();

    IgmpLayer(final Engine engine) {
        this.engine = engine;
        this.stats = engine.stats;
        this.timerClient = engine.timers.register(this);
    }

    int join(final NetInterface ifc, final int group, final long now) {
        if (!Ipv4Addr.isMulticast(group)) {
            return NetError.EINVAL;
        }
        if (group == ALL_SYSTEMS) {
            return NetError.OK; // RFC 2236 §6: every interface is always a member, never reported
        }
        int i = ifc.groupIndex4(group);
        if (i >= 0) {
            ifc.v4GroupRefs[i]++;
            return NetError.OK;
        }
        i = ifc.addGroup4(group);
        ifc.v4GroupRefs[i] = 1;
        ifc.addGroupMac(MacAddr.ofIpv4Multicast(group));
        // RFC 2236 §3: "When a host joins a multicast group, it should immediately transmit an unsolicited Version 2
        // Membership Report for that group ... it is recommended that it be repeated once or twice after short
        // delays [Unsolicited Report Interval]."
        send(ifc, IgmpPacket.TYPE_V2_MEMBERSHIP_REPORT, group, group);
        ifc.v4GroupReporter[i] = true;
        final long delay = 1 + engine.random.nextLong(engine.config.igmpUnsolicitedIntervalNanos);
        ifc.v4GroupTimer[i] = schedule(ifc, group, now + delay);
        return NetError.OK;
    }

    int leave(final NetInterface ifc, final int group, final long now) {
        if (group == ALL_SYSTEMS) {
            return NetError.OK;
        }
        final int i = ifc.groupIndex4(group);
        if (i < 0) {
            return NetError.EADDRNOTAVAIL; // Linux ip_mc_leave_group
        }
        if (--ifc.v4GroupRefs[i] > 0) {
            return NetError.OK;
        }
        engine.timers.cancel(ifc.v4GroupTimer[i]);
        // RFC 2236 §3: "When a host leaves a multicast group, if it was the last host to reply to a Query with a
        // Membership Report for that group, it SHOULD send a Leave Group message to the all-routers multicast group"
        if (ifc.v4GroupReporter[i]) {
            send(ifc, IgmpPacket.TYPE_LEAVE_GROUP, group, ALL_ROUTERS);
        }
        ifc.removeGroupMac(MacAddr.ofIpv4Multicast(group));
        ifc.removeGroupAt4(i);
        return NetError.OK;
    }

    void receive(final IpRxInfo rx, final long now) {
        final IgmpPacket p = in.wrap(rx.buffer, rx.payloadOffset, rx.payloadLength);
        if (!p.checkLen().ok()) {
            stats.drop(DropReason.IGMP_TRUNCATED);
            return;
        }
        if (!p.verifyChecksum()) {
            stats.drop(DropReason.IGMP_BAD_CHECKSUM);
            return;
        }
        final NetInterface ifc = rx.iface;
        if (ifc.loopback) {
            return; // our own looped messages
        }
        final int group = p.group();
        switch (p.type()) {
            case IgmpPacket.TYPE_MEMBERSHIP_QUERY: {
                stats.inc(Counter.IGMP_IN_QUERIES);
                final long maxDelay = p.maxRespTenths() * 100_000_000L;
                if (group == 0) {
                    // general query: a timer per group joined on the interface (§3)
                    for (int i = 0; i < ifc.v4GroupCount; i++) {
                        startTimer(ifc, i, maxDelay, now);
                    }
                } else {
                    final int i = ifc.groupIndex4(group);
                    if (i >= 0) {
                        startTimer(ifc, i, maxDelay, now);
                    }
                }
                return;
            }
            case IgmpPacket.TYPE_V1_MEMBERSHIP_REPORT:
            case IgmpPacket.TYPE_V2_MEMBERSHIP_REPORT: {
                stats.inc(Counter.IGMP_IN_REPORTS);
                // §3: "If the host receives another host's Report ... while it has a timer running, it stops its
                // timer for the specified group and does not send a Report for that group."
                final int i = ifc.groupIndex4(group);
                if (i >= 0 && engine.timers.cancel(ifc.v4GroupTimer[i])) {
                    ifc.v4GroupTimer[i] = TimerWheel.NULL_TIMER;
                    ifc.v4GroupReporter[i] = false;
                }
                return;
            }
            case IgmpPacket.TYPE_LEAVE_GROUP:
            case IgmpPacket.TYPE_V3_MEMBERSHIP_REPORT:
                return; // for routers
            default:
                stats.drop(DropReason.IGMP_UNSUPPORTED);
        }
    }

    /** §3: a delay "randomly chosen from the range (0, Max Response Time]"; a running timer is only reset if the new
     * maximum is shorter than what remains. */
    private void startTimer(final NetInterface ifc, final int i, final long maxDelay, final long now) {
        final long running = engine.timers.deadline(ifc.v4GroupTimer[i]);
        if (running != TimerWheel.NO_DEADLINE && running - now <= maxDelay) {
            return;
        }
        engine.timers.cancel(ifc.v4GroupTimer[i]);
        final long delay = 1 + (maxDelay > 1 ? engine.random.nextLong(maxDelay) : 0);
        ifc.v4GroupTimer[i] = schedule(ifc, ifc.v4Group[i], now + delay);
    }

    private long schedule(final NetInterface ifc, final int group, final long deadline) {
        return engine.timers.schedule(timerClient, deadline, (long) ifc.index << 32 | (group & 0xffff_ffffL));
    }

    @Override
    public void onTimer(final long value, final long now) {
        final NetInterface ifc = engine.iface((int) (value >>> 32));
        if (ifc == null) {
            return;
        }
        final int group = (int) value;
        final int i = ifc.groupIndex4(group);
        if (i < 0) {
            return;
        }
        ifc.v4GroupTimer[i] = TimerWheel.NULL_TIMER;
        send(ifc, IgmpPacket.TYPE_V2_MEMBERSHIP_REPORT, group, group);
        ifc.v4GroupReporter[i] = true;
    }

    /** An IGMP message in an IPv4 header with the Router Alert option (24 bytes), TTL 1 (RFC 2236 §2). */
    private void send(final NetInterface ifc, final int type, final int group, final int dst) {
        stats.inc(type == IgmpPacket.TYPE_LEAVE_GROUP ? Counter.IGMP_OUT_LEAVES : Counter.IGMP_OUT_REPORTS);
        final int hl = Ipv4Packet.HEADER_LEN + IgmpPacket.ROUTER_ALERT_LEN;
        final int total = hl + IgmpPacket.HEADER_LEN;
        final ByteBuf b = engine.alloc.directBuffer(Engine.LINK_HEADROOM + total);
        final int at = Engine.LINK_HEADROOM;
        b.setIndex(at, at + total);
        final int src = ifc.primaryIpv4(); // 0.0.0.0 before the interface has an address (RFC 2236 §8? Linux too)
        outRepr.set(src, dst, IpProtocol.IGMP, IgmpPacket.ROUTER_ALERT_LEN + IgmpPacket.HEADER_LEN, 1);
        outRepr.tos = TOS;
        outRepr.dontFrag = true;
        outRepr.ident = engine.fragIds.nextV4(src, dst, IpProtocol.IGMP);
        final Ipv4Packet ip = outIp.wrap(b, at, total);
        outRepr.emit(ip);
        ip.setVersionAndHeaderLen(hl);
        b.setInt(ip.optionsOffset(), IgmpPacket.ROUTER_ALERT_OPTION);
        ip.fillChecksum();
        final IgmpPacket m = out.wrap(b, ip.payloadOffset(), IgmpPacket.HEADER_LEN);
        m.setType(type);
        m.setMaxResp(0);
        m.setGroup(group);
        m.fillChecksum();
        engine.stats.inc(Counter.IP4_OUT_REQUESTS);
        engine.transmitEthernet(ifc, b, MacAddr.ofIpv4Multicast(dst), EtherType.IPV4);
    }
}
