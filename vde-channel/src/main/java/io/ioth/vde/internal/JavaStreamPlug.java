package io.ioth.vde.internal;

import io.ioth.vde.DropReason;
import io.ioth.vde.FrameHandler;
import io.ioth.vde.PlugStats;
import io.ioth.vde.VdeOptions;
import io.ioth.vde.Vnl;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A stream cable (vde-protocol.md §2) over arbitrary {@link InputStream}/{@link OutputStream}s
 * ({@link io.ioth.vde.Vde#stream}). Such streams cannot be polled, so this is the one plug with a
 * thread of its own.
 *
 * <p>Input: a daemon reader thread reads into a reused buffer, decodes frames with
 * {@link StreamDecoder} and hands them to the owner through a bounded queue of
 * {@link VdeOptions#queueLimit()} frames, waking the owner's poller once per read (a batch) via
 * {@link #signal()}. When the queue is full the reader thread <em>blocks</em> rather than dropping:
 * a byte stream has flow control of its own (a pipe or TCP window fills up and the sender slows
 * down), so blocking turns a slow owner into backpressure instead of loss, and only this dedicated
 * thread waits. Memory stays bounded by the queue either way.
 *
 * <p>Output: {@link #write} encodes the record (header and frame) into a reused array and calls
 * {@code out.write} once per record on the owner thread, so <b>it may block</b> if the stream does
 * (a full pipe, a slow socket); {@link #flush()} calls {@code out.flush()}. Callers that cannot
 * block should use {@code stdio://} or {@code cmd://}, whose descriptors are non-blocking. An
 * {@link IOException} drops the frame ({@link DropReason#SEND_ERROR}) and disconnects the plug.
 *
 * <p>Counters: the reader thread counts into a private {@link PlugStats}; the owner thread moves
 * its drops into {@link #stats()} in {@link #read}, and counts frames in as it dequeues them, so
 * {@link #stats()} keeps a single writer.
 *
 * <p>Threading: as every plug, owner thread only; the reader thread is internal.
 */
public final class JavaStreamPlug extends AbstractPlug {
    private static final DropReason[] REASONS = DropReason.values();
    private static final int READ_CHUNK = 16 * 1024;

    private final InputStream in;
    private final OutputStream out;
    private final ArrayBlockingQueue<ByteBuf> queue;
    private final PlugStats readerStats = new PlugStats();
    private final long[] movedDrops = new long[REASONS.length];
    private final byte[] record = new byte[StreamPlug.RECORD_MAX];
    private final Thread reader;
    /** Set by the reader thread when input ended; read by the owner after the queue drains. */
    private volatile Throwable inputEnd;
    private Throwable outputEnd;
    private boolean disconnectReported;

    public JavaStreamPlug(InputStream in, OutputStream out, VdeOptions options) {
        // Vnl is a closed set of wire kinds; a cable over Java streams is reported as a command cable.
        super(new Vnl.Cmd("<java streams>"), options);
        this.in = in;
        this.out = out;
        this.queue = new ArrayBlockingQueue<>(options.queueLimit());
        this.reader = new Thread(this::readLoop, "vde-stream-reader");
        reader.setDaemon(true);
        reader.start();
    }

    // ---- reader thread ----

    private void readLoop() {
        StreamDecoder decoder = new StreamDecoder(options.allocator(), readerStats);
        byte[] chunk = new byte[READ_CHUNK];
        ByteBuf wrapped = Unpooled.wrappedBuffer(chunk);
        FrameHandler enqueue = this::enqueue;
        Throwable end = null;
        try {
            while (open) {
                int n = in.read(chunk, 0, chunk.length);
                if (n < 0) {
                    decoder.endOfStream();
                    end = new EOFException("end of stream");
                    break;
                }
                wrapped.setIndex(0, n);
                decoder.decode(wrapped, enqueue, Integer.MAX_VALUE);
                signal(); // one wake-up per read: frames go over in batches
                if (decoder.broken()) {
                    end = new IOException("stream announced a record over " + StreamDecoder.MAX_RECORD
                            + " bytes: the stream cannot be resynchronised (vde-protocol.md §2)");
                    break;
                }
            }
        } catch (IOException e) {
            end = e;
        } catch (RuntimeException | Error e) { // StopReading: close() interrupted a blocked hand-over
            end = e;
        } finally {
            decoder.close();
            wrapped.release();
            inputEnd = end == null ? new EOFException("closed") : end;
            if (!open) drainQueue();
            signal();
        }
    }

    /** Reader thread: blocks while the queue is full (backpressure, see the class comment). */
    private void enqueue(ByteBuf frame) {
        if (!open) {
            frame.release();
            return;
        }
        if (!queue.offer(frame)) {
            signal(); // make sure the owner is draining before we wait for room
            try {
                queue.put(frame);
            } catch (InterruptedException e) {
                frame.release();
                throw new StopReading(e);
            }
        }
        if (!open) drainQueue(); // close() ran while we queued
    }

    /** Unwinds the decoder when close() interrupts a blocked hand-over. */
    private static final class StopReading extends RuntimeException {
        StopReading(InterruptedException cause) { super("closed", cause, false, false); }
    }

    private void drainQueue() {
        for (ByteBuf f; (f = queue.poll()) != null; ) f.release();
    }

    // ---- owner thread ----

    @Override
    public int read(FrameHandler handler, int maxFrames) {
        if (!open) return 0;
        int n = 0;
        for (ByteBuf f; n < maxFrames && open && (f = queue.poll()) != null; n++) {
            stats.received(f.readableBytes());
            handler.onFrame(f);
        }
        moveReaderDrops();
        if (open && !disconnectReported && (outputEnd != null || inputEnd != null && queue.isEmpty())) {
            disconnectReported = true;
            fireDisconnected(outputEnd != null ? outputEnd : inputEnd);
        }
        return n;
    }

    private void moveReaderDrops() {
        for (DropReason r : REASONS) {
            long d = readerStats.drops(r);
            for (long i = movedDrops[r.ordinal()]; i < d; i++) stats.dropped(r);
            movedDrops[r.ordinal()] = d;
        }
    }

    @Override
    public boolean write(ByteBuf frame) {
        if (!checkOutgoing(frame)) return false;
        int len = frame.readableBytes();
        record[0] = (byte) (len >> 8); // big-endian length (§2)
        record[1] = (byte) len;
        frame.getBytes(frame.readerIndex(), record, 2, len);
        frame.release();
        try {
            out.write(record, 0, 2 + len); // header and frame in one write (§2)
        } catch (IOException e) {
            stats.dropped(DropReason.SEND_ERROR);
            if (outputEnd == null) outputEnd = e;
            signal();
            return false;
        }
        stats.sent(len);
        return true;
    }

    @Override
    public void flush() {
        if (!open || outputEnd != null) return;
        try {
            out.flush();
        } catch (IOException e) {
            outputEnd = e;
            signal();
        }
    }

    @Override
    public boolean isConnected() {
        return open && outputEnd == null && (inputEnd == null || !queue.isEmpty());
    }

    @Override
    public boolean readyNow() {
        return open && (!queue.isEmpty() || !disconnectReported && (inputEnd != null || outputEnd != null));
    }

    /**
     * Closes both streams (which is what unblocks a reader stuck in {@code in.read}), stops the
     * reader thread (waiting at most a second) and releases queued frames.
     */
    @Override
    public void close() {
        if (!open) return;
        open = false;
        try {
            in.close();
        } catch (IOException e) {
            // closing anyway
        }
        try {
            out.close();
        } catch (IOException e) {
            // closing anyway
        }
        reader.interrupt();
        try {
            reader.join(TimeUnit.SECONDS.toMillis(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        drainQueue(); // a reader still stuck in a stream that ignores close() drains on its way out
    }
}
