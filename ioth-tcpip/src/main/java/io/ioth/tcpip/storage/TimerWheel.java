package io.ioth.tcpip.storage;

import java.util.Arrays;

/**
 * A hashed timer wheel for deadlines in nanoseconds, in the style of Agrona's {@code DeadlineTimerWheel}
 * (Varghese &amp; Lauck, "Hashed and Hierarchical Timing Wheels", SOSP 1987, scheme 6).
 *
 * <p>Timers are {@code long} ids, never objects. Each timer may carry a {@code long} cookie (e.g. a socket or
 * neighbour-entry slot) that is handed back on expiry, so the owner needs no id-to-object map. The wheel never
 * reads a clock: every call that depends on time takes {@code nowNanos}.
 *
 * <pre>
 *   spoke = (deadline - startTime) / tickResolution  mod ticksPerWheel
 *
 *   spokes[0..spokeCount)  -> head slot of an intrusive doubly linked list (int indexes, -1 = empty)
 *   slot arrays (deadline, cookie, generation, next, prev, spoke) grown geometrically, reused via a free list
 *   timer id = generation (31 bits, never 0) &lt;&lt; 32 | slot
 * </pre>
 *
 * <p><b>Spokes grow with the timers.</b> The wheel starts with few spokes (at least {@link #MIN_SPOKES}, or the
 * initial capacity rounded up to a power of two) and doubles them, re-linking every timer, whenever more timers are
 * scheduled than there are spokes, up to {@code ticksPerWheel}. A wheel that holds a handful of timers therefore
 * costs a few hundred bytes instead of 4 bytes per spoke (a stack keeps several wheels, and one JVM may run a
 * thousand stacks), while a busy wheel keeps about one timer per spoke, the load that makes the hashed wheel's poll
 * cost O(1) per tick (Varghese &amp; Lauck §5). Expiry does not depend on the number of spokes: a timer fires at the
 * first {@link #poll} at or after its deadline whatever the geometry; fewer spokes only mean a shorter revolution,
 * so a far deadline is compared once per revolution more often.
 *
 * <p><b>Differences from Agrona:</b> ids carry a per-slot generation, so {@link #cancel(long)} of a timer that has
 * already expired (or been cancelled) is a harmless no-op that returns {@code false} even after its slot has been
 * reused. Agrona documents that case as a caveat.
 *
 * <p><b>Caveats:</b> a timer whose deadline is more than one revolution ({@code ticksPerWheel * tickResolution})
 * away sits in its spoke and is skipped (by a deadline comparison) on each pass until it is due. Expiry is
 * at tick granularity: a timer fires on the first {@code poll} at or after its deadline, never before. Timers that
 * expire in the same poll fire in spoke order, not strictly in deadline order.
 *
 * <p><b>Allocation:</b> none per schedule, cancel or expiry once the slot arrays and the spokes have reached the
 * high-water mark of concurrently scheduled timers (neither ever shrinks).
 *
 * <p><b>Note:</b> Not threadsafe. A wheel belongs to one event-loop thread. The expiry handler may schedule and
 * cancel timers re-entrantly.
 */
public final class TimerWheel {

    /** Never returned by {@link #schedule}; use it as "no timer" in fields. */
    public static final long NULL_TIMER = 0L;
    /** Returned by {@link #nextDeadline()} when no timer is scheduled. */
    public static final long NO_DEADLINE = Long.MAX_VALUE;

    /** Called for each expired timer. */
    @FunctionalInterface
    public interface ExpiryHandler {
        /**
         * @param timerId   the expired timer (no longer valid once this returns {@code true})
         * @param cookie    the cookie given to {@link #schedule(long, long)}
         * @param nowNanos  the time passed to {@link #poll}
         * @return {@code true} to consume the timer; {@code false} to keep it scheduled and stop this poll
         *         (back-pressure, as in Agrona)
         */
        boolean onExpiry(long timerId, long cookie, long nowNanos);
    }

    /** Spokes a wheel starts with at least (fewer if {@code ticksPerWheel} is smaller). */
    public static final int MIN_SPOKES = 16;

    private static final int NONE = -1;
    private static final long GEN_MASK = 0x7fff_ffffL;

    private final long startTime;
    private final int resolutionShift;
    private final int maxSpokes;
    private int spokeMask;
    private int[] spokes;

    private long[] deadlines;
    private long[] cookies;
    private int[] generations;
    private int[] next;
    private int[] prev;
    private int[] spokeOf;
    private int freeHead;
    private int highWater;

    private int count;
    /** Absolute tick (from startTime) of the spoke the next poll starts from. */
    private long currentTick;
    /** Incremented on every link/unlink; lets poll detect re-entrant changes made by a handler. */
    private long modCount;
    /** Incremented on every schedule. */
    private long scheduleCount;

    /**
     * @param startTimeNanos       time origin; deadlines before it are treated as due
     * @param tickResolutionNanos  power of two (e.g. {@code 1 << 20} ~ 1.05 ms)
     * @param ticksPerWheel        power of two (e.g. 512): the most spokes the wheel grows to
     * @param initialCapacity      slots allocated up front (grown by doubling); the wheel starts with this many
     *                             spokes (rounded up to a power of two, at least {@link #MIN_SPOKES}, at most
     *                             {@code ticksPerWheel})
     */
    public TimerWheel(final long startTimeNanos, final long tickResolutionNanos, final int ticksPerWheel,
                      final int initialCapacity) {
        if (tickResolutionNanos <= 0 || Long.bitCount(tickResolutionNanos) != 1) {
            throw new IllegalArgumentException("tickResolutionNanos must be a power of two: " + tickResolutionNanos);
        }
        if (ticksPerWheel <= 0 || Integer.bitCount(ticksPerWheel) != 1) {
            throw new IllegalArgumentException("ticksPerWheel must be a power of two: " + ticksPerWheel);
        }
        if (initialCapacity <= 0) {
            throw new IllegalArgumentException("initialCapacity must be > 0: " + initialCapacity);
        }
        this.startTime = startTimeNanos;
        this.resolutionShift = Long.numberOfTrailingZeros(tickResolutionNanos);
        this.maxSpokes = ticksPerWheel;
        final int initialSpokes = initialCapacity >= ticksPerWheel ? ticksPerWheel
                : Math.min(ticksPerWheel, Math.max(MIN_SPOKES, Integer.highestOneBit(initialCapacity - 1) << 1));
        this.spokes = new int[initialSpokes];
        this.spokeMask = initialSpokes - 1;
        Arrays.fill(spokes, NONE);
        allocate(initialCapacity);
        this.freeHead = NONE;
    }

    /** A wheel with ~1.05 ms ticks and 512 spokes (one revolution ~ 537 ms). */
    public TimerWheel(final long startTimeNanos) {
        this(startTimeNanos, 1L << 20, 512, 64);
    }

    private void allocate(final int capacity) {
        deadlines = new long[capacity];
        cookies = new long[capacity];
        generations = new int[capacity];
        next = new int[capacity];
        prev = new int[capacity];
        spokeOf = new int[capacity];
        Arrays.fill(generations, 1);
    }

    private void grow() {
        final int oldCap = deadlines.length;
        final int newCap = oldCap << 1;
        if (newCap < 0) {
            throw new IllegalStateException("timer wheel full");
        }
        deadlines = Arrays.copyOf(deadlines, newCap);
        cookies = Arrays.copyOf(cookies, newCap);
        generations = Arrays.copyOf(generations, newCap);
        Arrays.fill(generations, oldCap, newCap, 1);
        next = Arrays.copyOf(next, newCap);
        prev = Arrays.copyOf(prev, newCap);
        spokeOf = Arrays.copyOf(spokeOf, newCap);
    }

    public long tickResolutionNanos() {
        return 1L << resolutionShift;
    }

    /** The most spokes this wheel grows to (the {@code ticksPerWheel} it was built with). */
    public int ticksPerWheel() {
        return maxSpokes;
    }

    /** Spokes currently allocated: grows (doubling) with the number of scheduled timers, up to
     * {@link #ticksPerWheel()}. */
    public int spokes() {
        return spokes.length;
    }

    /** Number of scheduled (not yet expired or cancelled) timers. */
    public int size() {
        return count;
    }

    /** Slots currently allocated (the high-water mark rounded up to a power of two). */
    public int capacity() {
        return deadlines.length;
    }

    /** Schedules a timer with cookie 0. */
    public long schedule(final long deadlineNanos) {
        return schedule(deadlineNanos, 0L);
    }

    /**
     * Schedules a timer.
     *
     * @return the timer id, never {@link #NULL_TIMER}
     */
    public long schedule(final long deadlineNanos, final long cookie) {
        final int slot;
        if (freeHead != NONE) {
            slot = freeHead;
            freeHead = next[slot];
        } else {
            if (highWater == deadlines.length) {
                grow();
            }
            slot = highWater++;
        }
        deadlines[slot] = deadlineNanos;
        cookies[slot] = cookie;
        // A deadline in a tick the wheel has already passed goes into the current spoke: it is due at the next poll.
        final long tick = Math.max(tickOf(deadlineNanos), currentTick);
        link(slot, (int) tick & spokeMask);
        count++;
        scheduleCount++;
        if (count > spokes.length && spokes.length < maxSpokes) {
            growSpokes();
        }
        return ((long) generations[slot] << 32) | slot;
    }

    /**
     * Doubles the spokes and re-links every timer into {@code max(tick(deadline), currentTick) & mask}. That keeps
     * the invariant {@link #poll} relies on: a timer whose tick has passed lies in the current spoke (poll never
     * moves past a spoke while a due timer is left in it, so such a timer can only be one scheduled overdue, which
     * {@link #schedule} also puts in the current spoke).
     */
    private void growSpokes() {
        final int[] old = spokes;
        spokes = new int[old.length << 1];
        spokeMask = spokes.length - 1;
        Arrays.fill(spokes, NONE);
        for (final int head : old) {
            int slot = head;
            while (slot != NONE) {
                final int nextSlot = next[slot];
                link(slot, (int) Math.max(tickOf(deadlines[slot]), currentTick) & spokeMask);
                slot = nextSlot;
            }
        }
    }

    /**
     * Cancels a timer. Unknown, expired and already cancelled ids are ignored.
     *
     * @return {@code true} if a scheduled timer was cancelled
     */
    public boolean cancel(final long timerId) {
        final int slot = validSlot(timerId);
        if (slot == NONE) {
            return false;
        }
        release(slot);
        return true;
    }

    /** Whether the id names a timer that is still scheduled. */
    public boolean isScheduled(final long timerId) {
        return validSlot(timerId) != NONE;
    }

    /** The deadline of a scheduled timer, or {@link #NO_DEADLINE} if it is not scheduled. */
    public long deadline(final long timerId) {
        final int slot = validSlot(timerId);
        return slot == NONE ? NO_DEADLINE : deadlines[slot];
    }

    private int validSlot(final long timerId) {
        final long slotL = timerId & 0xffff_ffffL;
        final int gen = (int) (timerId >>> 32);
        if (gen == 0 || slotL >= highWater) {
            return NONE;
        }
        final int slot = (int) slotL;
        // A free slot's spokeOf is NONE; a reused slot has a new generation.
        return generations[slot] == gen && spokeOf[slot] != NONE ? slot : NONE;
    }

    /**
     * Expires due timers, at most {@code expiryLimit} of them.
     *
     * @return the number of timers expired
     */
    public int poll(final long nowNanos, final ExpiryHandler handler, final int expiryLimit) {
        int expired = 0;
        final long nowTick = tickOf(nowNanos);
        if (count == 0) {
            if (nowTick > currentTick) {
                currentTick = nowTick;
            }
            return 0;
        }
        int spokesVisited = 0;
        long schedulesSeen = scheduleCount;
        while (expired < expiryLimit) {
            final int spoke = (int) currentTick & spokeMask;
            int slot = spokes[spoke];
            boolean restart = false;
            while (slot != NONE && expired < expiryLimit) {
                final int nextSlot = next[slot];
                if (deadlines[slot] <= nowNanos) {
                    final long id = ((long) generations[slot] << 32) | slot;
                    final long before = modCount;
                    if (!handler.onExpiry(id, cookies[slot], nowNanos)) {
                        return expired;
                    }
                    expired++;
                    // The handler may have cancelled this timer itself, or scheduled/cancelled others.
                    final boolean changed = modCount != before;
                    if (validSlot(id) != NONE) {
                        release(slot);
                    }
                    if (changed) {
                        restart = true;
                        break;
                    }
                }
                slot = nextSlot;
            }
            if (restart) {
                continue;
            }
            if (slot != NONE) {
                // expiryLimit reached inside this spoke: resume here next time
                return expired;
            }
            // Spoke done. Advance only once its whole tick lies in the past; what stays is a later revolution.
            if (currentTick >= nowTick) {
                return expired;
            }
            currentTick++;
            if (++spokesVisited > spokes.length) {
                if (scheduleCount == schedulesSeen) {
                    // Every spoke has been scanned against nowNanos and no handler scheduled anything since:
                    // nothing else is due. Jump ahead instead of walking empty ticks.
                    currentTick = nowTick;
                    return expired;
                }
                // A handler scheduled timers that may be due in spokes already passed: one more revolution.
                // Bounded: each extra revolution needs another expiry, and expiries are capped by expiryLimit.
                spokesVisited = 0;
                schedulesSeen = scheduleCount;
            }
            if (count == 0) {
                currentTick = nowTick;
                return expired;
            }
        }
        return expired;
    }

    /**
     * The earliest deadline of any scheduled timer, or {@link #NO_DEADLINE}. Exact; its cost is the number of
     * spokes up to the earliest one plus the timers in them (a full scan only when every timer is more than a
     * revolution away).
     */
    public long nextDeadline() {
        if (count == 0) {
            return NO_DEADLINE;
        }
        long min = NO_DEADLINE;
        for (int k = 0; k < spokes.length; k++) {
            final long tick = currentTick + k;
            for (int slot = spokes[(int) tick & spokeMask]; slot != NONE; slot = next[slot]) {
                if (deadlines[slot] < min) {
                    min = deadlines[slot];
                }
            }
            // Every timer not yet seen lies in a later tick, i.e. at or after the start of tick + 1.
            if (min < startTime + ((tick + 1) << resolutionShift)) {
                return min;
            }
        }
        return min;
    }

    /**
     * Cancels every timer whose cookie satisfies {@code (cookie & mask) == value} (e.g. all the timers of one owner
     * encoded in the cookie's high bits). Costs a walk of the whole wheel: for teardown, not for hot paths.
     *
     * @return the number of timers cancelled
     */
    public int cancelMatching(final long mask, final long value) {
        int cancelled = 0;
        for (int s = 0; s < spokes.length; s++) {
            int slot = spokes[s];
            while (slot != NONE) {
                final int nextSlot = next[slot];
                if ((cookies[slot] & mask) == value) {
                    release(slot);
                    cancelled++;
                }
                slot = nextSlot;
            }
        }
        return cancelled;
    }

    /** Cancels every timer. */
    public void clear() {
        for (int s = 0; s < spokes.length; s++) {
            while (spokes[s] != NONE) {
                release(spokes[s]);
            }
        }
    }

    private long tickOf(final long timeNanos) {
        return (timeNanos - startTime) >> resolutionShift;
    }

    private void link(final int slot, final int spoke) {
        final int head = spokes[spoke];
        next[slot] = head;
        prev[slot] = NONE;
        if (head != NONE) {
            prev[head] = slot;
        }
        spokes[spoke] = slot;
        spokeOf[slot] = spoke;
        modCount++;
    }

    private void release(final int slot) {
        final int n = next[slot];
        final int p = prev[slot];
        if (p == NONE) {
            spokes[spokeOf[slot]] = n;
        } else {
            next[p] = n;
        }
        if (n != NONE) {
            prev[n] = p;
        }
        spokeOf[slot] = NONE;
        int gen = (int) ((generations[slot] + 1) & GEN_MASK);
        generations[slot] = gen == 0 ? 1 : gen;
        next[slot] = freeHead;
        freeHead = slot;
        count--;
        modCount++;
    }
}
