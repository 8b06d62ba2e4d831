package io.ioth.tcpip.iface;

import io.ioth.tcpip.storage.TimerWheel;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * The neighbour cache and its reachability state machine, shared by ARP (RFC 826, RFC 1122 §2.3.2.1) and
 * NDP (RFC 4861 §7.2, §7.3).
 *
 * <pre>
 *                 resolve()                    advert(S=1)               ReachableTime elapses
 *   (none) ──────────────────► INCOMPLETE ─────────────────► REACHABLE ─────────────────────► STALE
 *              1 multicast        │  │ advert(S=0) / LLA hint    ▲  ▲                            │ resolve()
 *              solicitation       │  └──────────────────► STALE  │  └─ confirmReachable() ─┐     ▼
 *                                 │ MAX_MULTICAST_SOLICIT        │     advert(S=1)          └── DELAY
 *                                 ▼ unanswered                   │                               │ DELAY_FIRST_PROBE_TIME
 *                    (deleted, queue dropped)                    └──── advert(S=1) ─────── PROBE ◄┘
 *                                                                                           │ MAX_UNICAST_SOLICIT
 *                                                                                           ▼ unanswered: deleted
 * </pre>
 *
 * <p>ARP uses the same machine, as Linux's neighbour subsystem does for both ({@code net/core/neighbour.c}):
 * RFC 1122 §2.3.2.1 asks for a way to detect stale entries ("unicast poll" / reachability hints) and at most one
 * request per second per destination while unresolved; the RETRANS_TIMER pacing gives exactly that.
 *
 * <p><b>Keys</b> are {@code (family, hi, lo)}: IPv4 is {@code (FAMILY_IPV4, 0, address & 0xffffffffL)}, IPv6 is
 * {@code (FAMILY_IPV6, bytes 0..7, bytes 8..15)}. Entries live in parallel arrays indexed from an open-addressing
 * hash table (linear probing, backward-shift deletion, load at most 1/2). The arrays start with room for
 * {@link #INITIAL_ENTRIES} entries and double (table rehashed) when a new entry finds no free one, up to
 * {@code maxEntries}: a host that talks to its gateway and a few neighbours keeps a few hundred bytes, not the
 * worst case (one JVM may run a thousand stacks). Nothing is allocated per lookup, per state change or per queued
 * packet once the arrays have reached the high-water mark of entries (they never shrink); the packet queues are
 * allocated with the first packet queued. When the cache is full ({@code maxEntries}) a new entry evicts, among
 * the 16 least recently used, the first one that is STALE or INCOMPLETE, else the least recently used one (Linux's
 * {@code neigh_forced_gc} also prefers unreferenced, non-permanent entries).
 *
 * <p><b>Queues</b>: each INCOMPLETE entry holds up to {@code queueLimit} packets (RFC 4861 §7.2.2: "at least one";
 * "the new arrival SHOULD replace the oldest entry"; RFC 1122 §2.3.2.2: save "at least one (the latest)").
 * Packets are opaque objects of type {@code P} (typically a {@code ByteBuf} holding an IP datagram); the cache
 * owns a queued packet until it hands it back through {@link Owner#deliverQueued} or {@link Owner#dropQueued}.
 *
 * <p><b>Time</b> is always an argument; the cache never reads a clock. Timers (retransmission, DELAY, PROBE) live in
 * an internal {@link TimerWheel}; call {@link #poll(long)} when {@link #nextDeadline()} has passed. REACHABLE
 * expiry needs no timer: it is evaluated lazily when the entry is next used.
 *
 * <p><b>Note:</b> Not threadsafe: one cache belongs to one event-loop thread. Owner callbacks may call back into
 * the cache (e.g. send another packet); the cache is consistent whenever it calls out.
 *
 * @param <P> the type of a packet waiting for resolution
 */
public final class NeighborCache<P> {

    public static final int FAMILY_IPV4 = 4;
    public static final int FAMILY_IPV6 = 6;
    /** "No link-layer address": returned by {@link #resolve} while unresolved, and means broadcast/multicast in
     * {@link Owner#sendSolicitation}; also passed to {@link #onAdvertisement} when the NA had no TLLA option. */
    public static final long NO_MAC = -1L;

    // RFC 4861 §10 protocol constants (ARP: Linux's defaults for arp_tbl are the same values).
    public static final int MAX_MULTICAST_SOLICIT = 3;
    public static final int MAX_UNICAST_SOLICIT = 3;
    public static final long RETRANS_TIMER_NANOS = 1_000_000_000L;
    public static final long REACHABLE_TIME_NANOS = 30_000_000_000L;
    public static final long DELAY_FIRST_PROBE_TIME_NANOS = 5_000_000_000L;
    public static final double MIN_RANDOM_FACTOR = 0.5;
    public static final double MAX_RANDOM_FACTOR = 1.5;
    /** RFC 4861 §6.3.4: ReachableTime "should be re-computed at least every few hours". */
    public static final long REACHABLE_RECOMPUTE_NANOS = 2L * 3600 * 1_000_000_000L;

    /** Expiries handled per {@link #poll} call (bounded work, style.md §3.4). */
    public static final int POLL_LIMIT = 64;
    /** Entries allocated at construction (fewer if {@code maxEntries} is smaller); grown by doubling. */
    public static final int INITIAL_ENTRIES = 8;
    private static final int EVICT_SCAN = 16;

    /** Neighbour Unreachability Detection states, RFC 4861 §7.3.2. */
    public enum State { INCOMPLETE, REACHABLE, STALE, DELAY, PROBE }

    /** Per-reason counters; the {@code QUEUE_DROP_*} values are also the reason given to {@link Owner#dropQueued}. */
    public enum Counter {
        /** A new INCOMPLETE entry was created to resolve an address. */
        RESOLUTION_STARTED,
        /** Broadcast ARP request / multicast NS sent. */
        SOLICIT_MULTICAST,
        /** Unicast ARP request / NS sent (PROBE). */
        SOLICIT_UNICAST,
        /** An INCOMPLETE entry got a link-layer address. */
        RESOLVED,
        /** MAX_MULTICAST_SOLICIT solicitations unanswered: entry deleted (RFC 4861 §7.2.2). */
        RESOLUTION_FAILED,
        /** MAX_UNICAST_SOLICIT probes unanswered: entry deleted (RFC 4861 §7.3.3). */
        PROBE_FAILED,
        /** A packet was queued on an INCOMPLETE entry. */
        QUEUED,
        /** Queued packets handed back after resolution. */
        QUEUE_DELIVERED,
        /** Oldest queued packet replaced by a newer one (RFC 4861 §7.2.2). */
        QUEUE_DROP_OVERFLOW,
        /** Queued packet dropped because resolution failed (owner may send ICMP address unreachable). */
        QUEUE_DROP_FAILED,
        /** Queued packet dropped because its entry was evicted to make room. */
        QUEUE_DROP_EVICTED,
        /** Queued packet dropped by {@link #remove} / {@link #clear}. */
        QUEUE_DROP_FLUSHED,
        /** An entry was evicted because the cache was full. */
        EVICTED,
        /** Upper-layer reachability confirmation applied (RFC 4861 §7.3.1). */
        CONFIRMED,
        /** Confirmation for an unknown or INCOMPLETE entry, ignored. */
        CONFIRM_IGNORED,
        /** Entry created in STALE from a solicitation's source LLA / ARP request (RFC 4861 §7.2.3, RFC 826). */
        CREATED_STALE,
        /** A cached link-layer address was replaced. */
        LLADDR_CHANGED,
        /** Advertisement for an address with no entry: discarded (RFC 4861 §7.2.5). */
        ADVERT_NO_ENTRY,
        /** Advertisement without TLLA for an INCOMPLETE entry: discarded (RFC 4861 §7.2.5). */
        ADVERT_NO_LLADDR,
        /** Advertisement with O=0 and a different address: not applied (RFC 4861 §7.2.5). */
        ADVERT_NO_OVERRIDE,
        /** Unsolicited link-layer address (gratuitous ARP) for an address with no entry: not created. */
        UNSOLICITED_NO_ENTRY,
    }

    /** What the cache asks its owner (the ARP or NDP layer of one interface) to do. */
    public interface Owner<P> {
        /**
         * Transmit an ARP request / Neighbor Solicitation for {@code (family, hi, lo)}.
         *
         * @param unicastMac {@link #NO_MAC}: broadcast (ARP) or the solicited-node multicast group (NDP);
         *                   otherwise a unicast probe to this cached address (PROBE state)
         */
        void sendSolicitation(int family, long hi, long lo, long unicastMac, long nowNanos);

        /** Resolution succeeded: transmit a packet that was queued, to {@code mac}. Ownership passes back. */
        void deliverQueued(int family, long hi, long lo, long mac, P packet);

        /** A queued packet is dropped for {@code reason} (one of the {@code QUEUE_DROP_*}); release it. */
        void dropQueued(int family, long hi, long lo, P packet, Counter reason);
    }

    private final Owner<P> owner;
    private final RandomGenerator random;
    private final int maxEntries;
    private final int queueLimit;

    // hash table: entry index + 1, 0 = empty; at least twice the entries allocated (load <= 1/2)
    private int[] table;
    private int tableMask;

    // entries: parallel arrays of the same length (the entries allocated), grown by doubling up to maxEntries.
    // Callbacks may grow them: code never keeps one of these arrays in a local across a call out.
    private byte[] family;
    private long[] keyHi;
    private long[] keyLo;
    private int[] hash;
    private long[] mac;
    private byte[] state;
    private long[] reachableUntil;
    private long[] timer;
    private byte[] solicits;
    private int[] gen;
    private int[] lruPrev;
    private int[] lruNext;
    /** queueLimit slots per entry (entry-major), allocated with the first queued packet; null before. */
    private Object[] queue;
    private byte[] qHead;
    private byte[] qCount;
    private int lruHead = NONE;
    private int lruTail = NONE;
    private int freeHead;
    private int size;

    private final TimerWheel wheel;
    private final TimerWheel.ExpiryHandler onTimer = this::onTimer;
    private final long[] counters = new long[Counter.values().length];
    private static final State[] STATES = State.values();
    private static final byte INCOMPLETE = 0, REACHABLE = 1, STALE = 2, DELAY = 3, PROBE = 4, FREE = -1;
    private static final int NONE = -1;

    private long baseReachableTime = REACHABLE_TIME_NANOS;
    private long reachableTime;
    private long reachableRecomputeAt;
    private long retransTimer = RETRANS_TIMER_NANOS;
    private long delayFirstProbeTime = DELAY_FIRST_PROBE_TIME_NANOS;
    private int maxMulticastSolicit = MAX_MULTICAST_SOLICIT;
    private int maxUnicastSolicit = MAX_UNICAST_SOLICIT;

    /**
     * @param owner       receives solicitations to send and queued packets
     * @param maxEntries  hard cap on entries (memory grows on demand up to this many)
     * @param queueLimit  packets held per INCOMPLETE entry (1..127; RFC 4861 §7.2.2 "at least one")
     * @param random      seeded source for ReachableTime randomisation (RFC 4861 §6.3.2)
     * @param nowNanos    current time (origin of the internal timer wheel)
     */
    public NeighborCache(final Owner<P> owner, final int maxEntries, final int queueLimit,
                         final RandomGenerator random, final long nowNanos) {
        if (maxEntries < 1 || maxEntries > (1 << 28)) {
            throw new IllegalArgumentException("maxEntries out of range: " + maxEntries);
        }
        if (queueLimit < 1 || queueLimit > 127) {
            throw new IllegalArgumentException("queueLimit must be 1..127: " + queueLimit);
        }
        this.owner = owner;
        this.random = random;
        this.maxEntries = maxEntries;
        this.queueLimit = queueLimit;
        final int n = Math.min(maxEntries, INITIAL_ENTRIES);
        this.table = new int[tableSizeFor(n)];
        this.tableMask = table.length - 1;
        this.family = new byte[n];
        this.keyHi = new long[n];
        this.keyLo = new long[n];
        this.hash = new int[n];
        this.mac = new long[n];
        this.state = new byte[n];
        this.reachableUntil = new long[n];
        this.timer = new long[n];
        this.solicits = new byte[n];
        this.gen = new int[n];
        this.lruPrev = new int[n];
        this.lruNext = new int[n];
        this.qHead = new byte[n];
        this.qCount = new byte[n];
        Arrays.fill(state, FREE);
        this.freeHead = threadFreeList(0, n);
        // ~1 ms ticks, up to 4096 spokes (~4.3 s per revolution): RETRANS_TIMER and DELAY fit in one or two
        // revolutions. The wheel starts small and grows with the timers (one per unresolved or probed entry).
        this.wheel = new TimerWheel(nowNanos, 1L << 20, 4096, 4);
        recomputeReachableTime(nowNanos);
    }

    /** Smallest power of two >= 2 * entries (load <= 1/2), at least 2. */
    private static int tableSizeFor(final int entries) {
        return Math.max(2, Integer.highestOneBit(entries * 2 - 1) << 1);
    }

    /** Threads entries {@code [from, to)} into a free list through lruNext. @return its head */
    private int threadFreeList(final int from, final int to) {
        for (int i = from; i < to; i++) {
            lruNext[i] = i + 1 < to ? i + 1 : NONE;
        }
        return from < to ? from : NONE;
    }

    /**
     * Doubles the entries (up to maxEntries) and rehashes the table. Called only when every allocated entry is in
     * use, from {@link #allocate}, before the new entry is touched.
     */
    private void grow() {
        final int old = family.length;
        final int n = (int) Math.min(maxEntries, 2L * old);
        family = Arrays.copyOf(family, n);
        keyHi = Arrays.copyOf(keyHi, n);
        keyLo = Arrays.copyOf(keyLo, n);
        hash = Arrays.copyOf(hash, n);
        mac = Arrays.copyOf(mac, n);
        state = Arrays.copyOf(state, n);
        Arrays.fill(state, old, n, FREE);
        reachableUntil = Arrays.copyOf(reachableUntil, n);
        timer = Arrays.copyOf(timer, n);
        solicits = Arrays.copyOf(solicits, n);
        gen = Arrays.copyOf(gen, n);
        lruPrev = Arrays.copyOf(lruPrev, n);
        lruNext = Arrays.copyOf(lruNext, n);
        qHead = Arrays.copyOf(qHead, n);
        qCount = Arrays.copyOf(qCount, n);
        if (queue != null) {
            queue = Arrays.copyOf(queue, n * queueLimit);
        }
        freeHead = threadFreeList(old, n);
        final int tableSize = tableSizeFor(n);
        if (tableSize != table.length) {
            table = new int[tableSize];
            tableMask = tableSize - 1;
            for (int e = 0; e < old; e++) {
                if (state[e] != FREE) {
                    int i = hash[e] & tableMask;
                    while (table[i] != 0) {
                        i = (i + 1) & tableMask;
                    }
                    table[i] = e + 1;
                }
            }
        }
    }

    /** A cache with the RFC defaults: 1024 entries, 3 queued packets per entry. */
    public NeighborCache(final Owner<P> owner, final RandomGenerator random, final long nowNanos) {
        this(owner, 1024, 3, random, nowNanos);
    }

    // ---------------------------------------------------------------- configuration (RFC 4861 §6.3.2, §10)

    /** BaseReachableTime (e.g. from a Router Advertisement); ReachableTime is re-drawn at once (§6.3.4). */
    public void setBaseReachableTime(final long nanos, final long nowNanos) {
        if (nanos <= 0) {
            throw new IllegalArgumentException("BaseReachableTime must be > 0: " + nanos);
        }
        baseReachableTime = nanos;
        recomputeReachableTime(nowNanos);
    }

    /** RetransTimer (e.g. from a Router Advertisement). */
    public void setRetransTimer(final long nanos) {
        if (nanos <= 0) {
            throw new IllegalArgumentException("RetransTimer must be > 0: " + nanos);
        }
        retransTimer = nanos;
    }

    public void setDelayFirstProbeTime(final long nanos) {
        if (nanos <= 0) {
            throw new IllegalArgumentException("DELAY_FIRST_PROBE_TIME must be > 0: " + nanos);
        }
        delayFirstProbeTime = nanos;
    }

    public void setMaxSolicit(final int multicast, final int unicast) {
        if (multicast < 1 || multicast > 100 || unicast < 1 || unicast > 100) {
            throw new IllegalArgumentException("solicit counts must be 1..100: " + multicast + ", " + unicast);
        }
        maxMulticastSolicit = multicast;
        maxUnicastSolicit = unicast;
    }

    /** The current randomised ReachableTime in nanoseconds. */
    public long reachableTime() {
        return reachableTime;
    }

    private void recomputeReachableTime(final long nowNanos) {
        // RFC 4861 §6.3.2: "a uniformly distributed random value between MIN_RANDOM_FACTOR and MAX_RANDOM_FACTOR
        // times the BaseReachableTime".
        reachableTime = (long) (baseReachableTime * random.nextDouble(MIN_RANDOM_FACTOR, MAX_RANDOM_FACTOR));
        reachableRecomputeAt = nowNanos + REACHABLE_RECOMPUTE_NANOS;
    }

    private long reachableTime(final long nowNanos) {
        if (nowNanos - reachableRecomputeAt >= 0) {
            recomputeReachableTime(nowNanos);
        }
        return reachableTime;
    }

    // ---------------------------------------------------------------- sending

    /**
     * Looks up the link-layer address to send to, for the IP-layer next hop {@code (family, hi, lo)}.
     *
     * <ul>
     *   <li>Known (REACHABLE, STALE, DELAY, PROBE): returns the address; the caller keeps {@code packet} and sends
     *       it. A STALE entry moves to DELAY (RFC 4861 §7.3.3: "The first time a node sends a packet to a neighbor
     *       whose entry is STALE, the sender changes the state to DELAY").</li>
     *   <li>Unknown: creates an INCOMPLETE entry, sends the first multicast solicitation and queues {@code packet}
     *       (RFC 4861 §7.2.2); returns {@link #NO_MAC}. The cache now owns {@code packet}.</li>
     *   <li>INCOMPLETE: queues {@code packet} (replacing the oldest when full) without sending anything: RFC 1122
     *       §2.3.2.1's flood limit, solicitations stay paced by RetransTimer; returns {@link #NO_MAC}.</li>
     * </ul>
     *
     * @param packet may be {@code null} to resolve without queueing anything
     */
    public long resolve(final int family, final long hi, final long lo, final P packet, final long nowNanos) {
        int e = find(family, hi, lo);
        if (e != NONE) {
            touch(e);
            switch (effectiveState(e, nowNanos)) {
                case REACHABLE:
                case DELAY:
                case PROBE:
                    return mac[e];
                case STALE:
                    state[e] = DELAY;
                    setTimer(e, nowNanos + delayFirstProbeTime);
                    return mac[e];
                default: // INCOMPLETE
                    if (packet != null) {
                        enqueue(e, packet);
                    }
                    return NO_MAC;
            }
        }
        e = allocate(family, hi, lo, nowNanos);
        state[e] = INCOMPLETE;
        mac[e] = NO_MAC;
        solicits[e] = 1;
        bump(Counter.RESOLUTION_STARTED);
        setTimer(e, nowNanos + retransTimer);
        if (packet != null) {
            enqueue(e, packet);
        }
        bump(Counter.SOLICIT_MULTICAST);
        owner.sendSolicitation(family, hi, lo, NO_MAC, nowNanos);
        return NO_MAC;
    }

    /** {@link #resolve} for an IPv4 next hop. */
    public long resolve4(final int address, final P packet, final long nowNanos) {
        return resolve(FAMILY_IPV4, 0L, address & 0xffff_ffffL, packet, nowNanos);
    }

    /** {@link #resolve} for an IPv6 next hop. */
    public long resolve6(final long hi, final long lo, final P packet, final long nowNanos) {
        return resolve(FAMILY_IPV6, hi, lo, packet, nowNanos);
    }

    // ---------------------------------------------------------------- receiving

    /**
     * Upper-layer reachability confirmation (RFC 4861 §7.3.1), e.g. TCP saw new data acknowledged: "positive
     * confirmation that the forward path to the neighbor is working". Any known entry becomes REACHABLE
     * (Appendix C); unknown and INCOMPLETE entries are ignored. Cheap enough to call on every advancing ACK.
     */
    public void confirmReachable(final int family, final long hi, final long lo, final long nowNanos) {
        final int e = find(family, hi, lo);
        if (e == NONE || state[e] == INCOMPLETE) {
            bump(Counter.CONFIRM_IGNORED);
            return;
        }
        bump(Counter.CONFIRMED);
        touch(e);
        setReachable(e, nowNanos);
    }

    /**
     * A Neighbor Advertisement (or an ARP reply addressed to us) for {@code (family, hi, lo)}, following RFC 4861
     * §7.2.5.
     *
     * @param lladdr    the Target Link-Layer Address option, or {@link #NO_MAC} if absent
     * @param solicited the S flag (ARP: a unicast reply to us)
     * @param override  the O flag (ARP: always set)
     */
    public void onAdvertisement(final int family, final long hi, final long lo, final long lladdr,
                                final boolean solicited, final boolean override, final long nowNanos) {
        final int e = find(family, hi, lo);
        if (e == NONE) {
            // §7.2.5: "If no entry exists, the advertisement SHOULD be silently discarded. There is no need to
            // create an entry if none exists".
            bump(Counter.ADVERT_NO_ENTRY);
            return;
        }
        final byte st = effectiveState(e, nowNanos);
        if (st == INCOMPLETE) {
            if (lladdr == NO_MAC) {
                // §7.2.5: "If the target's Neighbor Cache entry is in the INCOMPLETE state when the advertisement
                // is received ... If the link layer has addresses and no Target Link-Layer Address option is
                // included, the receiving node SHOULD silently discard the received advertisement."
                bump(Counter.ADVERT_NO_LLADDR);
                return;
            }
            // "... record the link-layer address in the Neighbor Cache entry ... If the advertisement's Solicited
            // flag is set, the state of the entry is set to REACHABLE; otherwise, it is set to STALE."
            mac[e] = lladdr;
            touch(e);
            if (solicited) {
                setReachable(e, nowNanos);
            } else {
                setStale(e);
            }
            bump(Counter.RESOLVED);
            deliverQueue(e);
            return;
        }
        final boolean differs = lladdr != NO_MAC && lladdr != mac[e];
        if (!override && differs) {
            // §7.2.5: "If the Override flag is clear and the supplied link-layer address differs from that in the
            // cache, then one of two actions takes place: a. If the state of the entry is REACHABLE, set it to
            // STALE, but do not update the entry in any other way. b. Otherwise, the received advertisement should
            // be ignored and MUST NOT update the cache."
            if (st == REACHABLE) {
                setStale(e);
            }
            bump(Counter.ADVERT_NO_OVERRIDE);
            return;
        }
        // "If the Override flag is set, or the supplied link-layer address is the same as that in the cache, or
        // no Target Link-Layer Address option was supplied, the received advertisement MUST update the Neighbor
        // Cache entry as follows: ..."
        touch(e);
        if (differs) {
            mac[e] = lladdr;
            bump(Counter.LLADDR_CHANGED);
        }
        if (solicited) {
            setReachable(e, nowNanos);
        } else if (differs) {
            setStale(e);
        }
        // otherwise: "the entry's state remains unchanged"
    }

    /**
     * A link-layer address learned from a packet that is not an advertisement: the Source Link-Layer Address
     * option of a Neighbor Solicitation / Router Solicitation / Router Advertisement (RFC 4861 §7.2.3, §6.2.6,
     * §6.3.4), or the sender of an ARP packet (RFC 826 "merge").
     *
     * <p>No entry: created in STALE if {@code create} (RFC 4861 §7.2.3 "If an entry does not already exist, the
     * node SHOULD create a new one and set its reachability state to STALE"), else ignored. INCOMPLETE: the address
     * is recorded, the entry becomes STALE and its queue is sent. Known with a different address: replaced, STALE.
     * Same address: unchanged.
     */
    public void onLinkLayerAddress(final int family, final long hi, final long lo, final long lladdr,
                                   final boolean create, final long nowNanos) {
        if (lladdr == NO_MAC) {
            return;
        }
        int e = find(family, hi, lo);
        if (e == NONE) {
            if (!create) {
                bump(Counter.UNSOLICITED_NO_ENTRY);
                return;
            }
            e = allocate(family, hi, lo, nowNanos);
            mac[e] = lladdr;
            state[e] = STALE;
            bump(Counter.CREATED_STALE);
            return;
        }
        touch(e);
        if (state[e] == INCOMPLETE) {
            mac[e] = lladdr;
            setStale(e);
            bump(Counter.RESOLVED);
            deliverQueue(e);
        } else if (mac[e] != lladdr) {
            // §7.2.3: "If an entry already exists, and the cached link-layer address differs from the one in the
            // received Source Link-Layer option, the cached address should be replaced by the received address,
            // and the entry's reachability state MUST be set to STALE."
            mac[e] = lladdr;
            bump(Counter.LLADDR_CHANGED);
            setStale(e);
        }
    }

    /**
     * An ARP packet (RFC 826 "Packet Reception") from {@code senderIp}/{@code senderMac}.
     *
     * <ul>
     *   <li>Reply addressed to us: like a solicited NA with override (the pending request is answered,
     *       REACHABLE); with no entry it is ignored, as Linux does with {@code arp_accept=0}.</li>
     *   <li>Request whose target is one of our addresses: "Am I the target protocol address? Yes: If Merge_flag
     *       is false, add the triplet" (creates STALE, like Linux's {@code neigh_event_ns}).</li>
     *   <li>Anything else (gratuitous ARP, requests for others): merge only: update an existing entry.</li>
     * </ul>
     */
    public void onArp(final int senderIp, final long senderMac, final boolean isReply, final boolean targetIsUs,
                      final long nowNanos) {
        final long lo = senderIp & 0xffff_ffffL;
        if (isReply && targetIsUs) {
            onAdvertisement(FAMILY_IPV4, 0L, lo, senderMac, true, true, nowNanos);
        } else {
            onLinkLayerAddress(FAMILY_IPV4, 0L, lo, senderMac, targetIsUs && !isReply, nowNanos);
        }
    }

    /** Deletes an entry (address removed, route flushed); its queued packets are dropped as QUEUE_DROP_FLUSHED. */
    public boolean remove(final int family, final long hi, final long lo) {
        final int e = find(family, hi, lo);
        if (e == NONE) {
            return false;
        }
        removeEntry(e, Counter.QUEUE_DROP_FLUSHED);
        return true;
    }

    /** Deletes every entry (interface down). */
    public void clear() {
        while (lruHead != NONE) {
            removeEntry(lruHead, Counter.QUEUE_DROP_FLUSHED);
        }
    }

    // ---------------------------------------------------------------- time

    /** The earliest time {@link #poll} has work, or {@link TimerWheel#NO_DEADLINE}. */
    public long nextDeadline() {
        return wheel.nextDeadline();
    }

    /**
     * Runs due retransmissions and state timeouts, at most {@link #POLL_LIMIT} of them; call again while
     * {@link #nextDeadline()} is not after {@code nowNanos}.
     *
     * @return timers handled
     */
    public int poll(final long nowNanos) {
        return wheel.poll(nowNanos, onTimer, POLL_LIMIT);
    }

    private boolean onTimer(final long timerId, final long cookie, final long nowNanos) {
        final int e = (int) cookie;
        if (timer[e] != timerId) {
            return true; // stale: the entry moved on (cannot normally happen: timers are cancelled on change)
        }
        timer[e] = TimerWheel.NULL_TIMER;
        final int fam = family[e];
        final long hi = keyHi[e];
        final long lo = keyLo[e];
        switch (state[e]) {
            case INCOMPLETE:
                if (solicits[e] < maxMulticastSolicit) {
                    // §7.2.2: "retransmit the Neighbor Solicitation message approximately every RetransTimer
                    // milliseconds".
                    solicits[e]++;
                    setTimer(e, nowNanos + retransTimer);
                    bump(Counter.SOLICIT_MULTICAST);
                    owner.sendSolicitation(fam, hi, lo, NO_MAC, nowNanos);
                } else {
                    // §7.2.2: "If no Neighbor Advertisement is received after MAX_MULTICAST_SOLICIT solicitations,
                    // address resolution has failed. The sender MUST return ICMP destination unreachable
                    // indications with code 3 (Address Unreachable) for each packet queued" -- the owner does
                    // that in dropQueued(..., QUEUE_DROP_FAILED).
                    bump(Counter.RESOLUTION_FAILED);
                    removeEntry(e, Counter.QUEUE_DROP_FAILED);
                }
                break;
            case DELAY:
                // §7.3.3: "If the entry is still in the DELAY state when the timer expires, the entry's state
                // changes to PROBE."
                state[e] = PROBE;
                solicits[e] = 1;
                setTimer(e, nowNanos + retransTimer);
                bump(Counter.SOLICIT_UNICAST);
                owner.sendSolicitation(fam, hi, lo, mac[e], nowNanos);
                break;
            case PROBE:
                if (solicits[e] < maxUnicastSolicit) {
                    solicits[e]++;
                    setTimer(e, nowNanos + retransTimer);
                    bump(Counter.SOLICIT_UNICAST);
                    owner.sendSolicitation(fam, hi, lo, mac[e], nowNanos);
                } else {
                    // §7.3.3: "If no response is received after waiting RetransTimer milliseconds after sending
                    // the MAX_UNICAST_SOLICIT solicitations, retransmissions cease and the entry SHOULD be deleted."
                    bump(Counter.PROBE_FAILED);
                    removeEntry(e, Counter.QUEUE_DROP_FAILED);
                }
                break;
            default:
                break;
        }
        return true;
    }

    // ---------------------------------------------------------------- queries (tests, diagnostics, CLI)

    /** The entry's state at {@code nowNanos}, or {@code null} if there is none. Does not change the entry. */
    public State state(final int family, final long hi, final long lo, final long nowNanos) {
        final int e = find(family, hi, lo);
        if (e == NONE) {
            return null;
        }
        final byte st = state[e] == REACHABLE && nowNanos - reachableUntil[e] >= 0 ? STALE : state[e];
        return STATES[st];
    }

    /** The cached link-layer address, or {@link #NO_MAC} if there is no entry or it is INCOMPLETE. */
    public long lladdr(final int family, final long hi, final long lo) {
        final int e = find(family, hi, lo);
        return e == NONE ? NO_MAC : mac[e];
    }

    /** Packets queued on the entry (0 if none). */
    public int queued(final int family, final long hi, final long lo) {
        final int e = find(family, hi, lo);
        return e == NONE ? 0 : qCount[e];
    }

    public int size() {
        return size;
    }

    public int maxEntries() {
        return maxEntries;
    }

    /** Entries allocated so far (grows by doubling up to {@link #maxEntries()}, never shrinks). */
    public int capacity() {
        return family.length;
    }

    public int queueLimit() {
        return queueLimit;
    }

    public long count(final Counter c) {
        return counters[c.ordinal()];
    }

    // ---------------------------------------------------------------- state helpers

    private byte effectiveState(final int e, final long nowNanos) {
        // REACHABLE expires lazily: §7.3.3 "When ReachableTime milliseconds have passed since receipt of the last
        // reachability confirmation for a neighbor, the Neighbor Cache entry's state changes from REACHABLE to
        // STALE."
        if (state[e] == REACHABLE && nowNanos - reachableUntil[e] >= 0) {
            state[e] = STALE;
        }
        return state[e];
    }

    private void setReachable(final int e, final long nowNanos) {
        cancelTimer(e);
        state[e] = REACHABLE;
        reachableUntil[e] = nowNanos + reachableTime(nowNanos);
    }

    private void setStale(final int e) {
        cancelTimer(e);
        state[e] = STALE;
    }

    private void setTimer(final int e, final long deadline) {
        cancelTimer(e);
        timer[e] = wheel.schedule(deadline, e);
    }

    private void cancelTimer(final int e) {
        if (timer[e] != TimerWheel.NULL_TIMER) {
            wheel.cancel(timer[e]);
            timer[e] = TimerWheel.NULL_TIMER;
        }
    }

    private void bump(final Counter c) {
        counters[c.ordinal()]++;
    }

    // ---------------------------------------------------------------- queue

    private void enqueue(final int e, final P packet) {
        if (queue == null) {
            queue = new Object[family.length * queueLimit];
        }
        final int base = e * queueLimit;
        bump(Counter.QUEUED);
        if (qCount[e] == queueLimit) {
            // §7.2.2: "When a queue overflows, the new arrival SHOULD replace the oldest entry."
            final int head = qHead[e];
            @SuppressWarnings("unchecked")
            final P oldest = (P) queue[base + head];
            queue[base + head] = packet; // the ring is full: the oldest slot becomes the newest
            qHead[e] = (byte) (head + 1 == queueLimit ? 0 : head + 1);
            bump(Counter.QUEUE_DROP_OVERFLOW);
            owner.dropQueued(family[e], keyHi[e], keyLo[e], oldest, Counter.QUEUE_DROP_OVERFLOW);
            return;
        }
        int tail = qHead[e] + qCount[e];
        if (tail >= queueLimit) {
            tail -= queueLimit;
        }
        queue[base + tail] = packet;
        qCount[e]++;
    }

    @SuppressWarnings("unchecked")
    private P dequeue(final int e) {
        final int i = e * queueLimit + qHead[e];
        final P p = (P) queue[i];
        queue[i] = null;
        qHead[e] = (byte) (qHead[e] + 1 == queueLimit ? 0 : qHead[e] + 1);
        qCount[e]--;
        return p;
    }

    private void deliverQueue(final int e) {
        final int g = gen[e];
        final int fam = family[e];
        final long hi = keyHi[e];
        final long lo = keyLo[e];
        // One at a time, re-checking the entry: a callback may send more (appending nothing: the entry is
        // resolved) or even evict this entry, which then drops the rest itself.
        while (gen[e] == g && qCount[e] > 0 && state[e] != INCOMPLETE) {
            final P p = dequeue(e);
            bump(Counter.QUEUE_DELIVERED);
            owner.deliverQueued(fam, hi, lo, mac[e], p);
        }
    }

    // ---------------------------------------------------------------- entries, table, LRU

    private static int hashOf(final int family, final long hi, final long lo) {
        // murmur3 fmix64 over the mixed key
        long h = hi * 0x9E37_79B9_7F4A_7C15L ^ lo ^ ((long) family << 59);
        h ^= h >>> 33;
        h *= 0xff51_afd7_ed55_8ccdL;
        h ^= h >>> 33;
        h *= 0xc4ce_b9fe_1a85_ec53L;
        h ^= h >>> 33;
        return (int) h;
    }

    private int find(final int fam, final long hi, final long lo) {
        int i = hashOf(fam, hi, lo) & tableMask;
        while (true) {
            final int v = table[i];
            if (v == 0) {
                return NONE;
            }
            final int e = v - 1;
            if (keyLo[e] == lo && keyHi[e] == hi && family[e] == fam) {
                return e;
            }
            i = (i + 1) & tableMask;
        }
    }

    private int allocate(final int fam, final long hi, final long lo, final long nowNanos) {
        if (freeHead == NONE) {
            if (family.length < maxEntries) {
                grow();
            } else {
                evictOne();
            }
        }
        final int e = freeHead;
        freeHead = lruNext[e];
        family[e] = (byte) fam;
        keyHi[e] = hi;
        keyLo[e] = lo;
        final int h = hashOf(fam, hi, lo);
        hash[e] = h;
        mac[e] = NO_MAC;
        timer[e] = TimerWheel.NULL_TIMER;
        solicits[e] = 0;
        qHead[e] = 0;
        qCount[e] = 0;
        state[e] = STALE; // callers set the real state before calling out
        int i = h & tableMask;
        while (table[i] != 0) {
            i = (i + 1) & tableMask;
        }
        table[i] = e + 1;
        // LRU: insert at head (most recent)
        lruPrev[e] = NONE;
        lruNext[e] = lruHead;
        if (lruHead != NONE) {
            lruPrev[lruHead] = e;
        }
        lruHead = e;
        if (lruTail == NONE) {
            lruTail = e;
        }
        size++;
        return e;
    }

    private void evictOne() {
        int victim = lruTail;
        int e = lruTail;
        for (int n = 0; n < EVICT_SCAN && e != NONE; n++, e = lruPrev[e]) {
            final byte st = state[e];
            if (st == STALE || st == INCOMPLETE) {
                victim = e;
                break;
            }
        }
        bump(Counter.EVICTED);
        removeEntry(victim, Counter.QUEUE_DROP_EVICTED);
    }

    private void touch(final int e) {
        if (lruHead == e) {
            return;
        }
        // unlink
        final int p = lruPrev[e];
        final int n = lruNext[e];
        lruNext[p] = n; // p != NONE since e is not the head
        if (n != NONE) {
            lruPrev[n] = p;
        } else {
            lruTail = p;
        }
        // push front
        lruPrev[e] = NONE;
        lruNext[e] = lruHead;
        lruPrev[lruHead] = e;
        lruHead = e;
    }

    /**
     * Detaches the entry (table, LRU, timer) first so callbacks cannot reach it, then drops its queue, then frees
     * it.
     */
    private void removeEntry(final int e, final Counter reason) {
        cancelTimer(e);
        tableRemove(e);
        final int p = lruPrev[e];
        final int n = lruNext[e];
        if (p != NONE) {
            lruNext[p] = n;
        } else {
            lruHead = n;
        }
        if (n != NONE) {
            lruPrev[n] = p;
        } else {
            lruTail = p;
        }
        size--;
        gen[e]++;
        state[e] = FREE;
        final int fam = family[e];
        final long hi = keyHi[e];
        final long lo = keyLo[e];
        while (qCount[e] > 0) {
            final P pkt = dequeue(e);
            bump(reason);
            owner.dropQueued(fam, hi, lo, pkt, reason);
        }
        lruNext[e] = freeHead;
        freeHead = e;
    }

    private void tableRemove(final int e) {
        int i = hash[e] & tableMask;
        while (table[i] != e + 1) {
            i = (i + 1) & tableMask;
        }
        // Backward-shift deletion (Knuth 6.4 algorithm R): no tombstones, so probe chains stay short under churn.
        int j = i;
        while (true) {
            table[i] = 0;
            while (true) {
                j = (j + 1) & tableMask;
                final int v = table[j];
                if (v == 0) {
                    return;
                }
                final int k = hash[v - 1] & tableMask;
                // Keep v at j if its home k lies cyclically in (i, j].
                final boolean stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
                if (!stays) {
                    table[i] = v;
                    i = j;
                    break;
                }
            }
        }
    }
}
