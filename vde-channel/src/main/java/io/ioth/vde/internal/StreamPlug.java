package io.ioth.vde.internal;

import io.ioth.vde.DropReason;
import io.ioth.vde.FrameHandler;
import io.ioth.vde.VdeOptions;
import io.ioth.vde.Vnl;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayDeque;

/**
 * A stream cable on a pair of file descriptors (one socket, or a pipe pair such as stdin/stdout):
 * frames framed with a 2-byte big-endian length (vde-protocol.md §2). Both descriptors are
 * non-blocking and are waited on in the owner's {@link io.ioth.vde.VdePoller}.
 *
 * <p>Reading: one {@code read(2)} fills a reused direct buffer that {@link StreamDecoder} cuts into
 * frames (pooled direct buffers). EOF, a read error, or a length over 9236 bytes (the stream is
 * then out of sync for good, see {@link StreamDecoder}) disconnect the plug; the listener hears it
 * from inside {@link #read}.
 *
 * <p>Writing: every record (header and frame) goes out in ONE {@code write(2)}, as libvdestream does
 * with {@code writev} (§2: a C vde_plug reading 9234-byte chunks loses a header split after its first
 * byte, so we never split a record across writes ourselves and never merge records). If the fd
 * takes only part of it, the rest waits with POLLOUT interest and later frames wait in a backlog of
 * at most {@link VdeOptions#queueLimit()} frames; beyond that they are dropped as
 * {@link DropReason#QUEUE_FULL}. Frames under 14 or over 9234 bytes are dropped and counted.
 *
 * <p>Threading: the owner thread only (see {@link io.ioth.vde.VdePlug}).
 */
public class StreamPlug extends AbstractPlug {
    private static final LibC C = LibC.INSTANCE;
    /** Bytes read per read(2): several frames per system call under load. */
    static final int READ_BUFFER = 32 * 1024;
    /** One record: the 2-byte header and at most VDE_ETHBUFSIZE frame bytes. */
    static final int RECORD_MAX = 2 + MAX_FRAME;

    private final int inFd, outFd;
    private final boolean socket;
    private final StreamDecoder decoder;
    private final ByteBuf readBuf;
    private final long readAddr;
    private final ByteBuf outBuf;
    private final long outAddr;
    private final ArrayDeque<ByteBuf> backlog;
    private int outStart, outEnd, stagedLen;
    private boolean connected = true;
    private boolean disconnectReported;
    private Throwable disconnectCause;
    private boolean reading;
    private boolean buffersFreed;

    /**
     * @param inFd the descriptor frames are read from (made non-blocking by the caller)
     * @param outFd the descriptor frames are written to; may equal {@code inFd}
     * @param socket whether {@code outFd} is a socket (then {@code send(MSG_NOSIGNAL)} is used)
     */
    protected StreamPlug(Vnl vnl, VdeOptions options, int inFd, int outFd, boolean socket) {
        super(vnl, options);
        this.inFd = inFd;
        this.outFd = outFd;
        this.socket = socket;
        this.decoder = new StreamDecoder(options.allocator(), stats);
        this.readBuf = directWithAddress(READ_BUFFER);
        this.readAddr = readBuf.memoryAddress();
        this.outBuf = directWithAddress(RECORD_MAX);
        this.outAddr = outBuf.memoryAddress();
        this.backlog = new ArrayDeque<>(Math.min(options.queueLimit(), 1024));
    }

    /**
     * A stream cable on this process's stdin (fd 0) and stdout (fd 1): the far end of
     * {@code dpipe vde_plug vde:///sw = java ... stdio://}.
     *
     * <p>Both descriptors are switched to O_NONBLOCK. That flag belongs to the open file
     * description, which is shared with whoever else holds it (the parent shell's terminal, the
     * other processes of a pipeline), and {@link System#in}/{@link System#out} would now fail with
     * EAGAIN instead of blocking; nothing else in this process may use stdin or stdout while the plug
     * is open (log to stderr). {@link #close()} restores the original flags but does not close fd 0
     * and 1 (a later {@code open} would reuse those numbers); the peer sees EOF when the process exits.
     */
    public static StreamPlug stdio(Vnl.Stdio vnl, VdeOptions options) throws IOException {
        int inFlags = nonBlocking(0, "stdin");
        int outFlags;
        try {
            outFlags = nonBlocking(1, "stdout");
        } catch (IOException e) {
            C.fcntl(0, LibC.F_SETFL, inFlags);
            throw e;
        }
        return new StreamPlug(vnl, options, 0, 1, false) {
            @Override
            protected void closeFds() {
                C.fcntl(0, LibC.F_SETFL, inFlags);
                C.fcntl(1, LibC.F_SETFL, outFlags);
            }
        };
    }

    /** Sets O_NONBLOCK on {@code fd}; returns its previous flags. */
    static int nonBlocking(int fd, String what) throws IOException {
        int flags = C.fcntl(fd, LibC.F_GETFL, 0);
        if (flags < 0 || C.fcntl(fd, LibC.F_SETFL, flags | LibC.O_NONBLOCK) < 0) {
            throw new IOException("cannot make " + what + " (fd " + fd + ") non-blocking: " + LibC.describe(LibC.errno()));
        }
        return flags;
    }

    private ByteBuf directWithAddress(int size) {
        ByteBuf b = options.allocator().directBuffer(size, size);
        if (b.hasMemoryAddress()) return b;
        // No Unsafe-backed buffer from this allocator: use memory we own (read/write need an address).
        b.release();
        return Unpooled.wrappedBuffer(io.netty.util.internal.PlatformDependent.allocateMemory(size), size, true);
    }

    @Override
    public int read(FrameHandler handler, int maxFrames) {
        if (!open) return 0;
        int n = 0;
        reading = true;
        try {
            if (connected) n = drain(handler, maxFrames);
        } finally {
            reading = false;
            if (!open) freeBuffers(); // the handler closed us
        }
        if (open && !connected && !disconnectReported) {
            disconnectReported = true;
            fireDisconnected(disconnectCause);
        }
        return n;
    }

    private int drain(FrameHandler handler, int maxFrames) {
        int n = decoder.decode(readBuf, handler, maxFrames);
        while (open && n < maxFrames && !decoder.broken()) {
            // decode() consumed all of readBuf, since it delivered fewer than it was allowed
            readBuf.clear();
            long r = C.read(inFd, readAddr, READ_BUFFER);
            if (r > 0) {
                readBuf.writerIndex((int) r);
                n += decoder.decode(readBuf, handler, maxFrames - n);
            } else if (r == 0) {
                decoder.endOfStream();
                lose(endOfStreamCause());
                return n;
            } else {
                int e = LibC.errno();
                if (e == LibC.EINTR) continue;
                if (e != LibC.EAGAIN) lose(new IOException("read from " + vnl + ": " + LibC.describe(e)));
                return n;
            }
        }
        if (decoder.broken()) {
            lose(new IOException("stream cable " + vnl + " announced a record over " + StreamDecoder.MAX_RECORD
                    + " bytes: the stream cannot be resynchronised (vde-protocol.md §2)"));
        }
        return n;
    }

    /** Why the input ended; cable types say more (a child's exit status). */
    protected Throwable endOfStreamCause() {
        return new EOFException("end of stream on " + vnl);
    }

    /** The wire is gone: stop reading and writing; the listener is told from the next {@link #read}. */
    protected final void lose(Throwable cause) {
        if (!connected) return;
        connected = false;
        disconnectCause = cause;
        outStart = outEnd = 0;
        for (ByteBuf f; (f = backlog.poll()) != null; ) {
            f.release();
            stats.dropped(DropReason.NOT_CONNECTED);
        }
        signal();
    }

    @Override
    public boolean write(ByteBuf frame) {
        if (!checkOutgoing(frame)) return false;
        if (outStart < outEnd || !backlog.isEmpty()) {
            if (backlog.size() >= options.queueLimit()) {
                frame.release();
                stats.dropped(DropReason.QUEUE_FULL);
                return false;
            }
            backlog.add(frame);
            return true;
        }
        stage(frame);
        return writeStaged();
    }

    @Override
    public void flush() {
        if (!open || !connected) return;
        while (true) {
            if (outStart < outEnd && (!writeStaged() || outStart < outEnd)) return;
            ByteBuf f = backlog.poll();
            if (f == null) return;
            stage(f);
        }
    }

    /** Copies header + frame into the one-record staging buffer and releases the frame. */
    private void stage(ByteBuf frame) {
        int len = frame.readableBytes();
        outBuf.setShort(0, len); // big-endian length (§2)
        outBuf.setBytes(2, frame, frame.readerIndex(), len);
        frame.release();
        outStart = 0;
        outEnd = 2 + len;
        stagedLen = len;
    }

    /**
     * Writes what is left of the staged record.
     *
     * @return false if the fd failed (the record was dropped and the plug lost)
     */
    private boolean writeStaged() {
        while (outStart < outEnd) {
            long r = socket
                    ? C.send(outFd, outAddr + outStart, outEnd - outStart, LibC.MSG_NOSIGNAL | LibC.MSG_DONTWAIT)
                    : C.write(outFd, outAddr + outStart, outEnd - outStart);
            if (r >= 0) {
                outStart += (int) r;
                continue;
            }
            int e = LibC.errno();
            if (e == LibC.EINTR) continue;
            if (e == LibC.EAGAIN) return true; // the poller will report POLLOUT
            stats.dropped(DropReason.SEND_ERROR);
            outStart = outEnd = 0;
            lose(new IOException("write to " + vnl + ": " + LibC.describe(e)));
            return false;
        }
        outStart = outEnd = 0;
        stats.sent(stagedLen);
        return true;
    }

    @Override
    public boolean isConnected() { return connected && open; }

    /** Frames waiting in the write backlog (the record being written not included). */
    public int backlog() { return backlog.size(); }

    @Override
    public void pollFds(PollSet set) {
        if (!open) return;
        short in = connected ? LibC.POLLIN : 0;
        short out = connected && outStart < outEnd ? LibC.POLLOUT : 0;
        if (inFd == outFd) {
            if ((in | out) != 0) set.add(this, inFd, (short) (in | out));
        } else {
            if (in != 0) set.add(this, inFd, in);
            if (out != 0) set.add(this, outFd, out);
        }
    }

    @Override
    public void pollEvents(int fd, int revents) {
        // Input is read in read(); here only a waiting backlog needs pushing (POLLERR/POLLHUP make
        // the write fail, which loses the plug).
        if (fd == outFd && (revents & (LibC.POLLOUT | LibC.POLLERR | LibC.POLLHUP)) != 0 && outStart < outEnd) flush();
    }

    @Override
    public boolean readyNow() {
        return open && (readBuf.isReadable() && connected || !connected && !disconnectReported);
    }

    @Override
    public void close() {
        if (!open) return;
        open = false;
        connected = false;
        for (ByteBuf f; (f = backlog.poll()) != null; ) f.release();
        decoder.close(); // also when a handler closes us from inside decode(): it delivers nothing more
        if (!reading) freeBuffers();
        closeFds();
    }

    private void freeBuffers() {
        if (buffersFreed) return;
        buffersFreed = true;
        decoder.close();
        readBuf.release();
        outBuf.release();
    }

    /** Closes the descriptors (stdio restores their flags instead). */
    protected void closeFds() {
        C.close(inFd);
        if (outFd != inFd) C.close(outFd);
    }
}
