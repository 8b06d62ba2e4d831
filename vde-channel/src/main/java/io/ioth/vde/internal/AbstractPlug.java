package io.ioth.vde.internal;

import io.ioth.vde.DropReason;
import io.ioth.vde.PlugListener;
import io.ioth.vde.PlugStats;
import io.ioth.vde.VdeOptions;
import io.ioth.vde.VdePlug;
import io.ioth.vde.Vnl;
import io.netty.buffer.ByteBuf;

/**
 * What every plug shares: its VNL and options, counters, the listener, the open flag, the
 * wake-up hook of the poller it is registered with, and the frame-size rules.
 */
public abstract class AbstractPlug implements VdePlug, Pollable {
    /** An Ethernet header: the shortest frame any VDE tool forwards. */
    public static final int MIN_FRAME = 14;
    /** VDE_ETHBUFSIZE: 9216 + 14 + 4, the largest frame vdeplug4 carries. */
    public static final int MAX_FRAME = 9234;
    /** vde_switch's receive buffer (struct packet): longer frames are silently truncated there. */
    public static final int SWITCH_MAX_FRAME = 1518;

    protected final Vnl vnl;
    protected final VdeOptions options;
    protected final PlugStats stats = new PlugStats();
    protected PlugListener listener;
    protected volatile boolean open = true;
    protected volatile Runnable wakeup;

    protected AbstractPlug(Vnl vnl, VdeOptions options) {
        this.vnl = vnl;
        this.options = options;
        this.listener = options.listener();
    }

    @Override
    public Vnl vnl() { return vnl; }

    @Override
    public PlugStats stats() { return stats; }

    @Override
    public boolean isOpen() { return open; }

    @Override
    public void listener(PlugListener listener) { this.listener = listener == null ? PlugListener.NOOP : listener; }

    @Override
    public int maxFrameSize() { return MAX_FRAME; }

    @Override
    public void wakeup(Runnable wakeup) { this.wakeup = wakeup; }

    /** Wakes the owner's poller, if any (any thread). */
    protected final void signal() {
        Runnable w = wakeup;
        if (w != null) w.run();
    }

    /**
     * Checks an outgoing frame's length against this wire; on failure releases it and counts the drop.
     *
     * @return true if the frame may be sent
     */
    protected final boolean checkOutgoing(ByteBuf frame) {
        int len = frame.readableBytes();
        if (len < MIN_FRAME) {
            frame.release();
            stats.dropped(DropReason.RUNT);
            return false;
        }
        if (len > maxFrameSize()) {
            frame.release();
            stats.dropped(DropReason.OVERSIZE);
            return false;
        }
        if (!open || !isConnected()) {
            frame.release();
            stats.dropped(DropReason.NOT_CONNECTED);
            return false;
        }
        return true;
    }

    /** Tells the listener the wire went away; never throws. */
    protected final void fireDisconnected(Throwable cause) {
        try {
            listener.onDisconnected(this, cause);
        } catch (RuntimeException e) {
            // a listener's failure must not escape into the event loop
        }
    }

    protected final void fireReconnected() {
        try {
            listener.onReconnected(this);
        } catch (RuntimeException e) {
            // as above
        }
    }

    @Override
    public void pollFds(PollSet set) {}

    @Override
    public void pollEvents(int fd, int revents) {}

    @Override
    public boolean readyNow() { return false; }

    @Override
    public long nextDeadlineNanos() { return Long.MAX_VALUE; }

    @Override
    public String toString() { return getClass().getSimpleName() + "(" + vnl + ")"; }
}
