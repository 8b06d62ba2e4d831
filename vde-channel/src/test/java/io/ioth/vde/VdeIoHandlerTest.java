package io.ioth.vde;

import io.ioth.vde.testing.RealTools;
import io.ioth.vde.testing.VdeSwitchProcess;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoRegistration;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** {@link VdeIoHandler} on real Netty 4.2 event loops, with plugs on a real vde_switch. */
class VdeIoHandlerTest {
    private static final int FRAMES = 10_000;
    private static final int WINDOW = 32;

    // ------------------------------------------------------------------ frames between two loops

    @Test
    void framesWrittenOnLoopAArriveOnLoopBByteExactAndInOrder() throws Exception {
        RealTools.require("vde_switch");
        IoEventLoopGroup groupA = new MultiThreadIoEventLoopGroup(1, VdeIoHandler.newFactory());
        IoEventLoopGroup groupB = new MultiThreadIoEventLoopGroup(1, VdeIoHandler.newFactory());
        try (VdeSwitchProcess sw = VdeSwitchProcess.start()) {
            IoEventLoop loopA = groupA.next();
            IoEventLoop loopB = groupB.next();
            Thread threadB = loopThread(loopB);
            assertFalse(threadB == loopThread(loopA));

            VdePlug a = Vde.open(sw.vnl(), VdeOptions.defaults().withDescription("loop-a"));
            VdePlug b = Vde.open(sw.vnl(), VdeOptions.defaults().withDescription("loop-b"));
            Semaphore arrived = new Semaphore(0);
            AtomicInteger next = new AtomicInteger();
            List<String> problems = new CopyOnWriteArrayList<>();
            loopA.register(VdeIoHandle.reading(a, f -> {
                f.release();
                problems.add("loop A received a frame: the switch echoed to the sender");
            })).get(5, TimeUnit.SECONDS);
            loopB.register(VdeIoHandle.reading(b, f -> {
                try {
                    if (Thread.currentThread() != threadB) problems.add("frame handed up on " + Thread.currentThread());
                    int seq = next.getAndIncrement();
                    byte[] want = frame(seq);
                    byte[] got = ByteBufUtil.getBytes(f);
                    if (!Arrays.equals(want, got) && problems.size() < 5) {
                        problems.add("frame " + seq + ": want " + ByteBufUtil.hexDump(want, 0, 20) + ".. ("
                                + want.length + " B), got " + ByteBufUtil.hexDump(got, 0, Math.min(20, got.length))
                                + ".. (" + got.length + " B)");
                    }
                } finally {
                    f.release();
                    arrived.release();
                }
            })).get(5, TimeUnit.SECONDS);

            // Windows of 32 frames: vde_switch drops when a port's socket is full (vde-protocol.md §1.4),
            // a window never fills it, so every loss is a bug here.
            for (int sent = 0; sent < FRAMES; sent += WINDOW) {
                int from = sent, to = Math.min(FRAMES, sent + WINDOW);
                loopA.execute(() -> {
                    for (int seq = from; seq < to; seq++) {
                        byte[] f = frame(seq);
                        a.write(PooledByteBufAllocator.DEFAULT.directBuffer(f.length).writeBytes(f));
                    }
                });
                if (!arrived.tryAcquire(to - from, 5, TimeUnit.SECONDS)) {
                    fail("window " + from + ".." + to + ": only " + (next.get() - from) + " frames arrived; a "
                            + a.stats() + ", b " + b.stats() + "; " + problems);
                }
                if (!problems.isEmpty()) fail(problems.toString());
            }
            assertEquals(FRAMES, next.get());
            assertEquals(FRAMES, onLoop(loopA, () -> a.stats().framesOut()));
            assertEquals(FRAMES, onLoop(loopB, () -> b.stats().framesIn()));
            assertEquals(List.of(), problems);
        } finally {
            shutdown(groupA);
            shutdown(groupB);
        }
    }

    /** Frame {@code seq}: broadcast, 60..1514 bytes, payload derived from seq so any corruption shows. */
    static byte[] frame(int seq) {
        int len = 60 + (int) ((seq * 2654435761L) % (1514 - 60 + 1));
        byte[] f = new byte[len];
        Arrays.fill(f, 0, 6, (byte) 0xff);
        byte[] src = {0x02, 0, 0, 0, 0, 0x0a};
        System.arraycopy(src, 0, f, 6, 6);
        f[12] = (byte) 0x88; // 88b5: IEEE local experimental EtherType
        f[13] = (byte) 0xb5;
        f[14] = (byte) (seq >>> 24);
        f[15] = (byte) (seq >>> 16);
        f[16] = (byte) (seq >>> 8);
        f[17] = (byte) seq;
        for (int i = 18; i < len; i++) f[i] = (byte) (seq * 31 + i);
        return f;
    }

    // ------------------------------------------------------------------ wakeup

    @Test
    void taskFromAForeignThreadWakesTheLoopBlockedInThePoller() throws Exception {
        RealTools.require("vde_switch");
        IoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, VdeIoHandler.newFactory());
        try (VdeSwitchProcess sw = VdeSwitchProcess.start()) {
            IoEventLoop loop = group.next();
            loop.register(VdeIoHandle.reading(Vde.open(sw.vnl()), ByteBuf::release)).get(5, TimeUnit.SECONDS);
            long tid = onLoop(loop, VdeIoHandlerTest::threadId);
            // Nothing is scheduled, so the loop blocks for SCHEDULE_PURGE_INTERVAL (1 s) per iteration:
            // a task that waited for the timeout would take ~1 s, a woken loop runs it in microseconds.
            for (int i = 0; i < 20; i++) {
                awaitTrue(() -> inPpoll(tid), "loop thread " + tid + " blocked in ppoll");
                long t0 = System.nanoTime();
                CompletableFuture<Long> ran = new CompletableFuture<>();
                loop.execute(() -> ran.complete(System.nanoTime()));
                long latency = ran.get(2, TimeUnit.SECONDS) - t0;
                assertTrue(latency < TimeUnit.MILLISECONDS.toNanos(200),
                        "round " + i + ": task ran after " + latency / 1_000_000 + " ms: the wakeup did not interrupt ppoll");
            }
            // Ping-pong: the next task is submitted a few microseconds after the previous one ran, i.e.
            // while the loop goes back to sleep, which is where a wakeup is lost if the loop announces its
            // sleep only after checking for tasks. The waiter spins so it reacts within that window.
            long worst = 0;
            for (int i = 0; i < 20_000; i++) {
                long t0 = System.nanoTime();
                AtomicLong ran = new AtomicLong();
                loop.execute(() -> ran.set(System.nanoTime()));
                long r;
                while ((r = ran.get()) == 0) {
                    if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(2)) fail("round " + i + ": task not run in 2 s");
                    Thread.onSpinWait();
                }
                worst = Math.max(worst, r - t0);
                for (long spinUntil = System.nanoTime() + (i % 50) * 100; System.nanoTime() - spinUntil < 0; ) {
                    Thread.onSpinWait(); // sweep 0..5 us of delay across the loop's way back into ppoll
                }
            }
            assertTrue(worst < TimeUnit.MILLISECONDS.toNanos(500),
                    "a task waited " + worst / 1_000_000 + " ms for the loop: a wakeup was lost");
        } finally {
            shutdown(group);
        }
    }

    // ------------------------------------------------------------------ switch death, shutdown

    @Test
    void switchDeathReachesTheListenerOnTheLoopAndShutdownClosesEverything() throws Exception {
        RealTools.require("vde_switch");
        try (VdeSwitchProcess sw = VdeSwitchProcess.start()) {
            int baseline = openFds();
            IoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, VdeIoHandler.newFactory());
            try {
                IoEventLoop loop = group.next();
                Thread loopThread = loopThread(loop);
                CompletableFuture<Thread> downOn = new CompletableFuture<>();
                CompletableFuture<Thread> upOn = new CompletableFuture<>();
                VdePlug survivor = Vde.open(sw.vnl(), VdeOptions.defaults().withAutoReconnect(true)
                        .withReconnectBackoff(Duration.ofMillis(200), Duration.ofMillis(200))
                        .withListener(new PlugListener() {
                            @Override
                            public void onDisconnected(VdePlug p, Throwable cause) { downOn.complete(Thread.currentThread()); }

                            @Override
                            public void onReconnected(VdePlug p) { upOn.complete(Thread.currentThread()); }
                        }));
                CompletableFuture<Thread> plainDownOn = new CompletableFuture<>();
                VdePlug plain = Vde.open(sw.vnl(), VdeOptions.defaults().withListener(new PlugListener() {
                    @Override
                    public void onDisconnected(VdePlug p, Throwable cause) { plainDownOn.complete(Thread.currentThread()); }
                }));
                AtomicLong iterations = new AtomicLong();
                loop.register(counting(VdeIoHandle.reading(survivor, ByteBuf::release), iterations)).get(5, TimeUnit.SECONDS);
                loop.register(VdeIoHandle.reading(plain, ByteBuf::release)).get(5, TimeUnit.SECONDS);

                // vde-protocol.md §1.5: the switch's death is EOF on each plug's control stream
                sw.kill();
                assertSame(loopThread, downOn.get(5, TimeUnit.SECONDS), "onDisconnected on the loop thread");
                assertSame(loopThread, plainDownOn.get(5, TimeUnit.SECONDS), "onDisconnected on the loop thread");
                assertFalse(onLoop(loop, plain::isConnected));

                // While the survivor waits out its back-off the loop must sleep until the plug's deadline,
                // not spin: over ~0.5 s at most a few iterations per 200 ms back-off step.
                long before = iterations.get(), t0 = System.nanoTime();
                CompletableFuture<Void> halfSecond = new CompletableFuture<>();
                loop.schedule(() -> halfSecond.complete(null), 500, TimeUnit.MILLISECONDS);
                halfSecond.get(5, TimeUnit.SECONDS);
                long spun = iterations.get() - before;
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(spun < 50, spun + " loop iterations in " + ms + " ms while waiting to reconnect: "
                        + "the loop does not sleep until the plug's deadline");

                sw.restart();
                assertSame(loopThread, upOn.get(5, TimeUnit.SECONDS), "onReconnected on the loop thread");
                awaitTrue(() -> sw.mgmt("port/print").contains("ACTIVE"), "survivor rejoined the new switch");
                assertTrue(onLoop(loop, survivor::isConnected));

                assertTrue(group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS));
                assertFalse(survivor.isOpen(), "shutdown closes registered plugs");
                assertFalse(plain.isOpen(), "shutdown closes registered plugs");
                awaitTrue(() -> !sw.mgmt("port/print").contains("ACTIVE"), "the survivor's port freed");
                // plugs' sockets and the poller's wake-up pipe are all gone
                assertEquals(baseline, openFds(), "fds after shutdown, now: " + fdTargets());
            } finally {
                shutdown(group);
            }
        }
    }

    private static VdeIoHandle counting(VdeIoHandle inner, AtomicLong calls) {
        return new VdeIoHandle() {
            @Override
            public VdePlug plug() { return inner.plug(); }

            @Override
            public void handle(IoRegistration registration, IoEvent event) {
                calls.incrementAndGet();
                inner.handle(registration, event);
            }

            @Override
            public void close() throws Exception { inner.close(); }
        };
    }

    // ------------------------------------------------------------------ helpers

    private interface Call<T> {
        T call() throws Exception;
    }

    private static <T> T onLoop(IoEventLoop loop, Call<T> c) throws Exception {
        Future<T> f = loop.submit(c::call);
        return f.get(5, TimeUnit.SECONDS);
    }

    private static Thread loopThread(IoEventLoop loop) throws Exception {
        return onLoop(loop, Thread::currentThread);
    }

    /** The kernel thread id of the calling thread. */
    private static long threadId() throws IOException {
        Path self = Files.readSymbolicLink(Path.of("/proc/thread-self")); // "PID/task/TID"
        return Long.parseLong(self.getFileName().toString());
    }

    /** True while thread {@code tid} of this process sleeps in ppoll(2) (/proc/PID/task/TID/syscall). */
    private static boolean inPpoll(long tid) {
        String arch = System.getProperty("os.arch");
        String nr = arch.equals("aarch64") ? "73" : "271"; // __NR_ppoll: arm64 73, x86_64 271
        try {
            String s = Files.readString(Path.of("/proc/self/task/" + tid + "/syscall")).trim();
            return s.startsWith(nr + " ");
        } catch (IOException e) {
            throw new AssertionError("cannot read the loop thread's syscall", e);
        }
    }

    private static void awaitTrue(BooleanSupplier cond, String what) {
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() - end > 0) fail("not within 5 s: " + what);
            Thread.onSpinWait();
        }
    }

    private static int openFds() {
        String[] l = new File("/proc/self/fd").list();
        return l == null ? -1 : l.length;
    }

    private static String fdTargets() {
        StringBuilder sb = new StringBuilder();
        String[] l = new File("/proc/self/fd").list();
        if (l == null) return "?";
        for (String fd : l) {
            try {
                sb.append(fd).append("->").append(Files.readSymbolicLink(Path.of("/proc/self/fd", fd))).append(' ');
            } catch (IOException e) {
                // closed meanwhile
            }
        }
        return sb.toString();
    }

    private static void shutdown(IoEventLoopGroup group) throws InterruptedException {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }
}
