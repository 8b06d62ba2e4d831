package io.ioth.vde.sw;

import io.netty.util.concurrent.Ticker;

import java.time.Duration;

/**
 * Link impairments for a port of an {@link EmbeddedSwitch}, for simulations. Immutable.
 *
 * <p><b>Direction:</b> an impairment applies to the link <em>switch → port</em>, that is to the frames
 * the switch delivers to the impaired port. Frames that port sends are not affected (impair the
 * receiving ports for that). To impair both ways between A and B, impair both A and B.
 *
 * <p>Per frame, in this order (as Linux netem does): loss; duplication (the copy is a second frame on
 * the link); then for each copy: corruption (one random bit flipped in a private copy, never in a
 * shared buffer), serialization at the bandwidth cap (the link is busy for {@code bits / bandwidth}; a
 * lost frame takes no link time), the fixed delay, jitter (uniform in ±jitter, never before the frame
 * finished serializing; like netem, jitter alone can reorder frames), and reordering (with
 * probability {@code reorder} the frame is held for {@code reorderExtraDelay} more, so later frames
 * overtake it). A frame is readable when its delivery time has passed on the ticker.
 *
 * <p>Every random decision comes from {@code new SplittableRandom(seed)} owned by the impaired port,
 * and times from the ticker (the impairment's own, else the receiving plug's
 * {@link io.ioth.vde.VdeOptions#ticker()}), so a run repeats exactly given the same seed, ticker
 * readings and sequence of calls.
 *
 * <pre>{@code
 * Impairment.builder().loss(0.02).duplicate(0.01).reorder(0.05, Duration.ofMillis(3))
 *         .delay(Duration.ofMillis(10)).jitter(Duration.ofMillis(2)).corrupt(1e-4)
 *         .bandwidth(10_000_000).seed(42).build();
 * }</pre>
 */
public final class Impairment {
    final double loss, duplicate, reorder, corrupt;
    final long reorderExtraNanos, delayNanos, jitterNanos;
    final long bandwidthBps;
    final long seed;
    final Ticker ticker;
    final int queueLimit;

    private Impairment(Builder b) {
        loss = b.loss;
        duplicate = b.duplicate;
        reorder = b.reorder;
        corrupt = b.corrupt;
        reorderExtraNanos = b.reorderExtraNanos;
        delayNanos = b.delayNanos;
        jitterNanos = b.jitterNanos;
        bandwidthBps = b.bandwidthBps;
        seed = b.seed;
        ticker = b.ticker;
        queueLimit = b.queueLimit;
    }

    public static Builder builder() { return new Builder(); }

    public double loss() { return loss; }
    public double duplicate() { return duplicate; }
    public double reorder() { return reorder; }
    public Duration reorderExtraDelay() { return Duration.ofNanos(reorderExtraNanos); }
    public Duration delay() { return Duration.ofNanos(delayNanos); }
    public Duration jitter() { return Duration.ofNanos(jitterNanos); }
    public double corrupt() { return corrupt; }
    /** Bits per second; 0 means unlimited. */
    public long bandwidth() { return bandwidthBps; }
    public long seed() { return seed; }
    /** The ticker, or null to use the receiving plug's. */
    public Ticker ticker() { return ticker; }
    /** The bound of the delay queue, or 0 to use the receiving plug's {@code queueLimit}. */
    public int queueLimit() { return queueLimit; }

    @Override
    public String toString() {
        return "Impairment[loss=" + loss + " dup=" + duplicate + " reorder=" + reorder + "+" + reorderExtraNanos
                + "ns delay=" + delayNanos + "ns jitter=" + jitterNanos + "ns corrupt=" + corrupt
                + " bw=" + bandwidthBps + "bps seed=" + seed + "]";
    }

    /** Not thread-safe. */
    public static final class Builder {
        private double loss, duplicate, reorder, corrupt;
        private long reorderExtraNanos, delayNanos, jitterNanos, bandwidthBps;
        private long seed = 1;
        private Ticker ticker;
        private int queueLimit;

        private Builder() {}

        /** Probability that a frame is lost. */
        public Builder loss(double p) { loss = prob("loss", p); return this; }

        /** Probability that a frame is delivered twice. */
        public Builder duplicate(double p) { duplicate = prob("duplicate", p); return this; }

        /** Probability that a frame is held back by {@code extraDelay}, letting later frames overtake it. */
        public Builder reorder(double p, Duration extraDelay) {
            reorder = prob("reorder", p);
            reorderExtraNanos = nonNegative("reorder extra delay", extraDelay);
            return this;
        }

        /** Fixed one-way latency of the link. */
        public Builder delay(Duration d) { delayNanos = nonNegative("delay", d); return this; }

        /** Delay variation: uniform in ±jitter around the delay (never earlier than serialization allows). */
        public Builder jitter(Duration d) { jitterNanos = nonNegative("jitter", d); return this; }

        /** Probability that a frame gets one random bit flipped (netem's {@code corrupt}). */
        public Builder corrupt(double p) { corrupt = prob("corrupt", p); return this; }

        /** Link rate in bits per second (serialization delay per frame); 0 = unlimited. */
        public Builder bandwidth(long bitsPerSecond) {
            if (bitsPerSecond < 0) throw new IllegalArgumentException("bandwidth must be >= 0: " + bitsPerSecond);
            bandwidthBps = bitsPerSecond;
            return this;
        }

        public Builder seed(long s) { seed = s; return this; }

        /** The clock that schedules deliveries; default: the receiving plug's ticker. */
        public Builder ticker(Ticker t) { ticker = t; return this; }

        /** Bound of the delay queue (frames); 0 = the receiving plug's {@code queueLimit}. */
        public Builder queueLimit(int n) {
            if (n < 0) throw new IllegalArgumentException("queueLimit must be >= 0: " + n);
            queueLimit = n;
            return this;
        }

        public Impairment build() { return new Impairment(this); }

        private static double prob(String what, double p) {
            if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException(what + " probability must be in [0,1]: " + p);
            return p;
        }

        private static long nonNegative(String what, Duration d) {
            if (d.isNegative()) throw new IllegalArgumentException(what + " must be >= 0: " + d);
            return d.toNanos();
        }
    }
}
