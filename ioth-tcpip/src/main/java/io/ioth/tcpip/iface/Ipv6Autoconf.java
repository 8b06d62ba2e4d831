package io.ioth.tcpip.iface;

import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.stats.DropReason;
import io.ioth.tcpip.storage.TimerWheel;
import io.ioth.tcpip.wire.DomainNames;
import io.ioth.tcpip.wire.Icmpv6Packet;
import io.ioth.tcpip.wire.Icmpv6Repr;
import io.ioth.tcpip.wire.Ipv6Addr;
import io.ioth.tcpip.wire.NdiscOption;
import io.netty.buffer.ByteBuf;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * IPv6 autoconfiguration of one interface: router discovery (RFC 4861 §6.3.7 Router Solicitations, §6.3.4 Router
 * Advertisement processing: default routers with lifetimes, on-link prefixes, MTU, ReachableTime, RetransTimer,
 * the M/O flags), stateless address autoconfiguration (RFC 4862 §5.5.3: SLAAC addresses with valid/preferred
 * lifetimes, the "two hours" rule, DAD through {@link Dad} before use, deprecation and expiry), DNS configuration
 * from RAs (RFC 8106 RDNSS and DNSSL with lifetimes), and the trigger of a DHCPv6 client ({@link Dhcp6}; the
 * client itself is {@code io.ioth.tcpip.dhcp6.Dhcp6Client}), whose addresses and DNS data are merged in here.
 *
 * <pre>
 * start ─► IPv6 on (link-local, DAD) ─► link-local usable ─► RS now, then every RtrSolicitationInterval (4 s), at
 *          most MAX_RTR_SOLICITATIONS (3) in all (or RFC 7559 backoff for ever); a valid RA with a non-zero router
 *          lifetime stops them (§6.3.7 "MUST desist")
 * RA ─► router list (::/0 via the router, metric by RFC 4191 preference) ─► prefixes: L=1 on-link route,
 *       A=1 prefix/64 + interface id ─► addIpv6 (TENTATIVE, DAD) ─► PREFERRED ─► preferred lifetime over:
 *       deprecated ─► valid lifetime over: removed
 *    ─► MTU, ReachableTime, RetransTimer, RDNSS, DNSSL ─► M=1: DHCPv6 (IA_NA), else O=1: DHCPv6 Information-Request
 * configured = an autoconfigured address usable (when one is expected) + DHCPv6 done (when it runs) + an RA heard
 *              (or the solicitations given up) ─► {@link Listener#configured}, later changes ─► {@link Listener#changed}
 * </pre>
 *
 * Deviations, on purpose (as {@link Dad}): the first solicitation goes out as soon as the link-local address is
 * usable, without §6.3.7's random delay of up to MAX_RTR_SOLICITATION_DELAY (Linux does the same after DAD);
 * CurHopLimit is recorded ({@link #curHopLimit()}) but the stack's default hop limit stays the configured one;
 * SLAAC uses the one interface identifier given (no RFC 8981 temporary addresses, no RFC 7217 retry after a DAD
 * failure: the address stays "dadfailed", counted).
 *
 * <p>Lifetimes are kept as absolute deadlines (infinity = {@code Long.MAX_VALUE}); one housekeeping timer fires at
 * the earliest of them. Nothing here runs per data packet: RAs and their options are control traffic, and the
 * getters allocate ({@link InetAddress} lists for the API edge).
 *
 * <p>Created with {@link #create} (the façade: {@code Stack.startIpv6Autoconf}). Not thread-safe: part of one
 * engine, owner thread only; the listener is called on it, from inside {@code poll}.
 */
public final class Ipv6Autoconf {
    /** RFC 4862 §5.5.3 e): "2 hours". */
    static final long TWO_HOURS = 7200L * 1_000_000_000L;
    /** RFC 4861 §10: MAX_RTR_SOLICITATIONS, RTR_SOLICITATION_INTERVAL. */
    public static final int MAX_RTR_SOLICITATIONS = 3;
    public static final long RTR_SOLICITATION_INTERVAL = 4_000_000_000L;
    /** RFC 7559 §2: MAX_RTR_SOLICITATION_INTERVAL (3600 s) for the backoff that never gives up. */
    public static final long MAX_RTR_SOLICITATION_INTERVAL = 3600_000_000_000L;
    /** Linux: RA default routes get metric 1024, RA prefix routes 256 ({@code ip -6 route}: "proto ra"). */
    public static final int DEFAULT_ROUTE_METRIC = 1024;
    public static final int PREFIX_ROUTE_METRIC = 256;
    /** Table sizes (RFC 8106 §5.3.1 asks for at least 3 RDNSS addresses). */
    static final int MAX_ROUTERS = 8;
    static final int MAX_PREFIXES = 16;
    static final int MAX_ADDRESSES = 16;
    static final int MAX_DNS = 8;
    static final int MAX_DOMAINS = 8;

    static final int TIMER_IFINDEX_SHIFT = 8;
    private static final int TIMER_RS = 1;
    private static final int TIMER_SWEEP = 2;
    private static final long INFINITE = Long.MAX_VALUE;

    /** When the DHCPv6 client runs. */
    public enum Dhcp6Mode {
        /** Never. */
        OFF,
        /** As the Router Advertisements say (RFC 4861 §4.2): M=1 stateful (IA_NA), else O=1 stateless. */
        AUTO,
        /** Stateful (IA_NA) from the start, whatever the RAs say (iothconf {@code dhcp6}). */
        STATEFUL,
        /** Information-Request only (DNS servers, domain list) from the start. */
        STATELESS
    }

    /**
     * The settings (iothconf {@code rd}, {@code slaac}, {@code dhcp6}, the fqdn-derived interface id). Immutable.
     *
     * @param routerDiscovery           send RSs and process RAs (routes, prefixes, MTU, RDNSS/DNSSL)
     * @param slaac                     form addresses from RA prefixes with the A flag (needs routerDiscovery)
     * @param dhcp6                     when to run DHCPv6
     * @param interfaceId               the SLAAC interface identifier (64 bits); 0: the link-local one (modified
     *                                  EUI-64 of the MAC unless IPv6 was enabled with another id)
     * @param maxRtrSolicitations       RSs to send (RFC 4861: 3); 0 with {@code rtrSolicitationBackoff} = for ever
     * @param rtrSolicitationInterval   RFC 4861 RTR_SOLICITATION_INTERVAL (4 s)
     * @param rtrSolicitationBackoff    RFC 7559: keep soliciting, doubling the interval up to 3600 s (randomised)
     */
    public record Options(boolean routerDiscovery, boolean slaac, Dhcp6Mode dhcp6, long interfaceId,
                          int maxRtrSolicitations, long rtrSolicitationInterval, boolean rtrSolicitationBackoff) {
        public Options {
            Objects.requireNonNull(dhcp6, "dhcp6");
            if (maxRtrSolicitations < 0 || rtrSolicitationInterval <= 0) {
                throw new IllegalArgumentException("RS count >= 0, interval > 0");
            }
            if (slaac && !routerDiscovery) {
                throw new IllegalArgumentException("slaac needs router discovery (iothconf: slaac needs rd)");
            }
        }

        /** iothconf {@code auto6}: {@code rd} + {@code slaac} + DHCPv6 as the RAs say, EUI-64. */
        public static Options defaults() {
            return new Options(true, true, Dhcp6Mode.AUTO, 0L, MAX_RTR_SOLICITATIONS, RTR_SOLICITATION_INTERVAL,
                    false);
        }

        public Options withRouterDiscovery(final boolean v) {
            return new Options(v, slaac && v, dhcp6, interfaceId, maxRtrSolicitations, rtrSolicitationInterval,
                    rtrSolicitationBackoff);
        }

        public Options withSlaac(final boolean v) {
            return new Options(routerDiscovery, v, dhcp6, interfaceId, maxRtrSolicitations,
                    rtrSolicitationInterval, rtrSolicitationBackoff);
        }

        public Options withDhcp6(final Dhcp6Mode v) {
            return new Options(routerDiscovery, slaac, v, interfaceId, maxRtrSolicitations, rtrSolicitationInterval,
                    rtrSolicitationBackoff);
        }

        /** The SLAAC interface id (e.g. hash-derived from the fqdn, as iothconf does). */
        public Options withInterfaceId(final long v) {
            return new Options(routerDiscovery, slaac, dhcp6, v, maxRtrSolicitations, rtrSolicitationInterval,
                    rtrSolicitationBackoff);
        }

        public Options withSolicitations(final int count, final long intervalNanos, final boolean backoff) {
            return new Options(routerDiscovery, slaac, dhcp6, interfaceId, count, intervalNanos, backoff);
        }
    }

    /** Told, on the owner thread, when the interface is configured and when its configuration changes. */
    public interface Listener {
        /** Once: the addresses, DNS data and router the options call for are there (see the class comment). */
        void configured(Ipv6Autoconf autoconf, long nowNanos);

        /** After {@link #configured}: addresses, routers, DNS servers or domains changed. */
        default void changed(Ipv6Autoconf autoconf, long nowNanos) {
        }
    }

    /** The DHCPv6 client as this class drives it (implemented by {@code io.ioth.tcpip.dhcp6.Dhcp6Client}). */
    public interface Dhcp6 {
        /** Starts (or upgrades from stateless to stateful) the client; the link-local address is usable. */
        void start(boolean stateful, long nowNanos);

        /** Whether the exchange the client runs has completed once (bound, or information received). */
        boolean isDone();

        /** One of the client's addresses (from {@code addIpv6}) finished DAD: usable or duplicated. */
        void addressStateChanged(long hi, long lo, boolean duplicate, long nowNanos);

        /** Stops: releases the leases (RFC 8415 §18.2.7), removes the addresses. */
        void close(long nowNanos);

        /** Its usable addresses, appended as hi, lo pairs. */
        void addresses(List<long[]> out);

        /** Its DNS servers (RFC 3646 option 23), appended. */
        void dnsServers(List<long[]> out);

        /** Its domain search list (option 24), appended. */
        void domains(List<String> out);
    }

    private final Engine engine;
    private final NetInterface ifc;
    private final Options options;
    private final Listener listener;
    private final NdiscOption opts = new NdiscOption();
    private Dhcp6 dhcp6;
    private int timerClient;
    private boolean started;
    private boolean closed;

    // router solicitation (§6.3.7)
    private int rsSent;
    private long rsInterval;
    private long rsTimer = TimerWheel.NULL_TIMER;
    private boolean rsStopped;
    private boolean rsGaveUp;

    // default router list (§6.3.4, §5.2)
    private final long[] rHi = new long[MAX_ROUTERS];
    private final long[] rLo = new long[MAX_ROUTERS];
    private final long[] rExpiry = new long[MAX_ROUTERS];
    private final int[] rMetric = new int[MAX_ROUTERS];
    private int rCount;

    // prefix list (on-link, §6.3.4)
    private final long[] pHi = new long[MAX_PREFIXES];
    private final long[] pLo = new long[MAX_PREFIXES];
    private final int[] pLen = new int[MAX_PREFIXES];
    private final long[] pExpiry = new long[MAX_PREFIXES];
    private int pCount;

    // SLAAC addresses (RFC 4862 §5.5.3)
    private final long[] aHi = new long[MAX_ADDRESSES];
    private final long[] aLo = new long[MAX_ADDRESSES];
    private final int[] aPrefixLen = new int[MAX_ADDRESSES];
    private final long[] aValid = new long[MAX_ADDRESSES];
    private final long[] aPreferred = new long[MAX_ADDRESSES];
    private int aCount;

    // RDNSS (RFC 8106 §5.1) and DNSSL (§5.2)
    private final long[] dHi = new long[MAX_DNS];
    private final long[] dLo = new long[MAX_DNS];
    private final long[] dExpiry = new long[MAX_DNS];
    private int dCount;
    private final List<String> domains = new ArrayList<>(MAX_DOMAINS);
    private final long[] domainExpiry = new long[MAX_DOMAINS];

    // the rest of §6.3.4
    private int curHopLimit;
    private long baseReachableTimeMs;
    private long retransTimerMs;
    private boolean managed;
    private boolean other;
    private boolean raHeard;
    private boolean dhcp6Started;
    private boolean dhcp6Stateful;

    private long sweepTimer = TimerWheel.NULL_TIMER;
    private long sweepAt = INFINITE;
    private boolean configured;
    /** Bumped on every change a listener may care about; {@link #reported} is the value last told. */
    private long version;
    private long reported;

    private Ipv6Autoconf(final Engine engine, final NetInterface ifc, final Options options, final Listener listener) {
        this.engine = engine;
        this.ifc = ifc;
        this.options = options;
        this.listener = listener;
    }

    /**
     * Prepares the autoconfiguration of an Ethernet interface (one per interface); {@link #start} runs it.
     *
     * @param listener may be null
     * @throws IllegalArgumentException on loopback, a foreign interface, or if the interface already has one
     */
    public static Ipv6Autoconf create(final Engine engine, final NetInterface ifc, final Options options,
                                      final Listener listener) {
        Objects.requireNonNull(options, "options");
        if (ifc == null || ifc.engine != engine || ifc.loopback) {
            throw new IllegalArgumentException("not an Ethernet interface of this stack: " + ifc);
        }
        if (engine.ndp.autoconf(ifc) != null) {
            throw new IllegalArgumentException("autoconfiguration already runs on " + ifc.name);
        }
        return new Ipv6Autoconf(engine, ifc, options, listener);
    }

    /** The running autoconfiguration of {@code ifc}, or null. */
    public static Ipv6Autoconf of(final NetInterface ifc) {
        return ifc.engine.ndp.autoconf(ifc);
    }

    /** Attaches the DHCPv6 client (before {@link #start}); needed unless the mode is {@link Dhcp6Mode#OFF}. */
    public void attachDhcp6(final Dhcp6 client) {
        if (started) {
            throw new IllegalStateException("attach the DHCPv6 client before start");
        }
        dhcp6 = client;
    }

    /**
     * Starts: enables IPv6 on the interface if needed (link-local address from the interface id, DAD), then - once
     * the link-local address is usable - solicits routers and, in the forced DHCPv6 modes, starts the client.
     */
    public void start(final long now) {
        if (started) {
            throw new IllegalStateException("already started");
        }
        if (options.dhcp6 != Dhcp6Mode.OFF && dhcp6 == null) {
            throw new IllegalStateException("DHCPv6 mode " + options.dhcp6 + " without a client");
        }
        started = true;
        timerClient = engine.ndp.setAutoconf(ifc, this);
        if (!ifc.ipv6) {
            engine.enableIpv6(ifc, options.interfaceId != 0 ? options.interfaceId : Ipv6Addr.eui64Lo(ifc.mac), now);
        }
        final int ll = linkLocalIndex();
        if (ll >= 0 && ifc.v6State[ll] != NetInterface.V6_TENTATIVE) {
            linkLocalReady(now);
        }
        // else: Dad -> NdpLayer.addressStateChanged -> addressStateChanged -> linkLocalReady
    }

    /** The interface id SLAAC appends to /64 prefixes. */
    public long interfaceId() {
        return options.interfaceId != 0 ? options.interfaceId : ifc.v6InterfaceId;
    }

    private int linkLocalIndex() {
        for (int i = 0; i < ifc.v6Count; i++) {
            if (Ipv6Addr.isLinkLocal(ifc.v6Hi[i])) {
                return i;
            }
        }
        return -1;
    }

    private void linkLocalReady(final long now) {
        if (options.routerDiscovery && !rsStopped && rsSent == 0 && options.maxRtrSolicitations + (
                options.rtrSolicitationBackoff ? 1 : 0) > 0) {
            rsInterval = options.rtrSolicitationInterval;
            solicit(now);
        }
        if (options.dhcp6 == Dhcp6Mode.STATEFUL || options.dhcp6 == Dhcp6Mode.STATELESS) {
            startDhcp6(options.dhcp6 == Dhcp6Mode.STATEFUL, now);
        } else if (options.dhcp6 == Dhcp6Mode.AUTO && (managed || other)) {
            startDhcp6(managed, now); // an RA came before the link-local address was usable
        }
        evaluate(now);
    }

    // ================================================================ router solicitation (RFC 4861 §6.3.7)

    private void solicit(final long now) {
        engine.ndp.sendRouterSolicitation(ifc, now);
        rsSent++;
        if (!options.rtrSolicitationBackoff && rsSent >= options.maxRtrSolicitations) {
            // §6.3.7: "If a host sends MAX_RTR_SOLICITATIONS solicitations, and receives no Router Advertisements
            // after having waited MAX_RTR_SOLICITATION_DELAY (sic: RTR_SOLICITATION_INTERVAL in Linux) seconds
            // after sending the last solicitation, the host concludes that there are no routers on the link"
            rsTimer = schedule(TIMER_RS, now + rsInterval);
            return;
        }
        long next = rsInterval;
        if (options.rtrSolicitationBackoff) {
            // RFC 7559 §2 (RFC 3315 §14 backoff): RT = 2*RTprev + RAND*RTprev, capped at MRT + RAND*MRT
            final double rand = engine.random.nextDouble(-0.1, 0.1);
            next = (long) (2 * rsInterval + rand * rsInterval);
            if (next > MAX_RTR_SOLICITATION_INTERVAL) {
                next = (long) (MAX_RTR_SOLICITATION_INTERVAL + rand * MAX_RTR_SOLICITATION_INTERVAL);
            }
            rsTimer = schedule(TIMER_RS, now + rsInterval);
            rsInterval = next;
            return;
        }
        rsTimer = schedule(TIMER_RS, now + rsInterval);
    }

    private void stopSolicitations() {
        rsStopped = true;
        engine.timers.cancel(rsTimer);
        rsTimer = TimerWheel.NULL_TIMER;
    }

    // ================================================================ router advertisements (RFC 4861 §6.3.4)

    /** An RA that passed the §6.1.2 checks ({@link NdpLayer}, {@link Icmpv6Layer}). */
    void routerAdvertisement(final IpRxInfo rx, final Icmpv6Repr m, final long now) {
        if (!options.routerDiscovery || closed) {
            return;
        }
        raHeard = true;
        // "If the received Cur Hop Limit value is non-zero, the host SHOULD set its CurHopLimit variable to the
        // received value."
        if (m.curHopLimit != 0) {
            curHopLimit = m.curHopLimit;
        }
        // "If the received Reachable Time value is non-zero, the host SHOULD set its BaseReachableTime variable to the
        // received value. If the new value differs from the previous value, the host SHOULD re-compute a new random
        // ReachableTime value."
        if (m.reachableTime != 0 && m.reachableTime != baseReachableTimeMs) {
            baseReachableTimeMs = m.reachableTime;
            ifc.neighbors.setBaseReachableTime(m.reachableTime * 1_000_000L, now);
        }
        // "The RetransTimer variable SHOULD be copied from the Retrans Timer field, if the received value is
        // non-zero."
        if (m.retransTimer != 0 && m.retransTimer != retransTimerMs) {
            retransTimerMs = m.retransTimer;
            ifc.neighbors.setRetransTimer(m.retransTimer * 1_000_000L);
        }
        router(rx.srcHi, rx.srcLo, m.routerLifetime, m.raFlags, now);
        final ByteBuf b = rx.buffer;
        final int at = rx.payloadOffset + Icmpv6Packet.fixedLen(Icmpv6Packet.TYPE_ROUTER_ADVERT);
        opts.reset(b, at, rx.payloadOffset + rx.payloadLength - at);
        while (opts.next()) {
            final int type = opts.type();
            if (!opts.wellFormed()) {
                // a known option with a wrong length: ignored, the rest of the RA used (Linux ndisc_parse_options)
                engine.stats.drop(DropReason.NDP_RA_BAD_OPTION);
                continue;
            }
            switch (type) {
                case NdiscOption.PREFIX_INFO:
                    prefix(now);
                    break;
                case NdiscOption.MTU:
                    mtu(opts.mtu());
                    break;
                case NdiscOption.RDNSS:
                    rdnss(now);
                    break;
                case NdiscOption.DNSSL:
                    dnssl(now);
                    break;
                default:
                    break; // SLLA: done by NdpLayer; unknown options: "silently ignore" (§4.6)
            }
        }
        // §6.3.7: "Once the host sends a Router Solicitation, and receives a valid Router Advertisement with a non-zero
        // Router Lifetime, the host MUST desist from sending additional solicitations on that interface"
        if (m.routerLifetime != 0) {
            stopSolicitations();
        }
        // §4.2 M and O; RFC 8415 §18.2: M -> stateful, O alone -> Information-Request
        managed = (m.raFlags & Icmpv6Packet.RA_FLAG_MANAGED) != 0;
        other = (m.raFlags & Icmpv6Packet.RA_FLAG_OTHER) != 0;
        if (options.dhcp6 == Dhcp6Mode.AUTO && (managed || other) && linkLocalUsable()) {
            startDhcp6(managed, now);
        }
        rescheduleSweep();
        evaluate(now);
    }

    private boolean linkLocalUsable() {
        final int ll = linkLocalIndex();
        return ll >= 0 && ifc.v6State[ll] == NetInterface.V6_PREFERRED;
    }

    private void startDhcp6(final boolean stateful, final long now) {
        if (dhcp6Started && (dhcp6Stateful || !stateful)) {
            return;
        }
        dhcp6Started = true;
        dhcp6Stateful = stateful;
        dhcp6.start(stateful, now);
    }

    /**
     * The default router list: "If the address is not already present in the host's Default Router List, and the
     * advertisement's Router Lifetime is non-zero, create a new entry ... If the address is already present ..., and
     * the received Router Lifetime value is zero, immediately time-out the entry".
     */
    private void router(final long hi, final long lo, final int lifetime, final int raFlags, final long now) {
        // RFC 4191 §2.2 Default Router Preference (bits 4-3): 01 high, 00 medium, 11 low, 10 reserved = medium
        final int prf = (raFlags >>> 3) & 3;
        final int metric = DEFAULT_ROUTE_METRIC + (prf == 1 ? -1 : prf == 3 ? 1 : 0);
        int i = 0;
        while (i < rCount && !(rHi[i] == hi && rLo[i] == lo)) {
            i++;
        }
        if (i < rCount) {
            if (lifetime == 0) {
                removeRouter(i);
                return;
            }
            rExpiry[i] = deadline(now, lifetime);
            if (rMetric[i] != metric) {
                engine.routes.removeExact(IpAddr.FAMILY_V6, 0L, 0L, 0, true, hi, lo, ifc, rMetric[i]);
                rMetric[i] = metric;
                engine.routes.add(IpAddr.FAMILY_V6, 0L, 0L, 0, true, hi, lo, ifc, metric, 0L, 0L,
                        RouteTable.ORIGIN_RA);
                version++;
            }
            return;
        }
        if (lifetime == 0 || rCount == MAX_ROUTERS) {
            return; // §6.3.4: a router that is no default router; a full list keeps the routers it has
        }
        rHi[rCount] = hi;
        rLo[rCount] = lo;
        rExpiry[rCount] = deadline(now, lifetime);
        rMetric[rCount] = metric;
        rCount++;
        engine.routes.add(IpAddr.FAMILY_V6, 0L, 0L, 0, true, hi, lo, ifc, metric, 0L, 0L, RouteTable.ORIGIN_RA);
        version++;
    }

    private void removeRouter(final int i) {
        engine.routes.removeExact(IpAddr.FAMILY_V6, 0L, 0L, 0, true, rHi[i], rLo[i], ifc, rMetric[i]);
        final int n = rCount - i - 1;
        System.arraycopy(rHi, i + 1, rHi, i, n);
        System.arraycopy(rLo, i + 1, rLo, i, n);
        System.arraycopy(rExpiry, i + 1, rExpiry, i, n);
        System.arraycopy(rMetric, i + 1, rMetric, i, n);
        rCount--;
        version++;
    }

    /** §6.3.4: "If the MTU option is present, hosts SHOULD copy the option's value into LinkMTU so long as the value
     * is greater than or equal to the minimum link MTU [IPv6] and does not exceed the maximum LinkMTU value
     * specified in the link-type-specific document". */
    private void mtu(final long mtu) {
        final int max = ifc.link.maxFrameSize() - ifc.linkHeaderLength();
        if (mtu < Ipv6Layer.MIN_MTU || mtu > max) {
            engine.stats.drop(DropReason.NDP_RA_BAD_OPTION);
            return;
        }
        if (ifc.mtu != mtu) {
            ifc.setMtu((int) mtu);
            version++;
        }
    }

    // ---------------------------------------------------------------- prefixes

    /** The Prefix Information option at {@link #opts}: on-link determination (RFC 4861 §6.3.4) and SLAAC (RFC 4862
     * §5.5.3). */
    private void prefix(final long now) {
        final int len = opts.prefixLen();
        final int flags = opts.prefixFlags();
        final long valid = opts.prefixValidLifetime();
        final long preferred = opts.prefixPreferredLifetime();
        if (len > 128) {
            engine.stats.drop(DropReason.NDP_RA_BAD_OPTION);
            return;
        }
        // "The bits in the prefix after the prefix length are reserved and MUST be ignored by the receiver."
        final long hi = RouteTable.maskHi(opts.prefixHi(), len);
        final long lo = RouteTable.maskLo(opts.prefixLo(), len);
        // §6.3.4: "If the prefix is the link-local prefix, silently ignore the Prefix Information option"; RFC 4862
        // §5.5.3 b) likewise for autoconfiguration. A multicast prefix is as meaningless.
        if (Ipv6Addr.isLinkLocal(hi) || Ipv6Addr.isMulticast(hi)) {
            engine.stats.drop(DropReason.NDP_RA_BAD_OPTION);
            return;
        }
        final boolean onLink = (flags & NdiscOption.PREFIX_FLAG_ON_LINK) != 0;
        if (onLink) {
            onLinkPrefix(hi, lo, len, valid, now);
        }
        if ((flags & NdiscOption.PREFIX_FLAG_AUTONOMOUS) != 0 && options.slaac) {
            // RFC 4862 §5.5.3 c): "If the preferred lifetime is greater than the valid lifetime, silently ignore the
            // Prefix Information option."
            if (preferred > valid) {
                engine.stats.drop(DropReason.NDP_RA_BAD_OPTION);
                return;
            }
            slaac(hi, lo, len, valid, preferred, onLink, now);
        }
    }

    private void onLinkPrefix(final long hi, final long lo, final int len, final long valid, final long now) {
        int i = 0;
        while (i < pCount && !(pHi[i] == hi && pLo[i] == lo && pLen[i] == len)) {
            i++;
        }
        if (i < pCount) {
            if (valid == 0) {
                removePrefix(i); // "If the prefix is already present ... and the received Valid Lifetime is zero,
                return;          // immediately time-out the entry"
            }
            pExpiry[i] = deadline(now, valid); // "reset the invalidation timer to the Valid Lifetime"
            return;
        }
        if (valid == 0 || pCount == MAX_PREFIXES) {
            return; // "If the prefix is not already present ... and the ... Valid Lifetime is zero, ... ignore"
        }
        pHi[pCount] = hi;
        pLo[pCount] = lo;
        pLen[pCount] = len;
        pExpiry[pCount] = deadline(now, valid);
        pCount++;
        engine.routes.add(IpAddr.FAMILY_V6, hi, lo, len, false, 0L, 0L, ifc, PREFIX_ROUTE_METRIC, 0L, 0L,
                RouteTable.ORIGIN_RA);
        version++;
    }

    private void removePrefix(final int i) {
        engine.routes.removeExact(IpAddr.FAMILY_V6, pHi[i], pLo[i], pLen[i], false, 0L, 0L, ifc,
                PREFIX_ROUTE_METRIC);
        final int n = pCount - i - 1;
        System.arraycopy(pHi, i + 1, pHi, i, n);
        System.arraycopy(pLo, i + 1, pLo, i, n);
        System.arraycopy(pLen, i + 1, pLen, i, n);
        System.arraycopy(pExpiry, i + 1, pExpiry, i, n);
        pCount--;
        version++;
    }

    /** RFC 4862 §5.5.3 d) and e). */
    private void slaac(final long hi, final long lo, final int len, final long valid, final long preferred,
                       final boolean onLink, final long now) {
        int i = 0;
        while (i < aCount && !(aPrefixLen[i] == len && Ipv6Addr.inPrefix(aHi[i], aLo[i], hi, lo, len))) {
            i++;
        }
        if (i == aCount) {
            // d) "If the prefix advertised is not equal to the prefix of an address configured by stateless
            // autoconfiguration already in the list of addresses associated with the interface, and if the Valid
            // Lifetime is not 0, form an address"; "If the sum of the prefix length and interface identifier length
            // does not equal 128 bits, the Prefix Information option MUST be ignored."
            if (valid == 0) {
                return;
            }
            if (len != 64 || aCount == MAX_ADDRESSES) {
                engine.stats.drop(DropReason.NDP_RA_BAD_OPTION);
                return;
            }
            final long iid = interfaceId();
            if (ifc.indexOfV6(hi, iid) >= 0) {
                return; // configured by hand (or by DHCPv6) already: not ours to expire
            }
            aHi[aCount] = hi;
            aLo[aCount] = iid;
            aPrefixLen[aCount] = len;
            aValid[aCount] = deadline(now, valid);
            aPreferred[aCount] = deadline(now, preferred);
            aCount++;
            engine.stats.inc(Counter.SLAAC_ADDRESSES);
            version++;
            // RFC 5942 §4: an address does not make its prefix on-link; only L=1 does (a /128 otherwise)
            engine.addIpv6(ifc, hi, iid, onLink ? 64 : 128, now); // TENTATIVE: DAD (§5.4) before use
            if (preferred == 0) {
                ifc.setIpv6Deprecated(hi, iid, true);
            }
            return;
        }
        // e) "If the advertised prefix is equal to the prefix of an address configured by stateless autoconfiguration
        // in the list, the preferred lifetime of the address is reset to the Preferred Lifetime in the received
        // advertisement."
        aPreferred[i] = deadline(now, preferred);
        ifc.setIpv6Deprecated(aHi[i], aLo[i], preferred == 0);
        // "The specific action to perform for the valid lifetime of the address depends on the Valid Lifetime in the
        // received advertisement and the remaining time to the valid lifetime expiration of the previously
        // autoconfigured address."
        final long remaining = aValid[i] == INFINITE ? INFINITE : aValid[i] - now;
        final long received = valid == 0xffff_ffffL ? INFINITE : valid * 1_000_000_000L;
        if (received > TWO_HOURS || received > remaining) {
            aValid[i] = deadline(now, valid); // 1. "If the received Valid Lifetime is greater than 2 hours or greater
        } else if (remaining <= TWO_HOURS) {  //    than RemainingLifetime, set the valid lifetime ... to the
            return;                           //    advertised Valid Lifetime"; 2. "If RemainingLifetime is less
        } else {                              //    than or equal to 2 hours, ignore the Prefix Information option
            aValid[i] = now + TWO_HOURS;      //    with regards to the valid lifetime"; 3. "Otherwise, reset the
        }                                     //    valid lifetime of the corresponding address to 2 hours."
    }

    private void removeAddress(final int i, final long now) {
        engine.removeIpv6(ifc, aHi[i], aLo[i], now);
        final int n = aCount - i - 1;
        System.arraycopy(aHi, i + 1, aHi, i, n);
        System.arraycopy(aLo, i + 1, aLo, i, n);
        System.arraycopy(aPrefixLen, i + 1, aPrefixLen, i, n);
        System.arraycopy(aValid, i + 1, aValid, i, n);
        System.arraycopy(aPreferred, i + 1, aPreferred, i, n);
        aCount--;
        version++;
    }

    // ---------------------------------------------------------------- RFC 8106

    /** §5.3.1: "For each RDNSS address, if it already exists in the DNS Server List, then just update the value of
     * the Expiration-time field ... Otherwise, if the Lifetime is nonzero, add it"; a zero lifetime deletes it. */
    private void rdnss(final long now) {
        final long life = opts.rdnssLifetime();
        for (int k = 0, n = opts.rdnssCount(); k < n; k++) {
            final long hi = opts.rdnssHi(k);
            final long lo = opts.rdnssLo(k);
            if (Ipv6Addr.isMulticast(hi) || (hi == 0 && lo == 0)) {
                engine.stats.drop(DropReason.NDP_RA_BAD_OPTION);
                continue;
            }
            int i = 0;
            while (i < dCount && !(dHi[i] == hi && dLo[i] == lo)) {
                i++;
            }
            if (i < dCount) {
                if (life == 0) {
                    removeDns(i);
                } else {
                    dExpiry[i] = deadline(now, life);
                }
                continue;
            }
            if (life == 0) {
                continue;
            }
            if (dCount == MAX_DNS) {
                removeDns(0); // "the older ones ... are replaced" (§5.3.1, when the list is full)
            }
            dHi[dCount] = hi;
            dLo[dCount] = lo;
            dExpiry[dCount] = deadline(now, life);
            dCount++;
            version++;
        }
    }

    private void removeDns(final int i) {
        final int n = dCount - i - 1;
        System.arraycopy(dHi, i + 1, dHi, i, n);
        System.arraycopy(dLo, i + 1, dLo, i, n);
        System.arraycopy(dExpiry, i + 1, dExpiry, i, n);
        dCount--;
        version++;
    }

    /** §5.3.1 for DNSSL, the same rules; a malformed name list makes the whole option ignored (§5.2). */
    private void dnssl(final long now) {
        final List<String> names = DomainNames.parse(opts.buffer(), opts.dnsslNamesOffset(), opts.dnsslNamesLength(),
                true);
        if (names == null || names.isEmpty()) {
            engine.stats.drop(DropReason.NDP_RA_BAD_OPTION);
            return;
        }
        final long life = opts.dnsslLifetime();
        for (String name : names) {
            final int i = domains.indexOf(name);
            if (i >= 0) {
                if (life == 0) {
                    removeDomain(i);
                } else {
                    domainExpiry[i] = deadline(now, life);
                }
                continue;
            }
            if (life == 0) {
                continue;
            }
            if (domains.size() == MAX_DOMAINS) {
                removeDomain(0);
            }
            domainExpiry[domains.size()] = deadline(now, life);
            domains.add(name);
            version++;
        }
    }

    private void removeDomain(final int i) {
        domains.remove(i);
        System.arraycopy(domainExpiry, i + 1, domainExpiry, i, domains.size() - i);
        version++;
    }

    // ================================================================ timers

    void onTimer(final long value, final long now) {
        if (closed) {
            return;
        }
        final int kind = (int) (value & 0xff);
        if (kind == TIMER_RS) {
            rsTimer = TimerWheel.NULL_TIMER;
            if (rsStopped) {
                return;
            }
            if (!options.rtrSolicitationBackoff && rsSent >= options.maxRtrSolicitations) {
                rsGaveUp = true; // no routers on the link (§6.3.7)
                evaluate(now);
                return;
            }
            solicit(now);
            return;
        }
        sweepTimer = TimerWheel.NULL_TIMER;
        sweepAt = INFINITE;
        sweep(now);
        rescheduleSweep();
        evaluate(now);
    }

    /** Expires what is due: routers, prefixes, addresses (deprecated at their preferred, removed at their valid
     * lifetime: RFC 4862 §5.5.4), DNS servers and domains. */
    private void sweep(final long now) {
        for (int i = rCount - 1; i >= 0; i--) {
            if (rExpiry[i] <= now) {
                removeRouter(i);
            }
        }
        for (int i = pCount - 1; i >= 0; i--) {
            if (pExpiry[i] <= now) {
                removePrefix(i);
            }
        }
        for (int i = aCount - 1; i >= 0; i--) {
            if (aValid[i] <= now) {
                removeAddress(i, now);
            } else if (aPreferred[i] <= now && !ifc.isIpv6Deprecated(aHi[i], aLo[i])) {
                ifc.setIpv6Deprecated(aHi[i], aLo[i], true);
                aPreferred[i] = INFINITE;
                version++;
            }
        }
        for (int i = dCount - 1; i >= 0; i--) {
            if (dExpiry[i] <= now) {
                removeDns(i);
            }
        }
        for (int i = domains.size() - 1; i >= 0; i--) {
            if (domainExpiry[i] <= now) {
                removeDomain(i);
            }
        }
    }

    private void rescheduleSweep() {
        long t = INFINITE;
        for (int i = 0; i < rCount; i++) {
            t = Math.min(t, rExpiry[i]);
        }
        for (int i = 0; i < pCount; i++) {
            t = Math.min(t, pExpiry[i]);
        }
        for (int i = 0; i < aCount; i++) {
            t = Math.min(t, Math.min(aValid[i], ifc.isIpv6Deprecated(aHi[i], aLo[i]) ? INFINITE : aPreferred[i]));
        }
        for (int i = 0; i < dCount; i++) {
            t = Math.min(t, dExpiry[i]);
        }
        for (int i = 0; i < domains.size(); i++) {
            t = Math.min(t, domainExpiry[i]);
        }
        if (t == sweepAt && sweepTimer != TimerWheel.NULL_TIMER) {
            return;
        }
        engine.timers.cancel(sweepTimer);
        sweepTimer = TimerWheel.NULL_TIMER;
        sweepAt = t;
        if (t != INFINITE) {
            sweepTimer = schedule(TIMER_SWEEP, t);
        }
    }

    private long schedule(final int kind, final long deadline) {
        return engine.timers.schedule(timerClient, deadline, (long) ifc.index << TIMER_IFINDEX_SHIFT | kind);
    }

    /** {@code now + seconds}; 0xffffffff is infinity (RFC 4861 §4.6.2, RFC 8106 §5.1). */
    private static long deadline(final long now, final long seconds) {
        if (seconds == 0xffff_ffffL) {
            return INFINITE;
        }
        final long d = now + seconds * 1_000_000_000L;
        return d < now ? INFINITE : d;
    }

    // ================================================================ events

    /** {@link Dad} finished with one of the interface's addresses. */
    void addressStateChanged(final long hi, final long lo, final boolean duplicate, final long now) {
        if (closed) {
            return;
        }
        version++;
        if (Ipv6Addr.isLinkLocal(hi)) {
            linkLocalReady(now); // usable, or duplicated (RSs then go from ::, RFC 4861 §6.3.7)
            return;
        }
        if (dhcp6 != null) {
            dhcp6.addressStateChanged(hi, lo, duplicate, now);
        }
        evaluate(now);
    }

    /** The DHCPv6 client finished an exchange or changed its data (addresses, DNS). */
    public void dhcp6Changed(final long now) {
        if (closed) {
            return;
        }
        version++;
        evaluate(now);
    }

    private void evaluate(final long now) {
        if (listener == null || closed) {
            return;
        }
        if (!configured) {
            if (!isConfigured()) {
                return;
            }
            configured = true;
            reported = version;
            listener.configured(this, now);
            return;
        }
        if (reported != version) {
            reported = version;
            listener.changed(this, now);
        }
    }

    /**
     * Whether the interface is configured: a usable autoconfigured address when stateful DHCPv6 is in play or a router
     * offered SLAAC a prefix (until a router answers, SLAAC waits for one),
     * the DHCPv6 exchange done when it runs, and an RA heard unless router discovery is off, gave up, or a forced
     * DHCPv6 mode made it secondary.
     */
    public boolean isConfigured() {
        final boolean dhcpRuns = dhcp6Started;
        final boolean dhcpForced = options.dhcp6 == Dhcp6Mode.STATEFUL || options.dhcp6 == Dhcp6Mode.STATELESS;
        if (dhcpRuns && !dhcp6.isDone()) {
            return false;
        }
        if (dhcpForced && !dhcpRuns) {
            return false;
        }
        // SLAAC wants an address once a router offered an autonomous prefix, or while none has answered yet; an RA
        // without one (or no router at all) leaves nothing to wait for: configured with what the link has
        final boolean slaacPending = options.slaac && (aCount > 0 || !(raHeard || rsGaveUp));
        final boolean wantAddress = slaacPending || dhcp6Stateful || options.dhcp6 == Dhcp6Mode.STATEFUL;
        if (wantAddress && !hasUsableAddress()) {
            return false;
        }
        return !options.routerDiscovery || raHeard || rsGaveUp || dhcpForced;
    }

    private boolean hasUsableAddress() {
        for (int i = 0; i < aCount; i++) {
            if (ifc.ipv6State(aHi[i], aLo[i]) == NetInterface.AddressState.PREFERRED) {
                return true;
            }
        }
        if (dhcp6 != null) {
            final List<long[]> l = new ArrayList<>(1);
            dhcp6.addresses(l);
            for (long[] a : l) {
                if (ifc.ipv6State(a[0], a[1]) == NetInterface.AddressState.PREFERRED) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Stops: cancels the timers, releases DHCPv6 leases, removes the learned routes and SLAAC addresses. */
    public void close(final long now) {
        if (closed) {
            return;
        }
        closed = true; // first: the client's last dhcp6Changed is not reported
        if (dhcp6 != null && dhcp6Started) {
            dhcp6.close(now);
        }
        engine.timers.cancel(rsTimer);
        engine.timers.cancel(sweepTimer);
        rsTimer = sweepTimer = TimerWheel.NULL_TIMER;
        while (rCount > 0) {
            removeRouter(rCount - 1);
        }
        while (pCount > 0) {
            removePrefix(pCount - 1);
        }
        while (aCount > 0) {
            removeAddress(aCount - 1, now);
        }
        dCount = 0;
        domains.clear();
        if (started && engine.ndp.autoconf(ifc) == this) {
            engine.ndp.setAutoconf(ifc, null);
        }
    }

    // ================================================================ getters (API edge: they allocate)

    public NetInterface iface() {
        return ifc;
    }

    public Options options() {
        return options;
    }

    /** Router Solicitations sent so far. */
    public int solicitationsSent() {
        return rsSent;
    }

    /** Whether an RA was processed. */
    public boolean routerAdvertisementHeard() {
        return raHeard;
    }

    /** The last non-zero Cur Hop Limit advertised, or 0. */
    public int curHopLimit() {
        return curHopLimit;
    }

    /** The RA's M flag (addresses from DHCPv6) as last advertised. */
    public boolean managedFlag() {
        return managed;
    }

    /** The RA's O flag (other configuration from DHCPv6) as last advertised. */
    public boolean otherConfigFlag() {
        return other;
    }

    /** The usable autoconfigured addresses: SLAAC, then DHCPv6 (tentative and duplicated ones left out). */
    public List<Inet6Address> addresses() {
        final List<Inet6Address> out = new ArrayList<>();
        for (int i = 0; i < aCount; i++) {
            if (ifc.ipv6State(aHi[i], aLo[i]) == NetInterface.AddressState.PREFERRED) {
                out.add(inet(aHi[i], aLo[i], false));
            }
        }
        if (dhcp6 != null) {
            final List<long[]> l = new ArrayList<>(2);
            dhcp6.addresses(l);
            for (long[] a : l) {
                if (ifc.ipv6State(a[0], a[1]) == NetInterface.AddressState.PREFERRED) {
                    out.add(inet(a[0], a[1], false));
                }
            }
        }
        return out;
    }

    /** The SLAAC addresses, like {@code ip -6 addr} ({@code "fd00:1::ff:fe00:b/64"} + " tentative" / " dadfailed"
     * / " deprecated"). */
    public List<String> slaacAddresses() {
        final List<String> out = new ArrayList<>(aCount);
        for (String s : ifc.ipv6Addresses()) {
            final int slash = s.indexOf('/');
            final long[] a = new long[2];
            Ipv6Addr.parse(s.substring(0, slash), a);
            for (int i = 0; i < aCount; i++) {
                if (aHi[i] == a[0] && aLo[i] == a[1]) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    /** The default routers (link-local, scoped to the interface), in the order learned. */
    public List<Inet6Address> routers() {
        final List<Inet6Address> out = new ArrayList<>(rCount);
        for (int i = 0; i < rCount; i++) {
            out.add(inet(rHi[i], rLo[i], true));
        }
        return out;
    }

    /** The on-link prefixes learned, {@code "fd00:1::/64"}. */
    public List<String> onLinkPrefixes() {
        final List<String> out = new ArrayList<>(pCount);
        for (int i = 0; i < pCount; i++) {
            out.add(Ipv6Addr.format(pHi[i], pLo[i]) + "/" + pLen[i]);
        }
        return out;
    }

    /** The DNS servers: RDNSS (RFC 8106) first, then DHCPv6 (RFC 3646), without duplicates. */
    public List<InetAddress> dnsServers() {
        final List<InetAddress> out = new ArrayList<>(dCount + 2);
        for (int i = 0; i < dCount; i++) {
            out.add(inet(dHi[i], dLo[i], Ipv6Addr.isLinkLocal(dHi[i])));
        }
        if (dhcp6 != null) {
            final List<long[]> l = new ArrayList<>(2);
            dhcp6.dnsServers(l);
            for (long[] a : l) {
                final InetAddress x = inet(a[0], a[1], Ipv6Addr.isLinkLocal(a[0]));
                if (!out.contains(x)) {
                    out.add(x);
                }
            }
        }
        return out;
    }

    /** The DNS search domains: DNSSL (RFC 8106) first, then DHCPv6 (option 24), without duplicates. */
    public List<String> searchDomains() {
        final List<String> out = new ArrayList<>(domains);
        if (dhcp6 != null) {
            final List<String> l = new ArrayList<>(2);
            dhcp6.domains(l);
            for (String d : l) {
                if (!out.contains(d)) {
                    out.add(d);
                }
            }
        }
        return out;
    }

    private Inet6Address inet(final long hi, final long lo, final boolean scoped) {
        final byte[] b = new byte[16];
        for (int k = 0; k < 8; k++) {
            b[k] = (byte) (hi >>> (56 - 8 * k));
            b[8 + k] = (byte) (lo >>> (56 - 8 * k));
        }
        try {
            return Inet6Address.getByAddress(null, b, scoped ? ifc.index : -1); // -1: no scope id
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // 16 bytes: cannot happen
        }
    }

    @Override
    public String toString() {
        return "autoconf " + ifc.name + ": addresses " + slaacAddresses() + " routers " + routers() + " prefixes "
                + onLinkPrefixes() + " dns " + dnsServers() + " domains " + searchDomains()
                + (configured ? " configured" : "");
    }
}
