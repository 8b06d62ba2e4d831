package io.ioth.vde.internal;

import io.ioth.vde.DropReason;
import io.ioth.vde.VdeOptions;
import io.ioth.vde.Vnl;
import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.util.ArrayDeque;

/**
 * What the UDP plugs (vxvde://, udp://) share: non-blocking CLOEXEC sockets made through {@link LibC},
 * a bounded write backlog drained on POLLOUT, one spare receive buffer that is reused until a
 * datagram is actually delivered (a drop or EAGAIN costs no allocation), and a scratch buffer for
 * frames without a memory address.
 *
 * <p>Thread contract: everything but {@link #stats()}/{@link #isOpen()} runs on the owner thread.
 */
public abstract class AbstractDatagramPlug extends AbstractPlug {
    protected static final LibC C = LibC.INSTANCE;
    /** The send result codes of {@link #trySend}. */
    protected static final int SENT = 1, AGAIN = 0, DROPPED = -1;

    private final ArrayDeque<ByteBuf> backlog;
    private final int queueLimit;
    private final int rxCapacity;
    private ByteBuf spare;
    private ByteBuf scratch;

    protected AbstractDatagramPlug(Vnl vnl, VdeOptions options, int rxCapacity) {
        super(vnl, options);
        this.queueLimit = options.queueLimit();
        this.backlog = new ArrayDeque<>(Math.min(queueLimit, 1024));
        this.rxCapacity = rxCapacity;
    }

    /**
     * Sends one frame now. Must release the frame on SENT and DROPPED (counting the reason) and keep
     * it on AGAIN.
     */
    protected abstract int trySend(ByteBuf frame);

    /** The socket POLLOUT is awaited on while a backlog exists. */
    protected abstract int sendFd();

    @Override
    public boolean write(ByteBuf frame) {
        if (!checkOutgoing(frame)) return false;
        if (backlog.isEmpty()) {
            int r = trySend(frame);
            if (r != AGAIN) return r == SENT;
        }
        if (backlog.size() >= queueLimit) {
            frame.release();
            stats.dropped(DropReason.QUEUE_FULL);
            return false;
        }
        backlog.addLast(frame);
        return true;
    }

    @Override
    public void flush() {
        ByteBuf f;
        while (open && (f = backlog.peekFirst()) != null) {
            if (trySend(f) == AGAIN) return;
            backlog.pollFirst();
        }
    }

    protected final boolean hasBacklog() { return !backlog.isEmpty(); }

    @Override
    public void pollEvents(int fd, int revents) {
        if (fd == sendFd() && (revents & LibC.POLLOUT) != 0) flush();
    }

    /** The raw address of the frame's readable bytes, copying them to a scratch buffer if it has none. */
    protected final long readableAddress(ByteBuf frame) {
        if (frame.hasMemoryAddress()) return frame.memoryAddress() + frame.readerIndex();
        if (scratch == null) scratch = options.allocator().directBuffer(MAX_FRAME, MAX_FRAME);
        if (!scratch.hasMemoryAddress()) throw new IllegalStateException("the allocator gives no direct memory addresses");
        int len = frame.readableBytes();
        frame.getBytes(frame.readerIndex(), scratch, 0, len);
        return scratch.memoryAddress();
    }

    /** The receive buffer for the next datagram (kept until {@link #takeSpare()}). */
    protected final ByteBuf spare() {
        ByteBuf b = spare;
        if (b == null) {
            b = options.allocator().directBuffer(rxCapacity, rxCapacity);
            if (!b.hasMemoryAddress()) {
                b.release();
                throw new IllegalStateException("the allocator gives no direct memory addresses");
            }
            spare = b;
        }
        return b;
    }

    /** Hands the spare buffer over to the caller (it is about to be delivered). */
    protected final ByteBuf takeSpare() {
        ByteBuf b = spare;
        spare = null;
        return b;
    }

    protected final int rxCapacity() { return rxCapacity; }

    /** Releases the backlog and the buffers. */
    protected final void releaseBuffers() {
        ByteBuf f;
        while ((f = backlog.pollFirst()) != null) {
            f.release();
            stats.dropped(DropReason.NOT_CONNECTED);
        }
        if (spare != null) {
            spare.release();
            spare = null;
        }
        if (scratch != null) {
            scratch.release();
            scratch = null;
        }
    }

    // ---- socket set-up helpers (open time only) ----

    protected static int udpSocket(int family) throws IOException {
        int fd = C.socket(family, LibC.SOCK_DGRAM | LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) throw new IOException("socket(" + (family == LibC.AF_INET6 ? "AF_INET6" : "AF_INET")
                + ", SOCK_DGRAM): " + LibC.describe(LibC.errno()));
        return fd;
    }

    protected static void setInt(NativeMemory tmp, int fd, int level, int name, int value, String what) throws IOException {
        tmp.putInt(0, value);
        if (C.setsockopt(fd, level, name, tmp.address(), 4) != 0) {
            throw new IOException("setsockopt(" + what + "=" + value + "): " + LibC.describe(LibC.errno()));
        }
    }

    protected static void setBytes(NativeMemory tmp, int fd, int level, int name, int len, String what) throws IOException {
        if (C.setsockopt(fd, level, name, tmp.address(), len) != 0) {
            throw new IOException("setsockopt(" + what + "): " + LibC.describe(LibC.errno()));
        }
    }

    protected static void closeQuietly(int fd) {
        if (fd >= 0) C.close(fd);
    }
}
