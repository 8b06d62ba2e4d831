package io.ioth.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Wake-ups: a task submitted from a foreign thread runs promptly while the loop sleeps in ppoll (the
 * lost-wakeup bug VdeIoHandler records: the sleep must be announced to the poller before canBlock() looks at the
 * task queue).
 */
class IothEventLoopWakeupTest {
    private IothEventLoopGroup group;

    @AfterEach
    void tearDown() throws InterruptedException {
        Nets.shutdown(group);
    }

    @Test
    void aTaskFromAForeignThreadWakesTheLoopBlockedInThePoller() throws Exception {
        group = new IothEventLoopGroup("vnl=" + Nets.uniqueSwitch() + ",ip=10.40.0.1/24");
        final EventLoop loop = group.next();
        final Channel ch = new io.netty.bootstrap.Bootstrap().group(loop).channel(IothDatagramChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).bind(5000).sync().channel();
        final long tid = Nets.onLoop(loop, IothEventLoopWakeupTest::threadId);
        // Nothing is scheduled: the loop sleeps up to 1 s (Netty's purge interval) or until the stack's next timer
        // (a gratuitous ARP within 2 s). A task that waited for the timeout would take that long; a woken loop runs
        // it in microseconds.
        for (int i = 0; i < 20; i++) {
            Nets.awaitTrue(() -> inPpoll(tid), "loop thread " + tid + " blocked in ppoll");
            final long t0 = System.nanoTime();
            final CompletableFuture<Long> ran = new CompletableFuture<>();
            loop.execute(() -> ran.complete(System.nanoTime()));
            final long latency = ran.get(5, TimeUnit.SECONDS) - t0;
            assertTrue(latency < TimeUnit.MILLISECONDS.toNanos(200),
                    "round " + i + ": task ran after " + latency / 1_000_000 + " ms: the wakeup did not interrupt ppoll");
        }
        // Ping-pong: each task is submitted a few microseconds after the previous one ran, i.e. while the loop goes
        // back to sleep, where a wakeup is lost if the sleep is announced after the task check.
        long worst = 0;
        for (int i = 0; i < 20_000; i++) {
            final long t0 = System.nanoTime();
            final AtomicLong ran = new AtomicLong();
            loop.execute(() -> ran.set(System.nanoTime()));
            long r;
            while ((r = ran.get()) == 0) {
                if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(5)) {
                    fail("round " + i + ": task not run in 5 s");
                }
                Thread.onSpinWait();
            }
            worst = Math.max(worst, r - t0);
            for (long until = System.nanoTime() + (i % 50) * 100L; System.nanoTime() - until < 0; ) {
                Thread.onSpinWait(); // sweep 0..5 us across the loop's way back into ppoll
            }
        }
        assertTrue(worst < TimeUnit.MILLISECONDS.toNanos(500),
                "a task waited " + worst / 1_000_000 + " ms for the loop: a wakeup was lost");
        ch.close().sync();
    }

    /** The kernel thread id of the calling thread. */
    private static long threadId() throws IOException {
        final Path self = Files.readSymbolicLink(Path.of("/proc/thread-self")); // "PID/task/TID"
        return Long.parseLong(self.getFileName().toString());
    }

    /** True while thread {@code tid} of this process sleeps in ppoll(2) (/proc/PID/task/TID/syscall). */
    private static boolean inPpoll(final long tid) {
        final String nr = System.getProperty("os.arch").equals("aarch64") ? "73" : "271"; // __NR_ppoll
        try {
            return Files.readString(Path.of("/proc/self/task/" + tid + "/syscall")).trim().startsWith(nr + " ");
        } catch (IOException e) {
            throw new AssertionError("cannot read the loop thread's syscall", e);
        }
    }
}
