package io.ioth.tcpip.wire;

import io.netty.buffer.ByteBuf;

/**
 * View of an ARP packet (RFC 826) for Ethernet/IPv4 only (hlen 6, plen 4: 28 bytes).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     hardware type (1)         |    protocol type (0x0800)     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  hlen (6)     |  plen (4)     |   operation (1 req, 2 reply)  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          sender hardware address (6) ...                      |
 * |   ... sender protocol address (4) ...                         |
 * |          target hardware address (6) ...                      |
 * |   ... target protocol address (4)                             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * Not thread-safe (see {@link View}).
 */
public final class ArpPacket extends View {
    public static final int HTYPE = 0;
    public static final int PTYPE = 2;
    public static final int HLEN = 4;
    public static final int PLEN = 5;
    public static final int OPER = 6;
    public static final int SHA = 8;
    public static final int SPA = 14;
    public static final int THA = 18;
    public static final int TPA = 24;
    public static final int HEADER_LEN = 28;
    public static final int HTYPE_ETHERNET = 1;
    public static final int OP_REQUEST = 1;
    public static final int OP_REPLY = 2;

    public ArpPacket wrap(ByteBuf buf, int offset, int length) {
        set(buf, offset, length);
        return this;
    }

    public WireError wrapChecked(ByteBuf buf, int offset, int length) {
        return wrap(buf, offset, length).checkLen();
    }

    /** At least the 28 bytes of the Ethernet/IPv4 form; other forms are refused by {@link ArpRepr#parse}. */
    @Override
    public WireError checkLen() {
        return len < HEADER_LEN ? WireError.TRUNCATED : WireError.OK;
    }

    public int htype() {
        return buf.getUnsignedShort(off + HTYPE);
    }

    public int ptype() {
        return buf.getUnsignedShort(off + PTYPE);
    }

    public int hlen() {
        return buf.getUnsignedByte(off + HLEN);
    }

    public int plen() {
        return buf.getUnsignedByte(off + PLEN);
    }

    public int oper() {
        return buf.getUnsignedShort(off + OPER);
    }

    public long sha() {
        return MacAddr.get(buf, off + SHA);
    }

    public int spa() {
        return buf.getInt(off + SPA);
    }

    public long tha() {
        return MacAddr.get(buf, off + THA);
    }

    public int tpa() {
        return buf.getInt(off + TPA);
    }

    public void setHtype(int v) {
        buf.setShort(off + HTYPE, v);
    }

    public void setPtype(int v) {
        buf.setShort(off + PTYPE, v);
    }

    public void setHlen(int v) {
        buf.setByte(off + HLEN, v);
    }

    public void setPlen(int v) {
        buf.setByte(off + PLEN, v);
    }

    public void setOper(int v) {
        buf.setShort(off + OPER, v);
    }

    public void setSha(long mac) {
        MacAddr.set(buf, off + SHA, mac);
    }

    public void setSpa(int a) {
        buf.setInt(off + SPA, a);
    }

    public void setTha(long mac) {
        MacAddr.set(buf, off + THA, mac);
    }

    public void setTpa(int a) {
        buf.setInt(off + TPA, a);
    }
}
