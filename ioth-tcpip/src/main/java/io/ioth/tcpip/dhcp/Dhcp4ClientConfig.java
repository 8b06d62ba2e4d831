package io.ioth.tcpip.dhcp;

import io.ioth.tcpip.wire.Ipv4Addr;

import java.util.Objects;

/**
 * Settings of a {@link Dhcp4Client}. Defaults follow RFC 2131 where it gives numbers (retransmission 4 s doubling to
 * 64 s with +-1 s of jitter, §4.1; renewal retransmission down to 60 s, §4.4.5; 10 s after a DHCPDECLINE, §3.1
 * step 5); the ARP check of the offered address is shorter than RFC 5227's (two probes 200 ms apart, 400 ms of
 * silence, like udhcpc's single arping rather than 3 probes over ~7 s) so that a program is configured in about a
 * second; {@link Builder#rfc5227Probing()} restores the RFC 5227 §1.1 constants.
 *
 * <pre>{@code
 * Dhcp4ClientConfig c = Dhcp4ClientConfig.builder().fqdn("host.example.org").build();
 * }</pre>
 *
 * <p>Immutable; thread-safe.
 */
public final class Dhcp4ClientConfig {
    private static final long SEC = 1_000_000_000L;
    private static final long MS = 1_000_000L;

    final String fqdn;
    final byte[] clientId;
    final int requestedAddress;
    final long initialDelayMaxNanos;
    final long retransmitBaseNanos;
    final long retransmitMaxNanos;
    final long retransmitJitterNanos;
    final int requestRetries;
    final int rebootRetries;
    final long renewMinRetransmitNanos;
    final int probeCount;
    final long probeWaitNanos;
    final long probeIntervalNanos;
    final long announceWaitNanos;
    final long declineWaitNanos;
    final boolean broadcastReplies;
    final boolean defaultRoute;
    final boolean releaseOnClose;
    final long t1OverrideNanos;
    final boolean applyMtu;
    final boolean defendAddress;

    private Dhcp4ClientConfig(final Builder b) {
        fqdn = b.fqdn;
        clientId = b.clientId == null ? null : b.clientId.clone();
        requestedAddress = b.requestedAddress;
        initialDelayMaxNanos = b.initialDelayMaxNanos;
        retransmitBaseNanos = b.retransmitBaseNanos;
        retransmitMaxNanos = b.retransmitMaxNanos;
        retransmitJitterNanos = b.retransmitJitterNanos;
        requestRetries = b.requestRetries;
        rebootRetries = b.rebootRetries;
        renewMinRetransmitNanos = b.renewMinRetransmitNanos;
        probeCount = b.probeCount;
        probeWaitNanos = b.probeWaitNanos;
        probeIntervalNanos = b.probeIntervalNanos;
        announceWaitNanos = b.announceWaitNanos;
        declineWaitNanos = b.declineWaitNanos;
        broadcastReplies = b.broadcastReplies;
        defaultRoute = b.defaultRoute;
        releaseOnClose = b.releaseOnClose;
        t1OverrideNanos = b.t1OverrideNanos;
        applyMtu = b.applyMtu;
        defendAddress = b.defendAddress;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static Dhcp4ClientConfig defaults() {
        return builder().build();
    }

    public String fqdn() {
        return fqdn;
    }

    public int requestedAddress() {
        return requestedAddress;
    }

    public int probeCount() {
        return probeCount;
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        final Builder b = new Builder();
        b.fqdn = fqdn;
        b.clientId = clientId;
        b.requestedAddress = requestedAddress;
        b.initialDelayMaxNanos = initialDelayMaxNanos;
        b.retransmitBaseNanos = retransmitBaseNanos;
        b.retransmitMaxNanos = retransmitMaxNanos;
        b.retransmitJitterNanos = retransmitJitterNanos;
        b.requestRetries = requestRetries;
        b.rebootRetries = rebootRetries;
        b.renewMinRetransmitNanos = renewMinRetransmitNanos;
        b.probeCount = probeCount;
        b.probeWaitNanos = probeWaitNanos;
        b.probeIntervalNanos = probeIntervalNanos;
        b.announceWaitNanos = announceWaitNanos;
        b.declineWaitNanos = declineWaitNanos;
        b.broadcastReplies = broadcastReplies;
        b.defaultRoute = defaultRoute;
        b.releaseOnClose = releaseOnClose;
        b.t1OverrideNanos = t1OverrideNanos;
        b.applyMtu = applyMtu;
        b.defendAddress = defendAddress;
        return b;
    }

    /** Not thread-safe. */
    public static final class Builder {
        private String fqdn;
        private byte[] clientId;
        private int requestedAddress;
        private long initialDelayMaxNanos;
        private long retransmitBaseNanos = 4 * SEC;
        private long retransmitMaxNanos = 64 * SEC;
        private long retransmitJitterNanos = SEC;
        private int requestRetries = 4;
        private int rebootRetries = 2;
        private long renewMinRetransmitNanos = 60 * SEC;
        private int probeCount = 2;
        private long probeWaitNanos = 100 * MS;
        private long probeIntervalNanos = 200 * MS;
        private long announceWaitNanos = 400 * MS;
        private long declineWaitNanos = 10 * SEC;
        private boolean broadcastReplies;
        private boolean defaultRoute = true;
        private boolean releaseOnClose = true;
        private long t1OverrideNanos;
        private boolean applyMtu = true;
        private boolean defendAddress = true;

        private Builder() {
        }

        /** The name sent in the Client FQDN option 81 (RFC 4702) and, its first label, in Host Name (option 12). */
        public Builder fqdn(final String v) {
            if (v != null) {
                Dhcp4Repr.encodeName(v); // validates the labels
            }
            fqdn = v;
            return this;
        }

        /** Option 61 (RFC 2132 §9.14, type byte first); default {@code 01} + the interface MAC. */
        public Builder clientId(final byte[] v) {
            if (v != null && (v.length < 2 || v.length > 255)) {
                throw new IllegalArgumentException("client identifier: 2..255 bytes");
            }
            clientId = v == null ? null : v.clone();
            return this;
        }

        /**
         * A previously leased address: the client starts in INIT-REBOOT (RFC 2131 §3.2: a DHCPREQUEST with option
         * 50 and no server identifier), e.g. after a migration. If no server answers after
         * {@link #rebootRetries} retransmissions it falls back to discovery, asking for the same address.
         */
        public Builder requestedAddress(final int v) {
            requestedAddress = v;
            return this;
        }

        public Builder requestedAddress(final String v) {
            return requestedAddress(v == null ? 0 : Ipv4Addr.parse(v));
        }

        /** RFC 2131 §4.4.1: "wait a random time between one and ten seconds to desynchronize the use of DHCP at
         * startup". Default 0 (a program, not a booting fleet); a uniform delay in [0, v) otherwise. */
        public Builder initialDelayMax(final long nanos) {
            initialDelayMaxNanos = nonNegative(nanos, "initial delay");
            return this;
        }

        /** RFC 2131 §4.1 backoff: first delay {@code base}, doubling up to {@code max}, each randomized by a
         * uniform {@code [-jitter, +jitter]} (defaults 4 s, 64 s, 1 s). */
        public Builder retransmission(final long baseNanos, final long maxNanos, final long jitterNanos) {
            if (baseNanos <= 0 || maxNanos < baseNanos || jitterNanos < 0 || jitterNanos >= baseNanos) {
                throw new IllegalArgumentException("retransmission: 0 < base <= max, 0 <= jitter < base");
            }
            retransmitBaseNanos = baseNanos;
            retransmitMaxNanos = maxNanos;
            retransmitJitterNanos = jitterNanos;
            return this;
        }

        /** Retransmissions of a DHCPREQUEST (selecting) before restarting discovery (default 4). */
        public Builder requestRetries(final int v) {
            requestRetries = (int) nonNegative(v, "request retries");
            return this;
        }

        /** Retransmissions of an INIT-REBOOT DHCPREQUEST before discovering (default 2). */
        public Builder rebootRetries(final int v) {
            rebootRetries = (int) nonNegative(v, "reboot retries");
            return this;
        }

        /** RFC 2131 §4.4.5 "down to a minimum of 60 seconds" between renewal retransmissions. */
        public Builder renewMinRetransmit(final long nanos) {
            renewMinRetransmitNanos = positive(nanos, "renew retransmit");
            return this;
        }

        /**
         * The ARP check of an offered address (RFC 2131 §4.4.1 "the client SHOULD probe the newly received
         * address, e.g., with ARP"; RFC 5227 §2.1.1): a random wait in [0, wait), {@code count} probes
         * {@code interval} apart, then {@code announceWait} of silence. {@code count} 0 skips the check.
         */
        public Builder arpProbe(final int count, final long waitNanos, final long intervalNanos,
                                final long announceWaitNanos) {
            if (count < 0 || count > 10 || waitNanos < 0 || intervalNanos <= 0 || announceWaitNanos < 0) {
                throw new IllegalArgumentException("arp probe: count 0..10, times >= 0");
            }
            probeCount = count;
            probeWaitNanos = waitNanos;
            probeIntervalNanos = intervalNanos;
            this.announceWaitNanos = announceWaitNanos;
            return this;
        }

        /** RFC 5227 §1.1: PROBE_WAIT 1 s, PROBE_NUM 3, PROBE_MIN..PROBE_MAX 1..2 s (we use 1.5 s), ANNOUNCE_WAIT
         * 2 s. */
        public Builder rfc5227Probing() {
            return arpProbe(3, SEC, 1500 * MS, 2 * SEC);
        }

        /** RFC 2131 §3.1 step 5: wait before restarting after a DHCPDECLINE (default 10 s). */
        public Builder declineWait(final long nanos) {
            declineWaitNanos = nonNegative(nanos, "decline wait");
            return this;
        }

        /** Set the BROADCAST flag (RFC 2131 §4.1) so that servers broadcast their replies (default off: the stack
         * receives unicast replies to the offered address). */
        public Builder broadcastReplies(final boolean v) {
            broadcastReplies = v;
            return this;
        }

        /** Install a default route via the first router of the lease (default on). */
        public Builder defaultRoute(final boolean v) {
            defaultRoute = v;
            return this;
        }

        /** Send DHCPRELEASE when the client is closed while bound (RFC 2131 §4.4.6; default on). */
        public Builder releaseOnClose(final boolean v) {
            releaseOnClose = v;
            return this;
        }

        /**
         * Test knob: renew this long after the lease starts instead of at T1 (the real-peer tests cannot wait the
         * 60 s dnsmasq's shortest lease implies). 0 = use T1.
         */
        public Builder t1Override(final long nanos) {
            t1OverrideNanos = nonNegative(nanos, "T1 override");
            return this;
        }

        /** Set the interface MTU from option 26 while the lease lasts (RFC 2132 §5.1; default on): only a value
         * from 68 to the link's maximum (and 1280 or more with IPv6 on) is taken; the old MTU comes back with the
         * lease's end. */
        public Builder applyMtu(final boolean v) {
            applyMtu = v;
            return this;
        }

        /** Watch the leased address for conflicts (RFC 5227 §2.4, default on): the first conflicting ARP packet is
         * answered with one ARP Announcement; a second within 10 s (DEFEND_INTERVAL) gives the address up
         * (DHCPDECLINE, {@link Dhcp4Client.LossReason#CONFLICT}, a new lease after {@link #declineWait}). Off:
         * conflicts are ignored (ArpLayer still refuses to learn the other MAC for our address). */
        public Builder defendAddress(final boolean v) {
            defendAddress = v;
            return this;
        }

        public Dhcp4ClientConfig build() {
            return new Dhcp4ClientConfig(this);
        }

        private static long nonNegative(final long v, final String what) {
            if (v < 0) {
                throw new IllegalArgumentException(what + " must be >= 0: " + v);
            }
            return v;
        }

        private static long positive(final long v, final String what) {
            if (v <= 0) {
                throw new IllegalArgumentException(what + " must be > 0: " + v);
            }
            return v;
        }
    }

    @Override
    public String toString() {
        return "Dhcp4ClientConfig[fqdn=" + Objects.toString(fqdn) + ", requested="
                + (requestedAddress == 0 ? "-" : Ipv4Addr.format(requestedAddress)) + ", probes=" + probeCount + "]";
    }
}
