package io.ioth.tcpip.socket.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Segments received beyond RCV.NXT, held until the gap before them fills (RFC 9293 §3.10.7.4 seventh step:
 * "segments with higher beginning sequence numbers ... may be held for later processing"; smoltcp's
 * {@code Assembler}, Linux's out-of-order rb-tree). Entries are disjoint and sorted by sequence number; each holds a
 * retained slice of the received frame (no copy). Overlaps are trimmed on insertion, so every byte is held once.
 *
 * <p>Bounded: at most {@code maxSegments} entries (the caller also enforces a per-stack byte budget). Arrays are
 * allocated on first use and given back when the queue drains, so an idle connection holds none.
 *
 * <p>Not thread-safe: owner thread.
 */
final class OooQueue {
    private int[] seq;
    private ByteBuf[] data;
    private int first;
    private int count;
    private int bytes;

    int bytes() {
        return bytes;
    }

    int segments() {
        return count;
    }

    boolean isEmpty() {
        return count == 0;
    }

    /** Sequence number just past the highest byte held (only if not empty). */
    int highestEnd() {
        final int i = first + count - 1;
        return seq[i] + data[i].readableBytes();
    }

    /** Offset of entry {@code i} from {@code base}: entries lie within the receive window, so this is >= 0. */
    private int rel(final int i, final int base) {
        return seq[i] - base;
    }

    /**
     * Inserts {@code buf} (ownership passes in, its readable bytes start at sequence {@code s}, which is after
     * {@code rcvNxt}).
     *
     * @return the bytes newly held: the growth of {@link #bytes()}, so 0 if everything was already held, even when
     *         held entries were replaced by the new, larger one (-1 if refused because the queue is full; the buffer is
     *         released then, and when nothing was new)
     */
    int insert(final int s, final ByteBuf buf, final int rcvNxt, final int maxSegments) {
        final int before = bytes;
        int start = s - rcvNxt;
        int len = buf.readableBytes();
        int end = start + len;
        // position: first entry whose start >= start
        int lo = first;
        int hi = first + count;
        while (lo < hi) {
            final int mid = (lo + hi) >>> 1;
            if (rel(mid, rcvNxt) < start) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        int pos = lo;
        if (pos > first) {
            final int p = pos - 1;
            final int pEnd = rel(p, rcvNxt) + data[p].readableBytes();
            if (pEnd >= end) {
                buf.release();
                return 0; // entirely held already
            }
            if (pEnd > start) {
                buf.skipBytes(pEnd - start);
                start = pEnd;
                len = end - start;
            }
        }
        // entries entirely covered by the new data go; a partly covered one trims the new data's end
        int removeTo = pos;
        while (removeTo < first + count) {
            final int r = rel(removeTo, rcvNxt);
            if (r >= end) {
                break;
            }
            final int rEnd = r + data[removeTo].readableBytes();
            if (rEnd <= end) {
                bytes -= data[removeTo].readableBytes();
                data[removeTo].release();
                data[removeTo] = null;
                removeTo++;
            } else {
                end = r;
                len = end - start;
                buf.writerIndex(buf.readerIndex() + len);
                break;
            }
        }
        if (removeTo > pos) {
            final int gone = removeTo - pos;
            System.arraycopy(seq, removeTo, seq, pos, first + count - removeTo);
            System.arraycopy(data, removeTo, data, pos, first + count - removeTo);
            count -= gone;
            for (int k = first + count; k < first + count + gone; k++) {
                data[k] = null;
            }
        }
        if (len <= 0) {
            buf.release();
            return bytes - before;
        }
        if (count >= maxSegments) {
            buf.release();
            return bytes == before ? -1 : bytes - before;
        }
        // make room at pos
        if (seq == null) {
            seq = new int[16];
            data = new ByteBuf[16];
            first = 0;
            pos = 0;
        } else if (first + count == seq.length) {
            if (first > 0 && count < seq.length / 2) {
                System.arraycopy(seq, first, seq, 0, count);
                System.arraycopy(data, first, data, 0, count);
                for (int k = count; k < first + count; k++) {
                    data[k] = null;
                }
                pos -= first;
                first = 0;
            } else {
                final int[] ns = new int[Math.min(seq.length * 2, Math.max(16, maxSegments + 1))];
                final ByteBuf[] nd = new ByteBuf[ns.length];
                System.arraycopy(seq, first, ns, 0, count);
                System.arraycopy(data, first, nd, 0, count);
                pos -= first;
                first = 0;
                seq = ns;
                data = nd;
            }
        }
        System.arraycopy(seq, pos, seq, pos + 1, first + count - pos);
        System.arraycopy(data, pos, data, pos + 1, first + count - pos);
        seq[pos] = rcvNxt + start;
        data[pos] = buf;
        count++;
        bytes += len;
        return bytes - before;
    }

    /**
     * Moves the data that now starts at or before {@code rcvNxt} to {@code q}.
     *
     * @return the new RCV.NXT
     */
    int drainTo(int rcvNxt, final RecvQueue q, final ByteBufAllocator alloc) {
        while (count > 0 && Seq.leq(seq[first], rcvNxt)) {
            final ByteBuf b = data[first];
            final int len = b.readableBytes();
            final int end = seq[first] + len;
            bytes -= len;
            data[first] = null;
            first++;
            count--;
            if (Seq.gt(end, rcvNxt)) {
                b.skipBytes(rcvNxt - (end - len));
                q.appendOwned(b, alloc);
                rcvNxt = end;
            } else {
                b.release();
            }
        }
        if (count == 0) {
            first = 0;
            if (seq != null && seq.length > 64) {
                seq = null;
                data = null;
            }
        }
        return rcvNxt;
    }

    /** Whether {@code s} lies inside held data. */
    boolean holds(final int s) {
        for (int i = first; i < first + count; i++) {
            if (Seq.inRange(s, seq[i], seq[i] + data[i].readableBytes())) {
                return true;
            }
        }
        return false;
    }

    void clear() {
        for (int i = first; i < first + count; i++) {
            data[i].release();
            data[i] = null;
        }
        first = 0;
        count = 0;
        bytes = 0;
        seq = null;
        data = null;
    }
}
