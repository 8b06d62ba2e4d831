package io.ioth.tcpip.socket.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;


/**
 * The bytes the application handed to a connection that are not yet acknowledged: offset 0 is the first
 * unacknowledged data byte. A ring of {@code ByteBuf}s:
 *
 * <ul>
 *   <li><b>zero-copy in</b>: a write of more than {@link #COALESCE_MAX} bytes is kept as a retained slice of the
 *       application's buffer (its reader index is advanced; the application releases its own reference as usual,
 *       Netty's {@code ChannelOutboundBuffer.removeBytes});</li>
 *   <li>small writes are copied into a connection-owned tail buffer, so a stream of tiny writes does not pin one
 *       pooled buffer per byte (Linux coalesces into the tail skb the same way, {@code tcp_sendmsg_locked});</li>
 *   <li><b>out</b>: {@link #copy} copies a range into a transmit buffer that has header room. This copy is the one
 *       copy on the send path (acceptable for now; a scatter/gather transmit would avoid it).</li>
 * </ul>
 *
 * Nothing is allocated until the first write; a cursor makes the segment-by-segment walk O(1) amortised.
 *
 * <p>Not thread-safe: owner thread.
 */
final class SendQueue {
    /** Writes up to this size are coalesced by copying. */
    static final int COALESCE_MAX = 1024;
    private static final int COALESCE_CAPACITY = 4096;

    private ByteBuf[] ring;
    private int head;
    private int count;
    private int size;
    private boolean tailOwned;
    /** Logical index (from head) and byte offset of the buffer the last lookup ended in. */
    private int cursorIdx;
    private int cursorOff;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Buffers held (for memory accounting). */
    int buffers() {
        return count;
    }

    /**
     * Appends up to {@code max} readable bytes of {@code src}, advancing its reader index.
     *
     * @return the bytes taken
     */
    int append(final ByteBuf src, final int max, final ByteBufAllocator alloc) {
        final int n = Math.min(src.readableBytes(), max);
        if (n <= 0) {
            return 0;
        }
        if (n <= COALESCE_MAX) {
            if (tailOwned) {
                final ByteBuf tail = ring[(head + count - 1) & (ring.length - 1)];
                if (tail.capacity() - tail.writerIndex() >= n) {
                    tail.writeBytes(src, n);
                    size += n;
                    return n;
                }
            }
            final ByteBuf own = alloc.directBuffer(COALESCE_CAPACITY, COALESCE_CAPACITY);
            own.writeBytes(src, n);
            push(own);
            tailOwned = true;
        } else {
            push(src.readRetainedSlice(n));
            tailOwned = false;
        }
        size += n;
        return n;
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

    private ByteBuf at(final int logical) {
        return ring[(head + logical) & (ring.length - 1)];
    }

    /** Copies {@code [offset, offset+len)} into {@code dst} at {@code dstIndex} (absolute; indexes unchanged). */
    void copy(final int offset, final int len, final ByteBuf dst, final int dstIndex) {
        if (len <= 0) {
            return;
        }
        if (offset < 0 || offset + len > size) {
            throw new IndexOutOfBoundsException(offset + "+" + len + " > " + size);
        }
        if (offset < cursorOff || cursorIdx >= count) {
            cursorIdx = 0;
            cursorOff = 0;
        }
        ByteBuf b = at(cursorIdx);
        while (offset >= cursorOff + b.readableBytes()) {
            cursorOff += b.readableBytes();
            b = at(++cursorIdx);
        }
        int idx = cursorIdx;
        int bufStart = cursorOff;
        int done = 0;
        while (done < len) {
            b = at(idx);
            final int within = offset + done - bufStart;
            final int n = Math.min(b.readableBytes() - within, len - done);
            dst.setBytes(dstIndex + done, b, b.readerIndex() + within, n);
            done += n;
            if (done < len) {
                bufStart += b.readableBytes();
                idx++;
            }
        }
    }

    /** Releases the first {@code n} bytes (acknowledged). */
    void drop(final int n) {
        int left = Math.min(n, size);
        size -= left;
        int popped = 0;
        final int dropped = left;
        while (left > 0) {
            final ByteBuf b = ring[head];
            final int r = b.readableBytes();
            if (r <= left) {
                b.release();
                ring[head] = null;
                head = (head + 1) & (ring.length - 1);
                count--;
                popped++;
                left -= r;
            } else {
                b.skipBytes(left);
                left = 0;
            }
        }
        if (count == 0) {
            tailOwned = false;
            head = 0;
        }
        // the buffer the cursor points at moved down by exactly 'dropped' bytes unless it was (partly) consumed
        if (cursorIdx > popped) {
            cursorIdx -= popped;
            cursorOff -= dropped;
        } else {
            cursorIdx = 0;
            cursorOff = 0;
        }
        if (count == 0 && ring != null && ring.length > 64) {
            ring = null; // give a large idle ring back (an idle connection keeps little heap)
        }
    }

    /** Releases everything. */
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
        cursorIdx = 0;
        cursorOff = 0;
        ring = null;
    }
}
