package io.ioth.tcpip.wire;

import io.netty.buffer.ByteBuf;

/**
 * Iterator-view over the NDP options of a message (RFC 4861 §4.6). Reusable; no allocation.
 *
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |    Length     |              ...              |   Length in units of 8 bytes
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * 1/2 link-layer address: | MAC (6) |                         (§4.6.1)
 * 3 prefix info (len 4):  | PrefixLen | L|A|rsvd | Valid (4) | Preferred (4) | Reserved2 (4) | Prefix (16) | (§4.6.2)
 * 5 MTU (len 1):          | Reserved (2) | MTU (4) |          (§4.6.4)
 * 25 RDNSS (len 3+2n):    | Reserved (2) | Lifetime (4) | n addresses (16 each) | (RFC 8106 §5.1)
 * 31 DNSSL (len >= 2):    | Reserved (2) | Lifetime (4) | domain names, DNS wire format, zero padded | (RFC 8106 §5.2)
 * </pre>
 *
 * Usage:
 * <pre>{@code
 * opts.reset(icmp.buffer(), icmp.dataOffset(), icmp.dataLength());
 * while (opts.next()) { if (opts.wellFormed()) switch (opts.type()) { ... } }
 * if (!opts.error().ok()) drop(opts.error());   // RFC 4861 §4.6: zero length => discard the whole packet
 * }</pre>
 * The typed getters may only be called when {@link #wellFormed()} is true for the current option; a known option
 * with a wrong length is not well-formed and is to be ignored (RFC 8106 §5.1 for RDNSS; Linux {@code ndisc_parse_options}
 * does the same for the others). Not thread-safe.
 */
public final class NdiscOption {
    public static final int SOURCE_LL_ADDR = 1;
    public static final int TARGET_LL_ADDR = 2;
    public static final int PREFIX_INFO = 3;
    public static final int REDIRECTED_HEADER = 4;
    public static final int MTU = 5;
    public static final int RDNSS = 25;
    public static final int DNSSL = 31;
    public static final int PREFIX_FLAG_ON_LINK = 0x80;
    public static final int PREFIX_FLAG_AUTONOMOUS = 0x40;

    private ByteBuf buf;
    private int pos;
    private int end;
    private int cur = -1;
    private int curLen;
    private WireError error = WireError.OK;

    /** Starts an iteration over {@code buf[offset, offset+length)}. */
    public NdiscOption reset(ByteBuf buf, int offset, int length) {
        this.buf = buf;
        this.pos = offset;
        this.end = offset + length;
        this.cur = -1;
        this.curLen = 0;
        this.error = WireError.OK;
        return this;
    }

    /** Moves to the next option. @return false at the end or on a malformed option (see {@link #error()}) */
    public boolean next() {
        if (!error.ok()) {
            return false;
        }
        if (end - pos < 2) {
            if (end != pos) {
                error = WireError.MALFORMED_OPTION; // trailing byte that cannot hold an option header
            }
            cur = -1;
            return false;
        }
        int units = buf.getUnsignedByte(pos + 1);
        // RFC 4861 §4.6: "Nodes MUST silently discard an ND packet that contains an option with length zero."
        if (units == 0 || units * 8 > end - pos) {
            error = WireError.MALFORMED_OPTION;
            cur = -1;
            return false;
        }
        cur = pos;
        curLen = units * 8;
        pos += curLen;
        return true;
    }

    /** OK after a clean end; MALFORMED_OPTION if a zero-length or overrunning option stopped the walk. */
    public WireError error() {
        return error;
    }

    /** Walks all options once: OK or the reason the message must be discarded. */
    public WireError validate(ByteBuf buf, int offset, int length) {
        reset(buf, offset, length);
        while (next()) {
            // just walking
        }
        return error;
    }

    public int type() {
        return buf.getUnsignedByte(cur);
    }

    /** Length in bytes (units * 8). */
    public int length() {
        return curLen;
    }

    /** Absolute index of the current option. */
    public int offset() {
        return cur;
    }

    /** Whether the current option has the length its type requires (unknown types: always true). */
    public boolean wellFormed() {
        switch (type()) {
            case SOURCE_LL_ADDR:
            case TARGET_LL_ADDR:
                return curLen == 8; // Ethernet: 6-byte address + 2 = one unit (RFC 2464 §6)
            case PREFIX_INFO:
                return curLen == 32;
            case MTU:
                return curLen == 8;
            case RDNSS:
                return curLen >= 24 && ((curLen / 8) & 1) == 1; // RFC 8106 §5.1: length 3 + 2n
            case DNSSL:
                return curLen >= 16; // RFC 8106 §5.2: "The minimum value is 2 if at least one domain name is
                                     // contained in the option"
            default:
                return true;
        }
    }

    public long linkLayerAddr() {
        return MacAddr.get(buf, cur + 2);
    }

    public int prefixLen() {
        return buf.getUnsignedByte(cur + 2);
    }

    public int prefixFlags() {
        return buf.getUnsignedByte(cur + 3);
    }

    public long prefixValidLifetime() {
        return buf.getUnsignedInt(cur + 4);
    }

    public long prefixPreferredLifetime() {
        return buf.getUnsignedInt(cur + 8);
    }

    public long prefixHi() {
        return buf.getLong(cur + 16);
    }

    public long prefixLo() {
        return buf.getLong(cur + 24);
    }

    public long mtu() {
        return buf.getUnsignedInt(cur + 4);
    }

    public long rdnssLifetime() {
        return buf.getUnsignedInt(cur + 4);
    }

    public int rdnssCount() {
        return (curLen - 8) / 16;
    }

    public long rdnssHi(int i) {
        return buf.getLong(cur + 8 + i * 16);
    }

    public long rdnssLo(int i) {
        return buf.getLong(cur + 16 + i * 16);
    }

    /** DNSSL lifetime in seconds (0xffffffff = infinity). */
    public long dnsslLifetime() {
        return buf.getUnsignedInt(cur + 4);
    }

    /** Absolute index of the DNSSL domain names (they run to the end of the option, zero padded). */
    public int dnsslNamesOffset() {
        return cur + 8;
    }

    /** Length of the DNSSL domain-name area (padding included). */
    public int dnsslNamesLength() {
        return curLen - 8;
    }

    /** The buffer being iterated. */
    public ByteBuf buffer() {
        return buf;
    }

    /** Writes an RDNSS option (RFC 8106 §5.1) with {@code addrs} = hi, lo, hi, lo...; 8 + 16 n bytes. */
    public static int emitRdnss(ByteBuf buf, int index, long lifetime, long... addrs) {
        final int n = addrs.length / 2;
        buf.setByte(index, RDNSS);
        buf.setByte(index + 1, 1 + 2 * n);
        buf.setShort(index + 2, 0);
        buf.setInt(index + 4, (int) lifetime);
        for (int i = 0; i < n; i++) {
            Ipv6Addr.set(buf, index + 8 + 16 * i, addrs[2 * i], addrs[2 * i + 1]);
        }
        return 8 + 16 * n;
    }

    /** Bytes of a DNSSL option holding {@code names} (8 + the encoded names, padded to a multiple of 8). */
    public static int dnsslLength(String... names) {
        return 8 + ((DomainNames.encodedLength(names) + 7) & ~7);
    }

    /** Writes a DNSSL option (RFC 8106 §5.2); {@link #dnsslLength} bytes. */
    public static int emitDnssl(ByteBuf buf, int index, long lifetime, String... names) {
        final int len = dnsslLength(names);
        buf.setByte(index, DNSSL);
        buf.setByte(index + 1, len / 8);
        buf.setShort(index + 2, 0);
        buf.setInt(index + 4, (int) lifetime);
        final int end = DomainNames.encode(buf, index + 8, names);
        buf.setZero(end, index + len - end);
        return len;
    }

    /** Writes a link-layer address option (type 1 or 2) at {@code index}; 8 bytes. */
    public static int emitLinkLayerAddr(ByteBuf buf, int index, int type, long mac) {
        buf.setByte(index, type);
        buf.setByte(index + 1, 1);
        MacAddr.set(buf, index + 2, mac);
        return 8;
    }

    /** Writes an MTU option at {@code index}; 8 bytes. */
    public static int emitMtu(ByteBuf buf, int index, long mtu) {
        buf.setByte(index, MTU);
        buf.setByte(index + 1, 1);
        buf.setShort(index + 2, 0);
        buf.setInt(index + 4, (int) mtu);
        return 8;
    }

    /** Writes a prefix information option at {@code index}; 32 bytes. */
    public static int emitPrefixInfo(ByteBuf buf, int index, int prefixLen, int flags, long valid, long preferred,
                                     long prefixHi, long prefixLo) {
        buf.setByte(index, PREFIX_INFO);
        buf.setByte(index + 1, 4);
        buf.setByte(index + 2, prefixLen);
        buf.setByte(index + 3, flags);
        buf.setInt(index + 4, (int) valid);
        buf.setInt(index + 8, (int) preferred);
        buf.setInt(index + 12, 0);
        Ipv6Addr.set(buf, index + 16, prefixHi, prefixLo);
        return 32;
    }
}
