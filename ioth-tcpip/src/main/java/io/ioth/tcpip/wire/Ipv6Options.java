package io.ioth.tcpip.wire;

import io.netty.buffer.ByteBuf;

/**
 * Iterator-view over the TLV options of a Hop-by-Hop or Destination Options header (RFC 8200 §4.2, §4.3, §4.6),
 * and the writer of the 8-byte Hop-by-Hop header with a Router Alert option that MLD messages carry (RFC 2711,
 * RFC 3810 §5).
 *
 * <pre>
 * options header:                                     option (except Pad1, which is a single zero byte):
 * +-------------+-------------+------ ...            +-------------+---------------+-------- ...
 * | Next Header | Hdr Ext Len | options             | Option Type | Opt Data Len  | Option Data
 * +-------------+-------------+------ ...            +-------------+---------------+-------- ...
 *  (Hdr Ext Len + 1) * 8 bytes                         Option Type: |act|chg| rest |  act = highest two bits
 * </pre>
 *
 * Usage:
 * <pre>{@code
 * opts.reset(buf, headerIndex);                         // the header's length is read from byte 1
 * while (opts.next()) { switch (opts.type()) { ... } }  // Pad1 and PadN are returned too
 * if (!opts.error().ok()) drop();                       // an option overruns the header
 * }</pre>
 * The caller must have checked that the whole header ({@link #headerLength}) is inside the buffer. Reusable; no
 * allocation. Not thread-safe.
 */
public final class Ipv6Options {
    public static final int PAD1 = 0;
    public static final int PADN = 1;
    /** RFC 2711 Router Alert (type 5, data length 2). */
    public static final int ROUTER_ALERT = 5;
    /** RFC 2711 §2.1: Router Alert value 0 = "Datagram contains a Multicast Listener Discovery message". */
    public static final int ROUTER_ALERT_MLD = 0;
    /** RFC 2675 Jumbo Payload (not supported: treated by its action bits as unknown). */
    public static final int JUMBO = 0xc2;

    /** RFC 8200 §4.2 action 00: "skip over this option and continue processing the header". */
    public static final int ACTION_SKIP = 0;
    /** 01: "discard the packet". */
    public static final int ACTION_DISCARD = 1;
    /** 10: "discard the packet and, regardless of whether or not the packet's Destination Address was a multicast
     * address, send an ICMP Parameter Problem, Code 2, message to the packet's Source Address". */
    public static final int ACTION_DISCARD_ICMP = 2;
    /** 11: "discard the packet and, only if the packet's Destination Address was not a multicast address, send an
     * ICMP Parameter Problem, Code 2, message". */
    public static final int ACTION_DISCARD_ICMP_UNICAST = 3;

    /** Bytes of the Hop-by-Hop header {@link #emitRouterAlertHopByHop} writes. */
    public static final int ROUTER_ALERT_HBH_LEN = 8;

    private ByteBuf buf;
    private int pos;
    private int end;
    private int cur = -1;
    private int curType;
    private int curDataLen;
    private WireError error = WireError.OK;

    /** Bytes of the options header at {@code index}: {@code (Hdr Ext Len + 1) * 8}. */
    public static int headerLength(ByteBuf buf, int index) {
        return (buf.getUnsignedByte(index + 1) + 1) * 8;
    }

    /** Starts iterating the options of the header at {@code headerIndex}. */
    public Ipv6Options reset(ByteBuf buf, int headerIndex) {
        this.buf = buf;
        this.pos = headerIndex + 2;
        this.end = headerIndex + headerLength(buf, headerIndex);
        this.cur = -1;
        this.error = WireError.OK;
        return this;
    }

    /** Moves to the next option. @return false at the end of the header or on an overrun (see {@link #error()}) */
    public boolean next() {
        if (!error.ok() || pos >= end) {
            cur = -1;
            return false;
        }
        cur = pos;
        curType = buf.getUnsignedByte(pos);
        if (curType == PAD1) {
            curDataLen = 0;
            pos++;
            return true;
        }
        if (end - pos < 2) {
            error = WireError.MALFORMED_OPTION;
            cur = -1;
            return false;
        }
        curDataLen = buf.getUnsignedByte(pos + 1);
        if (curDataLen > end - pos - 2) {
            // Linux ip6_parse_tlv: an option longer than what is left of the header -> "bad", drop
            error = WireError.MALFORMED_OPTION;
            cur = -1;
            return false;
        }
        pos += 2 + curDataLen;
        return true;
    }

    /** OK after a clean end; MALFORMED_OPTION if an option overran the header. */
    public WireError error() {
        return error;
    }

    public int type() {
        return curType;
    }

    /** Absolute index of the current option's type byte (the ICMPv6 Parameter Problem pointer, RFC 8200 §4.2). */
    public int offset() {
        return cur;
    }

    public int dataLength() {
        return curDataLen;
    }

    /** Absolute index of the current option's data. */
    public int dataOffset() {
        return cur + 2;
    }

    /** The action bits of an option type (RFC 8200 §4.2: "the highest-order two bits"). */
    public static int action(int optionType) {
        return optionType >>> 6;
    }

    /**
     * Writes an 8-byte Hop-by-Hop Options header at {@code index}: Next Header, length 0, Router Alert with
     * {@code value}, PadN with no data - the layout Linux's MLD reports use ({@code 3a00 0502 0000 0100}).
     */
    public static int emitRouterAlertHopByHop(ByteBuf buf, int index, int nextHeader, int value) {
        buf.setByte(index, nextHeader);
        buf.setByte(index + 1, 0);
        buf.setByte(index + 2, ROUTER_ALERT);
        buf.setByte(index + 3, 2);
        buf.setShort(index + 4, value);
        buf.setByte(index + 6, PADN);
        buf.setByte(index + 7, 0);
        return ROUTER_ALERT_HBH_LEN;
    }
}
