package io.ioth.tcpip.wire;

import io.netty.buffer.ByteBuf;

/**
 * View of the Multicast Listener Discovery messages a host handles: queries (MLDv1, RFC 2710 §3; MLDv2, RFC 3810
 * §5.1) and MLDv2 reports (RFC 3810 §5.2). The ICMPv6 type/code/checksum are those of {@link Icmpv6Packet}; this
 * view reads and writes what follows.
 *
 * <pre>
 * query (type 130):                                      MLDv2 report (type 143):
 * +------+------+-------------+                          +------+------+-------------+
 * | Type | Code |  Checksum   |                          | Type | Rsvd |  Checksum   |
 * +------+------+-------------+                          +------+------+-------------+
 * | Max Resp Code |  Reserved |                          |  Reserved   | Nr of Records|
 * +---------------+-----------+                          +-------------+-------------+
 * |  Multicast Address (16)   |                          | record: Type | Aux Len | Nr of Sources (2) |
 * +---------------------------+  24 bytes: MLDv1          |         Multicast Address (16) | sources |
 * |Rsv|S|QRV| QQIC | Nr Srcs  |  28+ bytes: MLDv2 query  +---------------------------------------+
 * +---------------------------+
 * </pre>
 *
 * Not thread-safe (see {@link View}).
 */
public final class MldPacket extends View {
    public static final int TYPE_QUERY = 130;
    public static final int TYPE_V1_REPORT = 131;
    public static final int TYPE_V1_DONE = 132;
    public static final int TYPE_V2_REPORT = 143;

    public static final int MAX_RESP_CODE = 4;
    public static final int MULTICAST_ADDR = 8;
    public static final int NR_OF_RECORDS = 6;
    public static final int V1_LEN = 24;
    public static final int V2_QUERY_MIN_LEN = 28;
    /** The ICMPv6 header of a report, before its records. */
    public static final int REPORT_HEADER_LEN = 8;
    /** A multicast address record without sources or auxiliary data. */
    public static final int RECORD_LEN = 20;

    /** RFC 3810 §5.2.12 record types. */
    public static final int MODE_IS_INCLUDE = 1;
    public static final int MODE_IS_EXCLUDE = 2;
    public static final int CHANGE_TO_INCLUDE_MODE = 3;
    public static final int CHANGE_TO_EXCLUDE_MODE = 4;

    /** ff02::16, all MLDv2-capable routers (RFC 3810 §5.2.14: reports are sent there). */
    public static final long ALL_MLDV2_ROUTERS_HI = 0xff02_0000_0000_0000L;
    public static final long ALL_MLDV2_ROUTERS_LO = 0x16L;

    public MldPacket wrap(ByteBuf buf, int offset, int length) {
        set(buf, offset, length);
        return this;
    }

    /** A query is at least 24 bytes (RFC 3810 §8.1: 24 is MLDv1, 28 or more MLDv2; others are discarded). */
    @Override
    public WireError checkLen() {
        if (len < V1_LEN) {
            return WireError.TRUNCATED;
        }
        return WireError.OK;
    }

    public int type() {
        return buf.getUnsignedByte(off);
    }

    /** Whether this query is an MLDv2 query (RFC 3810 §8.1: length 28 or more). */
    public boolean isV2Query() {
        return len >= V2_QUERY_MIN_LEN;
    }

    public int maxRespCode() {
        return buf.getUnsignedShort(off + MAX_RESP_CODE);
    }

    /**
     * The Maximum Response Delay in milliseconds: MLDv1 the field itself (RFC 2710 §3.4); MLDv2 the code, which
     * above 32767 is a floating-point value, "Maximum Response Delay = (mant | 0x1000) &lt;&lt; (exp+3)"
     * (RFC 3810 §5.1.3).
     */
    public long maxResponseDelayMillis() {
        final int code = maxRespCode();
        if (!isV2Query() || code < 0x8000) {
            return code;
        }
        final int exp = (code >>> 12) & 7;
        final int mant = code & 0xfff;
        return (long) (mant | 0x1000) << (exp + 3);
    }

    public long multicastHi() {
        return buf.getLong(off + MULTICAST_ADDR);
    }

    public long multicastLo() {
        return buf.getLong(off + MULTICAST_ADDR + 8);
    }

    /** Writes the report's fixed part after the ICMPv6 type/code/checksum: reserved 0 and the record count. */
    public void setReportHeader(int records) {
        buf.setShort(off + 4, 0);
        buf.setShort(off + NR_OF_RECORDS, records);
    }

    /** Writes one source-less record at {@code index} (absolute); returns {@link #RECORD_LEN}. */
    public static int emitRecord(ByteBuf buf, int index, int recordType, long groupHi, long groupLo) {
        buf.setByte(index, recordType);
        buf.setByte(index + 1, 0);
        buf.setShort(index + 2, 0);
        Ipv6Addr.set(buf, index + 4, groupHi, groupLo);
        return RECORD_LEN;
    }
}
