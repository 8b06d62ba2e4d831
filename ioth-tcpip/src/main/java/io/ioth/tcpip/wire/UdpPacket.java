package io.ioth.tcpip.wire;

import io.netty.buffer.ByteBuf;

/**
 * View of a UDP header (RFC 768).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |            Length             |           Checksum            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          data ...                             |
 * </pre>
 *
 * The region is the IP payload; the UDP Length may be shorter (trailing bytes ignored), never longer.
 * Not thread-safe (see {@link View}).
 */
public final class UdpPacket extends View {
    public static final int SRC_PORT = 0;
    public static final int DST_PORT = 2;
    public static final int LENGTH = 4;
    public static final int CHECKSUM = 6;
    public static final int HEADER_LEN = 8;

    public UdpPacket wrap(ByteBuf buf, int offset, int length) {
        set(buf, offset, length);
        return this;
    }

    public WireError wrapChecked(ByteBuf buf, int offset, int length) {
        return wrap(buf, offset, length).checkLen();
    }

    @Override
    public WireError checkLen() {
        if (len < HEADER_LEN) {
            return WireError.TRUNCATED;
        }
        int l = udpLength();
        if (l < HEADER_LEN) {
            return WireError.BAD_LENGTH;
        }
        if (l > len) {
            return WireError.TRUNCATED;
        }
        return WireError.OK;
    }

    public int srcPort() {
        return buf.getUnsignedShort(off + SRC_PORT);
    }

    public int dstPort() {
        return buf.getUnsignedShort(off + DST_PORT);
    }

    /** The Length field: header + data. */
    public int udpLength() {
        return buf.getUnsignedShort(off + LENGTH);
    }

    public int checksum() {
        return buf.getUnsignedShort(off + CHECKSUM);
    }

    public int payloadOffset() {
        return off + HEADER_LEN;
    }

    public int payloadLength() {
        return udpLength() - HEADER_LEN;
    }

    /**
     * Verifies the checksum given the pseudo-header partial sum (use {@link Checksum#pseudoHeaderV4} /
     * {@link Checksum#pseudoHeaderV6} with the UDP length). A zero field means "no checksum" and is accepted here;
     * the IPv6 rule is applied by {@link UdpRepr#parse}.
     */
    public boolean verifyChecksum(int pseudoHeaderSum) {
        if (checksum() == 0) {
            return true;
        }
        return Checksum.verifies(Checksum.sum(buf, off, udpLength(), pseudoHeaderSum));
    }

    /** RFC 768: "If the computed checksum is zero, it is transmitted as all ones". */
    public void fillChecksum(int pseudoHeaderSum) {
        buf.setShort(off + CHECKSUM, 0);
        int c = Checksum.finish(Checksum.sum(buf, off, udpLength(), pseudoHeaderSum));
        buf.setShort(off + CHECKSUM, c == 0 ? 0xffff : c);
    }

    public void setSrcPort(int v) {
        buf.setShort(off + SRC_PORT, v);
    }

    public void setDstPort(int v) {
        buf.setShort(off + DST_PORT, v);
    }

    public void setUdpLength(int v) {
        buf.setShort(off + LENGTH, v);
    }

    public void setChecksum(int v) {
        buf.setShort(off + CHECKSUM, v);
    }
}
