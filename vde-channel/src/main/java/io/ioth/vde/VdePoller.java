package io.ioth.vde;

import io.ioth.vde.internal.LibC;
import io.ioth.vde.internal.NativeMemory;
import io.ioth.vde.internal.Pollable;

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Waits for any of a set of plugs to have input (or room for a write backlog), for a deadline, or
 * for {@link #wakeup()} from another thread, with one {@code ppoll(2)}. This is what an event loop
 * blocks in: the stack's {@code IoHandler} registers its plugs here, calls {@link #await} with the
 * time to its next deadline, then drains each plug with {@link VdePlug#read}.
 *
 * <p>Threading: {@link #wakeup()} may be called from any thread; everything else on the owner thread.
 */
public final class VdePoller implements AutoCloseable {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(VdePoller.class);
    private static final LibC C = LibC.INSTANCE;
    private static final int POLLFD_SIZE = 8;
    private static final long AWAKE = -1L;

    private final List<Pollable> plugs = new ArrayList<>();
    private final int[] wakePipe = new int[2];
    private final NativeMemory pipeMem = new NativeMemory(16);
    private final NativeMemory timespec = new NativeMemory(16);
    private final NativeMemory wakeByte = new NativeMemory(1);
    private final AtomicLong sleepingUntil = new AtomicLong(AWAKE);
    private final Runnable wakeupTask = this::wakeup;
    private NativeMemory fds = new NativeMemory(16 * POLLFD_SIZE);
    private Pollable[] owners = new Pollable[16];
    private int count;
    private final Object closeLock = new Object();
    private volatile boolean closed;

    private final Pollable.PollSet collector = (owner, fd, events) -> {
        ensureCapacity(count + 1);
        int off = count * POLLFD_SIZE;
        fds.putInt(off, fd);
        fds.putShort(off + 4, events);
        fds.putShort(off + 6, (short) 0);
        owners[count++] = owner;
    };

    public VdePoller() {
        if (C.pipe2(pipeMem.address(), LibC.O_NONBLOCK | LibC.SOCK_CLOEXEC) != 0) {
            int e = LibC.errno();
            pipeMem.close();
            throw new IllegalStateException("pipe2: " + LibC.describe(e));
        }
        wakePipe[0] = pipeMem.getInt(0);
        wakePipe[1] = pipeMem.getInt(4);
        wakeByte.putByte(0, (byte) 1);
    }

    /** Starts watching a plug. Owner thread. */
    public void add(VdePlug plug) {
        Pollable p = (Pollable) plug;
        plugs.add(p);
        p.wakeup(wakeupTask);
    }

    /** Stops watching a plug. Owner thread. */
    public void remove(VdePlug plug) {
        Pollable p = (Pollable) plug;
        if (plugs.remove(p)) p.wakeup(null);
    }

    /** The earliest deadline any plug asked for, or {@code Long.MAX_VALUE}. */
    public long nextDeadlineNanos() {
        long d = Long.MAX_VALUE;
        for (int i = 0, n = plugs.size(); i < n; i++) d = Math.min(d, plugs.get(i).nextDeadlineNanos());
        return d;
    }

    /**
     * Blocks until a plug is ready, {@code timeoutNanos} pass or {@link #wakeup()} is called. A
     * timeout of 0 only polls; a negative timeout waits without limit. Plugs with in-JVM input
     * pending make it return at once.
     *
     * @return the number of descriptors with events (wake-ups included)
     */
    public int await(long timeoutNanos) {
        if (closed) throw new IllegalStateException("closed");
        count = 0;
        collector.add(null, wakePipe[0], LibC.POLLIN);
        for (int i = 0, n = plugs.size(); i < n; i++) plugs.get(i).pollFds(collector);
        // Announce that we may sleep before the last readiness check, so a concurrent producer either
        // sees us sleeping (and writes the pipe) or we see its input. Never store AWAKE (-1): a
        // negative timeout (wait without limit) must stay wakeable.
        sleepingUntil.set(timeoutNanos < 0 ? Long.MAX_VALUE : timeoutNanos);
        long timeout = timeoutNanos;
        for (int i = 0, n = plugs.size(); i < n && timeout != 0; i++) {
            if (plugs.get(i).readyNow()) timeout = 0;
        }
        long ts;
        if (timeout < 0) {
            ts = 0;
        } else {
            timespec.putLong(0, timeout / 1_000_000_000L);
            timespec.putLong(8, timeout % 1_000_000_000L);
            ts = timespec.address();
        }
        int n = C.ppoll(fds.address(), count, ts, 0);
        sleepingUntil.set(AWAKE);
        if (n < 0) {
            int e = LibC.errno();
            if (e == LibC.EINTR) return 0;
            throw new IllegalStateException("ppoll: " + LibC.describe(e));
        }
        if (n > 0) dispatch();
        return n;
    }

    private void dispatch() {
        try {
            for (int i = 0; i < count; i++) {
                int off = i * POLLFD_SIZE;
                int revents = fds.getShort(off + 6) & 0xffff;
                if (revents == 0) continue;
                Pollable owner = owners[i];
                if (owner == null) {
                    drainWakePipe();
                } else {
                    try {
                        owner.pollEvents(fds.getInt(off), revents);
                    } catch (RuntimeException e) {
                        // one plug's failure must not starve the others or end the owner's loop
                        logger.warn("{} failed handling poll events {}", owner, revents, e);
                    }
                }
            }
        } finally {
            for (int i = 0; i < count; i++) owners[i] = null;
        }
    }

    private void drainWakePipe() {
        while (C.read(wakePipe[0], pipeMem.address() + 8, 8) > 0) {
            // drain
        }
    }

    /**
     * Announces that the owner is about to block in {@link #await}: from now on {@link #wakeup()}
     * writes the wake-up pipe, so the next {@code await} returns at once. An event loop calls this
     * before its last check for queued tasks; a task queued after that check cannot be missed (the
     * order Netty's EpollIoHandler uses: nextWakeupNanos is set before canBlock()). Owner thread.
     */
    public void prepareToBlock() {
        sleepingUntil.set(Long.MAX_VALUE);
    }

    /** Makes a blocked or about-to-block {@link #await} return. Any thread; cheap when not sleeping. */
    public void wakeup() {
        if (sleepingUntil.getAndSet(AWAKE) != AWAKE) {
            synchronized (closeLock) { // close() must not free the pipe (and its fd number) under us
                if (!closed) C.write(wakePipe[1], wakeByte.address(), 1);
            }
        }
    }

    private void ensureCapacity(int n) {
        if (n <= owners.length) return;
        int cap = owners.length * 2;
        NativeMemory bigger = new NativeMemory(cap * POLLFD_SIZE);
        for (int i = 0; i < count * POLLFD_SIZE; i += 4) bigger.putInt(i, fds.getInt(i));
        fds.close();
        fds = bigger;
        Pollable[] o = new Pollable[cap];
        System.arraycopy(owners, 0, o, 0, count);
        owners = o;
    }

    /** Closes the poller (not the plugs). Owner thread. */
    @Override
    public void close() {
        synchronized (closeLock) {
            if (closed) return;
            closed = true;
        }
        for (Pollable p : plugs) p.wakeup(null);
        plugs.clear();
        C.close(wakePipe[0]);
        C.close(wakePipe[1]);
        pipeMem.close();
        timespec.close();
        fds.close();
        wakeByte.close();
    }
}
