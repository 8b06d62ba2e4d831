package io.ioth.tcpip.dhcp;

import io.ioth.tcpip.wire.MacAddr;
import io.ioth.tcpip.wire.View;
import io.ioth.tcpip.wire.WireError;
import io.netty.buffer.ByteBuf;

/**
 * View of a DHCPv4 message (RFC 2131 §2, the BOOTP layout of RFC 951 with the options area of RFC 2132), the UDP
 * payload between ports 67 and 68.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------+---------------+---------------+---------------+
 * |     op (1)    |   htype (1)   |   hlen (1)    |   hops (1)    |
 * +---------------+---------------+---------------+---------------+
 * |                            xid (4)                            |
 * +-------------------------------+-------------------------------+
 * |           secs (2)            |           flags (2)           |
 * +-------------------------------+-------------------------------+
 * |                          ciaddr  (4)                          |
 * |                          yiaddr  (4)                          |
 * |                          siaddr  (4)                          |
 * |                          giaddr  (4)                          |
 * +---------------------------------------------------------------+
 * |                          chaddr  (16)                         |
 * |                          sname   (64)                         |
 * |                          file    (128)                        |
 * +---------------------------------------------------------------+
 * |                 magic cookie 99.130.83.99 (4)                 |
 * |                          options (variable)                   |
 * +---------------------------------------------------------------+
 * </pre>
 *
 * The view lives in the dhcp package (not {@code wire}) because DHCP is an application protocol over UDP; it is
 * the only DHCP code that uses byte offsets. Not thread-safe (see {@link View}).
 */
public final class Dhcp4Packet extends View {
    public static final int OP = 0;
    public static final int HTYPE = 1;
    public static final int HLEN = 2;
    public static final int HOPS = 3;
    public static final int XID = 4;
    public static final int SECS = 8;
    public static final int FLAGS = 10;
    public static final int CIADDR = 12;
    public static final int YIADDR = 16;
    public static final int SIADDR = 20;
    public static final int GIADDR = 24;
    public static final int CHADDR = 28;
    public static final int SNAME = 44;
    public static final int SNAME_LEN = 64;
    public static final int FILE = 108;
    public static final int FILE_LEN = 128;
    public static final int MAGIC = 236;
    public static final int OPTIONS = 240;
    /** The fixed part plus the magic cookie. */
    public static final int HEADER_LEN = OPTIONS;
    /** RFC 1542 §3.1.1 / RFC 951: a BOOTP message is at least 300 bytes; shorter ones are padded. */
    public static final int MIN_BOOTP_LEN = 300;
    /** RFC 2131 §2: "a DHCP client must be prepared to receive DHCP messages with an 'options' field of at least
     * length 312 octets": 576 bytes of IP datagram. */
    public static final int MIN_MAX_MESSAGE = 576;

    public static final int OP_BOOTREQUEST = 1;
    public static final int OP_BOOTREPLY = 2;
    /** RFC 1700 hardware type Ethernet. */
    public static final int HTYPE_ETHERNET = 1;
    /** RFC 2131 §2 figure 2: the BROADCAST bit of 'flags'. */
    public static final int FLAG_BROADCAST = 0x8000;
    /** RFC 2131 §3: 99.130.83.99. */
    public static final int MAGIC_COOKIE = 0x63825363;

    public Dhcp4Packet wrap(ByteBuf buf, int offset, int length) {
        set(buf, offset, length);
        return this;
    }

    /** Only the fixed header and the cookie position are checked here; {@link Dhcp4Repr#parse} checks the rest. */
    @Override
    public WireError checkLen() {
        return len < HEADER_LEN ? WireError.TRUNCATED : WireError.OK;
    }

    public int op() {
        return buf.getUnsignedByte(off + OP);
    }

    public int htype() {
        return buf.getUnsignedByte(off + HTYPE);
    }

    public int hlen() {
        return buf.getUnsignedByte(off + HLEN);
    }

    public int hops() {
        return buf.getUnsignedByte(off + HOPS);
    }

    public int xid() {
        return buf.getInt(off + XID);
    }

    public int secs() {
        return buf.getUnsignedShort(off + SECS);
    }

    public int flags() {
        return buf.getUnsignedShort(off + FLAGS);
    }

    public int ciaddr() {
        return buf.getInt(off + CIADDR);
    }

    public int yiaddr() {
        return buf.getInt(off + YIADDR);
    }

    public int siaddr() {
        return buf.getInt(off + SIADDR);
    }

    public int giaddr() {
        return buf.getInt(off + GIADDR);
    }

    /** The first 6 bytes of chaddr (an Ethernet address when htype 1, hlen 6). */
    public long chaddrMac() {
        return MacAddr.get(buf, off + CHADDR);
    }

    public int magic() {
        return buf.getInt(off + MAGIC);
    }

    /** Absolute index of the options area. */
    public int optionsOffset() {
        return off + OPTIONS;
    }

    /** Length of the options area (to the end of the region). */
    public int optionsLength() {
        return len - OPTIONS;
    }

    // ---------------------------------------------------------------- setters (emit)

    public void setOp(int v) {
        buf.setByte(off + OP, v);
    }

    public void setHtype(int v) {
        buf.setByte(off + HTYPE, v);
    }

    public void setHlen(int v) {
        buf.setByte(off + HLEN, v);
    }

    public void setHops(int v) {
        buf.setByte(off + HOPS, v);
    }

    public void setXid(int v) {
        buf.setInt(off + XID, v);
    }

    public void setSecs(int v) {
        buf.setShort(off + SECS, v);
    }

    public void setFlags(int v) {
        buf.setShort(off + FLAGS, v);
    }

    public void setCiaddr(int v) {
        buf.setInt(off + CIADDR, v);
    }

    public void setYiaddr(int v) {
        buf.setInt(off + YIADDR, v);
    }

    public void setSiaddr(int v) {
        buf.setInt(off + SIADDR, v);
    }

    public void setGiaddr(int v) {
        buf.setInt(off + GIADDR, v);
    }

    /** Writes the MAC and zeroes the other 10 bytes of chaddr, and zeroes sname and file. */
    public void setChaddrMacAndClearNames(long mac) {
        MacAddr.set(buf, off + CHADDR, mac);
        buf.setZero(off + CHADDR + 6, OPTIONS - 4 - CHADDR - 6);
    }

    public void setMagic(int v) {
        buf.setInt(off + MAGIC, v);
    }
}
