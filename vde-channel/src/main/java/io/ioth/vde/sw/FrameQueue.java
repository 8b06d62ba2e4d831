package io.ioth.vde.sw;

import io.netty.buffer.ByteBuf;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded multi-producer single-consumer queue of frames (a port's input), array based and
 * allocation-free, that tells a producer whether its frame landed where the consumer is waiting, so
 * the owner's poller is woken only on the empty-to-non-empty transition.
 *
 * <p>Why not Netty's {@code newFixedMpscQueue}: its {@code offer} cannot report that transition, and
 * a racy {@code isEmpty()} before the offer loses wake-ups.
 *
 * <p>Wake-up protocol (Dekker style, all sequentially consistent): a producer claims index p with a
 * CAS, stores the frame, then reads the consumer index; it signals if that equals p. Before it may
 * sleep the consumer's poller publishes "sleeping", then {@link #readyNow()} republishes the consumer
 * index with a volatile write and reads the producer index. Either the producer sees consumer == p
 * and signals, or the consumer sees producer > consumer and does not sleep.
 *
 * <p>Threading: {@link #offer} from any thread; {@link #poll} and {@link #readyNow} from the one
 * consumer (or whoever holds the owning port's drain lock after close).
 */
final class FrameQueue {
    static final int FULL = -1, QUEUED = 0, WAS_EMPTY = 1;

    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(ByteBuf[].class);

    /** An AtomicLong padded so producer and consumer indexes do not share a cache line. */
    @SuppressWarnings("unused")
    private static final class PaddedIndex extends AtomicLong {
        long p1, p2, p3, p4, p5, p6, p7;
    }

    private final ByteBuf[] slots;
    private final int mask;
    private final int limit;
    private final PaddedIndex producer = new PaddedIndex();
    private final PaddedIndex consumer = new PaddedIndex();
    /** The consumer's own view of its index while it takes a batch ({@link #take}); the consumer's thread only. */
    private long taken;

    FrameQueue(int limit) {
        if (limit < 1) throw new IllegalArgumentException("limit " + limit);
        this.limit = limit;
        int cap = Integer.highestOneBit(Math.max(2, limit - 1) << 1);
        this.slots = new ByteBuf[cap];
        this.mask = cap - 1;
    }

    /** @return {@link #FULL} (frame not taken), {@link #WAS_EMPTY} (signal the consumer) or {@link #QUEUED} */
    int offer(ByteBuf frame) {
        long p;
        do {
            p = producer.get();
            // a volatile read of the consumer index, every time: it is also what orders the consumer's clearing of the
            // slot (before its release of the index) before this producer's store into it
            if (p - consumer.get() >= limit) return FULL;
        } while (!producer.compareAndSet(p, p + 1));
        SLOTS.setRelease(slots, (int) p & mask, frame);
        return consumer.get() == p ? WAS_EMPTY : QUEUED;
    }

    /** The next frame, or null if none is (completely) there yet. Consumer only. */
    ByteBuf poll() {
        long c = consumer.getPlain();
        int i = (int) c & mask;
        ByteBuf f = (ByteBuf) SLOTS.getAcquire(slots, i);
        if (f == null) return null;
        slots[i] = null; // plain: published by the consumer index release below
        consumer.lazySet(c + 1);
        taken = c + 1;
        return f;
    }

    /**
     * Like {@link #poll} but without publishing the consumer index: a batch of takes ends with one {@link #commit}, so
     * producers, who read that index on every offer, see its cache line change once per batch, not once per frame.
     * A lagging index is safe: a producer then sees the queue fuller than it is (at worst FULL a little early) and
     * does not signal, and the consumer re-checks with {@link #readyNow} (which publishes) before it sleeps.
     * Consumer only.
     */
    ByteBuf take() {
        long c = taken;
        int i = (int) c & mask;
        ByteBuf f = (ByteBuf) SLOTS.getAcquire(slots, i);
        if (f == null) return null;
        slots[i] = null; // plain: published by commit's release
        taken = c + 1;
        return f;
    }

    /** Publishes what {@link #take} took. Consumer only. */
    void commit() {
        if (taken != consumer.getPlain()) consumer.lazySet(taken);
    }

    /** Consumer only; see the class comment for why this writes. */
    boolean readyNow() {
        long c = consumer.getPlain();
        consumer.set(c);
        return producer.get() != c;
    }

    /** Whether a frame is queued or being stored (any thread, approximate). */
    boolean isEmpty() {
        return producer.get() == consumer.get();
    }

    int size() {
        return (int) Math.max(0, producer.get() - consumer.get());
    }
}
