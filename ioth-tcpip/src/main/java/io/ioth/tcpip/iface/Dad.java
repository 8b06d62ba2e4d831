package io.ioth.tcpip.iface;

import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.storage.TimerWheel;
import io.ioth.tcpip.wire.Ipv6Addr;

/**
 * Duplicate Address Detection (RFC 4862 §5.4) for every IPv6 address added to an Ethernet interface, and the
 * unsolicited Neighbor Advertisements (RFC 4861 §7.2.6) that follow it.
 *
 * <pre>
 *  added ──► TENTATIVE: join the solicited-node group (MLD report), NS from :: (no SLLA)
 *              │  DupAddrDetectTransmits NS, RetransTimer apart
 *              │  NS from :: for the target, or NA for it ───► DUPLICATE (counted DAD_FAILED; never used)
 *              ▼  RetransTimer after the last NS, nothing heard
 *           PREFERRED: usable; unsolicited NA (O=1) to ff02::1, then count-1 more, interval apart
 * </pre>
 *
 * Deviations, on purpose: the first solicitation is sent at once, not after RFC 4862 §5.4.2's random delay of up to
 * MAX_RTR_SOLICITATION_DELAY (a SHOULD meant for many nodes booting together; it would make every trace random);
 * no optimistic DAD (RFC 4429); a duplicated link-local address does not disable IPv6 on the interface (§5.4.5
 * "SHOULD"): the address is marked and counted, as Linux does with accept_dad=1.
 *
 * <p>Timers carry {@code kind << 48 | ifIndex << 32 | addressId}, so an address removed meanwhile is simply not
 * found. Not thread-safe: part of one engine, owner thread only.
 */
final class Dad implements StackTimers.Client {
    private static final long KIND_PROBE = 0;
    private static final long KIND_ADVERT = 1;

    private final Engine engine;
    private final int timerClient;

    Dad(final Engine engine) {
        this.engine = engine;
        this.timerClient = engine.timers.register(this);
    }

    /** Starts DAD for the address at index {@code i} of {@code ifc} (just added, TENTATIVE). */
    void start(final NetInterface ifc, final int i, final long now) {
        ifc.v6State[i] = NetInterface.V6_TENTATIVE;
        engine.stats.inc(Counter.DAD_STARTED);
        // RFC 4862 §5.4.2: "Before sending a Neighbor Solicitation, an interface MUST join the all-nodes multicast
        // address and the solicited-node multicast address of the tentative address."
        engine.mld.join(ifc, Ipv6Addr.SOLICITED_NODE_HI, Ipv6Addr.solicitedNodeLo(ifc.v6Lo[i]), now);
        final int n = engine.config.dadTransmits;
        if (n == 0) {
            complete(ifc, i, now); // §5.4: "A value of zero indicates that Duplicate Address Detection is not
            return;                // performed on tentative addresses."
        }
        engine.ndp.sendDadSolicitation(ifc, ifc.v6Hi[i], ifc.v6Lo[i], now);
        ifc.v6Remaining[i] = n - 1;
        ifc.v6Timer[i] = schedule(KIND_PROBE, ifc, ifc.v6Id[i], now + engine.config.dadRetransNanos);
    }

    /** RFC 4862 §5.4.5: "the address ... MUST NOT be assigned to the interface" - kept, marked, counted. */
    void duplicate(final NetInterface ifc, final int i, final long now) {
        engine.timers.cancel(ifc.v6Timer[i]);
        ifc.v6Timer[i] = TimerWheel.NULL_TIMER;
        ifc.v6State[i] = NetInterface.V6_DUPLICATE;
        engine.stats.inc(Counter.DAD_FAILED);
        engine.routesChanged();
        engine.ndp.addressStateChanged(ifc, i, now); // autoconfiguration: SLAAC / DHCPv6 Decline
    }

    /** Stops the timers of an address being removed. */
    void cancel(final NetInterface ifc, final int i) {
        engine.timers.cancel(ifc.v6Timer[i]);
        ifc.v6Timer[i] = TimerWheel.NULL_TIMER;
    }

    @Override
    public void onTimer(final long value, final long now) {
        final NetInterface ifc = engine.iface((int) (value >>> 32) & 0xffff);
        if (ifc == null) {
            return;
        }
        final int i = ifc.indexOfV6Id((int) value);
        if (i < 0) {
            return; // removed meanwhile
        }
        ifc.v6Timer[i] = TimerWheel.NULL_TIMER;
        if ((value >>> 48) == KIND_PROBE) {
            if (ifc.v6State[i] != NetInterface.V6_TENTATIVE) {
                return;
            }
            if (ifc.v6Remaining[i] > 0) {
                ifc.v6Remaining[i]--;
                engine.ndp.sendDadSolicitation(ifc, ifc.v6Hi[i], ifc.v6Lo[i], now);
                ifc.v6Timer[i] = schedule(KIND_PROBE, ifc, ifc.v6Id[i], now + engine.config.dadRetransNanos);
                return;
            }
            // §5.4: "If no Neighbor Solicitation or Advertisement for the tentative address is received within
            // RetransTimer after the last solicitation, the address is considered unique."
            complete(ifc, i, now);
        } else if (ifc.v6State[i] == NetInterface.V6_PREFERRED && ifc.v6Remaining[i] > 0) {
            ifc.v6Remaining[i]--;
            engine.ndp.sendUnsolicitedAdvertisement(ifc, ifc.v6Hi[i], ifc.v6Lo[i], now);
            if (ifc.v6Remaining[i] > 0) {
                ifc.v6Timer[i] = schedule(KIND_ADVERT, ifc, ifc.v6Id[i],
                        now + engine.config.unsolicitedNaIntervalNanos);
            }
        }
    }

    private void complete(final NetInterface ifc, final int i, final long now) {
        ifc.v6State[i] = NetInterface.V6_PREFERRED;
        engine.stats.inc(Counter.DAD_SUCCEEDED);
        engine.routesChanged(); // source selection changes: cached routes re-resolve
        final int n = engine.config.unsolicitedNaCount;
        if (n > 0) {
            engine.ndp.sendUnsolicitedAdvertisement(ifc, ifc.v6Hi[i], ifc.v6Lo[i], now);
            ifc.v6Remaining[i] = n - 1;
            if (n > 1) {
                ifc.v6Timer[i] = schedule(KIND_ADVERT, ifc, ifc.v6Id[i],
                        now + engine.config.unsolicitedNaIntervalNanos);
            }
        }
        // last: autoconfiguration may send (RS after the link-local) or add addresses
        engine.ndp.addressStateChanged(ifc, i, now);
    }

    private long schedule(final long kind, final NetInterface ifc, final int id, final long deadline) {
        return engine.timers.schedule(timerClient, deadline, kind << 48 | (long) (ifc.index & 0xffff) << 32
                | (id & 0xffff_ffffL));
    }
}
