package io.ioth.vde.sw;

import io.ioth.vde.DropReason;
import io.ioth.vde.FrameHandler;
import io.ioth.vde.VdeOptions;
import io.ioth.vde.Vnl;
import io.ioth.vde.internal.AbstractPlug;
import io.netty.buffer.ByteBuf;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A port of an {@link EmbeddedSwitch}, as a plug.
 *
 * <p>Threading (as every {@link io.ioth.vde.VdePlug}): one owner thread calls read/write/flush/close.
 * {@link #write} forwards on the caller's (sender's) thread straight into the receiving ports'
 * bounded MPSC input queues; {@link #read} drains this port's queue. A frame landing in an empty
 * queue wakes the owner's {@link io.ioth.vde.VdePoller}. Frames handed to the handler may share memory
 * with frames delivered to other ports (floods): treat them as read-only.
 *
 * <p>Counters: {@link #stats()} counts what this plug wrote and read; a frame that no recipient
 * could queue makes {@code write} return false and counts {@link DropReason#QUEUE_FULL} here; an
 * overflow of <em>this</em> port's input queue (caused by another port's write) is also counted as
 * {@code QUEUE_FULL} in this port's stats, folded in at its next {@code read}.
 */
public final class EmbeddedPlug extends AbstractPlug {
    private static final int BATCH = 64;

    final EmbeddedSwitch sw;
    final int port;
    final FrameQueue queue;
    private volatile ImpairedLink link;
    private final AtomicBoolean drainLock = new AtomicBoolean();
    private final ByteBuf[] batch = new ByteBuf[BATCH];

    /** Input-queue overflows caused by other ports' writes (any thread). */
    final AtomicLong overflow = new AtomicLong();
    private long overflowFolded;
    private volatile boolean detached;
    private boolean disconnectFired;

    // switch-side counters of frames this plug sent; written by the owner only, read racily by stats()
    long unicast, flooded, filtered;

    EmbeddedPlug(EmbeddedSwitch sw, int port, Vnl vnl, VdeOptions options) {
        super(vnl, options);
        this.sw = sw;
        this.port = port;
        this.queue = new FrameQueue(options.queueLimit());
    }

    /** {@link EmbeddedSwitch#MAX_FRAME}: in the JVM a frame is handed over, never cut. */
    @Override
    public int maxFrameSize() { return EmbeddedSwitch.MAX_FRAME; }

    /** The switch this plug is a port of. */
    public EmbeddedSwitch embeddedSwitch() { return sw; }

    /** The port number (1.. like vde_switch's automatic allocation). */
    public int port() { return port; }

    VdeOptions options() { return options; }

    /**
     * Impairs the link switch → this port (frames delivered to this plug); {@code null} removes it.
     * Any thread. Frames already delayed stay delayed; see {@link Impairment}.
     */
    public void impair(Impairment impairment) {
        ImpairedLink l = link;
        if (l == null) {
            if (impairment == null) return;
            synchronized (this) {
                l = link;
                if (l == null) {
                    l = new ImpairedLink(this);
                    l.configure(impairment);
                    link = l;
                    if (!open) l.close();
                    return;
                }
            }
        }
        l.configure(impairment);
    }

    /** What the impairment did to frames for this port so far (zeros if never impaired). Any thread. */
    public ImpairmentStats impairmentStats() {
        ImpairedLink l = link;
        if (l == null) return new ImpairmentStats(0, 0, 0, 0, 0, 0);
        synchronized (l) {
            return new ImpairmentStats(l.lost, l.duplicated, l.reordered, l.corrupted, l.queueFull, l.queued());
        }
    }

    @Override
    public boolean isConnected() { return open && !detached; }

    @Override
    public int read(FrameHandler handler, int maxFrames) {
        if (!open) return 0;
        long o = overflow.get();
        while (overflowFolded < o) {
            overflowFolded++;
            stats.dropped(DropReason.QUEUE_FULL);
        }
        if (detached && !disconnectFired) {
            disconnectFired = true;
            fireDisconnected(new IllegalStateException("embedded switch " + sw + " closed"));
        }
        int n = 0;
        // open: once the handler closes us, a sender that raced with close() may be draining the
        // queue (drainClosed); polling it here too would make two consumers
        try {
            while (n < maxFrames && open) {
                ByteBuf f = queue.take();
                if (f == null) break;
                n++;
                stats.received(f.readableBytes());
                handler.onFrame(f);
            }
        } finally {
            queue.commit(); // one release of the consumer index per batch (FrameQueue#take)
        }
        ImpairedLink l = link;
        while (l != null && n < maxFrames && open) {
            int k = l.pollDue(batch, Math.min(BATCH, maxFrames - n));
            if (k == 0) break;
            int i = 0;
            try {
                for (; i < k; i++) {
                    ByteBuf f = batch[i];
                    batch[i] = null;
                    if (!open) { // the handler closed us: release the rest of the batch
                        f.release();
                        continue;
                    }
                    n++;
                    stats.received(f.readableBytes());
                    handler.onFrame(f);
                }
            } finally {
                for (i++; i < k; i++) { // the handler threw: do not leak the rest of the batch
                    if (batch[i] != null) batch[i].release();
                    batch[i] = null;
                }
            }
        }
        return n;
    }

    @Override
    public boolean write(ByteBuf frame) {
        if (!checkOutgoing(frame)) return false;
        int len = frame.readableBytes();
        if (sw.forward(this, frame)) {
            stats.sent(len);
            return true;
        }
        stats.dropped(DropReason.QUEUE_FULL);
        return false;
    }

    @Override
    public void flush() {
        // forwarding happens in write(): nothing is held back
    }

    /** Delivers a frame to this port (any thread; takes ownership). False if it was dropped. */
    boolean deliver(ByteBuf frame) {
        ImpairedLink l = link;
        if (l != null && l.active()) return l.offer(frame);
        int r = queue.offer(frame);
        if (r == FrameQueue.FULL) {
            frame.release();
            overflow.incrementAndGet();
            return false;
        }
        if (!open) drainClosed(); // raced with close(): do not leave the frame behind
        else if (r == FrameQueue.WAS_EMPTY) signal();
        return true;
    }

    void signalOwner() { signal(); }

    /** The switch went away (closed): the owner hears onDisconnected at its next read. Any thread. */
    void detach() {
        detached = true;
        signal();
    }

    @Override
    public boolean readyNow() {
        if (!open) return false;
        if (queue.readyNow()) return true;
        if (detached && !disconnectFired) return true;
        if (overflow.get() != overflowFolded) return true;
        ImpairedLink l = link;
        return l != null && l.dueNow();
    }

    @Override
    public long nextDeadlineNanos() {
        ImpairedLink l = link;
        return l == null ? Long.MAX_VALUE : l.headDue();
    }

    @Override
    public void close() {
        if (!open) return;
        open = false;
        sw.unplug(this);
        queue.commit(); // a handler may close us in the middle of read()'s batch: publish its takes before draining
        drainClosed();
        ImpairedLink l;
        synchronized (this) {
            l = link;
        }
        if (l != null) l.close();
    }

    /**
     * Releases whatever is queued once the port is closed. Senders that raced with close() call this
     * too; the drain lock keeps the queue single-consumer, and the re-check after unlocking catches a
     * frame offered while another thread held the lock.
     */
    private void drainClosed() {
        while (!queue.isEmpty()) {
            if (!drainLock.compareAndSet(false, true)) return; // the holder re-checks after unlocking
            try {
                while (!queue.isEmpty()) {
                    ByteBuf f = queue.poll();
                    if (f == null) {
                        Thread.onSpinWait(); // a producer claimed a slot and is storing into it
                    } else {
                        f.release();
                    }
                }
            } finally {
                drainLock.set(false);
            }
        }
    }

    @Override
    public String toString() { return "EmbeddedPlug(" + vnl + " port " + port + ")"; }
}
