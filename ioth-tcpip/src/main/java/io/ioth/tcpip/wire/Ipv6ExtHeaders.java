package io.ioth.tcpip.wire;

import io.netty.buffer.ByteBuf;

/**
 * Walks the IPv6 extension-header chain (RFC 8200 §4) to the upper-layer header: hop-by-hop (0), routing (43),
 * fragment (44) and destination options (60); also AH (51, RFC 4302 §2.2, length in 4-byte units) so that
 * transport headers behind it are found. The walk is bounded ({@link #MAX_HEADERS}) so a crafted chain costs
 * O(1).
 *
 * <pre>
 * generic extension header (RFC 8200 §4.3-4.6):      fragment header (RFC 8200 §4.5), always 8 bytes:
 * +-------------+-------------+------ ...            +-------------+-------------+-----------------+-+-+-+
 * | Next Header | Hdr Ext Len | (Hdr Ext Len+1)*8    | Next Header |  Reserved   | Fragment Offset |Res|M|
 * +-------------+-------------+------ ...            +-------------+-------------+-----------------+-+-+-+
 *                                                    |                  Identification                   |
 *                                                    +---------------------------------------------------+
 * </pre>
 *
 * Results are left in this reusable object (no allocation). Options inside hop-by-hop / destination options are
 * not interpreted (the stack treats unknown-option actions separately if it ever needs to). Not thread-safe.
 */
public final class Ipv6ExtHeaders {
    /** Upper bound on extension headers walked; RFC 8200 §4.1 lists at most 8 kinds, each once (dest opts twice). */
    public static final int MAX_HEADERS = 8;
    public static final int FRAG_HEADER_LEN = 8;

    /** The first non-extension next-header value (e.g. 6, 17, 58, or 59 "no next header"). */
    public int upperProtocol;
    /** Absolute index of the upper-layer header. */
    public int upperOffset;
    /** Bytes from {@link #upperOffset} to the end of the IPv6 payload. */
    public int upperLength;
    public int headerCount;
    public boolean hasFragmentHeader;
    /** Absolute index of the fragment header, when present. */
    public int fragHeaderOffset;
    /** Fragment offset in bytes. */
    public int fragOffset;
    public boolean moreFrags;
    public int fragIdent;
    public boolean hasRoutingHeader;

    /** Walks the chain of a packet that passed {@link Ipv6Packet#checkLen()}. */
    public WireError walk(Ipv6Packet ip) {
        return walk(ip.buffer(), ip.payloadOffset(), ip.payloadLen(), ip.nextHeader());
    }

    /**
     * Walks {@code buf[offset, offset+length)}, whose first header has type {@code nextHeader}.
     * Stops early after a fragment header with a non-zero offset (what follows is not a header).
     */
    public WireError walk(ByteBuf buf, int offset, int length, int nextHeader) {
        hasFragmentHeader = false;
        hasRoutingHeader = false;
        fragOffset = 0;
        moreFrags = false;
        fragIdent = 0;
        fragHeaderOffset = -1;
        headerCount = 0;
        int pos = offset;
        int end = offset + length;
        int nh = nextHeader;
        while (isExtension(nh)) {
            if (headerCount == MAX_HEADERS) {
                return WireError.BAD_EXT_CHAIN;
            }
            // RFC 8200 §4.1: the Hop-by-Hop Options header ... is restricted to appear immediately after an IPv6
            // header.
            if (nh == IpProtocol.HOP_BY_HOP && headerCount > 0) {
                return WireError.BAD_EXT_CHAIN;
            }
            if (end - pos < 8) {
                return WireError.TRUNCATED;
            }
            int hlen;
            if (nh == IpProtocol.IPV6_FRAGMENT) {
                hlen = FRAG_HEADER_LEN;
                if (hasFragmentHeader) {
                    return WireError.BAD_EXT_CHAIN;
                }
                hasFragmentHeader = true;
                fragHeaderOffset = pos;
                int fo = buf.getUnsignedShort(pos + 2);
                fragOffset = fo & 0xfff8;
                moreFrags = (fo & 1) != 0;
                fragIdent = buf.getInt(pos + 4);
            } else if (nh == IpProtocol.AH) {
                hlen = (buf.getUnsignedByte(pos + 1) + 2) * 4;
            } else {
                hlen = (buf.getUnsignedByte(pos + 1) + 1) * 8;
                if (nh == IpProtocol.IPV6_ROUTING) {
                    hasRoutingHeader = true;
                }
            }
            if (end - pos < hlen) {
                return WireError.TRUNCATED;
            }
            nh = buf.getUnsignedByte(pos);
            pos += hlen;
            headerCount++;
            if (hasFragmentHeader && fragOffset != 0) {
                break; // a non-first fragment: the rest is fragment data, not headers
            }
        }
        upperProtocol = nh;
        upperOffset = pos;
        upperLength = end - pos;
        return WireError.OK;
    }

    public static boolean isExtension(int nh) {
        return nh == IpProtocol.HOP_BY_HOP || nh == IpProtocol.IPV6_ROUTING || nh == IpProtocol.IPV6_FRAGMENT
                || nh == IpProtocol.IPV6_DEST_OPTS || nh == IpProtocol.AH;
    }
}
