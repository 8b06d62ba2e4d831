package io.ioth.tcpip.wire;

import io.netty.buffer.ByteBuf;

/**
 * View of an IGMPv2 message (RFC 2236 §2); IGMPv1 reports and IGMPv3 queries (RFC 3376 §4.1) share the first 8
 * bytes and are read through it too.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      Type     | Max Resp Time |           Checksum            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Group Address                         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  (IGMPv3 query: Resv|S|QRV, QQIC, Number of Sources, sources) |
 * </pre>
 *
 * <p>Added by helper "core" for the stack's IGMPv2 host part. Not thread-safe (see {@link View}).
 */
public final class IgmpPacket extends View {
    public static final int TYPE = 0;
    public static final int MAX_RESP = 1;
    public static final int CHECKSUM = 2;
    public static final int GROUP = 4;
    public static final int HEADER_LEN = 8;

    public static final int TYPE_MEMBERSHIP_QUERY = 0x11;
    public static final int TYPE_V1_MEMBERSHIP_REPORT = 0x12;
    public static final int TYPE_V2_MEMBERSHIP_REPORT = 0x16;
    public static final int TYPE_LEAVE_GROUP = 0x17;
    public static final int TYPE_V3_MEMBERSHIP_REPORT = 0x22;

    /** The IPv4 Router Alert option (RFC 2113 §2: type 148, length 4, value 0 "router shall examine packet") as
     * one big-endian int; RFC 2236 §2: every IGMPv2 message carries it. */
    public static final int ROUTER_ALERT_OPTION = 0x9404_0000;
    /** Length of {@link #ROUTER_ALERT_OPTION}. */
    public static final int ROUTER_ALERT_LEN = 4;

    public IgmpPacket wrap(ByteBuf buf, int offset, int length) {
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

    /** Max Response Time in units of 1/10 second (RFC 2236 §2.2); 0 in an IGMPv1 query. */
    public int maxResp() {
        return buf.getUnsignedByte(off + MAX_RESP);
    }

    /**
     * The maximum response time in tenths of a second, decoding the IGMPv3 floating-point form when the message
     * is a v3 query (RFC 3376 §4.1.1: values >= 128 are {@code (mant | 0x10) << (exp + 3)}); an IGMPv1 query (0)
     * means 100 (RFC 2236 §4: "10 seconds").
     */
    public int maxRespTenths() {
        int code = maxResp();
        if (code == 0) {
            return 100;
        }
        if (len >= 12 && code >= 128) {
            return ((code & 0x0f) | 0x10) << (((code >>> 4) & 0x07) + 3);
        }
        return code;
    }

    public int checksum() {
        return buf.getUnsignedShort(off + CHECKSUM);
    }

    public int group() {
        return buf.getInt(off + GROUP);
    }

    /** RFC 2236 §2.3: the 16-bit one's complement of the one's complement sum of the whole IGMP message. */
    public boolean verifyChecksum() {
        return Checksum.verifies(Checksum.sum(buf, off, len, 0));
    }

    public void setType(int v) {
        buf.setByte(off + TYPE, v);
    }

    public void setMaxResp(int v) {
        buf.setByte(off + MAX_RESP, v);
    }

    public void setGroup(int group) {
        buf.setInt(off + GROUP, group);
    }

    public void fillChecksum() {
        buf.setShort(off + CHECKSUM, 0);
        buf.setShort(off + CHECKSUM, Checksum.finish(Checksum.sum(buf, off, len, 0)));
    }
}
