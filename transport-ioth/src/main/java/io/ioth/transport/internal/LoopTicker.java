package io.ioth.transport.internal;

import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Ticker;

import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The clock of one event loop, usable before the loop has finished construction. An {@code IoHandlerFactory} is
 * called from the loop's constructor, before a {@code ManualIoEventLoop} has stored its {@link Ticker}; this
 * ticker asks the loop for its ticker on first use after that and keeps it. The stack, its timers and the VDE plugs'
 * deadlines all read this one clock, so a loop built with {@link Ticker#newMockTicker()} runs its whole network in
 * simulated time (netty-transport.md §1.5 item 8).
 *
 * <p>Thread-safe.
 */
public final class LoopTicker implements Ticker {
    private final Executor loop;
    private volatile Ticker resolved;

    public LoopTicker(final Executor loop) {
        this.loop = loop;
    }

    /** The loop's ticker; the system ticker for executors that have none (or have none yet). */
    public Ticker delegate() {
        Ticker t = resolved;
        if (t == null) {
            t = loop instanceof EventExecutorGroup g ? g.ticker() : Ticker.systemTicker();
            if (t == null) {
                return Ticker.systemTicker(); // still constructing: do not cache
            }
            resolved = t;
        }
        return t;
    }

    @Override
    public long initialNanoTime() {
        return delegate().initialNanoTime();
    }

    @Override
    public long nanoTime() {
        return delegate().nanoTime();
    }

    @Override
    public void sleep(final long delay, final TimeUnit unit) throws InterruptedException {
        delegate().sleep(delay, unit);
    }
}
