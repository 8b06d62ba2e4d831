package io.ioth.vde.internal;

import io.ioth.vde.DropReason;
import io.ioth.vde.FrameHandler;
import io.ioth.vde.PlugStats;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Decodes the VDE stream framing (vde-protocol.md §2): each frame is a 2-byte big-endian length L
 * followed by L frame bytes, with no handshake, magic or checksum.
 *
 * <pre>
 *  0               1               2
 * +---------------+---------------+-------------------------------+
 * |  L (bits 15-8)|  L (bits 7-0) |  L bytes: one Ethernet frame  |
 * +---------------+---------------+-------------------------------+
 * </pre>
 *
 * <p>Unlike the C decoder in libvdestream, this one is robust to <em>any</em> split of the byte
 * stream: a header cut after its first byte is remembered (§2 "Quirk": the C decoder drops that
 * byte and loses the rest of the read), and a body split over several reads is reassembled.
 *
 * <table>
 * <caption>What happens to each record</caption>
 * <tr><td>L = 0</td><td>skipped, not counted (libvdestream skips it too)</td></tr>
 * <tr><td>L &lt; 14</td><td>its L bytes are skipped; counted {@link DropReason#RUNT}</td></tr>
 * <tr><td>L = 9235, 9236</td><td>its L bytes are skipped; counted {@link DropReason#OVERSIZE} (libvdestream
 *     sends and accepts records up to MAXPACKET = VDE_ETHBUFSIZE + 2, so the stream is still in sync)</td></tr>
 * <tr><td>L &gt; 9236 (MAXPACKET)</td><td>counted {@link DropReason#STREAM_BAD_LENGTH}; the decoder
 *     becomes {@link #broken()} and ignores all further input</td></tr>
 * <tr><td>EOF inside a header or body</td><td>counted {@link DropReason#STREAM_TRUNCATED} by
 *     {@link #endOfStream()}</td></tr>
 * </table>
 *
 * <p>Why a bad length breaks the stream for good: the C tool discards the rest of that
 * {@code read()} and resumes at the next one (§2), which only works by luck, since read
 * boundaries carry no meaning in a byte stream. After a bogus length there is no way to find the
 * next header again (no magic, no checksum), so any "resynchronisation" would deliver garbage as
 * frames. The honest answer is to treat the cable as broken: the plug reports a disconnect.
 *
 * <p>Memory: frames are copied out of the caller's (reused) read buffer into pooled direct
 * buffers of exactly L bytes. Retained slices of the read buffer would save one copy of at most
 * 9234 bytes, but any frame the stack keeps (a TCP reassembly queue) would pin the whole read
 * buffer, and the buffer could not be reused while any slice lives, so every read would need a
 * new one. The copy is cheaper than that in practice and keeps frames independent.
 *
 * <p>Not thread-safe: one thread (the plug's owner, or the reader thread of
 * {@link JavaStreamPlug}) uses it.
 */
public final class StreamDecoder {
    /** libvdestream's MAXPACKET (VDE_ETHBUFSIZE + 2): longer lengths are errors (vde-protocol.md §2). */
    static final int MAX_RECORD = AbstractPlug.MAX_FRAME + 2;
    private final ByteBufAllocator allocator;
    private final PlugStats stats;

    /** The first byte of a header whose second byte has not arrived yet, or -1. */
    private int headerHigh = -1;
    /** The frame being reassembled, or null. */
    private ByteBuf frame;
    /** Body bytes of the current frame still missing. */
    private int missing;
    /** Bytes of a runt (or oversize) record still to skip. */
    private int skip;
    private boolean broken;
    /** Set by {@link #close()}: a handler may close the plug from inside {@link #decode}. */
    private boolean closed;

    public StreamDecoder(ByteBufAllocator allocator, PlugStats stats) {
        this.allocator = allocator;
        this.stats = stats;
    }

    /**
     * Decodes from {@code in} (advancing its reader index) and hands up to {@code maxFrames}
     * complete frames to {@code out}. Consumes all of {@code in} unless {@code maxFrames} frames were
     * delivered first; the rest stays in {@code in} for the next call.
     *
     * @return the number of frames delivered
     */
    public int decode(ByteBuf in, FrameHandler out, int maxFrames) {
        if (broken || closed) {
            in.skipBytes(in.readableBytes());
            return 0;
        }
        int delivered = 0;
        while (delivered < maxFrames && in.isReadable() && !closed) { // closed: the handler closed the plug
            if (frame != null) {
                int n = Math.min(missing, in.readableBytes());
                frame.writeBytes(in, n);
                missing -= n;
                if (missing == 0) {
                    ByteBuf f = frame;
                    frame = null;
                    stats.received(f.readableBytes());
                    delivered++;
                    out.onFrame(f);
                }
                continue;
            }
            if (skip > 0) {
                int n = Math.min(skip, in.readableBytes());
                in.skipBytes(n);
                skip -= n;
                continue;
            }
            int len;
            if (headerHigh >= 0) {
                len = headerHigh << 8 | in.readUnsignedByte();
                headerHigh = -1;
            } else if (in.readableBytes() >= 2) {
                len = in.readUnsignedShort(); // big-endian (§0)
            } else {
                headerHigh = in.readUnsignedByte(); // a header split after its first byte (§2 quirk)
                continue;
            }
            if (len == 0) continue; // §2: L = 0 is skipped
            if (len > MAX_RECORD) {
                stats.dropped(DropReason.STREAM_BAD_LENGTH);
                broken = true;
                in.skipBytes(in.readableBytes());
                break;
            }
            if (len < AbstractPlug.MIN_FRAME) {
                stats.dropped(DropReason.RUNT); // vde_plug never forwards frames < 14 (§2)
                skip = len;
                continue;
            }
            if (len > AbstractPlug.MAX_FRAME) {
                // 9235..9236: a record libvdestream sends and accepts (§2), but longer than our frames
                stats.dropped(DropReason.OVERSIZE);
                skip = len;
                continue;
            }
            frame = allocator.directBuffer(len, len);
            missing = len;
        }
        return delivered;
    }

    /** True after a length over 9236 (MAXPACKET): nothing more can be decoded from this stream. */
    public boolean broken() {
        return broken;
    }

    /** True when the decoder is between records (nothing partial is buffered). */
    public boolean idle() {
        return frame == null && headerHigh < 0 && skip == 0;
    }

    /**
     * The stream ended. A partial header or frame is counted {@link DropReason#STREAM_TRUNCATED}
     * (a partially skipped runt was counted as {@link DropReason#RUNT} already) and released.
     */
    public void endOfStream() {
        if (!broken && (frame != null || headerHigh >= 0)) stats.dropped(DropReason.STREAM_TRUNCATED);
        reset();
    }

    /**
     * Releases a partial frame without counting anything (the plug is closing). May be called from
     * inside {@link #decode} (by its handler): no further frame is delivered. Idempotent.
     */
    public void close() {
        closed = true;
        reset();
    }

    private void reset() {
        if (frame != null) {
            frame.release();
            frame = null;
        }
        headerHigh = -1;
        missing = 0;
        skip = 0;
    }
}
