package io.ioth.tcpip.wire;

import io.netty.buffer.ByteBuf;

/**
 * View of an Ethernet II frame (IEEE 802.3 §3.1.1, FCS not included), with one optional IEEE 802.1Q tag read.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  destination MAC (6 bytes)                    |
 * +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                               |                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 * |                    source MAC (6 bytes)                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  EtherType (or 0x8100 TPID)   | [PCP|DEI|   VID (12 bits)  ] |  tag present only if TPID is 0x8100/0x88a8
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | [inner EtherType]             |  payload ...
 * </pre>
 *
 * Only one tag is interpreted; for stacked tags {@link #etherType()} returns the inner TPID (0x8100) and upper
 * layers ignore the frame. Not thread-safe (see {@link View}).
 */
public final class EthernetFrame extends View {
    public static final int DST = 0;
    public static final int SRC = 6;
    public static final int ETHERTYPE = 12;
    public static final int HEADER_LEN = 14;
    public static final int TAG_TCI = 14;
    public static final int TAGGED_ETHERTYPE = 16;
    public static final int TAG_LEN = 4;
    public static final int TAGGED_HEADER_LEN = 18;
    /** No VLAN tag. */
    public static final int NO_VLAN = -1;

    public EthernetFrame wrap(ByteBuf buf, int offset, int length) {
        set(buf, offset, length);
        return this;
    }

    /** Wraps the readable bytes of {@code buf}. */
    public EthernetFrame wrap(ByteBuf buf) {
        return wrap(buf, buf.readerIndex(), buf.readableBytes());
    }

    public WireError wrapChecked(ByteBuf buf, int offset, int length) {
        return wrap(buf, offset, length).checkLen();
    }

    @Override
    public WireError checkLen() {
        if (len < HEADER_LEN) {
            return WireError.TRUNCATED;
        }
        if (isTagged() && len < TAGGED_HEADER_LEN) {
            return WireError.TRUNCATED;
        }
        return WireError.OK;
    }

    public long dst() {
        return MacAddr.get(buf, off + DST);
    }

    public long src() {
        return MacAddr.get(buf, off + SRC);
    }

    /** The EtherType at offset 12 (the TPID if tagged). */
    public int outerEtherType() {
        return buf.getUnsignedShort(off + ETHERTYPE);
    }

    public boolean isTagged() {
        int t = outerEtherType();
        return t == EtherType.VLAN || t == EtherType.QINQ;
    }

    /** The EtherType of the payload: after the tag if there is one. */
    public int etherType() {
        return isTagged() ? buf.getUnsignedShort(off + TAGGED_ETHERTYPE) : outerEtherType();
    }

    /** 802.1Q VLAN identifier (12 bits), or {@link #NO_VLAN}. */
    public int vlanId() {
        return isTagged() ? buf.getUnsignedShort(off + TAG_TCI) & 0x0fff : NO_VLAN;
    }

    /** 802.1Q priority code point, or 0 when untagged. */
    public int pcp() {
        return isTagged() ? buf.getUnsignedByte(off + TAG_TCI) >>> 5 : 0;
    }

    public int headerLen() {
        return isTagged() ? TAGGED_HEADER_LEN : HEADER_LEN;
    }

    /** Absolute index of the payload (after the tag if any). */
    public int payloadOffset() {
        return off + headerLen();
    }

    /** Payload length, including any padding to the 60-byte minimum (IP's own length fields trim it). */
    public int payloadLength() {
        return len - headerLen();
    }

    public void setDst(long mac) {
        MacAddr.set(buf, off + DST, mac);
    }

    public void setSrc(long mac) {
        MacAddr.set(buf, off + SRC, mac);
    }

    /** Writes an untagged EtherType at offset 12. */
    public void setEtherType(int type) {
        buf.setShort(off + ETHERTYPE, type);
    }

    /** Writes an 802.1Q tag (TPID 0x8100) and the inner EtherType; the frame must hold 18 header bytes. */
    public void setVlanTag(int pcp, int vid, int innerType) {
        buf.setShort(off + ETHERTYPE, EtherType.VLAN);
        buf.setShort(off + TAG_TCI, (pcp & 7) << 13 | (vid & 0x0fff));
        buf.setShort(off + TAGGED_ETHERTYPE, innerType);
    }
}
