package io.ioth.transport;

import io.ioth.tcpip.Stack;
import io.ioth.tcpip.iface.NetInterface;
import io.ioth.tcpip.socket.StackSocket;
import io.ioth.transport.internal.LoopTicker;
import io.ioth.transport.internal.VdeFrameLink;
import io.ioth.vde.VdePoller;
import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.util.concurrent.ThreadAwareExecutor;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Netty 4.2 {@link IoHandler} of the IoTh transport: it owns one user-space TCP/IP {@link Stack} (one network
 * identity) and the VDE wire the stack's interface is plugged into, and runs both on its event loop's thread.
 *
 * <pre>{@code
 * EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, IothIoHandler.newFactory(
 *         IothIdentity.parse("vnl=vde:///tmp/sw,eth,ip=10.0.0.2/24,gw=10.0.0.1")));
 * // or, the same thing: new IothEventLoopGroup("vnl=vde:///tmp/sw,eth,ip=10.0.0.2/24,gw=10.0.0.1")
 * new Bootstrap().group(group).channel(IothDatagramChannel.class)...
 * }</pre>
 *
 * <h2>One iteration ({@link #run})</h2>
 * <ol>
 *   <li>{@code now} from the loop's ticker (a mock ticker makes the whole network run in simulated time);</li>
 *   <li><b>egress</b>: what tasks sent since the last iteration leaves (links flushed);</li>
 *   <li><b>block</b> in the {@link VdePoller} on the wire and the wake-up pipe, only if {@code ctx.canBlock()},
 *       nothing is waiting to be delivered, and for at most the earliest of the next scheduled task, the stack's
 *       next timer and the plugs' own deadlines (the sleep is announced to the poller before {@code canBlock()}
 *       looks at the task queue: no lost wake-up);</li>
 *   <li><b>ingress</b> (at most {@code StackConfig.ingressBatch()} frames per link), the stack's <b>timers</b>
 *       (bounded), <b>egress</b>;</li>
 *   <li><b>readiness</b>: every socket the stack signalled is checked against its handle's interest and the handle
 *       is called once with the ready operations ({@link IothIoEvent}). The stack never calls the pipeline, and
 *       nothing is scheduled per segment (style.md §2).</li>
 * </ol>
 *
 * <h2>Threading model</h2>
 * One stack per event loop; a stack is touched by its loop's thread only. Channels register with the loop whose
 * stack holds their socket: {@link #isCompatible} accepts only {@link IothIoHandle}s, a channel's own
 * {@code isCompatible} refuses every loop but its stack's once it has a socket, and {@link IothEventLoopGroup}
 * routes the registration of a channel that already belongs to a stack (an accepted child) to that stack's loop.
 * {@link #wakeup()} and {@link #isCompatible} may be called from any thread.
 */
public final class IothIoHandler implements IoHandler {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(IothIoHandler.class);

    private final Factory factory;
    private final ThreadAwareExecutor executor;
    private final LoopTicker ticker;
    private final IothIdentity identity;
    /** Applies the identity to the stack (static, DHCP, IPv6 autoconfiguration) and tracks its configuration. */
    private final IothConfigurator configurator;
    private final VdeFrameLink link;
    private final VdePoller poller;
    private final List<IothIoRegistration> registrations = new ArrayList<>();
    /** Handles to serve at the next iteration: interest grew onto a ready socket, or still ready after service. */
    private final ArrayDeque<IothIoRegistration> soon = new ArrayDeque<>();
    /** Volatile only so that other threads can read {@code stack().stats()}; the loop thread owns it. */
    private volatile Stack stack;
    private RuntimeException stackFailure;
    private boolean destroyed;

    private IothIoHandler(final Factory factory, final ThreadAwareExecutor executor, final IothIdentity identity) {
        this.factory = factory;
        this.executor = executor;
        this.identity = identity;
        this.ticker = new LoopTicker(executor);
        this.configurator = new IothConfigurator(identity, executor);
        // Open the wire here, on the thread building the group: a wrong VNL or an absent switch fails the group's
        // constructor (MultithreadEventExecutorGroup: "failed to create a child event loop") instead of a loop.
        try {
            this.link = VdeFrameLink.open(identity.vnl(), identity.vdeOptions().withTicker(ticker), identity.mtu());
        } catch (RuntimeException e) {
            configurator.destroyed(); // IothIdentity#withMtu larger than the wire carries
            throw e;
        } catch (IOException e) {
            configurator.destroyed();
            throw new UncheckedIOException("cannot join " + (identity.vnl().isEmpty() ? "switch://default"
                    : identity.vnl()) + " for identity " + identity, e);
        }
        VdePoller p;
        try {
            p = new VdePoller();
        } catch (RuntimeException e) {
            link.close();
            configurator.destroyed();
            throw e;
        }
        this.poller = p;
    }

    /** A factory of handlers on the embedded switch {@code switch://default}, with a random MAC and no address. */
    public static IoHandlerFactory newFactory() {
        return newFactory(IothIdentity.defaults());
    }

    /** {@code newFactory(IothIdentity.parse(iothconf))}. */
    public static IoHandlerFactory newFactory(final String iothconf) {
        return newFactory(IothIdentity.parse(iothconf));
    }

    /**
     * A factory whose every handler runs one stack of {@code identity}. An identity that fixes a MAC or an address
     * ({@link IothIdentity#isExclusive()}) backs one stack only: a group of more than one loop needs one identity
     * per loop ({@link IothEventLoopGroup#IothEventLoopGroup(IothIdentity...)}).
     */
    public static IoHandlerFactory newFactory(final IothIdentity identity) {
        return new Factory(new IothIdentity[]{Objects.requireNonNull(identity, "identity")});
    }

    /** A factory whose i-th handler (the group's i-th loop) runs a stack of {@code identities[i]}. */
    static Factory newFactory(final IothIdentity... identities) {
        if (identities.length == 0) {
            throw new IllegalArgumentException("at least one identity");
        }
        for (IothIdentity i : identities) {
            Objects.requireNonNull(i, "identity");
        }
        return new Factory(identities.clone());
    }

    // ================================================================ the loop

    @Override
    public void initialize() {
        ensureStack();
    }

    @Override
    public int run(final IoHandlerContext context) {
        final Stack s = stack;
        long now = ticker.nanoTime();
        if (s != null) {
            s.pollEgress(now); // what tasks sent since the last iteration: push it out of the links' queues
        }
        long timeout = 0;
        // Announce the sleep before canBlock() looks at the task queue: a task queued after that look makes
        // wakeup() write the poller's pipe, so the await below returns at once (VdeIoHandler's lost-wakeup fix).
        poller.prepareToBlock();
        if (context.canBlock() && soon.isEmpty() && (s == null || !s.hasReady())) {
            // delayNanos() subtracts the ticker's origin itself: hand it the ticker's time plus that origin (for the
            // system ticker that is System.nanoTime(); for a mock ticker, mock time) - the ticker-origin pitfall
            // VdeIoHandler records.
            timeout = context.delayNanos(now + ticker.initialNanoTime());
            if (s != null) {
                timeout = Math.min(timeout, until(s.nextDeadline(), now));
            }
            timeout = Math.min(timeout, until(poller.nextDeadlineNanos(), now)); // plugs run on this ticker too
        }
        try {
            poller.await(timeout);
        } catch (RuntimeException e) {
            logger.warn("{}: poll failed", this, e); // report, keep the loop alive
        }
        if (s == null) {
            return 0;
        }
        if (timeout != 0) {
            now = ticker.nanoTime(); // time moved while we slept
        }
        final long start = now;
        s.pollIngress(now);
        s.pollTimers(now);
        s.pollEgress(now);
        final int handled = deliver(s);
        if (context.shouldReportActiveIoTime()) {
            context.reportActiveIoTime(ticker.nanoTime() - start);
        }
        return handled;
    }

    private static long until(final long deadline, final long now) {
        return deadline == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, deadline - now);
    }

    /** Hands each signalled socket's ready operations to its handle; then the handles queued by submit(). */
    private int deliver(final Stack s) {
        int handled = 0;
        final int queuedBefore = soon.size(); // served below; those queued from now on wait for the next iteration
        StackSocket so;
        while ((so = s.nextReady()) != null) {
            so.takeEvents(); // hints only: readiness is asked of the handle (level-triggered)
            if (so.attachment() instanceof IothIoRegistration r) {
                handled += serve(r);
            }
        }
        for (int n = queuedBefore; n > 0; n--) {
            final IothIoRegistration r = soon.poll();
            r.queued = false;
            handled += serve(r);
        }
        return handled;
    }

    private int serve(final IothIoRegistration r) {
        if (!r.valid) {
            return 0;
        }
        final int ready = r.handle.readyOps() & r.interest;
        if (ready == 0) {
            return 0;
        }
        try {
            r.handle.handle(r, IothIoEvent.of(ready));
        } catch (Throwable t) {
            // a handle's failure must not kill the loop, nor vanish
            logger.warn("{} failed handling {}", r.handle, IothIoEvent.of(ready), t);
        }
        if (r.valid && (r.handle.readyOps() & r.interest) != 0) {
            serveSoon(r); // still ready (a read loop stopped at maxMessagesPerRead): again next iteration
        }
        return 1;
    }

    /** Queues {@code r} to be served at the next iteration (which then does not block). Loop thread. */
    void serveSoon(final IothIoRegistration r) {
        if (!r.queued) {
            r.queued = true;
            soon.add(r);
        }
    }

    // ================================================================ registrations

    @Override
    public IoRegistration register(final IoHandle handle) throws Exception {
        if (!(handle instanceof IothIoHandle h)) {
            throw new IllegalArgumentException("not an IothIoHandle: " + handle);
        }
        if (destroyed) {
            throw new IllegalStateException(this + " is shut down");
        }
        ensureStack();
        if (stack == null) {
            throw new IllegalStateException("the stack of identity " + identity + " could not be built",
                    stackFailure);
        }
        final IothIoRegistration r = new IothIoRegistration(this, h);
        registrations.add(r);
        h.registered();
        return r;
    }

    void cancel(final IothIoRegistration r) {
        r.valid = false;
        registrations.remove(r);
        r.attach(null);
        r.handle.unregistered();
    }

    @Override
    public void wakeup() {
        if (!executor.isExecutorThread(Thread.currentThread())) {
            poller.wakeup();
        }
    }

    @Override
    public boolean isCompatible(final Class<? extends IoHandle> handleType) {
        return IothIoHandle.class.isAssignableFrom(handleType);
    }

    // ================================================================ lifecycle

    /** Builds the stack on the loop thread, with the loop's clock (a ManualIoEventLoop's ticker exists only now). */
    private void ensureStack() {
        if (stack != null || stackFailure != null || destroyed) {
            return;
        }
        final long now = ticker.nanoTime();
        final Stack s = identity.tcpConfig() == null ? Stack.create(identity.stackConfig(), now)
                : Stack.create(identity.stackConfig(), identity.tcpConfig(), now); // IothIdentity#withTcpConfig
        try {
            final NetInterface ifc = s.addInterface(identity.interfaceName(), link, identity.macForNewStack());
            // static addresses and routes, then DHCPv4 / IPv6 autoconfiguration as the identity asks
            configurator.start(s, ifc, now);
            poller.add(link.plug());
            stack = s;
        } catch (RuntimeException e) {
            // IothIdentity validated the tokens; an engine refusal here is a bug or a newer engine rule: keep the
            // loop alive, fail every registration with the cause
            stackFailure = e;
            logger.error("{}: cannot build the stack of identity {}", this, identity, e);
            configurator.failed(e);
            s.close(); // closes the link as well
            return;
        }
        configurator.update(); // the first snapshot (stack published: listeners may use it); static: configured now
    }

    /** Closes every registered handle (Netty calls this once the loop starts shutting down). */
    @Override
    public void prepareToDestroy() {
        for (IothIoRegistration r : new ArrayList<>(registrations)) {
            try {
                r.handle.close();
            } catch (Exception e) {
                logger.warn("{} failed to close on shutdown", r.handle, e);
            }
            if (r.valid) {
                cancel(r);
            }
        }
        soon.clear();
        if (stack != null) {
            configurator.stop(ticker.nanoTime()); // DHCP releases, flushed onto the wire before destroy() closes it
        }
    }

    @Override
    public void destroy() {
        // SingleThreadIoEventLoop skips prepareToDestroy() when shutdown starts between its isShuttingDown() check
        // and confirmShutdown() (quiet period 0): close what is left here (VdeIoHandler records the same path).
        prepareToDestroy();
        destroyed = true;
        if (stack != null) {
            stack.close(); // sockets, queued packets, timers, and the link (the VDE plug)
        } else if (stackFailure == null) {
            link.close(); // never initialized
        }
        poller.close();
        configurator.destroyed();
        factory.handlers.remove(executor, this);
    }

    // ================================================================ for channels and the group

    /** The stack. Loop thread only (except {@code stack().stats()}). Null until the loop has run once. */
    public Stack stack() {
        ensureStackIfOnLoop();
        return stack;
    }

    private void ensureStackIfOnLoop() {
        if (stack == null && inLoop()) {
            ensureStack();
        }
    }

    /** Why the stack could not be built, or null. */
    RuntimeException stackFailure() {
        return stackFailure;
    }

    /** The configuration state of this handler's stack. */
    IothConfigurator configurator() {
        return configurator;
    }

    /** The identity this handler's stack was built from. */
    public IothIdentity identity() {
        return identity;
    }

    /** The loop's clock: the time base of the stack's timers. Any thread. */
    public long nanoTime() {
        return ticker.nanoTime();
    }

    boolean inLoop() {
        return executor.isExecutorThread(Thread.currentThread());
    }

    void execute(final Runnable task) {
        executor.execute(task);
    }

    /** Registered handles (for tests and diagnostics). Loop thread. */
    int registrationCount() {
        return registrations.size();
    }

    @Override
    public String toString() {
        return "IothIoHandler(" + identity.describe() + ")";
    }

    // ================================================================ the factory

    /** Builds one handler per event loop; remembers which handler serves which loop. */
    static final class Factory implements IoHandlerFactory {
        private final IothIdentity[] identities;
        private final AtomicInteger built = new AtomicInteger();
        final Map<ThreadAwareExecutor, IothIoHandler> handlers = new ConcurrentHashMap<>();

        Factory(final IothIdentity[] identities) {
            this.identities = identities;
        }

        @Override
        public IoHandler newHandler(final ThreadAwareExecutor executor) {
            final int i = built.getAndIncrement();
            final IothIdentity id;
            if (i < identities.length) {
                id = identities[i];
            } else if (identities.length == 1 && !identities[0].isExclusive()) {
                id = identities[0];
            } else {
                built.decrementAndGet();
                throw new IllegalStateException("identity '" + identities[i % identities.length]
                        + "' fixes a MAC or an address and already backs a stack: give every event loop its own "
                        + "identity (new IothEventLoopGroup(identity1, identity2, ...))");
            }
            final IothIoHandler h = new IothIoHandler(this, executor, id);
            handlers.put(executor, h);
            return h;
        }

        IothIoHandler handlerOf(final Object executor) {
            return handlers.get(executor);
        }

        IothIdentity[] identities() {
            return identities.clone();
        }
    }
}
