package io.ioth.tcpip.wire;

import io.netty.buffer.ByteBuf;

/**
 * Finds, in an IPv6 packet, what fragmentation and reassembly need (RFC 8200 §4.5):
 * <ul>
 *   <li>the end of the <em>Unfragmentable Part</em>: "the IPv6 header plus any extension headers that must be
 *       processed by nodes en route to the destination, that is, all headers up to and including the Routing
 *       header if present, else the Hop-by-Hop Options header if present, else no extension headers", and the
 *       index of the Next Header field that names the first header of the Fragmentable Part (the fragmenter
 *       rewrites it to 44);</li>
 *   <li>a Fragment header, if any, and the index of the Next Header field that names it (the reassembler rewrites
 *       it to the fragment's Next Header).</li>
 * </ul>
 *
 * Walks hop-by-hop (0), routing (43) and destination options (60) headers, stopping at a Fragment header (44) or
 * at anything else; the walk is bounded by {@link Ipv6ExtHeaders#MAX_HEADERS}. Results are absolute indexes into the
 * walked buffer, left in this reusable object (no allocation). Added by helper "frag". Not thread-safe.
 */
public final class Ipv6FragmentChain {
    /** Absolute index of the first byte after the Unfragmentable Part. */
    public int unfragmentableEnd;
    /** Absolute index of the Next Header field naming the first header after the Unfragmentable Part. */
    public int unfragNextHeaderIndex;
    /** Absolute index of the Fragment header, or -1. */
    public int fragmentHeaderOffset;
    /** Absolute index of the Next Header field naming the Fragment header, or -1. */
    public int fragNextHeaderIndex;

    public boolean hasFragmentHeader() {
        return fragmentHeaderOffset >= 0;
    }

    /** Walks a packet that passed {@link Ipv6Packet#checkLen()}. */
    public WireError walk(Ipv6Packet ip) {
        ByteBuf buf = ip.buffer();
        int pos = ip.payloadOffset();
        int end = pos + ip.payloadLen();
        int nhIndex = ip.offset() + Ipv6Packet.NEXT_HEADER;
        int nh = ip.nextHeader();
        unfragmentableEnd = pos;
        unfragNextHeaderIndex = nhIndex;
        fragmentHeaderOffset = -1;
        fragNextHeaderIndex = -1;
        int count = 0;
        while (true) {
            if (nh == IpProtocol.IPV6_FRAGMENT) {
                if (end - pos < Ipv6FragmentHeader.HEADER_LEN) {
                    return WireError.TRUNCATED;
                }
                fragmentHeaderOffset = pos;
                fragNextHeaderIndex = nhIndex;
                return WireError.OK; // what follows a Fragment header belongs to the Fragmentable Part
            }
            if (nh != IpProtocol.HOP_BY_HOP && nh != IpProtocol.IPV6_ROUTING && nh != IpProtocol.IPV6_DEST_OPTS) {
                return WireError.OK;
            }
            if (count == Ipv6ExtHeaders.MAX_HEADERS) {
                return WireError.BAD_EXT_CHAIN;
            }
            // RFC 8200 §4.1: Hop-by-Hop Options "is restricted to appear immediately after an IPv6 header".
            if (nh == IpProtocol.HOP_BY_HOP && count > 0) {
                return WireError.BAD_EXT_CHAIN;
            }
            if (end - pos < 8) {
                return WireError.TRUNCATED;
            }
            int hlen = (buf.getUnsignedByte(pos + 1) + 1) * 8; // RFC 8200 §4.3-4.6: Hdr Ext Len in 8-octet units
            if (end - pos < hlen) {
                return WireError.TRUNCATED;
            }
            if (nh != IpProtocol.IPV6_DEST_OPTS) {
                unfragmentableEnd = pos + hlen;
                unfragNextHeaderIndex = pos; // the Next Header field is the header's first octet
            }
            nhIndex = pos;
            nh = buf.getUnsignedByte(pos);
            pos += hlen;
            count++;
        }
    }
}
