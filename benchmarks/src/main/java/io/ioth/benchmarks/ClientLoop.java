package io.ioth.benchmarks;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ManualIoEventLoop;
import io.netty.util.concurrent.Future;

import java.util.concurrent.TimeUnit;

/**
 * The client side's event loop, run by the JMH worker thread itself (a {@link ManualIoEventLoop}
 * owned by the thread that builds this): a benchmark writes, then calls {@link #run()} until its
 * answer is in. Nothing is handed to another thread, so an operation's time is the transport's
 * (and the server's), not a wake-up of the benchmark thread.
 *
 * <p>Thread contract: every method on the owner thread (the one that constructed it).
 */
final class ClientLoop implements AutoCloseable {
    /** How long one {@link #run()} may block; a benchmark that sees no progress for {@link #STALL_NANOS} fails. */
    private static final long WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(10);

    final ManualIoEventLoop loop;
    /** When the last run without progress started, 0 while there is progress. */
    private long idleSince;

    ClientLoop(IoHandlerFactory factory) {
        loop = new ManualIoEventLoop(Thread.currentThread(), factory);
    }

    /**
     * Runs ready I/O and tasks, blocking up to 100 ms when there are none. Throws when nothing at
     * all has happened for {@link #STALL_NANOS} (a lost segment or a stuck peer must fail the
     * benchmark, not hang it). Allocates nothing.
     */
    void run() {
        if (loop.run(WAIT_NANOS) > 0) {
            idleSince = 0;
            return;
        }
        long now = System.nanoTime();
        if (idleSince == 0) {
            idleSince = now;
        } else if (now - idleSince > STALL_NANOS) {
            idleSince = 0;
            throw new IllegalStateException("no progress for " + TimeUnit.NANOSECONDS.toSeconds(STALL_NANOS) + " s");
        }
    }

    /** Runs the loop until {@code f} is done; returns it (successful or not). */
    <F extends Future<?>> F await(F f) {
        while (!f.isDone()) run();
        return f;
    }

    /** Runs the loop until {@code f} is done and throws its cause if it failed. */
    <F extends Future<?>> F sync(F f) {
        await(f);
        if (!f.isSuccess()) {
            throw new IllegalStateException(f.cause());
        }
        return f;
    }

    /** Shuts the loop down, running it until terminated (bounded). */
    @Override
    public void close() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!loop.isTerminated() && System.nanoTime() < deadline) {
            loop.run(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }
}
