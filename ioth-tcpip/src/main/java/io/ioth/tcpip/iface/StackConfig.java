package io.ioth.tcpip.iface;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;

import java.security.SecureRandom;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The settings of one stack, fixed at construction. Defaults follow Linux's where the RFCs leave a choice; each
 * setter names its source. Build with {@link #builder()}.
 *
 * <p>Immutable; safe to share between threads (the {@link #random()} generator is not: each stack gets its own,
 * see {@link Builder#seed(long)}).
 */
public final class StackConfig {
    final String name;
    final long seed;
    final boolean seeded;
    final ByteBufAllocator allocator;
    final int defaultTtl;
    final boolean forwarding;
    final int ingressBatch;
    final int timerBatch;
    final int neighborEntries;
    final int neighborQueue;
    final int icmpRatePerSecond;
    final int icmpBurst;
    final int pmtuEntries;
    final long pmtuExpiryNanos;
    final int minPmtu;
    final int arpAnnounceCount;
    final long arpAnnounceIntervalNanos;
    final int ephemeralLow;
    final int ephemeralHigh;
    final int udpQueueDatagrams;
    final int udpQueueBytes;
    final int loopbackMtu;
    final int loopbackQueue;
    final long igmpUnsolicitedIntervalNanos;
    final int dadTransmits;
    final long dadRetransNanos;
    final int unsolicitedNaCount;
    final long unsolicitedNaIntervalNanos;
    final int mldRobustness;
    final long mldUnsolicitedIntervalNanos;

    private StackConfig(final Builder b) {
        name = b.name;
        seed = b.seed;
        seeded = b.seeded;
        allocator = b.allocator;
        defaultTtl = b.defaultTtl;
        forwarding = b.forwarding;
        ingressBatch = b.ingressBatch;
        timerBatch = b.timerBatch;
        neighborEntries = b.neighborEntries;
        neighborQueue = b.neighborQueue;
        icmpRatePerSecond = b.icmpRatePerSecond;
        icmpBurst = b.icmpBurst;
        pmtuEntries = b.pmtuEntries;
        pmtuExpiryNanos = b.pmtuExpiryNanos;
        minPmtu = b.minPmtu;
        arpAnnounceCount = b.arpAnnounceCount;
        arpAnnounceIntervalNanos = b.arpAnnounceIntervalNanos;
        ephemeralLow = b.ephemeralLow;
        ephemeralHigh = b.ephemeralHigh;
        udpQueueDatagrams = b.udpQueueDatagrams;
        udpQueueBytes = b.udpQueueBytes;
        loopbackMtu = b.loopbackMtu;
        loopbackQueue = b.loopbackQueue;
        igmpUnsolicitedIntervalNanos = b.igmpUnsolicitedIntervalNanos;
        dadTransmits = b.dadTransmits;
        dadRetransNanos = b.dadRetransNanos;
        unsolicitedNaCount = b.unsolicitedNaCount;
        unsolicitedNaIntervalNanos = b.unsolicitedNaIntervalNanos;
        mldRobustness = b.mldRobustness;
        mldUnsolicitedIntervalNanos = b.mldUnsolicitedIntervalNanos;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The defaults, with a random seed. */
    public static StackConfig defaults() {
        return builder().build();
    }

    /** A fresh generator for one stack: seeded for reproducible tests, else from {@link SecureRandom}. */
    public RandomGenerator random() {
        return new SplittableRandom(seeded ? seed : new SecureRandom().nextLong());
    }

    public String name() { return name; }
    public ByteBufAllocator allocator() { return allocator; }
    public int defaultTtl() { return defaultTtl; }
    public boolean forwarding() { return forwarding; }
    public int ingressBatch() { return ingressBatch; }
    public int timerBatch() { return timerBatch; }
    public int neighborEntries() { return neighborEntries; }
    public int neighborQueue() { return neighborQueue; }
    public int icmpRatePerSecond() { return icmpRatePerSecond; }
    public int icmpBurst() { return icmpBurst; }
    public int pmtuEntries() { return pmtuEntries; }
    public long pmtuExpiryNanos() { return pmtuExpiryNanos; }
    public int minPmtu() { return minPmtu; }
    public int arpAnnounceCount() { return arpAnnounceCount; }
    public long arpAnnounceIntervalNanos() { return arpAnnounceIntervalNanos; }
    public int ephemeralLow() { return ephemeralLow; }
    public int ephemeralHigh() { return ephemeralHigh; }
    public int udpQueueDatagrams() { return udpQueueDatagrams; }
    public int udpQueueBytes() { return udpQueueBytes; }
    public int loopbackMtu() { return loopbackMtu; }
    public int loopbackQueue() { return loopbackQueue; }
    public long igmpUnsolicitedIntervalNanos() { return igmpUnsolicitedIntervalNanos; }
    public int dadTransmits() { return dadTransmits; }
    public long dadRetransNanos() { return dadRetransNanos; }
    public int unsolicitedNaCount() { return unsolicitedNaCount; }
    public long unsolicitedNaIntervalNanos() { return unsolicitedNaIntervalNanos; }
    public int mldRobustness() { return mldRobustness; }
    public long mldUnsolicitedIntervalNanos() { return mldUnsolicitedIntervalNanos; }

    /** Not thread-safe. */
    public static final class Builder {
        private String name = "stack";
        private long seed;
        private boolean seeded;
        private ByteBufAllocator allocator = PooledByteBufAllocator.DEFAULT;
        private int defaultTtl = 64;
        private boolean forwarding;
        // 32: Netty 4.2's Recycler takes back at most 32 buffer objects per burst on a thread; a larger
        // batch released together (UDP datagrams drained at once) allocates (benchmarks: 4.75 B/packet at 64)
        private int ingressBatch = 32;
        private int timerBatch = 256;
        private int neighborEntries = 256;
        private int neighborQueue = 16;
        private int icmpRatePerSecond = 1000;
        private int icmpBurst = 50;
        private int pmtuEntries = 256;
        private long pmtuExpiryNanos = 600_000_000_000L;
        private int minPmtu = 552;
        private int arpAnnounceCount = 2;
        private long arpAnnounceIntervalNanos = 2_000_000_000L;
        private int ephemeralLow = 49152;
        private int ephemeralHigh = 65535;
        private int udpQueueDatagrams = 512;
        private int udpQueueBytes = 212_992;
        private int loopbackMtu = 65536;
        private int loopbackQueue = 1024;
        private long igmpUnsolicitedIntervalNanos = 10_000_000_000L;
        private int dadTransmits = 1;
        private long dadRetransNanos = 1_000_000_000L;
        private int unsolicitedNaCount = 1;
        private long unsolicitedNaIntervalNanos = 1_000_000_000L;
        private int mldRobustness = 2;
        private long mldUnsolicitedIntervalNanos = 1_000_000_000L;

        private Builder() {
        }

        /** A name for logs and toString. */
        public Builder name(final String v) {
            name = Objects.requireNonNull(v, "name");
            return this;
        }

        /** Seeds every random choice (ephemeral ports, IP ids, ARP/IGMP timers) for reproducible runs. */
        public Builder seed(final long v) {
            seed = v;
            seeded = true;
            return this;
        }

        /** Where the stack allocates transmit buffers (pooled direct memory by default). */
        public Builder allocator(final ByteBufAllocator v) {
            allocator = Objects.requireNonNull(v, "allocator");
            return this;
        }

        /** TTL of datagrams the stack originates: 64 (RFC 1700 / Linux ip_default_ttl; RFC 1122 §3.2.1.7). */
        public Builder defaultTtl(final int v) {
            if (v < 1 || v > 255) {
                throw new IllegalArgumentException("TTL must be 1..255: " + v);
            }
            defaultTtl = v;
            return this;
        }

        /** Forward datagrams between interfaces (a router node). Off by default (RFC 1122 §3.3.1.4 hosts). */
        public Builder forwarding(final boolean v) {
            forwarding = v;
            return this;
        }

        /** Frames read per link per {@code poll} (bounded work, style.md §3.4). */
        public Builder ingressBatch(final int v) {
            ingressBatch = positive("ingressBatch", v);
            return this;
        }

        /** Timers expired per {@code poll}. */
        public Builder timerBatch(final int v) {
            timerBatch = positive("timerBatch", v);
            return this;
        }

        /** Neighbour cache entries per interface (default 256), and packets queued per unresolved neighbour
         * (default 16; RFC 1122 §2.3.2.2 "at least one"; Linux queues up to unres_qlen_bytes, ~100 packets). */
        public Builder neighbors(final int entries, final int queuePerEntry) {
            neighborEntries = positive("neighbor entries", entries);
            neighborQueue = positive("neighbor queue", queuePerEntry);
            return this;
        }

        /** ICMP error rate limit, a token bucket (RFC 1812 §4.3.2.8; Linux icmp_msgs_per_sec=1000,
         * icmp_msgs_burst=50). */
        public Builder icmpRateLimit(final int perSecond, final int burst) {
            icmpRatePerSecond = positive("icmp rate", perSecond);
            icmpBurst = positive("icmp burst", burst);
            return this;
        }

        /** Path MTU cache: entries and how long a lowered estimate lives (RFC 1191 §6.3: "10 minutes"; Linux
         * mtu_expires=600 s). */
        public Builder pathMtuCache(final int entries, final long expiryNanos) {
            pmtuEntries = positive("pmtu entries", entries);
            if (expiryNanos <= 0) {
                throw new IllegalArgumentException("pmtu expiry must be > 0");
            }
            pmtuExpiryNanos = expiryNanos;
            return this;
        }

        /** The lowest path MTU a fragmentation-needed message may set: 552 (Linux min_pmtu; RFC 1191 §3 only
         * forbids going below 68). Defends against tiny-MTU attacks (RFC 5927 §7). */
        public Builder minPmtu(final int v) {
            if (v < 68) {
                throw new IllegalArgumentException("min PMTU must be >= 68 (RFC 791): " + v);
            }
            minPmtu = v;
            return this;
        }

        /** Gratuitous ARP announcements when an address is added: ANNOUNCE_NUM=2, ANNOUNCE_INTERVAL=2 s (RFC 5227
         * §1.1, §2.3). 0 announces nothing. */
        public Builder arpAnnounce(final int count, final long intervalNanos) {
            if (count < 0 || count > 16 || intervalNanos <= 0) {
                throw new IllegalArgumentException("arp announce: count 0..16, interval > 0");
            }
            arpAnnounceCount = count;
            arpAnnounceIntervalNanos = intervalNanos;
            return this;
        }

        /** The ephemeral port range: 49152-65535 (RFC 6335 §6, RFC 6056 §3.2). */
        public Builder ephemeralPorts(final int low, final int high) {
            if (low < 1 || high > 65535 || low > high) {
                throw new IllegalArgumentException("ephemeral range: 1 <= low <= high <= 65535");
            }
            ephemeralLow = low;
            ephemeralHigh = high;
            return this;
        }

        /** Default receive-queue limit of a UDP socket: datagrams and payload bytes (Linux rmem_default 212992). */
        public Builder udpReceiveQueue(final int datagrams, final int bytes) {
            udpQueueDatagrams = positive("udp queue datagrams", datagrams);
            udpQueueBytes = positive("udp queue bytes", bytes);
            return this;
        }

        /** Loopback interface MTU (Linux lo: 65536) and queue bound in packets. */
        public Builder loopback(final int mtu, final int queue) {
            if (mtu < 1280 || mtu > 65536) {
                throw new IllegalArgumentException("loopback mtu 1280..65536: " + mtu);
            }
            loopbackMtu = mtu;
            loopbackQueue = positive("loopback queue", queue);
            return this;
        }

        /** IGMPv2 Unsolicited Report Interval (RFC 2236 §8.10: 10 s). */
        public Builder igmpUnsolicitedInterval(final long nanos) {
            if (nanos <= 0) {
                throw new IllegalArgumentException("interval must be > 0");
            }
            igmpUnsolicitedIntervalNanos = nanos;
            return this;
        }

        /**
         * Duplicate Address Detection: DupAddrDetectTransmits Neighbor Solicitations, RetransTimer apart; the
         * address is usable RetransTimer after the last one (RFC 4862 §5.1 default 1, RFC 4861 §10 RETRANS_TIMER
         * 1 s). 0 disables DAD: addresses are usable at once.
         */
        public Builder dad(final int transmits, final long retransNanos) {
            if (transmits < 0 || transmits > 16 || retransNanos <= 0) {
                throw new IllegalArgumentException("dad: transmits 0..16, retrans > 0");
            }
            dadTransmits = transmits;
            dadRetransNanos = retransNanos;
            return this;
        }

        /**
         * Unsolicited Neighbor Advertisements (override flag set) sent to all-nodes when an address becomes usable,
         * so that neighbours holding a stale entry (a migrated node) update it at once: RFC 4861 §7.2.6 allows up
         * to MAX_NEIGHBOR_ADVERTISEMENT = 3, "separated by at least RetransTimer". Default 1, as Linux with
         * ndisc_notify=1. 0 sends none.
         */
        public Builder unsolicitedNa(final int count, final long intervalNanos) {
            if (count < 0 || count > 3 || intervalNanos <= 0) {
                throw new IllegalArgumentException("unsolicited NA: count 0..3 (MAX_NEIGHBOR_ADVERTISEMENT), "
                        + "interval > 0");
            }
            unsolicitedNaCount = count;
            unsolicitedNaIntervalNanos = intervalNanos;
            return this;
        }

        /**
         * MLDv2 Robustness Variable (state change reports are sent this many times) and Unsolicited Report Interval
         * (the spread of the repetitions): RFC 3810 §9.1 default 2, §9.11 default 1 s.
         */
        public Builder mld(final int robustness, final long unsolicitedIntervalNanos) {
            if (robustness < 1 || robustness > 7 || unsolicitedIntervalNanos <= 0) {
                throw new IllegalArgumentException("mld: robustness 1..7, interval > 0");
            }
            mldRobustness = robustness;
            mldUnsolicitedIntervalNanos = unsolicitedIntervalNanos;
            return this;
        }

        public StackConfig build() {
            return new StackConfig(this);
        }

        private static int positive(final String what, final int v) {
            if (v <= 0) {
                throw new IllegalArgumentException(what + " must be > 0: " + v);
            }
            return v;
        }
    }
}
