package io.ioth.transport;

import io.ioth.tcpip.Stack;
import io.ioth.tcpip.socket.StackSocket;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;

/**
 * The registration of one {@link IothIoHandle} with an {@link IothIoHandler}: its interest ({@link IothIoOps}) and
 * its stack socket. {@link #attachment()} returns this object, so a channel holding the event loop's wrapper of the
 * registration reaches the stack with {@code ((IothIoRegistration) registration.attachment()).stack()}.
 *
 * <p>Interest changes are cheap and level-checked: {@link #submit} that adds an operation which is already ready
 * (READ with a datagram queued, WRITE on a socket with room) has the handle served on the next loop iteration, so
 * {@code doBeginRead} after {@code autoRead=false} never misses data that arrived meanwhile.
 *
 * <p>Threading: {@link #submit} and {@link #cancel} from any thread (they hop to the loop); everything else on the
 * handler's event loop.
 */
public final class IothIoRegistration implements IoRegistration {
    final IothIoHandler handler;
    final IothIoHandle handle;
    int interest;
    boolean valid = true;
    /** On the handler's list of handles to serve at the next iteration. */
    boolean queued;
    private StackSocket socket;

    IothIoRegistration(final IothIoHandler handler, final IothIoHandle handle) {
        this.handler = handler;
        this.handle = handle;
    }

    /** This registration (it carries the stack, the clock and the socket). */
    @Override
    @SuppressWarnings("unchecked")
    public <T> T attachment() {
        return (T) this;
    }

    /** Sets the interest to {@code ops} (an {@link IothIoOps}). @return the new interest bits */
    @Override
    public long submit(final IoOps ops) {
        final IothIoOps o = (IothIoOps) ops;
        if (!handler.inLoop()) {
            handler.execute(() -> submit(o));
            return o.value();
        }
        if (!valid) {
            return interest;
        }
        final int added = o.value() & ~interest;
        interest = o.value();
        if (added != 0 && (handle.readyOps() & added) != 0) {
            handler.serveSoon(this);
        }
        return interest;
    }

    /** The current interest bits. Loop thread. */
    public int interestOps() {
        return interest;
    }

    @Override
    public boolean isValid() {
        return valid;
    }

    @Override
    public boolean cancel() {
        if (!valid) {
            return false;
        }
        if (!handler.inLoop()) {
            handler.execute(this::cancel);
            return true;
        }
        handler.cancel(this);
        return true;
    }

    /** The stack of the handler's event loop. Loop thread. */
    public Stack stack() {
        return handler.stack();
    }

    /** The loop's clock (its ticker: mock time in tests), for the engine's {@code now} arguments. */
    public long nanoTime() {
        return handler.nanoTime();
    }

    /**
     * Ties a stack socket to this registration: the socket's events reach {@link #handle} from now on. A previous
     * socket is detached. Loop thread.
     */
    public void attach(final StackSocket s) {
        if (socket != null && socket != s && socket.attachment() == this) {
            socket.attach(null);
        }
        socket = s;
        if (s != null) {
            s.attach(this);
        }
    }

    /** The socket given to {@link #attach}, or null. */
    public StackSocket socket() {
        return socket;
    }

    /** The handler (its stack, identity and clock). */
    public IothIoHandler handler() {
        return handler;
    }

    @Override
    public String toString() {
        return "IothIoRegistration(" + handle + ", interest " + IothIoOps.format(interest) + (valid ? "" : ", cancelled")
                + ")";
    }
}
