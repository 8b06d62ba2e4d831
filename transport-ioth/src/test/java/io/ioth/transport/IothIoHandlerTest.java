package io.ioth.transport;

import io.ioth.tcpip.Stack;
import io.ioth.tcpip.stats.DropReason;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.IoEvent;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoRegistration;
import io.netty.channel.ManualIoEventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.CharsetUtil;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.ThreadAwareExecutor;
import io.netty.util.concurrent.Ticker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link IothIoHandler} driven by hand: two {@link ManualIoEventLoop}s on the test thread sharing one
 * {@link MockTicker}, so the stacks' timers run in simulated time (netty-transport.md §1.5 item 8), and the handler
 * alone with a fake handle.
 */
class IothIoHandlerTest {
    private final MockTicker ticker = Ticker.newMockTicker();
    private IothIoHandler.Factory fa;
    private IothIoHandler.Factory fb;
    private ManualIoEventLoop loopA;
    private ManualIoEventLoop loopB;

    @BeforeEach
    void setUp() {
        final String sw = Nets.uniqueSwitch();
        fa = IothIoHandler.newFactory(new IothIdentity[]{IothIdentity.parse("vnl=" + sw + ",eth,ip=10.7.0.1/24")});
        fb = IothIoHandler.newFactory(new IothIdentity[]{IothIdentity.parse("vnl=" + sw + ",eth,ip=10.7.0.2/24")});
        loopA = new ManualIoEventLoop(null, Thread.currentThread(), fa, ticker);
        loopB = new ManualIoEventLoop(null, Thread.currentThread(), fb, ticker);
    }

    @AfterEach
    void tearDown() {
        loopA.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        loopB.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        // ManualIoEventLoop confirms a shutdown once its ticker moved past the quiet period: move the mock time
        for (int i = 0; i < 1000 && !(loopA.isTerminated() && loopB.isTerminated()); i++) {
            ticker.advance(1, TimeUnit.MILLISECONDS);
            loopA.runNow();
            loopB.runNow();
        }
        assertTrue(loopA.isTerminated() && loopB.isTerminated(), "loops terminated");
    }

    /** Runs both loops without blocking until {@code done} (bounded). */
    private void drive(final BooleanSupplier done, final String what) {
        for (int i = 0; i < 10_000; i++) {
            if (done.getAsBoolean()) {
                return;
            }
            loopA.runNow();
            loopB.runNow();
        }
        fail("not reached by running the loops: " + what);
    }

    private void settle() {
        for (int i = 0; i < 50; i++) {
            loopA.runNow();
            loopB.runNow();
        }
    }

    private Channel bind(final ManualIoEventLoop loop, final InetSocketAddress at, final List<DatagramPacket> into,
                         final boolean autoRead) {
        final ChannelFuture f = new Bootstrap().group(loop).channel(IothDatagramChannel.class)
                .option(ChannelOption.AUTO_READ, autoRead)
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(final ChannelHandlerContext ctx, final DatagramPacket p) {
                        into.add(p.retain());
                    }
                }).bind(at);
        drive(f::isDone, "bind " + at);
        assertTrue(f.isSuccess(), () -> "bind " + at + ": " + f.cause());
        return f.channel();
    }

    private static void release(final List<DatagramPacket> l) {
        l.forEach(DatagramPacket::release);
        l.clear();
    }

    @Test
    void aDatagramCrossesTwoStacksDrivenByHand() {
        final List<DatagramPacket> atA = new ArrayList<>();
        final List<DatagramPacket> atB = new ArrayList<>();
        final Channel a = bind(loopA, new InetSocketAddress("10.7.0.1", 5000), atA, true);
        final Channel b = bind(loopB, new InetSocketAddress("10.7.0.2", 6000), atB, true);
        try {
            b.writeAndFlush(new DatagramPacket(Unpooled.copiedBuffer("ping", CharsetUtil.US_ASCII),
                    new InetSocketAddress("10.7.0.1", 5000)));
            drive(() -> atA.size() == 1, "A receives"); // ARP request, reply, then the datagram: no time passes
            final DatagramPacket p = atA.get(0);
            assertEquals("ping", p.content().toString(CharsetUtil.US_ASCII));
            assertEquals(new InetSocketAddress("10.7.0.2", 6000), p.sender());
            assertEquals(new InetSocketAddress("10.7.0.1", 5000), p.recipient());
            a.writeAndFlush(new DatagramPacket(Unpooled.copiedBuffer("pong", CharsetUtil.US_ASCII), p.sender()));
            drive(() -> atB.size() == 1, "B receives the answer");
            assertEquals("pong", atB.get(0).content().toString(CharsetUtil.US_ASCII));
        } finally {
            release(atA);
            release(atB);
        }
    }

    @Test
    void theStacksTimersRunOnTheLoopsMockTicker() {
        final List<DatagramPacket> none = new ArrayList<>();
        final Channel b = bind(loopB, new InetSocketAddress("10.7.0.2", 6000), none, true);
        final Stack stackB = fb.handlerOf(loopB).stack();
        // 10.7.0.99 is on-link but absent: ARP asks MAX_MULTICAST_SOLICIT (3) times, RETRANS_TIMER (1 s) apart
        // (RFC 4861 §7.2.2, used for ARP as Linux does), then the queued datagram is dropped
        b.writeAndFlush(new DatagramPacket(Unpooled.copiedBuffer("lost", CharsetUtil.US_ASCII),
                new InetSocketAddress("10.7.0.99", 9)));
        settle();
        for (int ms = 100; ms <= 2900; ms += 100) {
            ticker.advance(100, TimeUnit.MILLISECONDS);
            settle();
            assertEquals(0, stackB.stats().drops(DropReason.NEIGH_RESOLUTION_FAILED), "at " + ms + " ms");
        }
        ticker.advance(300, TimeUnit.MILLISECONDS);
        settle();
        assertEquals(1, stackB.stats().drops(DropReason.NEIGH_RESOLUTION_FAILED),
                "dropped after 3 unanswered requests, at 3.2 s of simulated time");
        assertTrue(none.isEmpty());
    }

    @Test
    void autoReadOffDeliversOneDatagramPerReadAndMissesNoneThatArrivedMeanwhile() {
        final List<DatagramPacket> atA = new ArrayList<>();
        final List<DatagramPacket> atB = new ArrayList<>();
        final Channel a = bind(loopA, new InetSocketAddress("10.7.0.1", 5000), atA, false);
        final Channel b = bind(loopB, new InetSocketAddress("10.7.0.2", 6000), atB, true);
        try {
            for (int i = 0; i < 3; i++) {
                b.writeAndFlush(new DatagramPacket(Unpooled.copiedBuffer("m" + i, CharsetUtil.US_ASCII),
                        new InetSocketAddress("10.7.0.1", 5000)));
            }
            settle();
            assertEquals(0, atA.size(), "autoRead off and no read(): nothing is delivered");
            for (int i = 0; i < 3; i++) {
                a.read();
                final int want = i + 1;
                drive(() -> atA.size() == want, "read() #" + want);
                settle();
                assertEquals(want, atA.size(), "one datagram per read()");
                assertEquals("m" + i, atA.get(i).content().toString(CharsetUtil.US_ASCII));
            }
            a.read(); // pending: the next arrival is delivered at once
            b.writeAndFlush(new DatagramPacket(Unpooled.copiedBuffer("m3", CharsetUtil.US_ASCII),
                    new InetSocketAddress("10.7.0.1", 5000)));
            drive(() -> atA.size() == 4, "the datagram for the pending read");
            b.writeAndFlush(new DatagramPacket(Unpooled.copiedBuffer("m4", CharsetUtil.US_ASCII),
                    new InetSocketAddress("10.7.0.1", 5000)));
            settle();
            assertEquals(4, atA.size(), "no read pending: m4 waits in the socket");
            a.config().setAutoRead(true); // calls read(): the waiting datagram comes
            drive(() -> atA.size() == 5, "m4 after autoRead on");
        } finally {
            release(atA);
            release(atB);
        }
    }

    @Test
    void blockingIsBoundedByTheNextScheduledTaskOnTheLoopsTicker() {
        // the ticker-origin pitfall (VdeIoHandler): delayNanos() must get the loop ticker's time, not
        // System.nanoTime(). With a mock ticker the wrong base makes the task look overdue and the loop never sleep.
        ticker.advance(1000, TimeUnit.SECONDS);
        loopA.runNow(); // builds the stack (its ARP announcements are due 2 s later in mock time)
        loopA.schedule(() -> { }, 60, TimeUnit.MILLISECONDS);
        final long t0 = System.nanoTime();
        loopA.run(TimeUnit.SECONDS.toNanos(5));
        final long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 50 && ms < 2000, "blocked " + ms + " ms; want ~60 ms (the task's delay on the mock ticker)");
    }

    @Test
    void blockingIsBoundedByTheStacksNextTimer() {
        loopA.runNow(); // stack built at mock time 0: its 2nd gratuitous ARP is due at 2 s (RFC 5227 §2.3)
        ticker.advance(1960, TimeUnit.MILLISECONDS);
        final long t0 = System.nanoTime();
        loopA.run(TimeUnit.SECONDS.toNanos(5)); // nothing scheduled: Netty alone would allow 1 s
        final long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 25 && ms < 900, "blocked " + ms + " ms; want ~40 ms (the stack's next timer)");
    }

    // ------------------------------------------------------------------ the handler alone

    /** A handle whose readiness the test sets. */
    private static final class FakeHandle implements IothIoHandle {
        int ready;
        final List<Integer> events = new ArrayList<>();
        int closed;
        int unregistered;

        @Override
        public int readyOps() {
            return ready;
        }

        @Override
        public void handle(final IoRegistration registration, final IoEvent event) {
            events.add(((IothIoEvent) event).ops().value());
        }

        @Override
        public void unregistered() {
            unregistered++;
        }

        @Override
        public void close() {
            closed++;
        }
    }

    private static final IoHandlerContext NON_BLOCKING = new IoHandlerContext() {
        @Override
        public boolean canBlock() {
            return false;
        }

        @Override
        public long delayNanos(final long currentTimeNanos) {
            return 0;
        }

        @Override
        public long deadlineNanos() {
            return -1;
        }
    };

    private static ThreadAwareExecutor thisThread(final ConcurrentLinkedQueue<Runnable> tasks) {
        final Thread t = Thread.currentThread();
        return new ThreadAwareExecutor() {
            @Override
            public boolean isExecutorThread(final Thread thread) {
                return thread == t;
            }

            @Override
            public void execute(final Runnable command) {
                tasks.add(command);
            }
        };
    }

    @Test
    void readinessIsLevelTriggeredAndFilteredByInterest() throws Exception {
        final IothIoHandler h = (IothIoHandler) IothIoHandler.newFactory(
                IothIdentity.parse("vnl=" + Nets.uniqueSwitch())).newHandler(thisThread(new ConcurrentLinkedQueue<>()));
        try {
            h.initialize();
            final FakeHandle fake = new FakeHandle();
            final IoRegistration r = h.register(fake);
            fake.ready = IothIoOps.READ_BIT | IothIoOps.WRITE_BIT;
            h.run(NON_BLOCKING);
            assertEquals(List.of(), fake.events, "no interest, no event");
            r.submit(IothIoOps.READ);
            h.run(NON_BLOCKING);
            assertEquals(List.of(IothIoOps.READ_BIT), fake.events, "READ was ready when interest was added");
            h.run(NON_BLOCKING);
            assertEquals(List.of(IothIoOps.READ_BIT, IothIoOps.READ_BIT), fake.events, "still ready: served again");
            fake.ready = 0;
            h.run(NON_BLOCKING);
            h.run(NON_BLOCKING);
            assertEquals(2, fake.events.size(), "not ready any more: quiet");
            fake.ready = IothIoOps.WRITE_BIT;
            r.submit(IothIoOps.READ.with(IothIoOps.WRITE));
            h.run(NON_BLOCKING);
            assertEquals(IothIoOps.WRITE_BIT, (int) fake.events.get(2), "only what is ready and wanted");
            assertTrue(r.cancel());
            assertFalse(r.isValid());
            assertEquals(1, fake.unregistered);
            h.run(NON_BLOCKING);
            assertEquals(3, fake.events.size(), "a cancelled registration hears nothing");
        } finally {
            h.prepareToDestroy();
            h.destroy();
        }
    }

    @Test
    void destroyWithoutPrepareToDestroyClosesHandlesAndTheWire() throws Exception {
        // SingleThreadIoEventLoop can go straight to destroy() (shutdown with quiet period 0)
        final IothIoHandler h = (IothIoHandler) IothIoHandler.newFactory(
                IothIdentity.parse("vnl=" + Nets.uniqueSwitch())).newHandler(thisThread(new ConcurrentLinkedQueue<>()));
        h.initialize();
        final FakeHandle fake = new FakeHandle();
        h.register(fake);
        final Stack s = h.stack();
        h.destroy();
        assertEquals(1, fake.closed, "the handle was closed");
        assertEquals(1, fake.unregistered, "and unregistered");
        assertTrue(s.engine().isClosed(), "the stack is closed");
        assertFalse(s.interfaceByName("vde0").link().isUp(), "its wire is unplugged");
        h.destroy(); // idempotent
        assertEquals(1, fake.closed);
    }
}
