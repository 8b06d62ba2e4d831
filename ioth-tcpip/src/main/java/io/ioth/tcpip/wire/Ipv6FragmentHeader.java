package io.ioth.tcpip.wire;

import io.netty.buffer.ByteBuf;

/**
 * View of the IPv6 Fragment extension header (RFC 8200 §4.5), always 8 bytes.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Next Header  |   Reserved    |      Fragment Offset    |Res|M|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Identification                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * Parsing a received chain is {@link Ipv6ExtHeaders}'s job; this view writes the header (fragmenter) and reads
 * it at a known index. Added by helper "frag". Not thread-safe (see {@link View}).
 */
public final class Ipv6FragmentHeader extends View {
    public static final int NEXT_HEADER = 0;
    public static final int RESERVED = 1;
    public static final int FRAG_OFF = 2;
    public static final int IDENT = 4;
    public static final int HEADER_LEN = 8;

    public Ipv6FragmentHeader wrap(ByteBuf buf, int offset, int length) {
        set(buf, offset, length);
        return this;
    }

    public WireError wrapChecked(ByteBuf buf, int offset, int length) {
        return wrap(buf, offset, length).checkLen();
    }

    @Override
    public WireError checkLen() {
        return len < HEADER_LEN ? WireError.TRUNCATED : WireError.OK;
    }

    public int nextHeader() {
        return buf.getUnsignedByte(off + NEXT_HEADER);
    }

    /** Fragment offset in bytes (the 13-bit field in 8-octet units). */
    public int fragOffset() {
        return buf.getUnsignedShort(off + FRAG_OFF) & 0xfff8;
    }

    public boolean moreFrags() {
        return (buf.getUnsignedShort(off + FRAG_OFF) & 1) != 0;
    }

    public int ident() {
        return buf.getInt(off + IDENT);
    }

    /** Absolute index of the Fragment Offset field (the ICMPv6 Parameter Problem pointer of RFC 8200 §4.5). */
    public int fragOffsetIndex() {
        return off + FRAG_OFF;
    }

    /**
     * Writes the whole header: reserved fields zero ("Initialized to zero for transmission", RFC 8200 §4.5).
     *
     * @param fragOffsetBytes offset in bytes, a multiple of 8
     */
    public void emit(int nextHeader, int fragOffsetBytes, boolean more, int ident) {
        buf.setByte(off + NEXT_HEADER, nextHeader);
        buf.setByte(off + RESERVED, 0);
        buf.setShort(off + FRAG_OFF, (fragOffsetBytes & 0xfff8) | (more ? 1 : 0));
        buf.setInt(off + IDENT, ident);
    }
}
