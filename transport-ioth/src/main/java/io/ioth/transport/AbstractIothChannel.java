package io.ioth.transport;

import io.ioth.tcpip.Stack;
import io.ioth.tcpip.socket.StackSocket;
import io.netty.channel.AbstractChannel;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.util.concurrent.Future;

import java.net.SocketAddress;
import java.nio.channels.ConnectionPendingException;
import java.util.concurrent.TimeUnit;

/**
 * The base of every IoTh channel: one channel, one socket of its event loop's stack.
 *
 * <h2>What it does for the protocol channels</h2>
 * <ul>
 *   <li><b>Registration</b> (Netty 4.2 {@code doRegister(ChannelPromise)}, the Local/NIO pattern): the channel's
 *       {@code Unsafe} is its {@link IothIoHandle}; on the first registration the subclass opens its socket on the
 *       loop's stack ({@link #openSocket}) and the loop becomes the channel's <em>home</em>: {@link #isCompatible}
 *       refuses every other loop from then on, since a socket cannot move between stacks. A channel created for an
 *       existing socket (an accepted TCP child) is born with its home ({@link #AbstractIothChannel(Channel,
 *       EventLoop)}), and {@link IothEventLoopGroup} routes its registration there.</li>
 *   <li><b>Interest</b>: {@link #setInterest}/{@link #addInterest}/{@link #removeInterest} submit {@link IothIoOps}
 *       to the registration. {@code doBeginRead} sets {@code readPending} and READ; after a read loop the subclass
 *       drops READ when {@code !readPending && !autoRead} (autoRead=false back-pressure: no READ interest, no
 *       events, the socket's queue fills and, for TCP, the window closes).</li>
 *   <li><b>Events</b>: the Unsafe dispatches CONNECT ({@link #finishConnect}), WRITE ({@code forceFlush}), READ and
 *       ACCEPT ({@link #readReady}), in that order (NIO's order).</li>
 *   <li><b>Writes</b>: {@code flush0} does nothing while WRITE interest is set (the socket is full, a WRITE event
 *       will flush), as NIO and epoll do.</li>
 *   <li><b>Connect</b>: {@link #doConnect} may finish at once (UDP) or later (TCP: CONNECT event, then
 *       {@link #doFinishConnect}); the pending connect gets {@code CONNECT_TIMEOUT_MILLIS} (a Netty scheduled task
 *       per connect, never per segment), cancellation closes the channel, failures are annotated with the address
 *       (AbstractNioChannel.AbstractNioUnsafe.connect is the model).</li>
 * </ul>
 *
 * <p>Threading: as every Netty channel; everything that touches the socket runs on the home loop.
 */
public abstract class AbstractIothChannel extends AbstractChannel {
    /** The loop's wrapper of our registration: submit and cancel go through it, so the loop counts us. */
    private IoRegistration registration;
    /** Our registration behind the wrapper: stack, clock, socket. */
    private IothIoRegistration ioth;
    private volatile EventLoop home;
    private int interest;
    /** A read was requested ({@code read()} / autoRead) and no message has been read since. */
    protected boolean readPending;

    private ChannelPromise connectPromise;
    private Future<?> connectTimeoutFuture;
    private SocketAddress requestedRemoteAddress;

    protected AbstractIothChannel(final Channel parent) {
        super(parent);
    }

    /** A channel for a socket that already lives on {@code home}'s stack (an accepted connection). */
    protected AbstractIothChannel(final Channel parent, final EventLoop home) {
        super(parent);
        this.home = home;
    }

    // ================================================================ what subclasses provide

    /** Opens this channel's socket on {@code stack} and applies the configured options. Home loop. */
    protected abstract StackSocket openSocket(Stack stack, long now) throws Exception;

    /** The readiness of the socket, as {@link IothIoOps} bits (see {@link IothIoHandle#readyOps()}). Home loop. */
    protected abstract int readyOps();

    /** The READ / ACCEPT event: run the read loop. Home loop. */
    protected abstract void readReady();

    /**
     * Starts connecting. {@code true}: connected now (datagrams); {@code false}: pending, a CONNECT event will call
     * {@link #doFinishConnect}. Throws on an immediate failure.
     */
    protected abstract boolean doConnect(SocketAddress remote, SocketAddress local) throws Exception;

    /** Completes a pending connect after the CONNECT event; throws if it failed. */
    protected void doFinishConnect() throws Exception {
        throw new UnsupportedOperationException("no pending connect in " + getClass().getSimpleName());
    }

    // ================================================================ registration

    /** The loop whose stack holds this channel's socket, or null before the first registration. */
    public final EventLoop homeLoop() {
        return home;
    }

    @Override
    protected boolean isCompatible(final EventLoop loop) {
        if (!(loop instanceof IoEventLoop l) || !l.isCompatible(IothUnsafe.class)) {
            return false;
        }
        final EventLoop h = home;
        return h == null || h == loop;
    }

    @Override
    protected void doRegister(final ChannelPromise promise) {
        ((IoEventLoop) eventLoop()).register((IothUnsafe) unsafe()).addListener(f -> {
            if (!f.isSuccess()) {
                promise.setFailure(f.cause());
                return;
            }
            final IoRegistration reg = (IoRegistration) f.getNow();
            final IothIoRegistration r = reg.attachment();
            try {
                StackSocket s = socket();
                if (s == null) {
                    s = openSocket(r.stack(), r.nanoTime());
                    home = eventLoop();
                }
                r.attach(s);
                registration = reg;
                ioth = r;
                if (interest != 0) {
                    reg.submit(IothIoOps.valueOf(interest)); // re-registration keeps the interest
                }
                promise.setSuccess();
            } catch (Throwable t) {
                reg.cancel();
                promise.setFailure(t);
            }
        });
    }

    @Override
    protected void doDeregister() throws Exception {
        final IoRegistration reg = registration;
        registration = null;
        ioth = null;
        if (reg != null) {
            reg.cancel();
        }
    }

    /** The socket, or null before the first registration. Home loop. */
    protected abstract StackSocket socket();

    /** The stack of the home loop. Home loop, registered. */
    protected final Stack stack() {
        return ioth.stack();
    }

    /** The home loop's clock, for the engine's {@code now} arguments (mock time in tests). */
    protected final long nanoTime() {
        final IothIoRegistration r = ioth;
        return r != null ? r.nanoTime() : System.nanoTime();
    }

    // ================================================================ interest

    protected final int interest() {
        return interest;
    }

    protected final void setInterest(final int bits) {
        if (bits == interest) {
            return;
        }
        interest = bits;
        final IoRegistration reg = registration;
        if (reg != null) {
            reg.submit(IothIoOps.valueOf(bits));
        }
    }

    protected final void addInterest(final int bits) {
        setInterest(interest | bits);
    }

    protected final void removeInterest(final int bits) {
        setInterest(interest & ~bits);
    }

    @Override
    protected void doBeginRead() throws Exception {
        readPending = true;
        addInterest(IothIoOps.READ_BIT);
    }

    /** autoRead was switched off: no read is pending any more (NIO's clearReadPending). */
    final void clearReadPending() {
        if (isRegistered()) {
            final EventLoop loop = eventLoop();
            if (loop.inEventLoop()) {
                clearReadPending0();
            } else {
                loop.execute(this::clearReadPending0);
            }
        } else {
            readPending = false; // not registered: nothing can touch it concurrently
        }
    }

    private void clearReadPending0() {
        readPending = false;
        if (!keepsReadInterest()) {
            removeInterest(IothIoOps.READ_BIT);
        }
    }

    /** After a read loop: stop reading unless asked (autoRead off and no read() since). */
    protected final void readLoopDone() {
        if (!readPending && !config().isAutoRead() && !keepsReadInterest()) {
            removeInterest(IothIoOps.READ_BIT);
        }
    }

    /**
     * Whether READ interest stays on once set, the channel's {@link #readyOps} deciding what is worth an event
     * (TCP: data only while a read is wanted, the end of the stream always, as epoll's EPOLLRDHUP). Default false:
     * READ interest follows autoRead / {@code read()}.
     */
    protected boolean keepsReadInterest() {
        return false;
    }

    /**
     * Has the handle served at the next loop iteration if something of interest is ready (level re-check after the
     * channel's own readiness rules changed, e.g. a {@code read()} while READ interest was already on). Loop thread.
     */
    protected final void serveSoon() {
        final IothIoRegistration r = ioth;
        if (r != null && r.valid && (r.handle.readyOps() & r.interest) != 0) {
            r.handler.serveSoon(r);
        }
    }

    // ================================================================ close

    @Override
    protected void doClose() throws Exception {
        final ChannelPromise p = connectPromise;
        if (p != null) {
            connectPromise = null;
            p.tryFailure(new java.nio.channels.ClosedChannelException());
        }
        final Future<?> t = connectTimeoutFuture;
        if (t != null) {
            connectTimeoutFuture = null;
            t.cancel(false);
        }
    }

    // ================================================================ the Unsafe: IoHandle, connect, flush

    @Override
    protected abstract IothUnsafe newUnsafe();

    /** The channel's Unsafe and its {@link IothIoHandle}. */
    protected abstract class IothUnsafe extends AbstractUnsafe implements IothIoHandle {

        @Override
        public void handle(final IoRegistration reg, final IoEvent event) {
            final int ops = ((IothIoEvent) event).ops().value();
            if ((ops & IothIoOps.CONNECT_BIT) != 0) {
                removeInterest(IothIoOps.CONNECT_BIT);
                finishConnect();
            }
            if ((ops & IothIoOps.WRITE_BIT) != 0) {
                forceFlush(); // WRITE interest is dropped by doWrite once the outbound buffer is empty...
                final io.netty.channel.ChannelOutboundBuffer out = outboundBuffer();
                if (out == null || out.isEmpty()) {
                    removeInterest(IothIoOps.WRITE_BIT); // ...or here, if it emptied without a doWrite (failed)
                }
            }
            if ((ops & (IothIoOps.READ_BIT | IothIoOps.ACCEPT_BIT)) != 0) {
                readReady();
            }
        }

        @Override
        public int readyOps() {
            return AbstractIothChannel.this.readyOps();
        }

        @Override
        public void close() {
            close(voidPromise());
        }

        @Override
        public void connect(final SocketAddress remoteAddress, final SocketAddress localAddress,
                            final ChannelPromise promise) {
            // not setUncancellable(): a pending connect can be cancelled (the channel closes), as NIO's since 4.1.x
            if (promise.isDone() || !ensureOpen(promise)) {
                return;
            }
            try {
                if (connectPromise != null) {
                    throw new ConnectionPendingException();
                }
                final boolean wasActive = isActive();
                if (doConnect(remoteAddress, localAddress)) {
                    fulfillConnectPromise(promise, wasActive);
                    return;
                }
                connectPromise = promise;
                requestedRemoteAddress = remoteAddress;
                final int timeoutMillis = config().getConnectTimeoutMillis();
                if (timeoutMillis > 0) {
                    connectTimeoutFuture = eventLoop().schedule(() -> {
                        final ChannelPromise p = connectPromise;
                        if (p != null && !p.isDone() && p.tryFailure(new ConnectTimeoutException(
                                "connection timed out after " + timeoutMillis + " ms: " + remoteAddress))) {
                            close(voidPromise());
                        }
                    }, timeoutMillis, TimeUnit.MILLISECONDS);
                }
                promise.addListener(future -> {
                    // connect cancelled by the user: give up and close
                    if (future.isCancelled()) {
                        if (connectTimeoutFuture != null) {
                            connectTimeoutFuture.cancel(false);
                        }
                        connectPromise = null;
                        close(voidPromise());
                    }
                });
            } catch (Throwable t) {
                promise.tryFailure(annotateConnectException(t, remoteAddress));
                closeIfClosed();
            }
        }

        private void finishConnect() {
            final ChannelPromise p = connectPromise;
            if (p == null) {
                return;
            }
            try {
                final boolean wasActive = isActive();
                doFinishConnect();
                fulfillConnectPromise(p, wasActive);
            } catch (Throwable t) {
                p.tryFailure(annotateConnectException(t, requestedRemoteAddress));
                closeIfClosed();
            } finally {
                if (connectTimeoutFuture != null) {
                    connectTimeoutFuture.cancel(false);
                }
                connectPromise = null;
            }
        }

        private void fulfillConnectPromise(final ChannelPromise promise, final boolean wasActive) {
            final boolean active = isActive();
            final boolean promiseSet = promise.trySuccess();
            if (!wasActive && active) {
                pipeline().fireChannelActive();
            }
            if (!promiseSet) {
                close(voidPromise()); // cancelled meanwhile
            }
        }

        @Override
        protected final void flush0() {
            // the socket is full and a WRITE event will flush: flushing now would only spin (NIO, epoll)
            if ((interest & IothIoOps.WRITE_BIT) == 0) {
                super.flush0();
            }
        }

        /** Flushes regardless of WRITE interest (the WRITE event). */
        protected final void forceFlush() {
            super.flush0();
        }
    }
}
