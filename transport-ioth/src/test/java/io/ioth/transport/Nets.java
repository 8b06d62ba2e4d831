package io.ioth.transport;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Future;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Test helpers: unique embedded switches, bounded waits, group shutdown, fd counts. */
final class Nets {
    private Nets() {
    }

    /** A VNL of a fresh embedded switch no other test uses. */
    static String uniqueSwitch() {
        return "switch://t-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static void awaitTrue(final BooleanSupplier cond, final String what) {
        awaitTrue(cond, () -> what);
    }

    static void awaitTrue(final BooleanSupplier cond, final java.util.function.Supplier<String> what) {
        final long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                fail("not within 10 s: " + what.get());
            }
            Thread.onSpinWait();
        }
    }

    static <T> T onLoop(final EventLoop loop, final Callable<T> c) throws Exception {
        final Future<T> f = loop.submit(c);
        return f.get(10, TimeUnit.SECONDS);
    }

    static void shutdown(final EventLoopGroup... groups) throws InterruptedException {
        for (EventLoopGroup g : groups) {
            if (g != null) {
                g.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            }
        }
        for (EventLoopGroup g : groups) {
            if (g != null) {
                assertTrue(g.terminationFuture().await(10, TimeUnit.SECONDS), g + " terminated");
            }
        }
    }

    static int openFds() {
        final String[] l = new File("/proc/self/fd").list();
        return l == null ? -1 : l.length;
    }

    static String fdTargets() {
        final StringBuilder sb = new StringBuilder();
        final String[] l = new File("/proc/self/fd").list();
        if (l == null) {
            return "?";
        }
        for (String fd : l) {
            try {
                sb.append(fd).append("->").append(Files.readSymbolicLink(Path.of("/proc/self/fd", fd))).append(' ');
            } catch (IOException e) {
                // closed meanwhile
            }
        }
        return sb.toString();
    }
}
