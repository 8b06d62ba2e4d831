package io.ioth.vde.sw;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Ticker;

import java.util.SplittableRandom;

/**
 * The switch → port link of an impaired port: the random decisions of {@link Impairment} and a
 * bounded, time-ordered queue (binary min-heap on (deliverAt, sequence)) of frames in flight.
 *
 * <p>Threading: {@link #offer} runs on senders' threads, {@link #pollDue}/{@link #headDue} on the
 * port's owner; everything is under this object's monitor (a frame per lock round trip is fine for
 * simulations; the unimpaired path never comes here).
 */
final class ImpairedLink {
    private final EmbeddedPlug port;
    private Impairment cfg;
    private Ticker ticker;
    private SplittableRandom rng;
    private int limit;
    private long linkFreeAt;
    private long sequence;
    private boolean closed;

    private long[] due = new long[16];
    private long[] seq = new long[16];
    private ByteBuf[] frames = new ByteBuf[16];
    private int size;

    long lost, duplicated, reordered, corrupted, queueFull;

    ImpairedLink(EmbeddedPlug port) {
        this.port = port;
    }

    synchronized void configure(Impairment impairment) {
        cfg = impairment;
        if (impairment != null) {
            ticker = impairment.ticker != null ? impairment.ticker : port.options().ticker();
            rng = new SplittableRandom(impairment.seed);
            limit = impairment.queueLimit > 0 ? impairment.queueLimit : port.options().queueLimit();
            linkFreeAt = Long.MIN_VALUE;
        }
    }

    /** Whether new frames must come through here. Racy read is fine (a frame may take either path while switching). */
    boolean active() {
        return cfg != null;
    }

    synchronized Impairment impairment() { return cfg; }

    /**
     * Runs the impairments on one frame and queues what survives. Takes ownership of {@code frame}.
     *
     * @return false if no copy got queued because the queue was full or the port closed (a lost
     *     frame counts as delivered to the link: the wire took it)
     */
    boolean offer(ByteBuf frame) {
        boolean signal;
        synchronized (this) {
            Impairment c = cfg;
            if (closed || c == null) {
                frame.release();
                return false;
            }
            long now = ticker.nanoTime();
            if (c.loss > 0 && rng.nextDouble() < c.loss) {
                lost++;
                frame.release();
                return true;
            }
            ByteBuf second = null;
            if (c.duplicate > 0 && rng.nextDouble() < c.duplicate) {
                duplicated++;
                second = frame.retainedDuplicate(); // taken before the first copy can be corrupted and released
            }
            int r1 = schedule(c, frame, now);
            int r2 = second == null ? -1 : schedule(c, second, now);
            signal = r1 == 1 || r2 == 1;
            if (r1 < 0 && r2 < 0) return false;
        }
        if (signal) port.signalOwner();
        return true;
    }

    /** @return -1 if dropped (queue full), 1 if it became the head (the owner's deadline moved earlier), else 0 */
    private int schedule(Impairment c, ByteBuf f, long now) {
        int len = f.readableBytes();
        if (c.corrupt > 0 && rng.nextDouble() < c.corrupt) {
            int bit = rng.nextInt(len * 8);
            f = corruptCopy(f, bit);
            corrupted++;
        }
        long start = Math.max(now, linkFreeAt);
        long tx = c.bandwidthBps > 0 ? (long) Math.ceil(len * 8 * 1e9 / c.bandwidthBps) : 0;
        linkFreeAt = start + tx;
        long at = start + tx + c.delayNanos;
        if (c.jitterNanos > 0) {
            at = Math.max(start + tx, at + rng.nextLong(-c.jitterNanos, c.jitterNanos + 1));
        }
        if (c.reorder > 0 && rng.nextDouble() < c.reorder) {
            at += c.reorderExtraNanos;
            reordered++;
        }
        if (size >= limit) {
            queueFull++;
            f.release();
            return -1;
        }
        return push(at, sequence++, f) == 0 ? 1 : 0;
    }

    /** Flips one bit in a private copy: the original may be shared with other ports (a flood) or the sender. */
    private ByteBuf corruptCopy(ByteBuf f, int bit) {
        int len = f.readableBytes();
        ByteBuf copy = port.options().allocator().directBuffer(len, len);
        copy.writeBytes(f, f.readerIndex(), len);
        f.release();
        int i = bit >>> 3;
        copy.setByte(i, copy.getByte(i) ^ (1 << (bit & 7)));
        return copy;
    }

    /** Moves up to {@code max} due frames into {@code out}; returns how many. Owner thread. */
    synchronized int pollDue(ByteBuf[] out, int max) {
        if (size == 0) return 0;
        long now = ticker.nanoTime();
        int n = 0;
        while (n < max && size > 0 && due[0] - now <= 0) {
            out[n++] = frames[0];
            removeHead();
        }
        return n;
    }

    /** Delivery time of the earliest frame, or Long.MAX_VALUE. */
    synchronized long headDue() {
        return size == 0 ? Long.MAX_VALUE : due[0];
    }

    synchronized boolean dueNow() {
        return size > 0 && due[0] - ticker.nanoTime() <= 0;
    }

    synchronized int queued() { return size; }

    /** Releases everything in flight and refuses further frames. */
    synchronized void close() {
        closed = true;
        for (int i = 0; i < size; i++) {
            frames[i].release();
            frames[i] = null;
        }
        size = 0;
    }

    // ---- binary heap on (due, seq) ----

    private static boolean before(long d1, long s1, long d2, long s2) {
        return d1 != d2 ? d1 - d2 < 0 : s1 < s2;
    }

    private int push(long d, long s, ByteBuf f) {
        if (size == due.length) {
            int cap = size * 2;
            due = java.util.Arrays.copyOf(due, cap);
            seq = java.util.Arrays.copyOf(seq, cap);
            frames = java.util.Arrays.copyOf(frames, cap);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!before(d, s, due[parent], seq[parent])) break;
            due[i] = due[parent];
            seq[i] = seq[parent];
            frames[i] = frames[parent];
            i = parent;
        }
        due[i] = d;
        seq[i] = s;
        frames[i] = f;
        return i;
    }

    private void removeHead() {
        int last = --size;
        long d = due[last], s = seq[last];
        ByteBuf f = frames[last];
        frames[last] = null;
        if (last == 0) {
            frames[0] = null;
            return;
        }
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= last) break;
            if (child + 1 < last && before(due[child + 1], seq[child + 1], due[child], seq[child])) child++;
            if (!before(due[child], seq[child], d, s)) break;
            due[i] = due[child];
            seq[i] = seq[child];
            frames[i] = frames[child];
            i = child;
        }
        due[i] = d;
        seq[i] = s;
        frames[i] = f;
    }
}
