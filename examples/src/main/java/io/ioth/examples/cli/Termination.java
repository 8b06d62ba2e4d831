package io.ioth.examples.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * SIGINT/SIGTERM for long-running commands: {@link #await()} returns when the JVM is asked to stop, and the JVM waits
 * (bounded) in its shutdown hook until the command called {@link #cleanedUp()}, so connections are closed and leases
 * released before exit.
 */
final class Termination {
    private static final long GRACE_SECONDS = 10;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch done = new CountDownLatch(1);

    Termination() {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            try {
                done.await(GRACE_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "ioth-termination"));
    }

    /** Blocks until SIGINT/SIGTERM (or {@link #requestStop()}). */
    void await() throws InterruptedException {
        stop.await();
    }

    /** Stops as a signal would (tests, fatal errors). */
    void requestStop() {
        stop.countDown();
    }

    /** Lets the JVM exit. */
    void cleanedUp() {
        done.countDown();
    }
}
