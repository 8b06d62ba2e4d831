package io.ioth.tcpip.wire;

import io.netty.buffer.ByteBuf;

/**
 * View of an IPv6 fixed header (RFC 8200 §3). Extension headers are walked by {@link Ipv6ExtHeaders}.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version| Traffic Class |           Flow Label                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Payload Length        |  Next Header  |   Hop Limit   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  Source Address (16 bytes)                    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               Destination Address (16 bytes)                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * Jumbograms (payload length 0 with a Jumbo option, RFC 2675) are not supported: they carry 0 payload bytes here.
 * Not thread-safe (see {@link View}).
 */
public final class Ipv6Packet extends View {
    public static final int VER_TC_FLOW = 0;
    public static final int PAYLOAD_LEN = 4;
    public static final int NEXT_HEADER = 6;
    public static final int HOP_LIMIT = 7;
    public static final int SRC = 8;
    public static final int DST = 24;
    public static final int HEADER_LEN = 40;

    public Ipv6Packet wrap(ByteBuf buf, int offset, int length) {
        set(buf, offset, length);
        return this;
    }

    public WireError wrapChecked(ByteBuf buf, int offset, int length) {
        return wrap(buf, offset, length).checkLen();
    }

    /** 40 bytes present and the buffer holds 40 + Payload Length bytes (more is link padding). */
    @Override
    public WireError checkLen() {
        if (len < HEADER_LEN) {
            return WireError.TRUNCATED;
        }
        if (len < HEADER_LEN + payloadLen()) {
            return WireError.TRUNCATED;
        }
        return WireError.OK;
    }

    public int version() {
        return buf.getUnsignedByte(off) >>> 4;
    }

    public int trafficClass() {
        return (buf.getInt(off) >>> 20) & 0xff;
    }

    public int flowLabel() {
        return buf.getInt(off) & 0xfffff;
    }

    public int payloadLen() {
        return buf.getUnsignedShort(off + PAYLOAD_LEN);
    }

    public int nextHeader() {
        return buf.getUnsignedByte(off + NEXT_HEADER);
    }

    public int hopLimit() {
        return buf.getUnsignedByte(off + HOP_LIMIT);
    }

    public long srcHi() {
        return buf.getLong(off + SRC);
    }

    public long srcLo() {
        return buf.getLong(off + SRC + 8);
    }

    public long dstHi() {
        return buf.getLong(off + DST);
    }

    public long dstLo() {
        return buf.getLong(off + DST + 8);
    }

    /** Absolute index of the byte after the fixed header (first extension header or upper layer). */
    public int payloadOffset() {
        return off + HEADER_LEN;
    }

    /**
     * Partial sum of the pseudo-header (RFC 8200 §8.1) for an upper-layer packet of {@code upperLen} bytes with
     * protocol {@code nextHeader} (the final one, after extension headers).
     */
    public int pseudoHeaderSum(int nextHeader, int upperLen) {
        return Checksum.pseudoHeaderV6(srcHi(), srcLo(), dstHi(), dstLo(), nextHeader, upperLen);
    }

    public void setVersionTcFlow(int trafficClass, int flowLabel) {
        buf.setInt(off, 6 << 28 | (trafficClass & 0xff) << 20 | (flowLabel & 0xfffff));
    }

    public void setPayloadLen(int v) {
        buf.setShort(off + PAYLOAD_LEN, v);
    }

    public void setNextHeader(int v) {
        buf.setByte(off + NEXT_HEADER, v);
    }

    public void setHopLimit(int v) {
        buf.setByte(off + HOP_LIMIT, v);
    }

    public void setSrc(long hi, long lo) {
        Ipv6Addr.set(buf, off + SRC, hi, lo);
    }

    public void setDst(long hi, long lo) {
        Ipv6Addr.set(buf, off + DST, hi, lo);
    }
}
