package io.ioth.tcpip.testing;

import io.ioth.tcpip.Stack;
import io.ioth.tcpip.socket.StackSocket;
import io.ioth.vde.VdePlug;
import io.ioth.vde.VdePoller;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Drives a stack on real VDE plugs in real time from one thread, as an event loop would: poll, deliver socket
 * events, then wait in {@link VdePoller#await} for the plugs or {@code min(nextDeadline, 10 ms)}. The test thread
 * talks to the stack only through {@link #call} (tasks run on the loop thread), so the stack keeps its owner-thread
 * contract. No sleeping anywhere: the loop blocks in ppoll, and waits in tests are bounded.
 */
public final class StackDriver implements AutoCloseable {
    /** Receives a socket's events on the loop thread (set as the socket's attachment). */
    @FunctionalInterface
    public interface Handler {
        void onEvents(StackSocket socket, int events, long now);
    }

    private static final long MAX_WAIT = TimeUnit.MILLISECONDS.toNanos(10);

    private final Stack stack;
    private final VdePoller poller = new VdePoller();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;
    private long loopNow;

    /** @param stack a stack whose interfaces run on {@code plugs} (all must be pollable plugs) */
    public StackDriver(Stack stack, VdePlug... plugs) {
        this.stack = stack;
        for (VdePlug p : plugs) {
            poller.add(p);
        }
        thread = new Thread(this::loop, "stack-" + stack.config().name());
        thread.setDaemon(true);
        thread.start();
    }

    /** The current time of the loop's clock. */
    public static long now() {
        return System.nanoTime();
    }

    private void loop() {
        try {
            while (running) {
                long now = now();
                loopNow = now;
                Runnable r;
                while ((r = tasks.poll()) != null) {
                    r.run();
                }
                stack.poll(now);
                final long t = now;
                checks.removeIf(c -> c.test(t));
                StackSocket s;
                while ((s = stack.nextReady()) != null) {
                    int ev = s.takeEvents();
                    if (s.attachment() instanceof Handler h) {
                        h.onEvents(s, ev, now);
                    }
                }
                long wait = Math.max(0, Math.min(stack.nextDeadline() - now(), MAX_WAIT));
                poller.prepareToBlock();
                if (!tasks.isEmpty()) {
                    wait = 0;
                }
                poller.await(wait);
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            stack.close();
            poller.close();
        }
    }

    /** Runs {@code f} on the loop thread with the stack and the loop's current time; waits at most 10 s. */
    public <T> T call(Function<Long, T> f) {
        CompletableFuture<T> cf = new CompletableFuture<>();
        tasks.add(() -> {
            try {
                cf.complete(f.apply(loopNow)); // the iteration's now: time never goes backwards for the stack
            } catch (Throwable t) {
                cf.completeExceptionally(t);
            }
        });
        poller.wakeup();
        try {
            return cf.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error er) {
                throw er;
            }
            throw new AssertionError(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("stack loop did not run the task" + (failure != null ? ": " + failure : ""), e);
        }
    }

    public void run(java.util.function.LongConsumer r) {
        call(now -> {
            r.accept(now);
            return null;
        });
    }

    /** Evaluates {@code condition} on the loop thread once per iteration until true or {@code timeoutMs} pass. */
    public boolean await(long timeoutMs, Function<Long, Boolean> condition) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        checks.add(now -> {
            if (condition.apply(now)) {
                done.complete(true);
                return true;
            }
            if (now - end > 0) {
                done.complete(false);
                return true;
            }
            return false;
        });
        poller.wakeup();
        try {
            return done.get(timeoutMs + 10_000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("await failed" + (failure != null ? ": " + failure : ""), e);
        }
    }

    private final ConcurrentLinkedQueue<java.util.function.LongPredicate> checks = new ConcurrentLinkedQueue<>();

    public Throwable failure() {
        return failure;
    }

    /** Stops the loop and closes the stack (on the loop thread) and the poller. */
    @Override
    public void close() {
        running = false;
        poller.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            throw new AssertionError("stack loop did not stop");
        }
        if (failure != null) {
            throw new AssertionError("stack loop failed", failure);
        }
    }
}
