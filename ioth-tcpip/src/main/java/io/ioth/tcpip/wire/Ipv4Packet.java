package io.ioth.tcpip.wire;

import io.netty.buffer.ByteBuf;

/**
 * View of an IPv4 header (RFC 791 §3.1).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |   DSCP    |ECN|          Total Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Identification        |Flags|      Fragment Offset    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Source Address                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Destination Address                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options (IHL > 5)  ...                     |
 * </pre>
 *
 * Options are not interpreted: the payload starts at IHL*4, whatever the options hold (RFC 1122 §3.2.1.8: a host
 * MUST ignore options it does not implement). The region may be longer than Total Length (Ethernet padding):
 * {@link #payloadLength()} uses Total Length. Not thread-safe (see {@link View}).
 */
public final class Ipv4Packet extends View {
    public static final int VER_IHL = 0;
    public static final int TOS = 1;
    public static final int TOTAL_LEN = 2;
    public static final int IDENT = 4;
    public static final int FLAGS_FRAG = 6;
    public static final int TTL = 8;
    public static final int PROTOCOL = 9;
    public static final int CHECKSUM = 10;
    public static final int SRC = 12;
    public static final int DST = 16;
    public static final int HEADER_LEN = 20;
    public static final int MAX_HEADER_LEN = 60;
    static final int FLAG_DF = 0x4000;
    static final int FLAG_MF = 0x2000;

    public Ipv4Packet wrap(ByteBuf buf, int offset, int length) {
        set(buf, offset, length);
        return this;
    }

    public WireError wrapChecked(ByteBuf buf, int offset, int length) {
        return wrap(buf, offset, length).checkLen();
    }

    /**
     * RFC 1122 §3.2.1.1-3.2.1.2 length checks: 20 bytes present, IHL ≥ 5, Total Length ≥ IHL*4, and the buffer
     * holds Total Length bytes. (Version and checksum are checked by {@link Ipv4Repr#parse}.)
     */
    @Override
    public WireError checkLen() {
        if (len < HEADER_LEN) {
            return WireError.TRUNCATED;
        }
        int hl = headerLen();
        if (hl < HEADER_LEN) {
            return WireError.BAD_HEADER_LEN;
        }
        int total = totalLen();
        if (total < hl) {
            return WireError.BAD_LENGTH;
        }
        if (len < total) {
            return WireError.TRUNCATED;
        }
        return WireError.OK;
    }

    public int version() {
        return buf.getUnsignedByte(off + VER_IHL) >>> 4;
    }

    /** Header length in bytes (IHL * 4). */
    public int headerLen() {
        return (buf.getUnsignedByte(off + VER_IHL) & 0x0f) * 4;
    }

    public int tos() {
        return buf.getUnsignedByte(off + TOS);
    }

    public int dscp() {
        return tos() >>> 2;
    }

    public int ecn() {
        return tos() & 3;
    }

    public int totalLen() {
        return buf.getUnsignedShort(off + TOTAL_LEN);
    }

    public int ident() {
        return buf.getUnsignedShort(off + IDENT);
    }

    public boolean dontFrag() {
        return (buf.getUnsignedShort(off + FLAGS_FRAG) & FLAG_DF) != 0;
    }

    public boolean moreFrags() {
        return (buf.getUnsignedShort(off + FLAGS_FRAG) & FLAG_MF) != 0;
    }

    /** Fragment offset in bytes (field * 8). */
    public int fragOffset() {
        return (buf.getUnsignedShort(off + FLAGS_FRAG) & 0x1fff) * 8;
    }

    /** True for any fragment (MF set or offset non-zero). */
    public boolean isFragment() {
        return (buf.getUnsignedShort(off + FLAGS_FRAG) & 0x3fff) != 0;
    }

    public int ttl() {
        return buf.getUnsignedByte(off + TTL);
    }

    public int protocol() {
        return buf.getUnsignedByte(off + PROTOCOL);
    }

    public int checksum() {
        return buf.getUnsignedShort(off + CHECKSUM);
    }

    public int src() {
        return buf.getInt(off + SRC);
    }

    public int dst() {
        return buf.getInt(off + DST);
    }

    /** Absolute index of the first option byte; {@link #optionsLength()} bytes long. */
    public int optionsOffset() {
        return off + HEADER_LEN;
    }

    public int optionsLength() {
        return headerLen() - HEADER_LEN;
    }

    public int payloadOffset() {
        return off + headerLen();
    }

    public int payloadLength() {
        return totalLen() - headerLen();
    }

    /** RFC 791 §3.1 / RFC 1071: the header (with options) sums to all ones. */
    public boolean verifyChecksum() {
        return Checksum.verifies(Checksum.sum(buf, off, headerLen(), 0));
    }

    public void fillChecksum() {
        buf.setShort(off + CHECKSUM, 0);
        buf.setShort(off + CHECKSUM, Checksum.finish(Checksum.sum(buf, off, headerLen(), 0)));
    }

    /** Partial sum of the pseudo-header for an upper-layer checksum of this packet's payload (RFC 768). */
    public int pseudoHeaderSum() {
        return Checksum.pseudoHeaderV4(src(), dst(), protocol(), payloadLength());
    }

    public void setVersionAndHeaderLen(int headerLenBytes) {
        buf.setByte(off + VER_IHL, 0x40 | (headerLenBytes / 4));
    }

    public void setTos(int tos) {
        buf.setByte(off + TOS, tos);
    }

    public void setTotalLen(int v) {
        buf.setShort(off + TOTAL_LEN, v);
    }

    public void setIdent(int v) {
        buf.setShort(off + IDENT, v);
    }

    /** Writes flags and offset (offset in bytes, a multiple of 8). */
    public void setFlagsFrag(boolean df, boolean mf, int fragOffsetBytes) {
        buf.setShort(off + FLAGS_FRAG, (df ? FLAG_DF : 0) | (mf ? FLAG_MF : 0) | ((fragOffsetBytes >>> 3) & 0x1fff));
    }

    public void setTtl(int v) {
        buf.setByte(off + TTL, v);
    }

    public void setProtocol(int v) {
        buf.setByte(off + PROTOCOL, v);
    }

    public void setChecksum(int v) {
        buf.setShort(off + CHECKSUM, v);
    }

    public void setSrc(int a) {
        buf.setInt(off + SRC, a);
    }

    public void setDst(int a) {
        buf.setInt(off + DST, a);
    }
}
