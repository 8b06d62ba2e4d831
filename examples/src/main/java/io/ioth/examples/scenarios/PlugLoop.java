package io.ioth.examples.scenarios;

import io.ioth.vde.VdeOptions;
import io.ioth.vde.VdePoller;
import io.netty.util.concurrent.Ticker;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One thread that owns a few VDE plugs and serves them with one {@link VdePoller} (VdeCable's main loop as an
 * object): {@link #open} runs on the thread, then {@link #turn} every time a plug has input or a deadline passes,
 * then {@link #release}. Owner-thread model: the plugs, and whatever reads them, are touched by this thread only.
 */
abstract class PlugLoop implements AutoCloseable {
    /** Every plug of the loop uses these options, so {@link #ticker} is the clock of their deadlines too. */
    protected final VdeOptions options;
    protected final Ticker ticker;
    private final Thread thread;
    private final CompletableFuture<Void> up = new CompletableFuture<>();
    private volatile boolean running = true;
    private volatile VdePoller poller;

    PlugLoop(final String name, final String description) {
        this.options = VdeOptions.defaults().withDescription(description);
        this.ticker = options.ticker();
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    /** On the loop's thread: opens the plugs and adds them to {@code poller}. */
    protected abstract void open(VdePoller poller, long now) throws Exception;

    /** On the loop's thread: serves the plugs (a bounded amount of work); returns the next deadline or MAX_VALUE. */
    protected abstract long turn(long now);

    /** On the loop's thread, at the end: closes the plugs. */
    protected abstract void release();

    /** Starts the thread and waits until {@link #open} is done; its failure is thrown here. */
    final void start() throws Exception {
        thread.start();
        try {
            up.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            thread.join(TimeUnit.SECONDS.toMillis(10));
            throw e.getCause() instanceof Exception x ? x : e;
        }
    }

    private void run() {
        try (VdePoller p = new VdePoller()) {
            poller = p;
            open(p, ticker.nanoTime());
            up.complete(null);
            while (running) {
                final long deadline = Math.min(turn(ticker.nanoTime()), p.nextDeadlineNanos());
                p.prepareToBlock(); // from here on, close()'s wakeup() cannot be lost
                if (!running) {
                    break;
                }
                p.await(deadline == Long.MAX_VALUE ? -1 : Math.max(0, deadline - ticker.nanoTime()));
            }
        } catch (Throwable t) {
            if (!up.completeExceptionally(t)) { // opened: a failure while running ends the loop, and says why
                System.err.println(thread.getName() + " stopped: " + t);
            }
        } finally {
            release();
        }
    }

    /** Stops the thread and waits for it (the plugs are closed). Idempotent. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        final VdePoller p = poller;
        if (p != null) {
            p.wakeup();
        }
        thread.join(TimeUnit.SECONDS.toMillis(10));
    }
}
