package io.ioth.tcpip.socket.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * In-order received bytes waiting for the application. <b>Zero-copy</b>: a segment's payload is queued as a
 * retained slice of the received frame and handed to the application as is ({@link #read(int)}); only small
 * payloads (at most {@link #COALESCE_MAX} bytes) are copied into a connection-owned buffer, so that a peer sending
 * one-byte segments cannot pin one frame buffer per byte (Linux collapses small skbs for the same reason,
 * {@code tcp_collapse}).
 *
 * <p>Not thread-safe: owner thread.
 */
final class RecvQueue {
    static final int COALESCE_MAX = 256;
    private static final int COALESCE_CAPACITY = 2048;

    private ByteBuf[] ring;
    private int head;
    private int count;
    private int size;
    private boolean tailOwned;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Queues {@code src[index, index+len)} (retains or copies; {@code src} stays the caller's). */
    void append(final ByteBuf src, final int index, final int len, final ByteBufAllocator alloc) {
        if (len <= 0) {
            return;
        }
        if (len <= COALESCE_MAX) {
            if (tailOwned) {
                final ByteBuf tail = ring[(head + count - 1) & (ring.length - 1)];
                if (tail.capacity() - tail.writerIndex() >= len) {
                    tail.writeBytes(src, index, len);
                    size += len;
                    return;
                }
            }
            final ByteBuf own = alloc.directBuffer(COALESCE_CAPACITY, COALESCE_CAPACITY);
            own.writeBytes(src, index, len);
            push(own);
            tailOwned = true;
        } else {
            push(src.retainedSlice(index, len));
            tailOwned = false;
        }
        size += len;
    }

    /** Queues a buffer whose readable bytes are the data; takes ownership. */
    void appendOwned(final ByteBuf b, final ByteBufAllocator alloc) {
        final int len = b.readableBytes();
        if (len == 0) {
            b.release();
            return;
        }
        if (len <= COALESCE_MAX) {
            append(b, b.readerIndex(), len, alloc);
            b.release();
            return;
        }
        push(b);
        tailOwned = false;
        size += len;
    }

    private void push(final ByteBuf b) {
        if (ring == null) {
            ring = new ByteBuf[8];
        } else if (count == ring.length) {
            final ByteBuf[] r = new ByteBuf[ring.length * 2];
            for (int i = 0; i < count; i++) {
                r[i] = ring[(head + i) & (ring.length - 1)];
            }
            ring = r;
            head = 0;
        }
        ring[(head + count) & (ring.length - 1)] = b;
        count++;
    }

    /**
     * The next bytes, at most {@code max}: a whole queued buffer when it fits (ownership passes to the caller), else
     * a retained slice of it. Null when empty.
     */
    ByteBuf read(final int max) {
        if (size == 0 || max <= 0) {
            return null;
        }
        final ByteBuf b = ring[head];
        final int r = b.readableBytes();
        if (r <= max) {
            ring[head] = null;
            head = (head + 1) & (ring.length - 1);
            count--;
            size -= r;
            if (count == 0) {
                tailOwned = false;
                head = 0;
                if (ring.length > 64) {
                    ring = null;
                }
            }
            return b;
        }
        size -= max;
        return b.readRetainedSlice(max);
    }

    /** Copies up to {@code max} bytes into {@code dst} (writer index advanced). @return bytes copied */
    int readInto(final ByteBuf dst, final int max) {
        int n = Math.min(max, size);
        int done = 0;
        while (done < n) {
            final ByteBuf b = ring[head];
            final int k = Math.min(b.readableBytes(), n - done);
            dst.writeBytes(b, k);
            done += k;
            if (!b.isReadable()) {
                b.release();
                ring[head] = null;
                head = (head + 1) & (ring.length - 1);
                count--;
            }
        }
        size -= done;
        if (count == 0) {
            tailOwned = false;
            head = 0;
        }
        return done;
    }

    void clear() {
        for (int i = 0; i < count; i++) {
            final int k = (head + i) & (ring.length - 1);
            ring[k].release();
            ring[k] = null;
        }
        count = 0;
        head = 0;
        size = 0;
        tailOwned = false;
        ring = null;
    }
}
