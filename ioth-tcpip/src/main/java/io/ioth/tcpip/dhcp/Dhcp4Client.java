package io.ioth.tcpip.dhcp;

import io.ioth.tcpip.iface.Engine;
import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.iface.NetInterface;
import io.ioth.tcpip.iface.StackTimers;
import io.ioth.tcpip.socket.udp.DatagramInfo;
import io.ioth.tcpip.socket.udp.UdpLayer;
import io.ioth.tcpip.storage.TimerWheel;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.WireError;
import io.netty.buffer.ByteBuf;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * A DHCPv4 client (RFC 2131) for one interface of a stack, running on the stack's timers and its UDP layer, in the
 * stack's time ({@code nowNanos}): it obtains a lease, configures the interface with it (address and prefix, a
 * default route via the first router, the MTU of option 26) and keeps it: renews at T1, rebinds at T2, removes the
 * address when the lease expires, and releases it when closed. When a lease ends only what it configured is undone:
 * its own default route (a static one stays), the MTU it replaced comes back. The search list (option 119, RFC 3397)
 * and DNS servers are recorded in the {@link Dhcp4Lease}, not applied.
 *
 * <pre>
 *                      +----------+  timer   +-----------+ OFFER (valid)  +------------+  ACK   +---------+
 *   start ----------->|   INIT   |--------->| SELECTING |--------------->| REQUESTING |------->| PROBING |
 *   (no address)      +----------+ DISCOVER +-----------+  REQUEST       +------------+        +---------+
 *                        ^   ^                                 NAK / retries exhausted |     ARP  |  | conflict:
 *                        |   +-----------------------------------------------------------+   quiet |  | DECLINE, wait
 *   start -------> INIT-REBOOT --REQUEST(50)--> REBOOTING --ACK--> PROBING                         v  v 10 s -> INIT
 *   (known address)                              |NAK, silence -> INIT           +-------+  T1  +----------+
 *                                                                                 | BOUND |----->| RENEWING | unicast
 *       lease expiry (address removed) -> INIT  <--- REBINDING <---T2------------+-------+<-ACK-+----------+ REQUEST
 *                                                    broadcast REQUEST, ACK -> BOUND
 * </pre>
 *
 * <p><b>Messages</b> (RFC 2131 §4.4, table 5): DHCPDISCOVER and the selecting/init-reboot/rebinding DHCPREQUESTs are
 * broadcast from 0.0.0.0 (rebinding from the leased address); the renewing DHCPREQUEST and DHCPRELEASE are unicast
 * to the server. Each carries the client identifier (61), the maximum message size (57), a parameter request list
 * (55: mask, router, DNS, domain, MTU, broadcast, lease, T1, T2) and, with an FQDN, options 12 and 81 (RFC 4702,
 * canonical wire encoding, S bit set as iothconf does).
 *
 * <p><b>Retransmission</b> (RFC 2131 §4.1): 4 s, 8 s, ... up to 64 s, each +-1 s uniform; in RENEWING and REBINDING
 * half the time left until T2 / expiry, not less than 60 s (§4.4.5). DHCPNAK restarts discovery (§3.1 step 5), at
 * once the first time and with the same backoff after repeated NAKs.
 *
 * <p><b>Robustness</b>: every message is checked (BOOTREPLY, cookie, xid, chaddr, options inside their area) and
 * dropped with a per-reason {@link Counter}; offers and acks for an unusable address (0.0.0.0, broadcast, multicast,
 * loopback, class E, 0/8, the subnet's network or broadcast address), with a zero or missing lease time or without a
 * usable server identifier are refused. The offered address is checked with ARP (RFC 5227 §2.1.1) before it is
 * configured; a conflict sends DHCPDECLINE. While bound the address is defended (RFC 5227 §2.4): one ARP
 * Announcement per DEFEND_INTERVAL (10 s); a second conflict within it gives the address up (DHCPDECLINE,
 * {@link LossReason#CONFLICT}, a new lease after the decline wait).
 *
 * <p><b>Events</b> go to the {@link Listener} on the owner thread, from the timer phase of the stack's poll (never
 * while a frame is being processed), so a listener may use the stack (open sockets, send) but must not close it.
 *
 * <p>Not thread-safe: owner thread only.
 */
public final class Dhcp4Client implements StackTimers.Client, AutoCloseable {
    private static final long SEC = 1_000_000_000L;
    private static final long TIMER_STATE = 1;
    private static final long TIMER_NOTIFY = 2;
    /** Parameter request list (RFC 2132 §9.8). */
    private static final byte[] PARAMS = {Dhcp4Repr.OPT_SUBNET_MASK, Dhcp4Repr.OPT_ROUTER, Dhcp4Repr.OPT_DNS,
        Dhcp4Repr.OPT_DOMAIN_NAME, Dhcp4Repr.OPT_MTU, Dhcp4Repr.OPT_BROADCAST, Dhcp4Repr.OPT_LEASE_TIME,
        Dhcp4Repr.OPT_RENEWAL_T1, Dhcp4Repr.OPT_REBINDING_T2, (byte) Dhcp4Repr.OPT_DOMAIN_SEARCH};
    /** RFC 5227 §1.1 DEFEND_INTERVAL: "minimum interval between defensive ARPs", 10 seconds. */
    static final long DEFEND_INTERVAL_NANOS = 10 * SEC;

    /** RFC 2131 §4.4 states, plus PROBING (the ARP check), DECLINED (the wait after DHCPDECLINE) and STOPPED. */
    public enum State { INIT, SELECTING, REQUESTING, PROBING, BOUND, RENEWING, REBINDING, INIT_REBOOT, REBOOTING,
        DECLINED, STOPPED }

    /** Why a lease ended. */
    public enum LossReason { EXPIRED, NAK, ADDRESS_CHANGED, RELEASED,
        /** Another host kept using the address after one defence (RFC 5227 §2.4 (b)): given up, DHCPDECLINE sent. */
        CONFLICT }

    /** Per-reason counters: what was sent, received, dropped and refused. */
    public enum Counter {
        DISCOVERS_SENT, REQUESTS_SENT, DECLINES_SENT, RELEASES_SENT, RETRANSMISSIONS, SEND_FAILED,
        OFFERS_RECEIVED, ACKS_RECEIVED, NAKS_RECEIVED,
        /** Shorter than the BOOTP header. */
        DROP_TRUNCATED,
        /** op is not BOOTREPLY. */
        DROP_NOT_REPLY,
        DROP_BAD_MAGIC,
        /** Not the transaction in progress (or none is). */
        DROP_WRONG_XID,
        /** Not our hardware address (another client's reply). */
        DROP_WRONG_CHADDR,
        /** An option overruns its area or has an impossible length; a non-contiguous mask. */
        DROP_MALFORMED,
        /** htype/hlen not Ethernet. */
        DROP_UNSUPPORTED_HW,
        DROP_NO_MESSAGE_TYPE,
        /** A message type the current state does not expect, or from another server. */
        DROP_UNEXPECTED,
        /** yiaddr unusable as a host address. */
        REFUSED_BAD_ADDRESS,
        /** Lease time zero or absent. */
        REFUSED_BAD_LEASE,
        /** Server identifier absent or unusable. */
        REFUSED_BAD_SERVER_ID,
        ARP_CONFLICTS,
        /** A conflicting ARP packet for the bound address answered with an ARP Announcement (RFC 5227 §2.4 (b)). */
        ADDRESS_DEFENDED,
        /** The bound address given up after a second conflict within DEFEND_INTERVAL. */
        ADDRESS_LOST_TO_CONFLICT,
        /** Option 26 outside 68 .. the link's maximum (or below 1280 with IPv6 on): not applied. */
        MTU_REFUSED,
        LEASES_EXPIRED
    }

    /** Lease events; see the class comment for when they are called. */
    public interface Listener {
        /** A lease was configured on the interface (first bind, and after a lost lease, the next one). */
        void onBound(Dhcp4Client client, Dhcp4Lease lease);

        /** The lease was extended (RENEWING/REBINDING answered); the address did not change. */
        default void onRenewed(Dhcp4Client client, Dhcp4Lease lease) {
        }

        /** The lease ended and its address was removed; the client goes on trying (except after RELEASED). */
        default void onLost(Dhcp4Client client, Dhcp4Lease lease, LossReason reason) {
        }
    }

    private final Engine engine;
    private final NetInterface ifc;
    private final Dhcp4ClientConfig cfg;
    private final Listener listener;
    private final RandomGenerator random;
    private final int timerClient;
    /** Closed for good: the UDP port and the timer client id are given back. */
    private boolean closed;
    private final Dhcp4Io io;
    private final byte[] clientId;
    private final String hostName;
    private final Dhcp4Repr rx = new Dhcp4Repr();
    private final Dhcp4Repr tx = new Dhcp4Repr();
    private final Dhcp4Packet inPkt = new Dhcp4Packet();
    private final long[] counters = new long[Counter.values().length];
    private final ArrayDeque<Object[]> events = new ArrayDeque<>();

    private State state = State.STOPPED;
    private int xid;
    private long exchangeStart;
    private int attempt;
    private long stateTimer = TimerWheel.NULL_TIMER;
    private long notifyTimer = TimerWheel.NULL_TIMER;
    private int naks;

    /** The address being requested / probed, and its server. */
    private int candidate;
    private int candidateServer;
    private Dhcp4Lease pending;

    private Dhcp4Lease lease;
    private boolean addressAdded;
    /** The gateway of the default route the lease installed (0 = none, or an identical route was there before). */
    private int routeAdded;
    /** The MTU the lease set (0 = none) and the one it replaced. */
    private int mtuApplied;
    private int mtuBefore;
    /** RFC 5227 §2.4: when the bound address was last defended, valid if {@link #defended}. */
    private long lastDefendNanos;
    private boolean defended;

    /**
     * A stopped client; {@link #start} begins.
     *
     * @param udp the stack's UDP layer ({@code Stack.udp()}); the client binds port 68 on {@code ifc}
     */
    public Dhcp4Client(final UdpLayer udp, final NetInterface ifc, final Dhcp4ClientConfig config,
                       final Listener listener) {
        this.engine = udp.engine();
        this.ifc = Objects.requireNonNull(ifc, "ifc");
        if (ifc.isLoopback()) {
            throw new IllegalArgumentException("DHCP needs an Ethernet interface, not " + ifc.name());
        }
        this.cfg = Objects.requireNonNull(config, "config");
        this.listener = listener;
        this.random = engine.random();
        this.timerClient = engine.timers().register(this);
        this.io = new Dhcp4Io(udp, ifc, Dhcp4Io.CLIENT_PORT, this::onMessage);
        if (config.clientId != null) {
            this.clientId = config.clientId.clone();
        } else {
            // RFC 2132 §9.14: "type 1 (Ethernet) followed by the hardware address", as iothconf and most clients
            final long mac = ifc.mac();
            this.clientId = new byte[7];
            clientId[0] = 1;
            for (int i = 0; i < 6; i++) {
                clientId[1 + i] = (byte) (mac >>> (40 - 8 * i));
            }
        }
        final String f = config.fqdn;
        this.hostName = f == null ? null : f.indexOf('.') < 0 ? f : f.substring(0, f.indexOf('.'));
    }

    // ================================================================ API

    /** Starts: INIT-REBOOT with a {@link Dhcp4ClientConfig.Builder#requestedAddress known address}, else INIT. */
    public void start(final long nowNanos) {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (state != State.STOPPED) {
            throw new IllegalStateException("already started: " + state);
        }
        ifc.setDhcpClientReceive(true);
        if (cfg.requestedAddress != 0) {
            state = State.INIT_REBOOT;
            armAt(nowNanos + initialDelay());
        } else {
            enterInit(nowNanos, initialDelay());
        }
    }

    public State state() {
        return state;
    }

    /** The lease in force (BOUND, RENEWING, REBINDING), or null. */
    public Dhcp4Lease lease() {
        return lease;
    }

    public boolean isBound() {
        return lease != null;
    }

    public NetInterface iface() {
        return ifc;
    }

    public long counter(final Counter c) {
        return counters[c.ordinal()];
    }

    /** Stops, releasing the lease (RFC 2131 §4.4.6) if configured; the address and route are removed. */
    @Override
    public void close() {
        close(engine.lastNow());
    }

    public void close(final long nowNanos) {
        if (closed) {
            return;
        }
        closed = true;
        if (state == State.STOPPED && lease == null) {
            io.close();
            engine.timers().unregister(timerClient); // the stack has few timer client ids: give ours back
            return;
        }
        cancelState();
        engine.timers().cancel(notifyTimer);
        notifyTimer = TimerWheel.NULL_TIMER;
        events.clear();
        final Dhcp4Lease l = lease;
        if (l != null && cfg.releaseOnClose && !engine.isClosed()) {
            // RFC 2131 §4.4.6: "The client ... sends a DHCPRELEASE message to the server"; unicast, ciaddr set
            begin(Dhcp4Repr.RELEASE, nowNanos);
            tx.secs = 0;
            tx.ciaddr = l.address();
            tx.serverId = l.serverId();
            tx.maxMessageSize = 0;
            tx.paramList = null;
            tx.hostName = null;
            tx.fqdnFlags = -1;
            send(l.address(), l.serverId(), Counter.RELEASES_SENT, nowNanos);
        }
        if (l != null) {
            unconfigure(nowNanos);
        }
        ifc.watchArp(0, null);
        ifc.setDhcpClientReceive(false);
        state = State.STOPPED;
        io.close();
        engine.timers().unregister(timerClient);
        if (l != null && listener != null) {
            listener.onLost(this, l, LossReason.RELEASED);
        }
    }

    // ================================================================ timers

    @Override
    public void onTimer(final long value, final long now) {
        if (value == TIMER_NOTIFY) {
            notifyTimer = TimerWheel.NULL_TIMER;
            deliverEvents();
            return;
        }
        stateTimer = TimerWheel.NULL_TIMER;
        switch (state) {
            case INIT:
                startDiscovery(now);
                break;
            case SELECTING:
                attempt++;
                counters[Counter.RETRANSMISSIONS.ordinal()]++;
                sendDiscover(now);
                armRetransmit(now);
                break;
            case REQUESTING:
                if (++attempt > cfg.requestRetries) {
                    startDiscovery(now); // §3.1 step 5: the server never answered: start over
                    break;
                }
                counters[Counter.RETRANSMISSIONS.ordinal()]++;
                sendSelectingRequest(now);
                armRetransmit(now);
                break;
            case INIT_REBOOT:
                startReboot(now);
                break;
            case REBOOTING:
                if (++attempt > cfg.rebootRetries) {
                    startDiscovery(now); // nobody confirms the old address: ask for a new lease (with a hint)
                    break;
                }
                counters[Counter.RETRANSMISSIONS.ordinal()]++;
                sendRebootRequest(now);
                armRetransmit(now);
                break;
            case PROBING:
                probeStep(now);
                break;
            case BOUND:
                startRenewing(now);
                break;
            case RENEWING:
                if (now - lease.rebindAtNanos() >= 0) {
                    startRebinding(now);
                } else {
                    counters[Counter.RETRANSMISSIONS.ordinal()]++;
                    sendRenewRequest(now, false);
                    armRenewRetransmit(now, lease.rebindAtNanos());
                }
                break;
            case REBINDING:
                if (now - lease.expiresAtNanos() >= 0) {
                    expire(now);
                } else {
                    counters[Counter.RETRANSMISSIONS.ordinal()]++;
                    sendRenewRequest(now, true);
                    armRenewRetransmit(now, lease.expiresAtNanos());
                }
                break;
            case DECLINED:
                startDiscovery(now);
                break;
            default:
                break;
        }
    }

    private void armAt(final long deadline) {
        cancelState();
        stateTimer = engine.timers().schedule(timerClient, deadline, TIMER_STATE);
    }

    private void cancelState() {
        engine.timers().cancel(stateTimer);
        stateTimer = TimerWheel.NULL_TIMER;
    }

    /** RFC 2131 §4.1: "delay before the first retransmission SHOULD be 4 seconds randomized by the value of a
     * uniform random number chosen from the range -1 to +1 ... the delay before the next retransmission SHOULD be 8
     * seconds ... up to a maximum of 64 seconds." */
    private void armRetransmit(final long now) {
        armAt(now + backoff(attempt));
    }

    long backoff(final int k) {
        final long base = cfg.retransmitBaseNanos << Math.min(k, 20);
        final long d = Math.min(base <= 0 ? cfg.retransmitMaxNanos : base, cfg.retransmitMaxNanos);
        final long j = cfg.retransmitJitterNanos;
        return j == 0 ? d : d - j + (long) (random.nextDouble() * 2 * j);
    }

    /** RFC 2131 §4.4.5: "the client SHOULD wait one-half of the remaining time until T2 (in RENEWING state) and
     * one-half of the remaining lease time (in REBINDING state), down to a minimum of 60 seconds". */
    private void armRenewRetransmit(final long now, final long until) {
        final long wait = Math.max(cfg.renewMinRetransmitNanos, (until - now) / 2);
        armAt(until - now <= wait ? until : now + wait);
    }

    private long initialDelay() {
        return cfg.initialDelayMaxNanos == 0 ? 0 : (long) (random.nextDouble() * cfg.initialDelayMaxNanos);
    }

    // ================================================================ transitions

    private void enterInit(final long now, final long delay) {
        state = State.INIT;
        candidate = 0;
        candidateServer = 0;
        pending = null;
        ifc.watchArp(0, null);
        ifc.setDhcpClientReceive(true);
        armAt(now + delay);
    }

    private void startDiscovery(final long now) {
        state = State.SELECTING;
        ifc.watchArp(0, null);
        ifc.setDhcpClientReceive(true);
        xid = random.nextInt();
        exchangeStart = now;
        attempt = 0;
        candidate = 0;
        candidateServer = 0;
        sendDiscover(now);
        armRetransmit(now);
    }

    private void startReboot(final long now) {
        state = State.REBOOTING;
        xid = random.nextInt();
        exchangeStart = now;
        attempt = 0;
        candidate = cfg.requestedAddress;
        candidateServer = 0;
        sendRebootRequest(now);
        armRetransmit(now);
    }

    private void startRenewing(final long now) {
        state = State.RENEWING;
        xid = random.nextInt();
        exchangeStart = now;
        attempt = 0;
        sendRenewRequest(now, false);
        armRenewRetransmit(now, lease.rebindAtNanos());
    }

    private void startRebinding(final long now) {
        state = State.REBINDING;
        xid = random.nextInt();
        exchangeStart = now;
        attempt = 0;
        sendRenewRequest(now, true);
        armRenewRetransmit(now, lease.expiresAtNanos());
    }

    /** RFC 2131 §4.4.5: "If the lease expires before the client receives a DHCPACK, the client moves to INIT state,
     * MUST immediately stop any other network processing and requests network initialization parameters". */
    private void expire(final long now) {
        counters[Counter.LEASES_EXPIRED.ordinal()]++;
        final Dhcp4Lease l = lease;
        unconfigure(now);
        post(l, LossReason.EXPIRED, now);
        enterInit(now, 0);
    }

    // ================================================================ sending

    /** Fills the common fields of a client message (RFC 2131 §4.4.1 table 5). */
    private void begin(final int type, final long now) {
        tx.clear();
        tx.op = Dhcp4Packet.OP_BOOTREQUEST;
        tx.xid = xid;
        tx.secs = (int) Math.min(0xffff, Math.max(0, (now - exchangeStart) / SEC));
        tx.flags = cfg.broadcastReplies ? Dhcp4Packet.FLAG_BROADCAST : 0;
        tx.chaddr = ifc.mac();
        tx.messageType = type;
        tx.clientId = clientId;
        tx.maxMessageSize = Math.max(Dhcp4Packet.MIN_MAX_MESSAGE, Math.min(0xffff, ifc.mtu()));
        tx.paramList = PARAMS;
        if (cfg.fqdn != null) {
            tx.hostName = hostName;
            tx.fqdnFlags = Dhcp4Repr.FQDN_S | Dhcp4Repr.FQDN_E;
            tx.fqdn = cfg.fqdn;
        }
    }

    private void sendDiscover(final long now) {
        begin(Dhcp4Repr.DISCOVER, now);
        tx.requestedIp = cfg.requestedAddress; // §4.4.1 table 5: "MAY" suggest an address
        send(0, Ipv4Addr.BROADCAST, Counter.DISCOVERS_SENT, now);
    }

    /** SELECTING: "MUST contain 'server identifier' ... 'requested IP address' MUST be filled in with the yiaddr
     * value from the chosen DHCPOFFER", ciaddr 0, broadcast (§4.3.2). */
    private void sendSelectingRequest(final long now) {
        begin(Dhcp4Repr.REQUEST, now);
        tx.requestedIp = candidate;
        tx.serverId = candidateServer;
        send(0, Ipv4Addr.BROADCAST, Counter.REQUESTS_SENT, now);
    }

    /** INIT-REBOOT: "'server identifier' MUST NOT be filled in, 'requested IP address' option MUST be filled in
     * with client's notion of its previously assigned address. 'ciaddr' MUST be zero", broadcast (§4.3.2). */
    private void sendRebootRequest(final long now) {
        begin(Dhcp4Repr.REQUEST, now);
        tx.requestedIp = candidate;
        send(0, Ipv4Addr.BROADCAST, Counter.REQUESTS_SENT, now);
    }

    /** RENEWING (unicast to the server) / REBINDING (broadcast): "'server identifier' MUST NOT be filled in,
     * 'requested IP address' option MUST NOT be filled in, 'ciaddr' MUST be filled in with client's IP address". */
    private void sendRenewRequest(final long now, final boolean rebinding) {
        begin(Dhcp4Repr.REQUEST, now);
        tx.ciaddr = lease.address();
        tx.flags = 0; // §4.4.5: the server answers ciaddr directly
        send(lease.address(), rebinding ? Ipv4Addr.BROADCAST : lease.serverId(), Counter.REQUESTS_SENT, now);
    }

    /** §4.4.1: "If the client detects that the address is already in use ... the client MUST send a DHCPDECLINE
     * message to the server": requested IP MUST, server identifier MUST, ciaddr 0, broadcast. */
    private void sendDecline(final long now) {
        begin(Dhcp4Repr.DECLINE, now);
        tx.secs = 0;
        tx.requestedIp = candidate;
        tx.serverId = candidateServer;
        tx.maxMessageSize = 0;
        tx.paramList = null;
        tx.hostName = null;
        tx.fqdnFlags = -1;
        send(0, Ipv4Addr.BROADCAST, Counter.DECLINES_SENT, now);
    }

    private void send(final int src, final int dst, final Counter c, final long now) {
        final int r = io.send(tx, src, dst, Dhcp4Io.CLIENT_PORT, Dhcp4Io.SERVER_PORT, now);
        counters[(r == NetError.OK ? c : Counter.SEND_FAILED).ordinal()]++;
    }

    // ================================================================ receiving

    private void onMessage(final ByteBuf b, final DatagramInfo info, final long now) {
        final Dhcp4Packet p = inPkt.wrap(b, b.readerIndex(), b.readableBytes());
        if (!p.checkLen().ok()) {
            drop(Counter.DROP_TRUNCATED);
            return;
        }
        if (p.op() != Dhcp4Packet.OP_BOOTREPLY) {
            drop(Counter.DROP_NOT_REPLY);
            return;
        }
        if (p.magic() != Dhcp4Packet.MAGIC_COOKIE) {
            drop(Counter.DROP_BAD_MAGIC);
            return;
        }
        if (p.xid() != xid || !awaitingReply()) {
            drop(Counter.DROP_WRONG_XID);
            return;
        }
        final WireError e = rx.parse(p);
        if (!e.ok()) {
            drop(e == WireError.UNSUPPORTED ? Counter.DROP_UNSUPPORTED_HW
                    : e == WireError.TRUNCATED ? Counter.DROP_TRUNCATED : Counter.DROP_MALFORMED);
            return;
        }
        if (rx.chaddr != ifc.mac()) {
            drop(Counter.DROP_WRONG_CHADDR);
            return;
        }
        switch (rx.messageType) {
            case Dhcp4Repr.OFFER:
                onOffer(now);
                break;
            case Dhcp4Repr.ACK:
                onAck(now);
                break;
            case Dhcp4Repr.NAK:
                onNak(now);
                break;
            case 0:
                drop(Counter.DROP_NO_MESSAGE_TYPE);
                break;
            default:
                drop(Counter.DROP_UNEXPECTED);
                break;
        }
    }

    private boolean awaitingReply() {
        switch (state) {
            case SELECTING:
            case REQUESTING:
            case REBOOTING:
            case RENEWING:
            case REBINDING:
                return true;
            default:
                return false;
        }
    }

    private void drop(final Counter c) {
        counters[c.ordinal()]++;
    }

    /** §4.4.1: "The client collects DHCPOFFER messages ... [and] chooses one": we take the first acceptable one. */
    private void onOffer(final long now) {
        if (state != State.SELECTING) {
            drop(Counter.DROP_UNEXPECTED);
            return;
        }
        counters[Counter.OFFERS_RECEIVED.ordinal()]++;
        if (!acceptable()) {
            return;
        }
        candidate = rx.yiaddr;
        candidateServer = rx.serverId;
        state = State.REQUESTING;
        attempt = 0;
        sendSelectingRequest(now); // the same xid and secs as the DISCOVER (§4.4.1)
        armRetransmit(now);
    }

    private void onAck(final long now) {
        switch (state) {
            case REQUESTING:
                if (rx.serverId != 0 && rx.serverId != candidateServer || rx.yiaddr != candidate) {
                    drop(Counter.DROP_UNEXPECTED);
                    return;
                }
                break;
            case REBOOTING:
                if (rx.yiaddr != candidate) {
                    drop(Counter.DROP_UNEXPECTED);
                    return;
                }
                break;
            case RENEWING:
                if (rx.serverId != 0 && rx.serverId != lease.serverId()) {
                    drop(Counter.DROP_UNEXPECTED);
                    return;
                }
                break;
            case REBINDING:
                break;
            default:
                drop(Counter.DROP_UNEXPECTED);
                return;
        }
        counters[Counter.ACKS_RECEIVED.ordinal()]++;
        if (!acceptable()) {
            return; // a hostile ACK: keep waiting (the retransmission timer still runs)
        }
        final Dhcp4Lease l = leaseFrom(rx, exchangeStart);
        naks = 0;
        if (state == State.RENEWING || state == State.REBINDING) {
            if (l.address() == lease.address()) {
                extend(l, now);
                return;
            }
            // the server moved us (rebinding to another server): drop the old address, check the new one
            final Dhcp4Lease old = lease;
            unconfigure(now);
            post(old, LossReason.ADDRESS_CHANGED, now);
        }
        candidate = l.address();
        candidateServer = l.serverId();
        pending = l;
        startProbing(now);
    }

    /** §3.1 step 5 / §3.2 step 3: "If the client receives a DHCPNAK message, the client restarts the
     * configuration process". */
    private void onNak(final long now) {
        final int expectedServer;
        switch (state) {
            case REQUESTING:
                expectedServer = candidateServer;
                break;
            case RENEWING:
                expectedServer = lease.serverId();
                break;
            case REBOOTING:
            case REBINDING:
                expectedServer = 0; // any server may refuse
                break;
            default:
                drop(Counter.DROP_UNEXPECTED);
                return;
        }
        if (expectedServer != 0 && rx.serverId != 0 && rx.serverId != expectedServer) {
            drop(Counter.DROP_UNEXPECTED);
            return;
        }
        counters[Counter.NAKS_RECEIVED.ordinal()]++;
        final Dhcp4Lease l = lease;
        if (l != null) {
            unconfigure(now);
            post(l, LossReason.NAK, now);
        }
        naks++;
        // at once the first time; repeated NAKs back off like retransmissions (a broken or hostile server must not
        // make us loop DISCOVER/REQUEST as fast as it answers)
        enterInit(now, naks <= 1 ? 0 : backoff(naks - 2));
    }

    /** Hostile or broken offers and acks are refused (and counted). */
    private boolean acceptable() {
        final int a = rx.yiaddr;
        int len = rx.prefixLength >= 0 ? rx.prefixLength : classfulLength(a);
        if (!isUsableHost(a, len)) {
            drop(Counter.REFUSED_BAD_ADDRESS);
            return false;
        }
        if (rx.leaseTime <= 0) {
            drop(Counter.REFUSED_BAD_LEASE); // RFC 2131 table 3: lease time MUST be in OFFER and ACK; 0 is useless
            return false;
        }
        final int s = rx.serverId;
        if (s == 0 || !isUsableHost(s, 32)) {
            drop(Counter.REFUSED_BAD_SERVER_ID);
            return false;
        }
        return true;
    }

    /** A unicast host address: not 0/8, loopback, multicast, class E or limited broadcast, nor the network or
     * broadcast address of its subnet (RFC 1122 §3.2.1.3; RFC 3021 allows both in a /31). */
    static boolean isUsableHost(final int a, final int prefixLength) {
        if ((a >>> 24) == 0 || Ipv4Addr.isLoopback(a) || Ipv4Addr.isMulticast(a) || (a >>> 28) == 0xf) {
            return false; // 0/8, 127/8, 224/4, 240/4 (class E and 255.255.255.255)
        }
        if (prefixLength < 0 || prefixLength > 30) {
            return true;
        }
        final int host = a & ~Ipv4Addr.mask(prefixLength);
        return host != 0 && host != ~Ipv4Addr.mask(prefixLength);
    }

    /** RFC 2131 §3.3 leaves the mask to the server; without one, the classful length (RFC 791), as dhclient. */
    static int classfulLength(final int a) {
        if ((a >>> 31) == 0) {
            return 8;
        }
        return (a >>> 30) == 2 ? 16 : 24;
    }

    /** The lease an acceptable ACK describes; the lease runs from {@code start} (§4.4.1). T1/T2 default to 0.5 and
     * 0.875 of the lease (§4.4.5) and are kept in order. */
    private Dhcp4Lease leaseFrom(final Dhcp4Repr m, final long start) {
        final long lease = m.leaseTime;
        final int len = m.prefixLength >= 0 ? m.prefixLength : classfulLength(m.yiaddr);
        final int[] routers = java.util.Arrays.copyOf(m.routers, m.routerCount);
        final int[] dns = java.util.Arrays.copyOf(m.dns, m.dnsCount);
        final int mtu = m.mtu >= 68 ? m.mtu : 0; // RFC 2132 §5.1: "minimum legal value for the MTU is 68"
        if (lease == Dhcp4Repr.INFINITE) {
            return new Dhcp4Lease(m.yiaddr, len, m.serverId, routers, dns, m.domainName, m.searchDomains, mtu, lease,
                    start, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE);
        }
        long t1 = m.renewalTime >= 0 && m.renewalTime < lease ? m.renewalTime * SEC : lease * SEC / 2;
        long t2 = m.rebindingTime >= 0 && m.rebindingTime < lease ? m.rebindingTime * SEC : lease * SEC * 7 / 8;
        if (cfg.t1OverrideNanos > 0 && cfg.t1OverrideNanos < lease * SEC) {
            t1 = cfg.t1OverrideNanos;
        }
        if (t2 <= t1) {
            t2 = t1 + (lease * SEC - t1) * 3 / 4;
        }
        return new Dhcp4Lease(m.yiaddr, len, m.serverId, routers, dns, m.domainName, m.searchDomains, mtu, lease,
                start, start + t1, start + t2, start + lease * SEC);
    }

    // ================================================================ ARP check (RFC 5227 §2.1.1) and binding

    private void startProbing(final long now) {
        state = State.PROBING;
        attempt = 0;
        if (cfg.probeCount == 0) {
            bind(now);
            return;
        }
        ifc.watchArp(candidate, this::onArpConflict);
        // "the host should first wait for a random time interval selected uniformly in the range zero to PROBE_WAIT"
        armAt(now + (cfg.probeWaitNanos == 0 ? 0 : (long) (random.nextDouble() * cfg.probeWaitNanos)));
    }

    private void probeStep(final long now) {
        if (attempt < cfg.probeCount) {
            ifc.sendArpProbe(candidate);
            attempt++;
            armAt(now + (attempt < cfg.probeCount ? cfg.probeIntervalNanos : cfg.announceWaitNanos));
            return;
        }
        bind(now); // "If ... no conflicting ARP Reply or ARP Probe has been received, then the host has
                   // successfully claimed the desired IPv4 Address" (§2.1.1)
    }

    private void onArpConflict(final NetInterface i, final int addr, final long senderMac, final long now) {
        if (lease != null && addr == lease.address()) {
            onBoundConflict(now);
            return;
        }
        if (state != State.PROBING || addr != candidate) {
            return;
        }
        counters[Counter.ARP_CONFLICTS.ordinal()]++;
        ifc.watchArp(0, null);
        sendDecline(now);
        pending = null;
        state = State.DECLINED;
        armAt(now + cfg.declineWaitNanos); // §3.1 step 5: "SHOULD wait a minimum of ten seconds"
    }

    /**
     * RFC 5227 §2.4: "If the host has not seen any other conflicting ARP packets recently, within the last
     * DEFEND_INTERVAL seconds, then it MAY elect to attempt to defend its address by recording the time that the
     * conflicting ARP packet was received, and then broadcasting one single ARP Announcement"; "if this is not the
     * first conflicting ARP packet the host has seen, and the time recorded for the previous conflicting ARP packet
     * is recent, within DEFEND_INTERVAL seconds, then the host MUST immediately cease using this address and signal
     * an error to the configuring agent": here DHCPDECLINE (as dhcpcd does) and a new lease after the decline wait.
     */
    private void onBoundConflict(final long now) {
        counters[Counter.ARP_CONFLICTS.ordinal()]++;
        if (!defended || now - lastDefendNanos >= DEFEND_INTERVAL_NANOS) {
            defended = true;
            lastDefendNanos = now;
            counters[Counter.ADDRESS_DEFENDED.ordinal()]++;
            ifc.sendArpAnnouncement(lease.address());
            return;
        }
        counters[Counter.ADDRESS_LOST_TO_CONFLICT.ordinal()]++;
        final Dhcp4Lease l = lease;
        ifc.watchArp(0, null);
        unconfigure(now);
        candidate = l.address();
        candidateServer = l.serverId();
        sendDecline(now);
        post(l, LossReason.CONFLICT, now);
        pending = null;
        state = State.DECLINED;
        ifc.setDhcpClientReceive(true);
        armAt(now + cfg.declineWaitNanos);
    }

    private void bind(final long now) {
        final Dhcp4Lease l = pending;
        pending = null;
        addressAdded = engine.addIpv4(ifc, l.address(), l.prefixLength(), now); // + gratuitous ARP (RFC 5227 §2.3)
        defended = false;
        if (cfg.defendAddress) {
            ifc.watchArpConflicts(l.address(), this::onArpConflict); // RFC 5227 §2.4 from now on
        } else {
            ifc.watchArp(0, null);
        }
        installRoute(l);
        applyMtu(l);
        lease = l;
        state = State.BOUND;
        ifc.setDhcpClientReceive(false);
        post(l, null, now);
        armAt(l.renewAtNanos());
    }

    private void extend(final Dhcp4Lease l, final long now) {
        if (l.router() != lease.router()) {
            removeRoute();
            installRoute(l);
        }
        if (l.mtu() != lease.mtu()) {
            restoreMtu();
            applyMtu(l);
        }
        if (l.prefixLength() != lease.prefixLength() && addressAdded) {
            engine.removeIpv4(ifc, lease.address(), now);
            addressAdded = engine.addIpv4(ifc, l.address(), l.prefixLength(), now);
        }
        lease = l;
        state = State.BOUND;
        postRenewed(l, now);
        armAt(l.renewAtNanos());
    }

    private void installRoute(final Dhcp4Lease l) {
        final int gw = l.router();
        routeAdded = 0;
        if (!cfg.defaultRoute || gw == 0 || !Ipv4Addr.inPrefix(gw, l.address(), l.prefixLength())
                || !isUsableHost(gw, l.prefixLength())) {
            return; // RFC 2132 §3.5 routers "SHOULD be listed in order of preference"; one off-link is ignored
        }
        try {
            final int before = engine.routes().size();
            engine.routes().addRoute4(0, 0, gw, ifc, 0);
            // an identical route configured before the lease is not the lease's: it stays when the lease ends
            routeAdded = engine.routes().size() > before ? gw : 0;
        } catch (IllegalArgumentException e) {
            routeAdded = 0; // e.g. not on-link after all
        }
    }

    /** Only the lease's own route goes: a static default route via another gateway (or interface) stays. */
    private void removeRoute() {
        if (routeAdded != 0) {
            engine.routes().removeRoute4(0, 0, routeAdded, ifc, 0);
            routeAdded = 0;
        }
    }

    /** RFC 2132 §5.1: "The minimum legal value for the MTU is 68"; above the link's frame size it cannot be sent. */
    private void applyMtu(final Dhcp4Lease l) {
        mtuApplied = 0;
        final int m = l.mtu();
        if (!cfg.applyMtu || m == 0 || m == ifc.mtu()) {
            return;
        }
        final int old = ifc.mtu();
        try {
            ifc.setMtu(m); // checks 68 .. the link's maximum, and IPv6's 1280 (RFC 8200 §5)
            mtuBefore = old;
            mtuApplied = m;
        } catch (IllegalArgumentException e) {
            counters[Counter.MTU_REFUSED.ordinal()]++;
        }
    }

    /** Puts back the MTU the lease replaced, unless someone changed it since. */
    private void restoreMtu() {
        if (mtuApplied != 0 && ifc.mtu() == mtuApplied) {
            try {
                ifc.setMtu(mtuBefore);
            } catch (IllegalArgumentException e) {
                // IPv6 turned on meanwhile with a smaller old MTU: keep the lease's
            }
        }
        mtuApplied = 0;
    }

    /** Removes the lease's address and route. */
    private void unconfigure(final long now) {
        final Dhcp4Lease l = lease;
        removeRoute();
        restoreMtu();
        ifc.watchArp(0, null); // the §2.4 watch of the address (a new candidate's probe watch is set after this)
        if (addressAdded && l != null) {
            engine.removeIpv4(ifc, l.address(), now);
        }
        addressAdded = false;
        lease = null;
    }

    // ================================================================ events

    private void post(final Dhcp4Lease l, final LossReason lost, final long now) {
        events.add(new Object[] {l, lost, Boolean.FALSE});
        armNotify(now);
    }

    private void postRenewed(final Dhcp4Lease l, final long now) {
        events.add(new Object[] {l, null, Boolean.TRUE});
        armNotify(now);
    }

    private void armNotify(final long now) {
        if (listener != null && notifyTimer == TimerWheel.NULL_TIMER) {
            notifyTimer = engine.timers().schedule(timerClient, now, TIMER_NOTIFY);
        }
        if (listener == null) {
            events.clear();
        }
    }

    private void deliverEvents() {
        Object[] ev;
        while ((ev = events.poll()) != null) {
            final Dhcp4Lease l = (Dhcp4Lease) ev[0];
            if (ev[1] != null) {
                listener.onLost(this, l, (LossReason) ev[1]);
            } else if ((Boolean) ev[2]) {
                listener.onRenewed(this, l);
            } else {
                listener.onBound(this, l);
            }
        }
    }

    @Override
    public String toString() {
        return "DHCPv4 client " + ifc.name() + " " + state + (lease != null ? " " + lease : "");
    }
}
