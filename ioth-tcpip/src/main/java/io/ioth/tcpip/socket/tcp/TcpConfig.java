package io.ioth.tcpip.socket.tcp;

import io.ioth.tcpip.socket.tcp.congestion.CongestionControl;
import io.ioth.tcpip.socket.tcp.congestion.Cubic;
import io.ioth.tcpip.socket.tcp.congestion.NewReno;
import io.ioth.tcpip.wire.ChecksumPolicy;

import java.security.SecureRandom;
import java.util.Objects;

/**
 * The TCP tunables of one stack (gVisor's TCP options, Linux's {@code net.ipv4.tcp_*} sysctls), fixed at stack
 * creation so that two stacks with different TCP behaviour can live in one JVM. Defaults follow Linux where the
 * RFCs leave a choice; each setter names its source. Per-socket options (buffer sizes, TCP_NODELAY, keepalive,
 * congestion control) start from these values and are changed on the socket.
 *
 * <p>Immutable; thread-safe.
 */
public final class TcpConfig {
    final CongestionControl.Factory congestionControl;
    final long rtoInitialNanos;
    final long rtoMinNanos;
    final long rtoMaxNanos;
    final int initialWindowSegments;
    final int sendBufferSize;
    final int receiveBufferSize;
    final int maxSendBufferSize;
    final int maxReceiveBufferSize;
    final boolean receiveBufferAutoTuning;
    final long timeWaitNanos;
    final long finWait2TimeoutNanos;
    final boolean sack;
    final boolean timestamps;
    final boolean windowScaling;
    final boolean delayedAck;
    final long delayedAckNanos;
    final int quickAckSegments;
    final boolean ackCoalescing;
    final boolean noDelay;
    final long keepAliveIdleNanos;
    final long keepAliveIntervalNanos;
    final int keepAliveProbes;
    final int synRetries;
    final int synAckRetries;
    final int retries2;
    final boolean synCookies;
    final int maxSynBacklog;
    final int maxBacklog;
    final int maxOooSegments;
    final long maxOooBytesPerStack;
    final int challengeAckLimit;
    final long oowAckIntervalNanos;
    final int ephemeralLow;
    final int ephemeralHigh;
    final TcpSecrets secrets;
    final IsnFunction isnFunction;
    final boolean randomTsOffset;
    final ChecksumPolicy checksumPolicy;
    final int ttl;

    /**
     * Chooses initial sequence numbers; the default is RFC 6528 ({@link TcpSecrets#isn}). Tests inject a fixed one
     * so traces read like the RFC's examples.
     */
    @FunctionalInterface
    public interface IsnFunction {
        int isn(long localHi, long localLo, int localPort, long remoteHi, long remoteLo, int remotePort,
                long nowNanos);
    }

    private TcpConfig(final Builder b) {
        congestionControl = b.congestionControl;
        rtoInitialNanos = b.rtoInitialNanos;
        rtoMinNanos = b.rtoMinNanos;
        rtoMaxNanos = b.rtoMaxNanos;
        initialWindowSegments = b.initialWindowSegments;
        sendBufferSize = b.sendBufferSize;
        receiveBufferSize = b.receiveBufferSize;
        maxSendBufferSize = Math.max(b.maxSendBufferSize, b.sendBufferSize);
        maxReceiveBufferSize = Math.max(b.maxReceiveBufferSize, b.receiveBufferSize);
        receiveBufferAutoTuning = b.receiveBufferAutoTuning;
        timeWaitNanos = b.timeWaitNanos;
        finWait2TimeoutNanos = b.finWait2TimeoutNanos;
        sack = b.sack;
        timestamps = b.timestamps;
        windowScaling = b.windowScaling;
        delayedAck = b.delayedAck;
        delayedAckNanos = b.delayedAckNanos;
        quickAckSegments = b.quickAckSegments;
        ackCoalescing = b.ackCoalescing;
        noDelay = b.noDelay;
        keepAliveIdleNanos = b.keepAliveIdleNanos;
        keepAliveIntervalNanos = b.keepAliveIntervalNanos;
        keepAliveProbes = b.keepAliveProbes;
        synRetries = b.synRetries;
        synAckRetries = b.synAckRetries;
        retries2 = b.retries2;
        synCookies = b.synCookies;
        maxSynBacklog = b.maxSynBacklog;
        maxBacklog = b.maxBacklog;
        maxOooSegments = b.maxOooSegments;
        maxOooBytesPerStack = b.maxOooBytesPerStack;
        challengeAckLimit = b.challengeAckLimit;
        oowAckIntervalNanos = b.oowAckIntervalNanos;
        ephemeralLow = b.ephemeralLow;
        ephemeralHigh = b.ephemeralHigh;
        if (b.secretSet) {
            secrets = new TcpSecrets(b.k0, b.k1);
        } else {
            final SecureRandom r = new SecureRandom();
            secrets = new TcpSecrets(r.nextLong(), r.nextLong());
        }
        isnFunction = b.isnFunction != null ? b.isnFunction : secrets::isn;
        randomTsOffset = b.randomTsOffset;
        checksumPolicy = b.checksumPolicy;
        ttl = b.ttl;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Linux-like defaults with random secrets. */
    public static TcpConfig defaults() {
        return builder().build();
    }

    public CongestionControl.Factory congestionControl() { return congestionControl; }
    public long rtoInitialNanos() { return rtoInitialNanos; }
    public long rtoMinNanos() { return rtoMinNanos; }
    public long rtoMaxNanos() { return rtoMaxNanos; }
    public int initialWindowSegments() { return initialWindowSegments; }
    public int sendBufferSize() { return sendBufferSize; }
    public int receiveBufferSize() { return receiveBufferSize; }
    public int maxSendBufferSize() { return maxSendBufferSize; }
    public int maxReceiveBufferSize() { return maxReceiveBufferSize; }
    public boolean receiveBufferAutoTuning() { return receiveBufferAutoTuning; }
    public long timeWaitNanos() { return timeWaitNanos; }
    public long finWait2TimeoutNanos() { return finWait2TimeoutNanos; }
    public boolean sack() { return sack; }
    public boolean timestamps() { return timestamps; }
    public boolean windowScaling() { return windowScaling; }
    public boolean delayedAck() { return delayedAck; }
    public long delayedAckNanos() { return delayedAckNanos; }
    public int quickAckSegments() { return quickAckSegments; }
    public boolean ackCoalescing() { return ackCoalescing; }
    public boolean noDelay() { return noDelay; }
    public long keepAliveIdleNanos() { return keepAliveIdleNanos; }
    public long keepAliveIntervalNanos() { return keepAliveIntervalNanos; }
    public int keepAliveProbes() { return keepAliveProbes; }
    public int synRetries() { return synRetries; }
    public int synAckRetries() { return synAckRetries; }
    public int retries2() { return retries2; }
    public boolean synCookies() { return synCookies; }
    public int maxSynBacklog() { return maxSynBacklog; }
    public int maxBacklog() { return maxBacklog; }
    public int maxOooSegments() { return maxOooSegments; }
    public long maxOooBytesPerStack() { return maxOooBytesPerStack; }
    public int challengeAckLimit() { return challengeAckLimit; }
    public long oowAckIntervalNanos() { return oowAckIntervalNanos; }
    public int ephemeralLow() { return ephemeralLow; }
    public int ephemeralHigh() { return ephemeralHigh; }
    public TcpSecrets secrets() { return secrets; }
    public ChecksumPolicy checksumPolicy() { return checksumPolicy; }
    public int ttl() { return ttl; }

    /**
     * The window-scale shift we offer (RFC 7323 §2.3): the smallest that lets the largest receive buffer be
     * advertised in 16 bits (Linux {@code tcp_select_initial_window} from {@code tcp_rmem[2]}), at most 14.
     */
    int receiveWindowScale() {
        if (!windowScaling) {
            return 0;
        }
        int s = 0;
        while (s < 14 && (maxReceiveBufferSize >> s) > 65535) {
            s++;
        }
        return s;
    }

    @Override
    public String toString() {
        return "TcpConfig{cc=" + congestionControl.name() + ", rto=" + rtoMinNanos / 1_000_000 + ".."
                + rtoMaxNanos / 1_000_000 + "ms, iw=" + initialWindowSegments + ", sndbuf=" + sendBufferSize
                + ", rcvbuf=" + receiveBufferSize + (receiveBufferAutoTuning ? ".." + maxReceiveBufferSize : "")
                + ", sack=" + sack + ", ts=" + timestamps + ", ws=" + windowScaling
                + ", delack=" + (delayedAck ? delayedAckNanos / 1_000_000 + "ms" : "off") + ", syncookies="
                + synCookies + "}";
    }

    /** Not thread-safe. */
    public static final class Builder {
        private CongestionControl.Factory congestionControl = Cubic.FACTORY;
        private long rtoInitialNanos = 1_000_000_000L;
        private long rtoMinNanos = 200_000_000L;
        private long rtoMaxNanos = 120_000_000_000L;
        private int initialWindowSegments = 10;
        private int sendBufferSize = 256 * 1024;
        private int receiveBufferSize = 256 * 1024;
        private int maxSendBufferSize = 4 * 1024 * 1024;
        private int maxReceiveBufferSize = 6 * 1024 * 1024;
        private boolean receiveBufferAutoTuning = true;
        private long timeWaitNanos = 60_000_000_000L;
        private long finWait2TimeoutNanos = 60_000_000_000L;
        private boolean sack = true;
        private boolean timestamps = true;
        private boolean windowScaling = true;
        private boolean delayedAck = true;
        private long delayedAckNanos = 40_000_000L;
        private int quickAckSegments = 16;
        private boolean ackCoalescing = true;
        private boolean noDelay;
        private long keepAliveIdleNanos = 7_200_000_000_000L;
        private long keepAliveIntervalNanos = 75_000_000_000L;
        private int keepAliveProbes = 9;
        private int synRetries = 6;
        private int synAckRetries = 5;
        private int retries2 = 15;
        private boolean synCookies = true;
        private int maxSynBacklog = 4096;
        private int maxBacklog = 4096;
        private int maxOooSegments = 4096;
        private long maxOooBytesPerStack = 64L * 1024 * 1024;
        private int challengeAckLimit = 1000;
        private long oowAckIntervalNanos = 500_000_000L;
        private int ephemeralLow = 32768;
        private int ephemeralHigh = 60999;
        private boolean secretSet;
        private long k0;
        private long k1;
        private IsnFunction isnFunction;
        private boolean randomTsOffset = true;
        private ChecksumPolicy checksumPolicy = ChecksumPolicy.VERIFY;
        private int ttl = 64;

        private Builder() {
        }

        /** The default algorithm of the stack's sockets (Linux {@code tcp_congestion_control}): {@link Cubic#FACTORY}
         * (the default, as Linux's; RFC 9438) or {@link NewReno#FACTORY}. */
        public Builder congestionControl(final CongestionControl.Factory v) {
            congestionControl = Objects.requireNonNull(v, "congestionControl");
            return this;
        }

        /** RFC 6298 §2.1: the RTO before any RTT sample; 1 s. */
        public Builder rtoInitial(final long nanos) {
            rtoInitialNanos = positive(nanos, "rtoInitial");
            return this;
        }

        /** The RTO floor; 200 ms (Linux TCP_RTO_MIN; RFC 6298 §2.4 suggests 1 s). */
        public Builder rtoMin(final long nanos) {
            rtoMinNanos = positive(nanos, "rtoMin");
            return this;
        }

        /** The RTO ceiling; 120 s (Linux TCP_RTO_MAX; RFC 6298 §2.5 "at least 60 seconds"). */
        public Builder rtoMax(final long nanos) {
            rtoMaxNanos = positive(nanos, "rtoMax");
            return this;
        }

        /** RFC 6928: the initial congestion window in segments; 10. */
        public Builder initialWindow(final int segments) {
            initialWindowSegments = (int) positive(segments, "initialWindow");
            return this;
        }

        /** The default send buffer (SO_SNDBUF) of new sockets; 256 KiB. */
        public Builder sendBufferSize(final int bytes) {
            sendBufferSize = (int) positive(bytes, "sendBufferSize");
            return this;
        }

        /** The default receive buffer (SO_RCVBUF) of new sockets; 256 KiB. */
        public Builder receiveBufferSize(final int bytes) {
            receiveBufferSize = (int) positive(bytes, "receiveBufferSize");
            return this;
        }

        /** The largest send buffer a socket may ask for; 4 MiB (Linux tcp_wmem[2]). */
        public Builder maxSendBufferSize(final int bytes) {
            maxSendBufferSize = (int) positive(bytes, "maxSendBufferSize");
            return this;
        }

        /** The largest receive buffer a socket may ask for, and the ceiling of receive-buffer auto-tuning; it also
         * sets the window scale offered; 6 MiB (Linux tcp_rmem[2]). */
        public Builder maxReceiveBufferSize(final int bytes) {
            maxReceiveBufferSize = (int) positive(bytes, "maxReceiveBufferSize");
            return this;
        }

        /**
         * Receive-buffer auto-tuning (Linux tcp_moderate_rcvbuf, "dynamic right-sizing"): once per receiver RTT the
         * buffer of a connection grows toward twice what the application read in that RTT (plus headroom while the
         * rate still grows), up to {@link #maxReceiveBufferSize}; the advertised window follows. Never shrinks. Off
         * for a socket whose application set its receive buffer. On.
         */
        public Builder receiveBufferAutoTuning(final boolean v) {
            receiveBufferAutoTuning = v;
            return this;
        }

        /** TIME-WAIT duration (2*MSL, RFC 9293 §3.4.2); 60 s (Linux TCP_TIMEWAIT_LEN). */
        public Builder timeWait(final long nanos) {
            timeWaitNanos = nonNegative(nanos, "timeWait");
            return this;
        }

        /** How long a closed (orphaned) connection may stay in FIN-WAIT-2; 60 s (Linux tcp_fin_timeout). */
        public Builder finWait2Timeout(final long nanos) {
            finWait2TimeoutNanos = positive(nanos, "finWait2Timeout");
            return this;
        }

        /** RFC 2018 SACK (offered and accepted); on. */
        public Builder sack(final boolean v) {
            sack = v;
            return this;
        }

        /** RFC 7323 timestamps and PAWS; on. */
        public Builder timestamps(final boolean v) {
            timestamps = v;
            return this;
        }

        /** RFC 7323 window scaling; on. */
        public Builder windowScaling(final boolean v) {
            windowScaling = v;
            return this;
        }

        /** Delayed ACKs (RFC 9293 §3.8.6.3, RFC 5681 §4.2); on, 40 ms (Linux TCP_DELACK_MIN). */
        public Builder delayedAck(final boolean on, final long delayNanos) {
            delayedAck = on;
            delayedAckNanos = positive(delayNanos, "delayedAck");
            if (delayNanos >= 500_000_000L) {
                throw new IllegalArgumentException("RFC 9293 §3.8.6.3: the delay MUST be less than 0.5 s");
            }
            return this;
        }

        /** Segments ACKed at once at the start of a connection (Linux quick-ACK mode, TCP_MAX_QUICKACKS); 16. */
        public Builder quickAckSegments(final int v) {
            quickAckSegments = (int) nonNegative(v, "quickAckSegments");
            return this;
        }

        /**
         * GRO-like ACK coalescing; on. In-order data that arrives in one ingress batch (the frames a poll reads from
         * a link) is acknowledged once, at the batch's egress, instead of every second segment as it arrives:
         * Linux does the same for segments GRO merged, or that were backlogged while the socket was busy (one
         * {@code __tcp_ack_snd_check} per skb). RFC 5681 §4.2 allows it ("an ACK SHOULD be generated for at least
         * every second full-sized segment", a SHOULD that stretch ACKs relax, RFC 2525 §2.13 notes the sender
         * must cope); out-of-order, duplicate and gap-filling segments are still acknowledged at once (RFC 5681
         * §4.2 MUST/SHOULD), so duplicate-ACK counting and SACK loss detection see every hole. Replies to
         * arriving ACKs (new data the window allows) also leave at the batch's egress. Fewer ACK frames matter on a
         * VDE switch, where every frame costs a switch and a plug process a context switch.
         */
        public Builder ackCoalescing(final boolean on) {
            ackCoalescing = on;
            return this;
        }

        /** The default of TCP_NODELAY for new sockets; off (Nagle on, RFC 9293 §3.7.4). */
        public Builder noDelay(final boolean v) {
            noDelay = v;
            return this;
        }

        /** Keepalive idle time, probe interval and probe count (RFC 1122 §4.2.3.6; Linux 2 h, 75 s, 9). */
        public Builder keepAlive(final long idleNanos, final long intervalNanos, final int probes) {
            keepAliveIdleNanos = positive(idleNanos, "keepAliveIdle");
            keepAliveIntervalNanos = positive(intervalNanos, "keepAliveInterval");
            keepAliveProbes = (int) positive(probes, "keepAliveProbes");
            return this;
        }

        /** SYN retransmissions before connect fails (Linux tcp_syn_retries 6). */
        public Builder synRetries(final int v) {
            synRetries = (int) nonNegative(v, "synRetries");
            return this;
        }

        /** SYN-ACK retransmissions of a half-open passive connection (Linux tcp_synack_retries 5). */
        public Builder synAckRetries(final int v) {
            synAckRetries = (int) nonNegative(v, "synAckRetries");
            return this;
        }

        /** RTO retransmissions (and unanswered zero-window probes) before the connection is aborted (RFC 1122
         * §4.2.3.5 R2; Linux tcp_retries2 15). */
        public Builder retries(final int v) {
            retries2 = (int) positive(v, "retries");
            return this;
        }

        /** SYN cookies when a SYN queue overflows (RFC 4987 §3.6); on (Linux tcp_syncookies=1). */
        public Builder synCookies(final boolean v) {
            synCookies = v;
            return this;
        }

        /** Upper bound of every listener's SYN queue (Linux tcp_max_syn_backlog); 4096. */
        public Builder maxSynBacklog(final int v) {
            maxSynBacklog = (int) positive(v, "maxSynBacklog");
            return this;
        }

        /** Upper bound of listen() backlogs (Linux somaxconn); 4096. */
        public Builder maxBacklog(final int v) {
            maxBacklog = (int) positive(v, "maxBacklog");
            return this;
        }

        /** Out-of-order segments held per connection; 4096. */
        public Builder maxOooSegments(final int v) {
            maxOooSegments = (int) positive(v, "maxOooSegments");
            return this;
        }

        /** Out-of-order payload bytes held by all connections of the stack; 64 MiB. */
        public Builder maxOooBytesPerStack(final long v) {
            maxOooBytesPerStack = positive(v, "maxOooBytesPerStack");
            return this;
        }

        /** Challenge ACKs per second for the whole stack (RFC 5961 §7; Linux tcp_challenge_ack_limit 1000). */
        public Builder challengeAckLimit(final int v) {
            challengeAckLimit = (int) positive(v, "challengeAckLimit");
            return this;
        }

        /** Minimum spacing of ACKs answering out-of-window segments, per connection (Linux
         * tcp_invalid_ratelimit 500 ms). */
        public Builder oowAckInterval(final long nanos) {
            oowAckIntervalNanos = nonNegative(nanos, "oowAckInterval");
            return this;
        }

        /** RFC 6056 ephemeral port range (Linux ip_local_port_range 32768-60999). */
        public Builder ephemeralPorts(final int low, final int high) {
            if (low < 1 || high > 65535 || low > high) {
                throw new IllegalArgumentException("bad ephemeral range " + low + "-" + high);
            }
            ephemeralLow = low;
            ephemeralHigh = high;
            return this;
        }

        /** Fixes the secret keys of the ISN, timestamp-offset, port and SYN-cookie functions (random by default;
         * fix them only for reproducible tests). */
        public Builder secret(final long key0, final long key1) {
            k0 = key0;
            k1 = key1;
            secretSet = true;
            return this;
        }

        /** Replaces the RFC 6528 ISN function (tests only). */
        public Builder isnFunction(final IsnFunction f) {
            isnFunction = f;
            return this;
        }

        /** Whether TSval carries a per address-pair random offset (RFC 7323 §5.4); on. Off makes TSval the
         * millisecond clock itself (tests). */
        public Builder randomTimestampOffset(final boolean v) {
            randomTsOffset = v;
            return this;
        }

        /** Checksum verification of received segments ({@link ChecksumPolicy#IGNORE} only for fuzzing). */
        public Builder checksumPolicy(final ChecksumPolicy v) {
            checksumPolicy = Objects.requireNonNull(v, "checksumPolicy");
            return this;
        }

        /** TTL / hop limit of TCP segments; 64. */
        public Builder ttl(final int v) {
            if (v < 1 || v > 255) {
                throw new IllegalArgumentException("ttl out of range: " + v);
            }
            ttl = v;
            return this;
        }

        public TcpConfig build() {
            if (rtoMinNanos > rtoMaxNanos) {
                throw new IllegalArgumentException("rtoMin > rtoMax");
            }
            return new TcpConfig(this);
        }

        private static long positive(final long v, final String what) {
            if (v <= 0) {
                throw new IllegalArgumentException(what + " must be > 0: " + v);
            }
            return v;
        }

        private static long nonNegative(final long v, final String what) {
            if (v < 0) {
                throw new IllegalArgumentException(what + " must be >= 0: " + v);
            }
            return v;
        }
    }
}
