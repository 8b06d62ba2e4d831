package io.ioth.tcpip.wire;

import io.netty.buffer.ByteBuf;

/**
 * View of a TCP header (RFC 9293 §3.1).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Sequence Number                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Acknowledgment Number                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data |       |C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 * |       |       |R|E|G|K|H|T|N|N|                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Checksum            |         Urgent Pointer        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options (Data Offset > 5) ...              |
 * </pre>
 *
 * The region is the whole segment (IP payload). Not thread-safe (see {@link View}).
 */
public final class TcpPacket extends View {
    public static final int SRC_PORT = 0;
    public static final int DST_PORT = 2;
    public static final int SEQ = 4;
    public static final int ACK = 8;
    public static final int DATA_OFF = 12;
    public static final int FLAGS = 13;
    public static final int WINDOW = 14;
    public static final int CHECKSUM = 16;
    public static final int URGENT = 18;
    public static final int HEADER_LEN = 20;
    public static final int MAX_HEADER_LEN = 60;

    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK_FLAG = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;

    public TcpPacket wrap(ByteBuf buf, int offset, int length) {
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
        int hl = headerLen();
        if (hl < HEADER_LEN) {
            return WireError.BAD_HEADER_LEN;
        }
        if (hl > len) {
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

    /** Sequence number as an int; compare only through sequence-number helpers (wrap-around). */
    public int seq() {
        return buf.getInt(off + SEQ);
    }

    public int ack() {
        return buf.getInt(off + ACK);
    }

    /** Data offset in bytes. */
    public int headerLen() {
        return (buf.getUnsignedByte(off + DATA_OFF) >>> 4) * 4;
    }

    public int flags() {
        return buf.getUnsignedByte(off + FLAGS);
    }

    public boolean syn() {
        return (flags() & SYN) != 0;
    }

    public boolean fin() {
        return (flags() & FIN) != 0;
    }

    public boolean rst() {
        return (flags() & RST) != 0;
    }

    public boolean hasAck() {
        return (flags() & ACK_FLAG) != 0;
    }

    public int window() {
        return buf.getUnsignedShort(off + WINDOW);
    }

    public int checksum() {
        return buf.getUnsignedShort(off + CHECKSUM);
    }

    public int urgent() {
        return buf.getUnsignedShort(off + URGENT);
    }

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
        return len - headerLen();
    }

    /** Sequence space used: payload + SYN + FIN (RFC 9293 §3.4). */
    public int segmentLength() {
        return payloadLength() + (syn() ? 1 : 0) + (fin() ? 1 : 0);
    }

    /** RFC 9293 §3.1: checksum over pseudo-header, header and data (the whole region). */
    public boolean verifyChecksum(int pseudoHeaderSum) {
        return Checksum.verifies(Checksum.sum(buf, off, len, pseudoHeaderSum));
    }

    public void fillChecksum(int pseudoHeaderSum) {
        buf.setShort(off + CHECKSUM, 0);
        buf.setShort(off + CHECKSUM, Checksum.finish(Checksum.sum(buf, off, len, pseudoHeaderSum)));
    }

    public void setSrcPort(int v) {
        buf.setShort(off + SRC_PORT, v);
    }

    public void setDstPort(int v) {
        buf.setShort(off + DST_PORT, v);
    }

    public void setSeq(int v) {
        buf.setInt(off + SEQ, v);
    }

    public void setAck(int v) {
        buf.setInt(off + ACK, v);
    }

    /** Writes data offset (bytes, multiple of 4) and flags; the reserved bits are zeroed. */
    public void setHeaderLenAndFlags(int headerLenBytes, int flags) {
        buf.setShort(off + DATA_OFF, (headerLenBytes / 4) << 12 | (flags & 0xff));
    }

    public void setWindow(int v) {
        buf.setShort(off + WINDOW, v);
    }

    public void setChecksum(int v) {
        buf.setShort(off + CHECKSUM, v);
    }

    public void setUrgent(int v) {
        buf.setShort(off + URGENT, v);
    }
}
