package io.ioth.tcpip.wire;

import io.netty.buffer.ByteBuf;

/**
 * View of an ICMPv4 message (RFC 792).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | echo: Identifier              |  Sequence Number              |
 * | dest unreachable: unused      |  Next-Hop MTU (code 4, RFC 1191)
 * | time exceeded: unused                                         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  echo data / the invoking IP header + at least 64 bits ...    |
 * </pre>
 *
 * Not thread-safe (see {@link View}).
 */
public final class Icmpv4Packet extends View {
    public static final int TYPE = 0;
    public static final int CODE = 1;
    public static final int CHECKSUM = 2;
    public static final int IDENT = 4;
    public static final int SEQ = 6;
    public static final int NEXT_HOP_MTU = 6;
    public static final int HEADER_LEN = 8;

    public static final int TYPE_ECHO_REPLY = 0;
    public static final int TYPE_DEST_UNREACHABLE = 3;
    public static final int TYPE_ECHO_REQUEST = 8;
    public static final int TYPE_TIME_EXCEEDED = 11;
    public static final int CODE_NET_UNREACHABLE = 0;
    public static final int CODE_HOST_UNREACHABLE = 1;
    public static final int CODE_PROTO_UNREACHABLE = 2;
    public static final int CODE_PORT_UNREACHABLE = 3;
    public static final int CODE_FRAG_NEEDED = 4;
    public static final int CODE_TTL_EXCEEDED = 0;
    public static final int CODE_REASSEMBLY_EXCEEDED = 1;

    public Icmpv4Packet wrap(ByteBuf buf, int offset, int length) {
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

    public int type() {
        return buf.getUnsignedByte(off + TYPE);
    }

    public int code() {
        return buf.getUnsignedByte(off + CODE);
    }

    public int checksum() {
        return buf.getUnsignedShort(off + CHECKSUM);
    }

    public int ident() {
        return buf.getUnsignedShort(off + IDENT);
    }

    public int seq() {
        return buf.getUnsignedShort(off + SEQ);
    }

    public int nextHopMtu() {
        return buf.getUnsignedShort(off + NEXT_HOP_MTU);
    }

    public int dataOffset() {
        return off + HEADER_LEN;
    }

    public int dataLength() {
        return len - HEADER_LEN;
    }

    /** RFC 792: the checksum covers the whole ICMP message. */
    public boolean verifyChecksum() {
        return Checksum.verifies(Checksum.sum(buf, off, len, 0));
    }

    public void fillChecksum() {
        buf.setShort(off + CHECKSUM, 0);
        buf.setShort(off + CHECKSUM, Checksum.finish(Checksum.sum(buf, off, len, 0)));
    }

    public void setType(int v) {
        buf.setByte(off + TYPE, v);
    }

    public void setCode(int v) {
        buf.setByte(off + CODE, v);
    }

    public void setChecksum(int v) {
        buf.setShort(off + CHECKSUM, v);
    }

    public void setIdent(int v) {
        buf.setShort(off + IDENT, v);
    }

    public void setSeq(int v) {
        buf.setShort(off + SEQ, v);
    }

    /** Writes the whole second word (unused + next-hop MTU). */
    public void setRestOfHeader(int v) {
        buf.setInt(off + IDENT, v);
    }
}
