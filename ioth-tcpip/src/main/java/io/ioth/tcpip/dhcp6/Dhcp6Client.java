package io.ioth.tcpip.dhcp6;

import io.ioth.tcpip.iface.Engine;
import io.ioth.tcpip.iface.Ipv6Autoconf;
import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.iface.NetInterface;
import io.ioth.tcpip.iface.StackTimers;
import io.ioth.tcpip.socket.udp.DatagramInfo;
import io.ioth.tcpip.socket.udp.UdpLayer;
import io.ioth.tcpip.socket.udp.UdpSocket;
import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.stats.DropReason;
import io.ioth.tcpip.storage.TimerWheel;
import io.ioth.tcpip.wire.Ipv6Addr;
import io.ioth.tcpip.wire.MacAddr;
import io.netty.buffer.ByteBuf;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A DHCPv6 client (RFC 8415) for one interface of a stack: stateful address assignment for one IA_NA
 * (Solicit / Advertise / Request / Reply, then Renew at T1, Rebind at T2, Release on close, Decline after a DAD
 * failure) and stateless configuration (Information-Request / Reply, refreshed after the Information Refresh Time),
 * both asking for DNS servers (RFC 3646 option 23) and the domain search list (option 24).
 *
 * <pre>
 *            start(stateful)                                   start(stateless)
 *                 ▼                                                 ▼
 *  SOLICITING ─ Advertise (pref 255, or best after the first RT) ─► REQUESTING ─ Reply ─► BOUND ──T1──► RENEWING
 *      ▲  ▲                                                   │ MRC 10            │  ▲ Reply      │ T2
 *      │  └────────────────────────────────────────────────────┘                   │  └────────────┤
 *      │           valid lifetime over / NoAddrsAvail / DAD failure (DECLINING) ◄──┘           REBINDING
 *  INFORMATION_REQUESTING ─ Reply ─► INFORMED ─ refresh time ─► INFORMATION_REQUESTING
 *  close(): RELEASING (REL_MAX_RC transmissions, or a Reply) ─► CLOSED
 * </pre>
 *
 * <p>Messages go from the link-local address, UDP port 546, to All_DHCP_Relay_Agents_and_Servers (ff02::1:2) port
 * 547 (§7.1, §7.2), over a {@link UdpSocket} bound to the interface whose datagrams come straight here
 * ({@link UdpSocket.Receiver}). Retransmission follows §15 (IRT, MRT, MRC, MRD, RAND in [-0.1, 0.1], the first
 * Solicit's RAND in (0, 0.1]); each message carries the Elapsed Time option (§21.9). The client identifier is a
 * DUID-LL of the MAC (§11.4), or a DUID-LLT when given its time (§11.2: the engine never reads a clock); the IAID is
 * the low 32 bits of the MAC (stable across restarts, §12).
 *
 * <p>Received messages are checked before use (§16): bounds of every option ({@link Dhcp6Message}), the
 * transaction id of the exchange in progress, our Client Identifier, a Server Identifier; anything else is
 * dropped and counted ({@code DropReason.DHCP6_*}). Addresses are added as /128 (the on-link prefix comes from
 * RAs, RFC 5942) and run DAD before use. Simplifications: one address per IA_NA used, no Rapid Commit, no
 * Reconfigure (dropped), no server unicast, no Confirm after a link change.
 *
 * <p>Driven by {@link Ipv6Autoconf} (the M/O flags, or a forced mode); usable alone through {@link #start}.
 * Not thread-safe: owner thread of the stack only.
 */
public final class Dhcp6Client implements Ipv6Autoconf.Dhcp6, StackTimers.Client, UdpSocket.Receiver {
    static final long SEC = 1_000_000_000L;
    // RFC 8415 §7.6 transmission and retransmission parameters
    static final long SOL_MAX_DELAY = SEC;
    static final long SOL_TIMEOUT = SEC;
    static final long SOL_MAX_RT = 3600 * SEC;
    static final long REQ_TIMEOUT = SEC;
    static final long REQ_MAX_RT = 30 * SEC;
    static final int REQ_MAX_RC = 10;
    static final long REN_TIMEOUT = 10 * SEC;
    static final long REN_MAX_RT = 600 * SEC;
    static final long REB_TIMEOUT = 10 * SEC;
    static final long REB_MAX_RT = 600 * SEC;
    static final long INF_MAX_DELAY = SEC;
    static final long INF_TIMEOUT = SEC;
    static final long INF_MAX_RT = 3600 * SEC;
    static final long REL_TIMEOUT = SEC;
    static final int REL_MAX_RC = 4;
    static final long DEC_TIMEOUT = SEC;
    static final int DEC_MAX_RC = 4;
    static final long IRT_DEFAULT = 86400;
    static final long IRT_MINIMUM = 600;

    private static final long NEVER = Long.MAX_VALUE;
    private static final long KIND_RETRANSMIT = 1;
    private static final long KIND_LEASE = 2;

    /** Where the client is. */
    public enum State {
        IDLE, SOLICITING, REQUESTING, BOUND, RENEWING, REBINDING, INFORMATION_REQUESTING, INFORMED, RELEASING,
        DECLINING, CLOSED
    }

    /**
     * Settings.
     *
     * @param initialDelay delay the first Solicit / Information-Request by a random 0..1 s (§18.2.1, §18.2.6
     *                     "SHOULD"; off makes traces exact)
     * @param duidLltTime  seconds since 2000-01-01 00:00 UTC mod 2^32 for a DUID-LLT (§11.2), or -1 for a DUID-LL
     */
    public record Options(boolean initialDelay, long duidLltTime) {
        public static Options defaults() {
            return new Options(true, -1);
        }

        public Options withInitialDelay(final boolean v) {
            return new Options(v, duidLltTime);
        }

        public Options withDuidLlt(final long secondsSince2000) {
            return new Options(initialDelay, secondsSince2000 & 0xffff_ffffL);
        }
    }

    private final Engine engine;
    private final UdpLayer udp;
    private final NetInterface ifc;
    private final Ipv6Autoconf autoconf;
    private final Options options;
    private final byte[] duid;
    private final int iaid;
    /**
     * Our client id on the stack's timers, taken by {@link #start} and given back when the client is closed (-1
     * outside): the ids are few ({@code StackTimers.MAX_CLIENTS}) and a client is created per autoconfiguration run,
     * which may never start DHCPv6 at all.
     */
    private int timerClient = -1;
    private final Dhcp6Message in = new Dhcp6Message();
    private final DatagramInfo info = new DatagramInfo();
    private UdpSocket socket;

    private State state = State.IDLE;
    private boolean done;

    // the exchange in progress (§15)
    private int msgType;
    private int xid = -1;
    private long exchangeStart;
    private long rt;
    private long irt;
    private long mrt;
    private int mrc;
    private long mrd = NEVER;
    private int sent;
    private boolean firstPending;
    private long retransTimer = TimerWheel.NULL_TIMER;

    // Solicit: the best Advertise so far (§18.2.9)
    private boolean firstRtOver;
    private byte[] advServerId;
    private int advPreference = -1;
    private long advHi;
    private long advLo;

    // the lease
    private byte[] serverId;
    private boolean leased;
    private long addrHi;
    private long addrLo;
    private long preferredAt = NEVER;
    private long validAt = NEVER;
    private long t1At = NEVER;
    private long t2At = NEVER;
    private boolean deprecated;
    private long declineHi;
    private long declineLo;
    private long refreshAt = NEVER;
    private long leaseTimer = TimerWheel.NULL_TIMER;
    private long solMaxRt = SOL_MAX_RT;
    private long infMaxRt = INF_MAX_RT;

    // other configuration
    private final long[] dnsHi = new long[Dhcp6Message.MAX_DNS];
    private final long[] dnsLo = new long[Dhcp6Message.MAX_DNS];
    private int dnsCount;
    private List<String> domains = new ArrayList<>(0);

    /**
     * @param udp      the stack's UDP layer ({@code Stack.udp()})
     * @param autoconf told of every change (may be null when the client runs alone)
     */
    public Dhcp6Client(final UdpLayer udp, final NetInterface ifc, final Ipv6Autoconf autoconf,
                       final Options options) {
        this.udp = Objects.requireNonNull(udp, "udp");
        this.engine = udp.engine();
        this.ifc = Objects.requireNonNull(ifc, "ifc");
        this.autoconf = autoconf;
        this.options = Objects.requireNonNull(options, "options");
        if (ifc.isLoopback()) {
            throw new IllegalArgumentException("DHCPv6 on loopback");
        }
        this.duid = duid(ifc.mac(), options.duidLltTime);
        this.iaid = (int) ifc.mac();
    }

    /** §11.2 DUID-LLT (type 1) or §11.4 DUID-LL (type 3), hardware type 1 (Ethernet, RFC 826). */
    static byte[] duid(final long mac, final long lltTime) {
        final boolean llt = lltTime >= 0;
        final byte[] d = new byte[llt ? 14 : 10];
        d[1] = (byte) (llt ? 1 : 3);
        d[3] = 1;
        int p = 4;
        if (llt) {
            d[4] = (byte) (lltTime >>> 24);
            d[5] = (byte) (lltTime >>> 16);
            d[6] = (byte) (lltTime >>> 8);
            d[7] = (byte) lltTime;
            p = 8;
        }
        for (int i = 0; i < 6; i++) {
            d[p + i] = (byte) (mac >>> (40 - 8 * i));
        }
        return d;
    }

    // ================================================================ Ipv6Autoconf.Dhcp6

    @Override
    public void start(final boolean stateful, final long now) {
        if (state == State.CLOSED || state == State.RELEASING) {
            throw new IllegalStateException("DHCPv6 client closed");
        }
        if (timerClient < 0) {
            timerClient = engine.timers().register(this);
        }
        openSocket();
        if (stateful) {
            if (state == State.IDLE || state == State.INFORMATION_REQUESTING || state == State.INFORMED) {
                refreshAt = NEVER;
                solicit(options.initialDelay, now);
            }
        } else if (state == State.IDLE) {
            informationRequest(options.initialDelay, now);
        }
    }

    private void openSocket() {
        if (socket != null) {
            return;
        }
        final UdpSocket s = udp.open();
        s.bindToInterface(ifc);
        s.setMulticastInterface(ifc);
        final int r = s.bind(0L, 0L, Dhcp6Message.CLIENT_PORT);
        if (r != NetError.OK) {
            s.close();
            throw new IllegalStateException("cannot bind [::]:546 on " + ifc.name() + ": " + NetError.name(r));
        }
        s.setReceiver(this);
        socket = s;
    }

    @Override
    public boolean isDone() {
        return done;
    }

    @Override
    public void addresses(final List<long[]> out) {
        if (leased) {
            out.add(new long[] {addrHi, addrLo});
        }
    }

    @Override
    public void dnsServers(final List<long[]> out) {
        for (int i = 0; i < dnsCount; i++) {
            out.add(new long[] {dnsHi[i], dnsLo[i]});
        }
    }

    @Override
    public void domains(final List<String> out) {
        out.addAll(domains);
    }

    @Override
    public void addressStateChanged(final long hi, final long lo, final boolean duplicate, final long now) {
        if (!leased || hi != addrHi || lo != addrLo) {
            return;
        }
        if (duplicate) {
            // §18.2.8: "If the client detects that any of the addresses assigned to it by the server is already in
            // use by another node, the client MUST send a Decline message to the server to inform it"; it stops
            // using the address
            declineHi = addrHi;
            declineLo = addrLo;
            dropAddress(now);
            state = State.DECLINING;
            begin(Dhcp6Message.DECLINE, DEC_TIMEOUT, 0, DEC_MAX_RC, NEVER, false, now);
        }
        changed(now);
    }

    /**
     * Stops: with a lease, stops using the address at once and sends a Release (§18.2.7: "The client MUST stop
     * using all of the addresses being released as soon as the client begins the Release message exchange"),
     * retransmitted while the stack keeps running; then closes the socket. Idempotent.
     */
    @Override
    public void close(final long now) {
        if (state == State.CLOSED || state == State.RELEASING) {
            return;
        }
        engine.timers().cancel(leaseTimer);
        leaseTimer = TimerWheel.NULL_TIMER;
        done = false;
        if (leased && serverId != null) {
            declineHi = addrHi; // the address the Release names
            declineLo = addrLo;
            dropAddress(now);
            state = State.RELEASING;
            begin(Dhcp6Message.RELEASE, REL_TIMEOUT, 0, REL_MAX_RC, NEVER, false, now);
            return;
        }
        finish();
    }

    private void finish() {
        cancelRetransmit();
        engine.timers().cancel(leaseTimer);
        leaseTimer = TimerWheel.NULL_TIMER;
        state = State.CLOSED;
        // a closed client never starts again: give the timer client id back, or start/close cycles (one client
        // each) would exhaust StackTimers.MAX_CLIENTS
        if (timerClient >= 0) {
            engine.timers().unregister(timerClient);
            timerClient = -1;
        }
        if (socket != null) {
            socket.close();
            socket = null;
        }
    }

    // ================================================================ exchanges

    private void solicit(final boolean delay, final long now) {
        state = State.SOLICITING;
        firstRtOver = false;
        advServerId = null;
        advPreference = -1;
        begin(Dhcp6Message.SOLICIT, SOL_TIMEOUT, solMaxRt, 0, NEVER, delay, now);
    }

    private void informationRequest(final boolean delay, final long now) {
        state = State.INFORMATION_REQUESTING;
        begin(Dhcp6Message.INFORMATION_REQUEST, INF_TIMEOUT, infMaxRt, 0, NEVER, delay, now);
    }

    private void request(final long now) {
        state = State.REQUESTING;
        serverId = advServerId;
        addrHi = advHi; // not leased yet: the address the Request asks for
        addrLo = advLo;
        advServerId = null;
        begin(Dhcp6Message.REQUEST, REQ_TIMEOUT, REQ_MAX_RT, REQ_MAX_RC, NEVER, false, now);
    }

    /** §18.2.4: at T1, Renew to the server that gave the lease, until T2. */
    private void renew(final long now) {
        state = State.RENEWING;
        begin(Dhcp6Message.RENEW, REN_TIMEOUT, REN_MAX_RT, 0, t2At, false, now);
    }

    /** §18.2.5: at T2, Rebind to any server, until the valid lifetime ends. */
    private void rebind(final long now) {
        state = State.REBINDING;
        begin(Dhcp6Message.REBIND, REB_TIMEOUT, REB_MAX_RT, 0, validAt, false, now);
    }

    /** Starts an exchange (§15): a new transaction id, the first transmission now or after the initial delay. */
    private void begin(final int type, final long irt, final long mrt, final int mrc, final long mrd,
                       final boolean delay, final long now) {
        cancelRetransmit();
        this.msgType = type;
        this.irt = irt;
        this.mrt = mrt;
        this.mrc = mrc;
        this.mrd = mrd;
        this.sent = 0;
        // §16.1: "The transaction ID is chosen by the client ... MUST be a randomly generated number" (24 bits)
        this.xid = engine.random().nextInt(1 << 24);
        if (delay) {
            firstPending = true;
            final long max = type == Dhcp6Message.SOLICIT ? SOL_MAX_DELAY : INF_MAX_DELAY;
            retransTimer = schedule(KIND_RETRANSMIT, now + (long) (engine.random().nextDouble() * max));
            return;
        }
        first(now);
    }

    private void first(final long now) {
        firstPending = false;
        exchangeStart = now;
        // §15: "RT = IRT + RAND*IRT"; "if the client is transmitting a Solicit message ... RAND MUST be strictly
        // greater than 0"
        final double r = msgType == Dhcp6Message.SOLICIT ? 0.1 - engine.random().nextDouble(0.0, 0.1) : rand();
        rt = irt + (long) (r * irt);
        transmit(now);
        scheduleRetransmit(now);
    }

    private double rand() {
        return engine.random().nextDouble(-0.1, 0.1);
    }

    private void scheduleRetransmit(final long now) {
        long at = now + rt;
        if (mrd != NEVER && at > mrd) {
            at = mrd; // "MRD specifies an upper bound on the length of time a client may retransmit a message"
        }
        retransTimer = schedule(KIND_RETRANSMIT, at);
    }

    private void cancelRetransmit() {
        engine.timers().cancel(retransTimer);
        retransTimer = TimerWheel.NULL_TIMER;
        firstPending = false;
    }

    private void onRetransmit(final long now) {
        retransTimer = TimerWheel.NULL_TIMER;
        if (firstPending) {
            first(now);
            return;
        }
        if (msgType == Dhcp6Message.SOLICIT) {
            firstRtOver = true;
            if (advServerId != null) {
                // §18.2.9: "If the client receives one or more valid Advertise messages before the first RT has
                // elapsed" (or later), it selects the best one and sends a Request
                request(now);
                return;
            }
        }
        // "Unless MRC is zero, the message exchange fails once the client has transmitted the message MRC times";
        // "Unless MRD is zero, the message exchange fails once MRD seconds have elapsed since the client first
        // transmitted the message."
        if ((mrc > 0 && sent >= mrc) || (mrd != NEVER && now >= mrd)) {
            exchangeFailed(now);
            return;
        }
        // "RT = 2*RTprev + RAND*RTprev"; "if (MRT != 0 && RT > MRT) RT = MRT + RAND*MRT"
        final double r = rand();
        rt = 2 * rt + (long) (r * rt);
        if (mrt > 0 && rt > mrt) {
            rt = mrt + (long) (r * mrt);
        }
        transmit(now);
        scheduleRetransmit(now);
    }

    private void exchangeFailed(final long now) {
        switch (msgType) {
            case Dhcp6Message.REQUEST:
            case Dhcp6Message.DECLINE:
                solicit(false, now); // §18.2.10: start over with another server
                return;
            case Dhcp6Message.RENEW:
                rebind(now); // MRD = T2
                return;
            case Dhcp6Message.REBIND:
                expire(now); // MRD = the valid lifetime
                return;
            case Dhcp6Message.RELEASE:
                finish(); // §18.2.7: gives up after REL_MAX_RC
                return;
            default:
                return;
        }
    }

    // ---------------------------------------------------------------- sending

    private void transmit(final long now) {
        final boolean withServerId = msgType == Dhcp6Message.REQUEST || msgType == Dhcp6Message.RENEW
                || msgType == Dhcp6Message.RELEASE || msgType == Dhcp6Message.DECLINE;
        final boolean withIa = msgType != Dhcp6Message.INFORMATION_REQUEST;
        final boolean withAddr = msgType != Dhcp6Message.SOLICIT && withIa;
        final boolean withOro = msgType != Dhcp6Message.RELEASE && msgType != Dhcp6Message.DECLINE;
        final int oroCount = msgType == Dhcp6Message.INFORMATION_REQUEST ? 4 : 3;
        final int len = 4 + 4 + duid.length + 6 + (withOro ? 4 + 2 * oroCount : 0)
                + (withServerId && serverId != null ? 4 + serverId.length : 0)
                + (withIa ? 16 + (withAddr ? 28 : 0) : 0);
        final ByteBuf b = socket.allocate(len);
        b.writeByte(msgType);
        b.writeMedium(xid);
        b.writeShort(Dhcp6Message.OPT_CLIENTID).writeShort(duid.length).writeBytes(duid);
        // §21.9: "the amount of time since the client began its current DHCP transaction", hundredths of a second;
        // "the elapsed time field is set to 0 in the first message in the message exchange"; 0xffff saturates
        final long hundredths = (now - exchangeStart) / 10_000_000L;
        b.writeShort(Dhcp6Message.OPT_ELAPSED_TIME).writeShort(2).writeShort((int) Math.min(0xffff, hundredths));
        if (withOro) {
            // §21.7; §18.2.1 "MUST include SOL_MAX_RT" code, §18.2.6 "MUST include ... Information Refresh Time"
            b.writeShort(Dhcp6Message.OPT_ORO).writeShort(2 * oroCount);
            b.writeShort(Dhcp6Message.OPT_DNS_SERVERS).writeShort(Dhcp6Message.OPT_DOMAIN_LIST);
            if (msgType == Dhcp6Message.INFORMATION_REQUEST) {
                b.writeShort(Dhcp6Message.OPT_INFORMATION_REFRESH_TIME).writeShort(Dhcp6Message.OPT_INF_MAX_RT);
            } else {
                b.writeShort(Dhcp6Message.OPT_SOL_MAX_RT);
            }
        }
        if (withServerId && serverId != null) {
            b.writeShort(Dhcp6Message.OPT_SERVERID).writeShort(serverId.length).writeBytes(serverId);
        }
        if (withIa) {
            // §21.4: "T1 and T2 ... in a message sent by a client ... the client SHOULD set them to 0"; §21.6 the
            // lifetimes likewise
            b.writeShort(Dhcp6Message.OPT_IA_NA).writeShort(12 + (withAddr ? 28 : 0));
            b.writeInt(iaid).writeInt(0).writeInt(0);
            if (withAddr) {
                final boolean named = msgType == Dhcp6Message.RELEASE || msgType == Dhcp6Message.DECLINE;
                b.writeShort(Dhcp6Message.OPT_IAADDR).writeShort(24);
                b.writeLong(named ? declineHi : addrHi).writeLong(named ? declineLo : addrLo);
                b.writeInt(0).writeInt(0);
            }
        }
        sent++;
        engine.stats().inc(Counter.DHCP6_OUT_MESSAGES);
        // errors (no usable link-local address yet, link down) are left to the retransmission
        socket.sendBuffer(Dhcp6Message.ALL_SERVERS_HI, Dhcp6Message.ALL_SERVERS_LO, Dhcp6Message.SERVER_PORT, b,
                now);
    }

    // ---------------------------------------------------------------- receiving

    @Override
    public void datagramQueued(final UdpSocket s) {
        final long now = engine.lastNow();
        ByteBuf b;
        while ((b = s.receive(info)) != null) {
            try {
                receive(b, now);
            } finally {
                b.release();
            }
        }
    }

    private void receive(final ByteBuf b, final long now) {
        final DropReason bad = in.parse(b, b.readerIndex(), b.readableBytes(), iaid);
        if (bad != null) {
            engine.stats().drop(bad);
            return;
        }
        switch (in.type) {
            case Dhcp6Message.ADVERTISE:
                advertise(now);
                return;
            case Dhcp6Message.REPLY:
                reply(now);
                return;
            default:
                // server/relay messages sent to 546 by mistake; Reconfigure needs authentication (§16.11, §20.4)
                engine.stats().drop(DropReason.DHCP6_UNEXPECTED);
        }
    }

    /** §16.3 / §16.10: the transaction id, our Client Identifier, a Server Identifier. */
    private boolean valid() {
        if (in.xid != xid || firstPending) {
            engine.stats().drop(DropReason.DHCP6_WRONG_XID);
            return false;
        }
        if (!in.clientIdIs(duid)) {
            engine.stats().drop(DropReason.DHCP6_WRONG_CLIENT_ID);
            return false;
        }
        if (in.serverIdOffset < 0) {
            engine.stats().drop(DropReason.DHCP6_NO_SERVER_ID);
            return false;
        }
        return true;
    }

    /** The first address of the IA_NA a server offers: non-zero valid lifetime, preferred <= valid (§18.2.10.1),
     * status absent or Success, unicast. -1 if none. */
    private int offeredAddress() {
        if (!in.hasIaNa || (in.iaStatus != Dhcp6Message.NO_STATUS && in.iaStatus != Dhcp6Message.STATUS_SUCCESS)) {
            return -1;
        }
        for (int i = 0; i < in.addressCount; i++) {
            final long hi = in.addrHi[i];
            if (in.addrValid[i] != 0 && in.addrPreferred[i] <= in.addrValid[i]
                    && (in.addrStatus[i] == Dhcp6Message.NO_STATUS
                    || in.addrStatus[i] == Dhcp6Message.STATUS_SUCCESS)
                    && !Ipv6Addr.isMulticast(hi) && !Ipv6Addr.isLinkLocal(hi) && !(hi == 0 && in.addrLo[i] <= 1)) {
                return i;
            }
        }
        return -1;
    }

    /** §18.2.9. */
    private void advertise(final long now) {
        if (state != State.SOLICITING) {
            engine.stats().drop(DropReason.DHCP6_UNEXPECTED);
            return;
        }
        if (!valid()) {
            return;
        }
        // §18.2.9: "The client MUST ignore any Advertise message that contains no addresses (IA_NA options) ... with
        // the exception that the client: MUST process an included SOL_MAX_RT option"
        if (in.solMaxRt >= 60 && in.solMaxRt <= 86400) {
            solMaxRt = in.solMaxRt * SEC;
        }
        final int a = offeredAddress();
        if (a < 0 || (in.status != Dhcp6Message.NO_STATUS && in.status != Dhcp6Message.STATUS_SUCCESS)) {
            engine.stats().drop(DropReason.DHCP6_REFUSED);
            return;
        }
        engine.stats().inc(Counter.DHCP6_IN_MESSAGES);
        if (in.preference > advPreference) {
            advPreference = in.preference;
            advServerId = in.serverId();
            advHi = in.addrHi[a];
            advLo = in.addrLo[a];
        }
        // "If the client receives an Advertise message that includes a Preference option with a preference value of
        // 255, the client immediately begins a client-initiated message exchange"; after the first RT, the first
        // valid Advertise is taken at once
        if (in.preference == 255 || firstRtOver) {
            request(now);
        }
    }

    /** §18.2.10. */
    private void reply(final long now) {
        switch (state) {
            case REQUESTING:
            case RENEWING:
            case REBINDING:
            case INFORMATION_REQUESTING:
            case RELEASING:
            case DECLINING:
                break;
            default:
                engine.stats().drop(DropReason.DHCP6_UNEXPECTED);
                return;
        }
        if (!valid()) {
            return;
        }
        engine.stats().inc(Counter.DHCP6_IN_MESSAGES);
        switch (state) {
            case RELEASING:
                finish(); // §18.2.10.2: the release is done whatever the status
                return;
            case DECLINING:
                solicit(false, now);
                return;
            case INFORMATION_REQUESTING:
                informed(now);
                return;
            default:
                break;
        }
        final int a = offeredAddress();
        final boolean topOk = in.status == Dhcp6Message.NO_STATUS || in.status == Dhcp6Message.STATUS_SUCCESS;
        if (!topOk || a < 0) {
            engine.stats().drop(DropReason.DHCP6_REFUSED);
            if (state == State.REQUESTING) {
                solicit(false, now); // §18.2.10.1 NoAddrsAvail / NotOnLink: try again from Solicit
            } else if (in.iaStatus == Dhcp6Message.STATUS_NO_BINDING) {
                // §18.2.10.1: "the client sends a Request to reinstate its bindings"
                serverId = in.serverId();
                state = State.REQUESTING;
                begin(Dhcp6Message.REQUEST, REQ_TIMEOUT, REQ_MAX_RT, REQ_MAX_RC, NEVER, false, now);
            }
            // else: Renew / Rebind keep retransmitting until T2 / the end of the valid lifetime
            return;
        }
        long t1 = in.t1;
        long t2 = in.t2;
        if (t1 > t2 && t2 != 0) {
            // §21.4: "If a client receives an IA_NA with T1 greater than T2 and both T1 and T2 are greater than 0, the
            // client discards the IA_NA option and processes the remainder of the message as though the server had
            // not included the invalid IA_NA option."
            engine.stats().drop(DropReason.DHCP6_REFUSED);
            return;
        }
        final long preferred = in.addrPreferred[a];
        if (t1 == 0 || t2 == 0) {
            // §21.4: "If T1 or T2 is set to 0 by the server ... the client may send a Renew or Rebind message,
            // respectively, at the client's discretion"; §14.2 recommends .5 and .8 of the shortest preferred lifetime
            final long base = preferred == Dhcp6Message.INFINITY ? Dhcp6Message.INFINITY : preferred;
            t1 = base == Dhcp6Message.INFINITY ? Dhcp6Message.INFINITY : base / 2;
            t2 = base == Dhcp6Message.INFINITY ? Dhcp6Message.INFINITY : base * 4 / 5;
        }
        serverId = in.serverId();
        bind(in.addrHi[a], in.addrLo[a], preferred, in.addrValid[a], t1, t2, now);
    }

    private void bind(final long hi, final long lo, final long preferred, final long valid, final long t1,
                      final long t2, final long now) {
        cancelRetransmit();
        final boolean same = leased && hi == addrHi && lo == addrLo;
        if (leased && !same) {
            dropAddress(now); // the server moved us to another address
        }
        addrHi = hi;
        addrLo = lo;
        if (!same) {
            leased = true;
            // DHCPv6 says nothing of the prefix length: /128, the on-link prefix comes from RAs (RFC 5942 §5)
            engine.addIpv6(ifc, hi, lo, 128, now); // TENTATIVE: DAD, then addressStateChanged
        }
        preferredAt = deadline(now, preferred);
        validAt = deadline(now, valid);
        t1At = deadline(now, t1);
        t2At = deadline(now, t2);
        deprecated = preferred == 0;
        ifc.setIpv6Deprecated(hi, lo, deprecated);
        takeOtherConfiguration();
        state = State.BOUND;
        done = true;
        rescheduleLease();
        changed(now);
    }

    /** Stateless Reply (§18.2.6, §21.23): DNS, domains, and when to ask again. */
    private void informed(final long now) {
        cancelRetransmit();
        if (in.infMaxRt >= 60 && in.infMaxRt <= 86400) {
            infMaxRt = in.infMaxRt * SEC;
        }
        takeOtherConfiguration();
        long irtSeconds = in.infoRefreshTime < 0 ? IRT_DEFAULT : Math.max(IRT_MINIMUM, in.infoRefreshTime);
        refreshAt = deadline(now, irtSeconds);
        state = State.INFORMED;
        done = true;
        rescheduleLease();
        changed(now);
    }

    private void takeOtherConfiguration() {
        dnsCount = 0;
        for (int i = 0; i < in.dnsCount; i++) {
            if (!Ipv6Addr.isMulticast(in.dnsHi[i]) && !(in.dnsHi[i] == 0 && in.dnsLo[i] == 0)) {
                dnsHi[dnsCount] = in.dnsHi[i];
                dnsLo[dnsCount] = in.dnsLo[i];
                dnsCount++;
            }
        }
        domains = in.domainsOrEmpty();
    }

    // ---------------------------------------------------------------- lease timers

    private void onLease(final long now) {
        leaseTimer = TimerWheel.NULL_TIMER;
        if (state == State.INFORMED) {
            if (now >= refreshAt) {
                refreshAt = NEVER;
                informationRequest(false, now); // §18.2.6 / §21.23: refresh
                return;
            }
        } else if (state == State.BOUND || state == State.RENEWING || state == State.REBINDING) {
            if (now >= validAt) {
                expire(now);
                return;
            }
            if (now >= preferredAt && !deprecated) {
                deprecated = true; // RFC 4862 §5.5.4 semantics for the DHCPv6 address too
                ifc.setIpv6Deprecated(addrHi, addrLo, true);
                changed(now);
            }
            if (now >= t2At && state != State.REBINDING) {
                rebind(now);
            } else if (now >= t1At && state == State.BOUND) {
                renew(now);
            }
        }
        rescheduleLease();
    }

    /** The valid lifetime is over (§18.2.5: "the client ... MUST stop using" it): start again. */
    private void expire(final long now) {
        dropAddress(now);
        done = false;
        engine.timers().cancel(leaseTimer);
        leaseTimer = TimerWheel.NULL_TIMER;
        solicit(false, now);
        changed(now);
    }

    private void dropAddress(final long now) {
        if (leased) {
            leased = false;
            engine.removeIpv6(ifc, addrHi, addrLo, now);
        }
    }

    private void rescheduleLease() {
        engine.timers().cancel(leaseTimer);
        leaseTimer = TimerWheel.NULL_TIMER;
        long t = NEVER;
        if (state == State.INFORMED) {
            t = refreshAt;
        } else if (leased) {
            t = validAt;
            if (!deprecated) {
                t = Math.min(t, preferredAt);
            }
            if (state != State.REBINDING) {
                t = Math.min(t, t2At);
            }
            if (state == State.BOUND) {
                t = Math.min(t, t1At);
            }
        }
        if (t != NEVER) {
            leaseTimer = schedule(KIND_LEASE, t);
        }
    }

    @Override
    public void onTimer(final long value, final long now) {
        if (value == KIND_RETRANSMIT) {
            onRetransmit(now);
        } else {
            onLease(now);
        }
    }

    private long schedule(final long kind, final long deadline) {
        if (timerClient < 0) {
            return TimerWheel.NULL_TIMER; // not started, or closed
        }
        return engine.timers().schedule(timerClient, deadline, kind);
    }

    private static long deadline(final long now, final long seconds) {
        if (seconds >= Dhcp6Message.INFINITY) {
            return NEVER;
        }
        return now + seconds * SEC;
    }

    private void changed(final long now) {
        if (autoconf != null) {
            autoconf.dhcp6Changed(now);
        }
    }

    // ================================================================ getters

    public State state() {
        return state;
    }

    /** The client DUID (a copy). */
    public byte[] duid() {
        return duid.clone();
    }

    public int iaid() {
        return iaid;
    }

    /** The leased address as text, or null. */
    public String leasedAddress() {
        return leased ? Ipv6Addr.format(addrHi, addrLo) : null;
    }

    /** Absolute deadlines of the lease ({@code Long.MAX_VALUE}: none / infinite), for diagnostics and tests. */
    public long t1Deadline() {
        return t1At;
    }

    public long t2Deadline() {
        return t2At;
    }

    public long validDeadline() {
        return validAt;
    }

    /** When the next stateless refresh is due. */
    public long refreshDeadline() {
        return refreshAt;
    }

    /** The DNS servers learned, as text. */
    public List<String> dnsServerList() {
        final List<String> l = new ArrayList<>(dnsCount);
        for (int i = 0; i < dnsCount; i++) {
            l.add(Ipv6Addr.format(dnsHi[i], dnsLo[i]));
        }
        return l;
    }

    public List<String> domainList() {
        return List.copyOf(domains);
    }

    @Override
    public String toString() {
        return "dhcp6 " + ifc.name() + " " + state + " duid " + MacAddr.format(ifc.mac())
                + (leased ? " " + leasedAddress() : "") + " dns " + dnsServerList() + " domains " + domains;
    }
}
