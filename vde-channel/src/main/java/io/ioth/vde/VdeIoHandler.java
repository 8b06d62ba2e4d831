package io.ioth.vde;

import io.netty.channel.IoEvent;
import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.util.concurrent.ThreadAwareExecutor;
import io.netty.util.concurrent.Ticker;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * A Netty 4.2 {@link IoHandler} that runs plugs on an event loop: it blocks in one {@link VdePoller}
 * for all registered plugs, the loop's next scheduled task and the plugs' own deadlines, then lets
 * each {@link VdeIoHandle} drain a bounded batch. Frames never change thread and no task is
 * scheduled per frame.
 *
 * <pre>{@code
 * IoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, VdeIoHandler.newFactory());
 * IoEventLoop loop = group.next();
 * VdePlug plug = Vde.open("vde:///tmp/sw");            // from now on used on the loop only
 * loop.register(VdeIoHandle.reading(plug, frame -> { ...; frame.release(); })).sync();
 * loop.execute(() -> plug.write(frame));
 * }</pre>
 *
 * <p>Threading: {@link #wakeup()} and {@link #isCompatible} from any thread, the rest on the loop.
 * Plugs on a loop keep the default system ticker ({@link VdeOptions#ticker()}): their deadlines
 * are compared with real time.
 */
public final class VdeIoHandler implements IoHandler {
    /** The single event every iteration delivers: "you may have work". */
    private static final IoEvent SERVICE = new IoEvent() {};
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(VdeIoHandler.class);

    private final ThreadAwareExecutor executor;
    private final VdePoller poller = new VdePoller();
    private final List<Registration> registrations = new ArrayList<>();

    private VdeIoHandler(ThreadAwareExecutor executor) {
        this.executor = executor;
    }

    public static IoHandlerFactory newFactory() {
        return VdeIoHandler::new;
    }

    @Override
    public int run(IoHandlerContext context) {
        long timeout = 0;
        // Announce the sleep before canBlock() looks at the task queue: a task queued after that look
        // makes wakeup() write the pipe, so the await below returns at once instead of sleeping on it.
        poller.prepareToBlock();
        if (context.canBlock()) {
            // delayNanos takes System.nanoTime() (it subtracts the executor ticker's origin itself)
            timeout = context.delayNanos(System.nanoTime());
            // Plug deadlines are on the plug's ticker (VdeOptions.ticker(), the system ticker by
            // default), whose nanoTime() counts from its own origin, not from System.nanoTime()'s.
            long plugDeadline = poller.nextDeadlineNanos();
            if (plugDeadline != Long.MAX_VALUE) {
                timeout = Math.min(timeout, Math.max(0, plugDeadline - Ticker.systemTicker().nanoTime()));
            }
        }
        try {
            poller.await(timeout);
        } catch (RuntimeException e) {
            logger.warn("poll failed", e); // e.g. ppoll refused: report, keep the loop alive
        }
        int n = registrations.size();
        for (int i = 0; i < registrations.size(); i++) {
            Registration r = registrations.get(i);
            try {
                r.handle.handle(r, SERVICE);
            } catch (Throwable t) {
                // a handle's failure must not kill the loop, but must not vanish either
                logger.warn("{} failed while servicing {}", r.handle, r.handle.plug(), t);
            }
        }
        return n;
    }

    @Override
    public IoRegistration register(IoHandle handle) {
        VdeIoHandle h = (VdeIoHandle) handle;
        Registration r = new Registration(h);
        poller.add(h.plug());
        registrations.add(r);
        h.registered();
        return r;
    }

    @Override
    public void wakeup() {
        if (!executor.isExecutorThread(Thread.currentThread())) poller.wakeup();
    }

    @Override
    public boolean isCompatible(Class<? extends IoHandle> handleType) {
        return VdeIoHandle.class.isAssignableFrom(handleType);
    }

    @Override
    public void prepareToDestroy() {
        for (Registration r : new ArrayList<>(registrations)) {
            try {
                r.handle.close();
            } catch (Exception e) {
                logger.warn("{} failed to close {} on shutdown", r.handle, r.handle.plug(), e);
            }
            r.cancel();
        }
    }

    @Override
    public void destroy() {
        // SingleThreadIoEventLoop skips prepareToDestroy() when shutdown starts between its
        // isShuttingDown() check and confirmShutdown() (quiet period 0): close what is left here.
        prepareToDestroy();
        poller.close();
    }

    private final class Registration implements IoRegistration {
        final VdeIoHandle handle;
        boolean valid = true;

        Registration(VdeIoHandle handle) {
            this.handle = handle;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T attachment() { return (T) handle.plug(); }

        /** Interest is implicit (plugs ask for POLLOUT themselves when they have a backlog). */
        @Override
        public long submit(IoOps ops) { return 0; }

        @Override
        public boolean isValid() { return valid; }

        @Override
        public boolean cancel() {
            if (!valid) return false;
            if (!executor.isExecutorThread(Thread.currentThread())) {
                executor.execute(this::cancel);
                return true;
            }
            valid = false;
            registrations.remove(this);
            poller.remove(handle.plug());
            handle.unregistered();
            return true;
        }
    }
}
