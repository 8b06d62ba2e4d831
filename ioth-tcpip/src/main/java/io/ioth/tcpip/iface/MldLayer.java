package io.ioth.tcpip.iface;

import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.stats.DropReason;
import io.ioth.tcpip.stats.StackStats;
import io.ioth.tcpip.storage.TimerWheel;
import io.ioth.tcpip.wire.EtherType;
import io.ioth.tcpip.wire.Icmpv6Packet;
import io.ioth.tcpip.wire.IpProtocol;
import io.ioth.tcpip.wire.Ipv6Addr;
import io.ioth.tcpip.wire.Ipv6Options;
import io.ioth.tcpip.wire.Ipv6Packet;
import io.ioth.tcpip.wire.Ipv6Repr;
import io.ioth.tcpip.wire.MacAddr;
import io.ioth.tcpip.wire.MldPacket;
import io.netty.buffer.ByteBuf;

/**
 * The host part of MLDv2 (RFC 3810), minimal, for any-source memberships only (no source filters):
 *
 * <ul>
 *   <li>joining a group (a socket, or the solicited-node group of a new address, RFC 4862 §5.4.2) sends a State
 *       Change Report with a CHANGE_TO_EXCLUDE_MODE record and no sources (§6.1 "TO_EX( {} )"), repeated
 *       [Robustness Variable] - 1 times at random intervals up to the Unsolicited Report Interval;</li>
 *   <li>leaving sends CHANGE_TO_INCLUDE_MODE with no sources (§6.1: "TO_IN( {} )", a leave), repeated the same
 *       way;</li>
 *   <li>queries (§6.2): a general query schedules one Current State Report of every group (MODE_IS_EXCLUDE) after a
 *       random delay up to the Maximum Response Delay; a multicast-address-specific query does so for its group.
 *       MLDv1 queries are answered the same way (no MLDv1 compatibility mode, §8: a documented shortcut);</li>
 *   <li>no messages at all for ff02::1 and for scopes 0 and 1 (§6: "MLD messages are never sent for multicast
 *       addresses whose scope is 0 (reserved) or 1 (node-local)", and all-nodes is never reported).</li>
 * </ul>
 *
 * Reports go to ff02::16 with hop limit 1, a Hop-by-Hop header with the Router Alert option (§5), from the
 * interface's link-local address, or from :: while it is still tentative (§5.2.13). Other hosts' reports are
 * ignored (MLDv2 has no report suppression).
 *
 * <p>Not thread-safe: part of one engine, owner thread only.
 */
final class MldLayer implements StackTimers.Client {
    private static final long KIND_GROUP = 0;
    private static final long KIND_GENERAL = 1;

    private final Engine engine;
    private final StackStats stats;
    private final int timerClient;
    private final MldPacket in = new MldPacket();
    private final MldPacket out = new MldPacket();
    private final Icmpv6Packet outIcmp = new Icmpv6Packet();
    private final Ipv6Repr ipRepr = new Ipv6Repr();
    private final Ipv6Packet ipPkt = new Ipv6Packet();

    MldLayer(final Engine engine) {
        this.engine = engine;
        this.stats = engine.stats;
        this.timerClient = engine.timers.register(this);
    }

    /** Joins {@code group} on {@code ifc} (reference counted). */
    int join(final NetInterface ifc, final long hi, final long lo, final long now) {
        if (!Ipv6Addr.isMulticast(hi)) {
            return NetError.EINVAL;
        }
        if (isAllNodes(hi, lo)) {
            return NetError.OK; // RFC 4291 §2.8: always a member
        }
        int i = ifc.groupIndex6(hi, lo);
        if (i >= 0 && ifc.g6Refs[i] > 0) {
            ifc.g6Refs[i]++;
            return NetError.OK;
        }
        if (i < 0) {
            i = ifc.addGroup6(hi, lo);
        } // else: a group we were still leaving (its TO_IN repeating): joined again
        ifc.g6Refs[i] = 1;
        ifc.addGroupMac(MacAddr.ofIpv6Multicast(lo));
        if (reportable(hi, lo)) {
            stateChange(ifc, i, MldPacket.CHANGE_TO_EXCLUDE_MODE, now);
        }
        return NetError.OK;
    }

    /** Drops one reference; the last one leaves the group. @return {@code EADDRNOTAVAIL} if not joined */
    int leave(final NetInterface ifc, final long hi, final long lo, final long now) {
        if (isAllNodes(hi, lo)) {
            return NetError.OK;
        }
        final int i = ifc.groupIndex6(hi, lo);
        if (i < 0 || ifc.g6Refs[i] == 0) {
            return NetError.EADDRNOTAVAIL;
        }
        if (--ifc.g6Refs[i] > 0) {
            return NetError.OK;
        }
        ifc.removeGroupMac(MacAddr.ofIpv6Multicast(lo));
        if (reportable(hi, lo)) {
            stateChange(ifc, i, MldPacket.CHANGE_TO_INCLUDE_MODE, now);
        } else {
            engine.timers.cancel(ifc.g6Timer[i]);
            ifc.removeGroupAt6(i);
        }
        return NetError.OK;
    }

    /** RFC 3810 §6.1: send the State Change Report now, and [Robustness Variable] - 1 more later. */
    private void stateChange(final NetInterface ifc, final int i, final int recordType, final long now) {
        sendRecord(ifc, recordType, ifc.g6Hi[i], ifc.g6Lo[i]);
        engine.timers.cancel(ifc.g6Timer[i]);
        ifc.g6Timer[i] = TimerWheel.NULL_TIMER;
        ifc.g6Pending[i] = (byte) recordType;
        ifc.g6Retransmits[i] = engine.config.mldRobustness - 1;
        if (ifc.g6Retransmits[i] > 0) {
            ifc.g6Timer[i] = schedule(KIND_GROUP, ifc, ifc.g6Id[i], now + unsolicitedDelay());
        } else if (ifc.g6Refs[i] == 0) {
            ifc.removeGroupAt6(i);
        }
    }

    /** §6.1: "at random intervals ... [0, [Unsolicited Report Interval]]"; never 0, so the timer is in the future. */
    private long unsolicitedDelay() {
        return 1 + engine.random.nextLong(engine.config.mldUnsolicitedIntervalNanos);
    }

    void receive(final IpRxInfo rx, final Icmpv6Packet p, final long now) {
        final int type = p.type();
        if (type != MldPacket.TYPE_QUERY) {
            stats.inc(Counter.MLD_IN_REPORTS); // other listeners' reports: nothing to do for an MLDv2 host
            return;
        }
        stats.inc(Counter.MLD_IN_QUERIES);
        final NetInterface ifc = rx.iface;
        if (ifc.loopback) {
            return;
        }
        final MldPacket q = in.wrap(rx.buffer, p.offset(), p.length());
        // RFC 3810 §5.1.14: queries from a non-link-local source are discarded; §8.1: a query of 25..27 bytes is
        // neither MLDv1 nor MLDv2 and "MUST be silently ignored"; §5: hop limit 1.
        if (!q.checkLen().ok() || (p.length() > MldPacket.V1_LEN && p.length() < MldPacket.V2_QUERY_MIN_LEN)
                || !Ipv6Addr.isLinkLocal(rx.srcHi) || rx.ttl != 1) {
            stats.drop(DropReason.MLD_INVALID);
            return;
        }
        final long maxDelay = q.maxResponseDelayMillis() * 1_000_000L;
        final long gHi = q.multicastHi();
        final long gLo = q.multicastLo();
        if (gHi == 0 && gLo == 0) {
            // §6.2 (1): a general query: "the interface timer is started" unless one is already due sooner
            final long running = engine.timers.deadline(ifc.mldGeneralTimer);
            if (running != TimerWheel.NO_DEADLINE && running - now <= maxDelay) {
                return;
            }
            engine.timers.cancel(ifc.mldGeneralTimer);
            ifc.mldGeneralTimer = schedule(KIND_GENERAL, ifc, 0, now + responseDelay(maxDelay));
            return;
        }
        final int i = ifc.groupIndex6(gHi, gLo);
        if (i < 0 || ifc.g6Refs[i] == 0 || !reportable(gHi, gLo) || ifc.g6Retransmits[i] > 0) {
            return; // not a member, or a state change report is still repeating (it answers the query too)
        }
        final long running = engine.timers.deadline(ifc.g6Timer[i]);
        if (running != TimerWheel.NO_DEADLINE && running - now <= maxDelay) {
            return;
        }
        engine.timers.cancel(ifc.g6Timer[i]);
        ifc.g6Pending[i] = MldPacket.MODE_IS_EXCLUDE;
        ifc.g6Timer[i] = schedule(KIND_GROUP, ifc, ifc.g6Id[i], now + responseDelay(maxDelay));
    }

    /** §6.2: "a random delay ... in the range (0, [Max Resp Delay])". */
    private long responseDelay(final long maxDelay) {
        return 1 + (maxDelay > 1 ? engine.random.nextLong(maxDelay) : 0);
    }

    @Override
    public void onTimer(final long value, final long now) {
        final NetInterface ifc = engine.iface((int) (value >>> 32) & 0xffff);
        if (ifc == null || !ifc.ipv6) {
            return;
        }
        if ((value >>> 48) == KIND_GENERAL) {
            ifc.mldGeneralTimer = TimerWheel.NULL_TIMER;
            sendCurrentState(ifc);
            return;
        }
        final int i = ifc.groupIndex6Id((int) value);
        if (i < 0) {
            return;
        }
        ifc.g6Timer[i] = TimerWheel.NULL_TIMER;
        if (ifc.g6Retransmits[i] > 0) {
            sendRecord(ifc, ifc.g6Pending[i], ifc.g6Hi[i], ifc.g6Lo[i]);
            if (--ifc.g6Retransmits[i] > 0) {
                ifc.g6Timer[i] = schedule(KIND_GROUP, ifc, ifc.g6Id[i], now + unsolicitedDelay());
            } else if (ifc.g6Refs[i] == 0) {
                ifc.removeGroupAt6(i); // the leave has been repeated Robustness times
            }
        } else if (ifc.g6Refs[i] > 0) {
            sendRecord(ifc, MldPacket.MODE_IS_EXCLUDE, ifc.g6Hi[i], ifc.g6Lo[i]); // answer to a specific query
        }
    }

    private long schedule(final long kind, final NetInterface ifc, final int id, final long deadline) {
        return engine.timers.schedule(timerClient, deadline, kind << 48 | (long) (ifc.index & 0xffff) << 32
                | (id & 0xffff_ffffL));
    }

    // ---------------------------------------------------------------- sending

    private void sendRecord(final NetInterface ifc, final int recordType, final long hi, final long lo) {
        final ByteBuf b = begin(1);
        MldPacket.emitRecord(b, recordsAt(), recordType, hi, lo);
        finish(ifc, b, 1);
    }

    /**
     * The Current State Report answering a general query: every reportable group, MODE_IS_EXCLUDE, newest first
     * (the order of Linux's membership list, so the report is byte for byte Linux's), several reports if needed.
     */
    private void sendCurrentState(final NetInterface ifc) {
        final int perReport = (Math.max(ifc.mtu, Ipv6Layer.MIN_MTU) - Ipv6Packet.HEADER_LEN
                - Ipv6Options.ROUTER_ALERT_HBH_LEN - MldPacket.REPORT_HEADER_LEN) / MldPacket.RECORD_LEN;
        int i = ifc.g6Count - 1;
        while (i >= 0) {
            int n = 0;
            for (int k = i; k >= 0 && n < perReport; k--) {
                if (ifc.g6Refs[k] > 0 && reportable(ifc.g6Hi[k], ifc.g6Lo[k])) {
                    n++;
                }
            }
            if (n == 0) {
                return;
            }
            final ByteBuf b = begin(n);
            int at = recordsAt();
            int written = 0;
            while (written < n) {
                if (ifc.g6Refs[i] > 0 && reportable(ifc.g6Hi[i], ifc.g6Lo[i])) {
                    at += MldPacket.emitRecord(b, at, MldPacket.MODE_IS_EXCLUDE, ifc.g6Hi[i], ifc.g6Lo[i]);
                    written++;
                }
                i--;
            }
            finish(ifc, b, n);
        }
    }

    private static int recordsAt() {
        return Engine.LINK_HEADROOM + Ipv6Packet.HEADER_LEN + Ipv6Options.ROUTER_ALERT_HBH_LEN
                + MldPacket.REPORT_HEADER_LEN;
    }

    private ByteBuf begin(final int records) {
        final int total = Ipv6Packet.HEADER_LEN + Ipv6Options.ROUTER_ALERT_HBH_LEN + MldPacket.REPORT_HEADER_LEN
                + records * MldPacket.RECORD_LEN;
        final ByteBuf b = engine.alloc.directBuffer(Engine.LINK_HEADROOM + total);
        b.setIndex(Engine.LINK_HEADROOM, Engine.LINK_HEADROOM + total);
        return b;
    }

    /** IPv6 header, Hop-by-Hop with Router Alert, the report header and checksum; then transmits. */
    private void finish(final NetInterface ifc, final ByteBuf b, final int records) {
        final int at = Engine.LINK_HEADROOM;
        final int icmpLen = MldPacket.REPORT_HEADER_LEN + records * MldPacket.RECORD_LEN;
        final int payload = Ipv6Options.ROUTER_ALERT_HBH_LEN + icmpLen;
        // §5.2.13: the link-local address, or :: if the interface has no valid one yet
        long sHi = 0L;
        long sLo = 0L;
        for (int k = 0; k < ifc.v6Count; k++) {
            if (ifc.v6State[k] == NetInterface.V6_PREFERRED && Ipv6Addr.isLinkLocal(ifc.v6Hi[k])) {
                sHi = ifc.v6Hi[k];
                sLo = ifc.v6Lo[k];
                break;
            }
        }
        final long dHi = MldPacket.ALL_MLDV2_ROUTERS_HI;
        final long dLo = MldPacket.ALL_MLDV2_ROUTERS_LO;
        ipRepr.set(sHi, sLo, dHi, dLo, IpProtocol.HOP_BY_HOP, payload, 1).emit(ipPkt.wrap(b, at,
                Ipv6Packet.HEADER_LEN + payload));
        final int hbh = at + Ipv6Packet.HEADER_LEN;
        Ipv6Options.emitRouterAlertHopByHop(b, hbh, IpProtocol.ICMPV6, Ipv6Options.ROUTER_ALERT_MLD);
        final int icmpAt = hbh + Ipv6Options.ROUTER_ALERT_HBH_LEN;
        final Icmpv6Packet icmp = outIcmp.wrap(b, icmpAt, icmpLen);
        icmp.setType(MldPacket.TYPE_V2_REPORT);
        icmp.setCode(0);
        out.wrap(b, icmpAt, icmpLen).setReportHeader(records);
        icmp.fillChecksum(sHi, sLo, dHi, dLo);
        stats.inc(Counter.MLD_OUT_REPORTS);
        stats.inc(Counter.ICMP6_OUT_MSGS);
        stats.inc(Counter.IP6_OUT_REQUESTS);
        engine.transmitEthernet(ifc, b, MacAddr.ofIpv6Multicast(dLo), EtherType.IPV6);
    }

    private static boolean isAllNodes(final long hi, final long lo) {
        return hi == Ipv6Addr.ALL_NODES_HI && lo == Ipv6Addr.ALL_NODES_LO;
    }

    /** RFC 3810 §6: not for all-nodes, nor for scope 0 or 1. */
    private static boolean reportable(final long hi, final long lo) {
        return Ipv6Layer.scope(hi) > 1 && !isAllNodes(hi, lo);
    }
}
