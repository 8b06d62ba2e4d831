package io.ioth.tcpip.wire;

import io.netty.buffer.ByteBuf;

/**
 * View of an ICMPv6 message (RFC 4443) including the NDP messages (RFC 4861 §4).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | 1,3 errors: unused | 2 packet too big: MTU | 4: pointer       |
 * | 128/129 echo: Identifier      | Sequence Number               |
 * | 133 RS: reserved | 135 NS: reserved | 137 redirect: reserved   |
 * | 134 RA: CurHopLimit |M|O| rsvd |    Router Lifetime            |
 * | 136 NA: |R|S|O| reserved                                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | 134 RA: Reachable Time (4) | Retrans Timer (4) | options       |
 * | 135 NS / 136 NA: Target Address (16) | options                |
 * | 137 redirect: Target Address (16) | Destination Address (16) | options
 * | errors: as much of the invoking packet as fits in 1280 bytes  |
 * </pre>
 *
 * {@link #checkLen()} enforces the fixed part of the known types, so their getters are then safe.
 * The checksum includes the IPv6 pseudo-header (RFC 4443 §2.3). Not thread-safe (see {@link View}).
 */
public final class Icmpv6Packet extends View {
    public static final int TYPE = 0;
    public static final int CODE = 1;
    public static final int CHECKSUM = 2;
    public static final int IDENT = 4;
    public static final int SEQ = 6;
    public static final int MTU = 4;
    public static final int POINTER = 4;
    public static final int RA_CUR_HOP_LIMIT = 4;
    public static final int RA_FLAGS = 5;
    public static final int RA_ROUTER_LIFETIME = 6;
    public static final int RA_REACHABLE_TIME = 8;
    public static final int RA_RETRANS_TIMER = 12;
    public static final int NA_FLAGS = 4;
    public static final int TARGET = 8;
    public static final int REDIRECT_DEST = 24;
    public static final int HEADER_LEN = 8;

    public static final int TYPE_DEST_UNREACHABLE = 1;
    public static final int TYPE_PACKET_TOO_BIG = 2;
    public static final int TYPE_TIME_EXCEEDED = 3;
    public static final int TYPE_PARAM_PROBLEM = 4;
    public static final int TYPE_ECHO_REQUEST = 128;
    public static final int TYPE_ECHO_REPLY = 129;
    public static final int TYPE_ROUTER_SOLICIT = 133;
    public static final int TYPE_ROUTER_ADVERT = 134;
    public static final int TYPE_NEIGHBOR_SOLICIT = 135;
    public static final int TYPE_NEIGHBOR_ADVERT = 136;
    public static final int TYPE_REDIRECT = 137;
    public static final int CODE_NO_ROUTE = 0;
    public static final int CODE_ADDR_UNREACHABLE = 3;
    public static final int CODE_PORT_UNREACHABLE = 4;
    public static final int NA_FLAG_ROUTER = 0x80;
    public static final int NA_FLAG_SOLICITED = 0x40;
    public static final int NA_FLAG_OVERRIDE = 0x20;
    public static final int RA_FLAG_MANAGED = 0x80;
    public static final int RA_FLAG_OTHER = 0x40;

    public Icmpv6Packet wrap(ByteBuf buf, int offset, int length) {
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
        return len < fixedLen(type()) ? WireError.TRUNCATED : WireError.OK;
    }

    /** Length of the fixed part of a message type (where its NDP options start), 8 for other types. */
    public static int fixedLen(int type) {
        switch (type) {
            case TYPE_ROUTER_ADVERT:
                return 16;
            case TYPE_NEIGHBOR_SOLICIT:
            case TYPE_NEIGHBOR_ADVERT:
                return 24;
            case TYPE_REDIRECT:
                return 40;
            default:
                return HEADER_LEN;
        }
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

    /** MTU of a Packet Too Big message (RFC 4443 §3.2), unsigned 32-bit clamped to int range. */
    public long mtu() {
        return buf.getUnsignedInt(off + MTU);
    }

    public long pointer() {
        return buf.getUnsignedInt(off + POINTER);
    }

    public int raCurHopLimit() {
        return buf.getUnsignedByte(off + RA_CUR_HOP_LIMIT);
    }

    public int raFlags() {
        return buf.getUnsignedByte(off + RA_FLAGS);
    }

    public int raRouterLifetime() {
        return buf.getUnsignedShort(off + RA_ROUTER_LIFETIME);
    }

    public long raReachableTime() {
        return buf.getUnsignedInt(off + RA_REACHABLE_TIME);
    }

    public long raRetransTimer() {
        return buf.getUnsignedInt(off + RA_RETRANS_TIMER);
    }

    public int naFlags() {
        return buf.getUnsignedByte(off + NA_FLAGS);
    }

    public long targetHi() {
        return buf.getLong(off + TARGET);
    }

    public long targetLo() {
        return buf.getLong(off + TARGET + 8);
    }

    public long redirectDestHi() {
        return buf.getLong(off + REDIRECT_DEST);
    }

    public long redirectDestLo() {
        return buf.getLong(off + REDIRECT_DEST + 8);
    }

    /** Absolute index of the data after the fixed part: NDP options, echo data, or the invoking packet. */
    public int dataOffset() {
        return off + fixedLen(type());
    }

    public int dataLength() {
        return len - fixedLen(type());
    }

    /** RFC 4443 §2.3: checksum over the pseudo-header (next header 58, length = this message) and the message. */
    public boolean verifyChecksum(long srcHi, long srcLo, long dstHi, long dstLo) {
        int ph = Checksum.pseudoHeaderV6(srcHi, srcLo, dstHi, dstLo, IpProtocol.ICMPV6, len);
        return Checksum.verifies(Checksum.sum(buf, off, len, ph));
    }

    public void fillChecksum(long srcHi, long srcLo, long dstHi, long dstLo) {
        buf.setShort(off + CHECKSUM, 0);
        int ph = Checksum.pseudoHeaderV6(srcHi, srcLo, dstHi, dstLo, IpProtocol.ICMPV6, len);
        buf.setShort(off + CHECKSUM, Checksum.finish(Checksum.sum(buf, off, len, ph)));
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

    /** Writes bytes 4..8 as one word (reserved/unused = 0, MTU, pointer, or ident+seq). */
    public void setWord1(int v) {
        buf.setInt(off + 4, v);
    }

    public void setRaFields(int curHopLimit, int flags, int routerLifetime, long reachable, long retrans) {
        buf.setByte(off + RA_CUR_HOP_LIMIT, curHopLimit);
        buf.setByte(off + RA_FLAGS, flags);
        buf.setShort(off + RA_ROUTER_LIFETIME, routerLifetime);
        buf.setInt(off + RA_REACHABLE_TIME, (int) reachable);
        buf.setInt(off + RA_RETRANS_TIMER, (int) retrans);
    }

    public void setTarget(long hi, long lo) {
        Ipv6Addr.set(buf, off + TARGET, hi, lo);
    }

    public void setRedirectDest(long hi, long lo) {
        Ipv6Addr.set(buf, off + REDIRECT_DEST, hi, lo);
    }
}
