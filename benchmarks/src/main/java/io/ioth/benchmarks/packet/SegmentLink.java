package io.ioth.benchmarks.packet;

import io.ioth.tcpip.link.FrameLink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;

import java.util.ArrayDeque;

/**
 * The wire of the TCP packet benchmarks: a ring of template frames the benchmark rewrites in place
 * (sequence, acknowledgement and timestamp fields, checksum fixed incrementally: {@link TcpFrames#rewrite})
 * and then releases {@link #deliver(int) n at a time}; each {@link #receive} hands the sink fresh
 * copies of the next templates in ring order, in pooled direct buffers from the link's allocator, as
 * {@link ReplayLink} and a VDE plug do (the engine owns and releases them; the copy is the cost a
 * real link has too, measured alone by {@link LinkBaselineBenchmark}). One-off frames (the ARP
 * request, the handshakes) go through {@link #inject}.
 *
 * <p>{@link #transmit} is a null sink that reads what the stack sent before releasing it: the TCP
 * header of the last frame (sequence, acknowledgement, flags, window, payload length, the TSval of a
 * {@code NOP NOP TS} option) and the highest sequence number sent ({@link #sndMax()}), at fixed
 * offsets (IPv4, no IP options: what the engine emits). Owner thread only.
 */
public final class SegmentLink implements FrameLink {
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final int maxFrameSize;
    private final ArrayDeque<ByteBuf> injected = new ArrayDeque<>();
    private ByteBuf[] ring = new ByteBuf[0];
    private int next, pending;
    private boolean captureNext;
    private byte[] captured;
    private long received, transmitted, transmittedBytes, dataSegments, dataBytes, pureAcks;
    // the TCP header of the last frame sent
    int lastSeq, lastAck, lastFlags, lastWindow, lastPayload, lastTsVal;
    private int sndMax;
    private boolean sndMaxValid;

    public SegmentLink(int maxFrameSize) {
        this.maxFrameSize = maxFrameSize;
    }

    /** The templates of the ring (the caller keeps and rewrites them; {@link #close} does not release them). */
    void ring(ByteBuf[] templates) {
        ring = templates;
        next = 0;
        pending = 0;
    }

    /** The index of the ring template the next {@link #deliver}ed frame is a copy of. */
    int nextIndex() {
        return (next + pending) % ring.length;
    }

    /** Makes the next {@code n} templates of the ring arrive (copies are made when the stack reads them). */
    void deliver(int n) {
        pending += n;
    }

    /** Frames delivered but not yet read by the stack. */
    int pending() {
        return pending + injected.size();
    }

    /** One frame arriving before the ring's (takes ownership of {@code frame}). */
    void inject(ByteBuf frame) {
        injected.addLast(frame);
    }

    /** Keeps a copy of the next transmitted frame for {@link #captured()}. */
    void captureNext() {
        captureNext = true;
        captured = null;
    }

    byte[] captured() {
        return captured;
    }

    @Override
    public int receive(FrameSink sink, int maxFrames) {
        int n = 0;
        ByteBuf f;
        while (n < maxFrames && (f = injected.pollFirst()) != null) {
            sink.onFrame(f);
            n++;
        }
        ByteBuf[] r = ring;
        while (n < maxFrames && pending > 0) {
            ByteBuf t = r[next];
            int len = t.readableBytes();
            ByteBuf b = alloc.directBuffer(len);
            b.writeBytes(t, t.readerIndex(), len);
            if (++next == r.length) next = 0;
            pending--;
            n++;
            sink.onFrame(b);
        }
        received += n;
        return n;
    }

    @Override
    public boolean transmit(ByteBuf frame) {
        transmitted++;
        int len = frame.readableBytes();
        transmittedBytes += len;
        int at = frame.readerIndex();
        // Ethernet type IPv4, protocol TCP (RFC 791: protocol at offset 9)
        if (len >= 54 && frame.getUnsignedShort(at + 12) == 0x0800 && frame.getUnsignedByte(at + 23) == 6) {
            int ihl = (frame.getUnsignedByte(at + 14) & 0xf) * 4;
            int tcp = at + 14 + ihl;
            int dataOff = (frame.getUnsignedByte(tcp + 12) >>> 4) * 4;
            lastSeq = frame.getInt(tcp + 4);
            lastAck = frame.getInt(tcp + 8);
            lastFlags = frame.getUnsignedByte(tcp + 13);
            lastWindow = frame.getUnsignedShort(tcp + 14);
            lastPayload = frame.getUnsignedShort(at + 16) - ihl - dataOff;
            // RFC 7323 appendix A layout: NOP NOP TS(8, 10)
            if (dataOff >= 32 && frame.getInt(tcp + 20) == 0x0101080a) lastTsVal = frame.getInt(tcp + 24);
            int end = lastSeq + lastPayload + ((lastFlags & 0x03) != 0 ? 1 : 0); // SYN and FIN count
            if (!sndMaxValid || end - sndMax > 0) {
                sndMax = end;
                sndMaxValid = true;
            }
            if (lastPayload > 0) {
                dataSegments++;
                dataBytes += lastPayload;
            } else if ((lastFlags & 0x07) == 0) {
                pureAcks++;
            }
        }
        if (captureNext) {
            captured = ByteBufUtil.getBytes(frame);
            captureNext = false;
        }
        frame.release();
        return true;
    }

    /** The sequence number after the last byte (or SYN/FIN) the stack has sent. */
    int sndMax() {
        return sndMax;
    }

    @Override
    public int maxFrameSize() {
        return maxFrameSize;
    }

    @Override
    public ByteBufAllocator allocator() {
        return alloc;
    }

    long received() {
        return received;
    }

    long transmitted() {
        return transmitted;
    }

    long transmittedBytes() {
        return transmittedBytes;
    }

    /** TCP segments with payload the stack sent. */
    long dataSegments() {
        return dataSegments;
    }

    /** Payload bytes of those segments. */
    long dataBytes() {
        return dataBytes;
    }

    /** TCP segments without payload, SYN, FIN or RST (ACKs and window updates) the stack sent. */
    long pureAcks() {
        return pureAcks;
    }

    @Override
    public void close() {
        ByteBuf f;
        while ((f = injected.pollFirst()) != null) f.release();
        pending = 0;
    }
}
