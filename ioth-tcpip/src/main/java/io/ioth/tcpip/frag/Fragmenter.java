package io.ioth.tcpip.frag;

import io.ioth.tcpip.wire.IpProtocol;
import io.ioth.tcpip.wire.Ipv4Options;
import io.ioth.tcpip.wire.Ipv4Packet;
import io.ioth.tcpip.wire.Ipv4Repr;
import io.ioth.tcpip.wire.Ipv6ExtHeaders;
import io.ioth.tcpip.wire.Ipv6FragmentChain;
import io.ioth.tcpip.wire.Ipv6FragmentHeader;
import io.ioth.tcpip.wire.Ipv6Packet;
import io.ioth.tcpip.wire.Ipv6Repr;
import io.ioth.tcpip.wire.WireError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

/**
 * Send-side IP fragmentation: splits one IPv4 datagram (RFC 791 §2.3 "Fragmentation", §3.2) or one IPv6 packet
 * (RFC 8200 §4.5) that is larger than an MTU into fragments, each in its own pooled buffer.
 *
 * <p><b>Output.</b> Each fragment is handed to a {@link Sink} as a new buffer from the allocator (ownership passes
 * to the sink, which must release it). Its readable bytes are exactly the IP fragment (header + data); the
 * buffer's first {@code headroom} bytes, before {@code readerIndex()}, are reserved so the caller can prepend its
 * link header without a copy: write the Ethernet header at {@code readerIndex() - 14} and move the reader index back
 * (smoltcp {@code dispatch_ethernet}: size the frame first, emit outer to inner into one buffer). Each byte of the
 * payload is copied once, into the fragment that carries it.
 *
 * <p><b>Layout</b> is Linux's ({@code ip_do_fragment}, {@code ip6_fragment}): every fragment but the last carries
 * the largest multiple of 8 data bytes that fits the MTU; e.g. a 4028-byte IPv4 datagram at MTU 1500 becomes
 * 1480 + 1480 + 1048 data bytes at offsets 0, 1480, 2960, and a 4048-byte IPv6 packet becomes 1448 + 1448 + 1112
 * (1500 - 40 - 8 = 1452, rounded down to 1448). The source buffers are never modified, retained or released.
 *
 * <p><b>Errors</b> are {@link Result} values, never exceptions: {@link Result#DONT_FRAGMENT} means the datagram
 * must not be fragmented; the stack answers with ICMP "fragmentation needed" carrying the MTU (RFC 792, RFC 1191
 * §4) when forwarding, or fails a local send with EMSGSIZE as Linux does ({@code ip_fragment} →
 * {@code icmp_send(ICMP_FRAG_NEEDED)} / {@code -EMSGSIZE}). Nothing is emitted unless the result is
 * {@link Result#FRAGMENTED}.
 *
 * <p><b>Threading:</b> not thread-safe; one instance per stack, used by its event-loop thread. No allocation per
 * call besides the fragment buffers themselves.
 */
public final class Fragmenter {

    /** RFC 791 §3.2: "Every internet module must be able to forward a datagram of 68 octets without further
     * fragmentation" — the smallest MTU IPv4 allows. */
    public static final int MIN_MTU_V4 = 68;
    /** RFC 8200 §5: every link has an MTU of 1280 octets or greater. */
    public static final int MIN_MTU_V6 = 1280;

    /** Outcome of a fragmentation request; each is also counted ({@link #count(Result)}). */
    public enum Result {
        /** Fragments were handed to the sink. */
        FRAGMENTED,
        /** The packet fits the MTU: nothing emitted, send it as it is. */
        NOT_NEEDED,
        /** IPv4 DF set (RFC 791 §3.1 "Don't Fragment"): nothing emitted; answer frag-needed / EMSGSIZE. */
        DONT_FRAGMENT,
        /** The MTU cannot carry the headers plus 8 data bytes (RFC 791 §3.2; RFC 8200 §4.5). */
        MTU_TOO_SMALL,
        /** The input does not parse (lengths, version, IPv4 options, IPv6 extension chain). */
        MALFORMED,
        /** The IPv6 packet already has a Fragment header (a packet is fragmented once, by its source). */
        ALREADY_FRAGMENTED,
        /** RFC 7112 §5 / RFC 8200 §4.5: the first fragment could not hold the whole header chain and the
         * upper-layer header. */
        HEADER_CHAIN_TOO_LONG,
        /** {@link #fragmentV6(Ipv6Repr, ByteBuf, int, Sink)} with a hop-by-hop or routing header in the payload:
         * build the whole packet and use {@link #fragmentV6(ByteBuf, int, int, int, int, Sink)}. */
        UNSUPPORTED
    }

    /** Receives each fragment; it owns the buffer and must release it (normally by transmitting it). */
    @FunctionalInterface
    public interface Sink {
        void onFragment(ByteBuf fragment);
    }

    private static final int SCRATCH_HEADER = 0;
    private static final int SCRATCH_OPTIONS = 64;

    private final ByteBufAllocator alloc;
    private final int headroom;
    private final FragmentIds ids;
    private final long[] counts = new long[Result.values().length];
    private long fragmentsCreated;

    private final Ipv4Packet v4 = new Ipv4Packet();
    private final Ipv6Packet v6 = new Ipv6Packet();
    private final Ipv6FragmentChain chain = new Ipv6FragmentChain();
    private final Ipv6ExtHeaders ext = new Ipv6ExtHeaders();
    private final Ipv6FragmentHeader fragHeader = new Ipv6FragmentHeader();
    /** Heap scratch: an emitted header repr at 0, the copied IPv4 options at 64. Unpooled wrapped array: not
     * reference-tracked, never released. */
    private final ByteBuf scratch = Unpooled.wrappedBuffer(new byte[128]);

    /**
     * @param alloc    where fragment buffers come from (the link's pooled direct allocator)
     * @param headroom bytes reserved before each fragment for the link header (14 for Ethernet, 18 with a VLAN tag)
     * @param ids      Identification source for IPv6 fragments (and for the stack's IPv4 datagrams)
     */
    public Fragmenter(ByteBufAllocator alloc, int headroom, FragmentIds ids) {
        if (headroom < 0 || headroom > 256) {
            throw new IllegalArgumentException("headroom must be 0..256: " + headroom);
        }
        this.alloc = alloc;
        this.headroom = headroom;
        this.ids = ids;
    }

    public FragmentIds ids() {
        return ids;
    }

    public int headroom() {
        return headroom;
    }

    /** How many requests ended with {@code r}. */
    public long count(Result r) {
        return counts[r.ordinal()];
    }

    /** Fragments handed to sinks so far (RFC 2011 {@code ipFragCreates}). */
    public long fragmentsCreated() {
        return fragmentsCreated;
    }

    // ------------------------------------------------------------------------------------------------ IPv4

    /**
     * Fragments the IPv4 datagram {@code packet[offset, offset+length)} (header included; bytes past Total Length
     * are link padding and ignored) for {@code mtu}. Options follow RFC 791 §3.2: the first fragment keeps them
     * all, later fragments only those with the copied flag set ({@link Ipv4Options#copyForFragment}). A datagram
     * that is itself a fragment (forwarding) is split with offsets relative to its own, and its last piece keeps its
     * MF flag (RFC 791 §3.2, "OFO" / "OMF"). The TTL is not touched (forwarding decrements it before).
     *
     * @param mtu the largest IP packet the link carries (e.g. 1500 for Ethernet)
     */
    public Result fragmentV4(ByteBuf packet, int offset, int length, int mtu, Sink out) {
        if (!v4.wrapChecked(packet, offset, length).ok() || v4.version() != 4) {
            return result(Result.MALFORMED);
        }
        int hl = v4.headerLen();
        int total = v4.totalLen();
        if (total <= mtu) {
            return result(Result.NOT_NEEDED);
        }
        if (v4.dontFrag()) {
            return result(Result.DONT_FRAGMENT);
        }
        int copied = Ipv4Options.copyForFragment(packet, v4.optionsOffset(), v4.optionsLength(), scratch,
                SCRATCH_OPTIONS);
        if (copied < 0) {
            return result(Result.MALFORMED);
        }
        return splitV4(packet, offset, hl, copied, v4.payloadOffset(), total - hl, v4.fragOffset(),
                v4.moreFrags(), mtu, packet, out);
    }

    /**
     * Fragments a datagram given as a header value and its payload (the payload's readable bytes, not consumed):
     * the stack's own sends, without building the whole datagram first. {@code header.payloadLen} is ignored (the
     * payload's length is used); the header gets no options, its ident is used as given (pick one with
     * {@link FragmentIds#nextV4}), and its fragment fields are taken as the datagram's own (normally 0 / false).
     * {@code header} is left unchanged.
     */
    public Result fragmentV4(Ipv4Repr header, ByteBuf payload, int mtu, Sink out) {
        int dataLen = payload.readableBytes();
        if (Ipv4Packet.HEADER_LEN + dataLen > 0xffff) {
            return result(Result.MALFORMED);
        }
        if (Ipv4Packet.HEADER_LEN + dataLen <= mtu) {
            return result(Result.NOT_NEEDED);
        }
        if (header.dontFrag) {
            return result(Result.DONT_FRAGMENT);
        }
        int savedLen = header.payloadLen;
        header.payloadLen = dataLen;
        header.emit(v4.wrap(scratch, SCRATCH_HEADER, Ipv4Packet.HEADER_LEN));
        header.payloadLen = savedLen;
        return splitV4(scratch, SCRATCH_HEADER, Ipv4Packet.HEADER_LEN, 0, payload.readerIndex(), dataLen,
                header.fragOffset, header.moreFrags, mtu, payload, out);
    }

    /**
     * @param hdr       buffer holding the original header (with its options) at {@code hdrIndex}
     * @param hl        original header length; later fragments have {@code 20 + copied}
     * @param copied    length of the copied options in {@link #scratch} at {@link #SCRATCH_OPTIONS}
     */
    private Result splitV4(ByteBuf hdr, int hdrIndex, int hl, int copied, int dataIndex, int dataLen, int origOffset,
                           boolean origMore, int mtu, ByteBuf data, Sink out) {
        int hlRest = Ipv4Packet.HEADER_LEN + copied;
        // RFC 791 §3.2: fragments other than the last carry a multiple of 8 data octets; at least 8 must fit.
        if (((mtu - hl) & ~7) < 8) {
            return result(Result.MTU_TOO_SMALL);
        }
        int pos = 0;
        while (pos < dataLen) {
            boolean first = pos == 0;
            int h = first ? hl : hlRest;
            int chunk = Math.min((mtu - h) & ~7, dataLen - pos);
            boolean last = pos + chunk == dataLen;
            ByteBuf f = alloc.directBuffer(headroom + h + chunk);
            try {
                f.setIndex(headroom, headroom);
                if (first) {
                    f.writeBytes(hdr, hdrIndex, hl);
                } else {
                    f.writeBytes(hdr, hdrIndex, Ipv4Packet.HEADER_LEN);
                    f.writeBytes(scratch, SCRATCH_OPTIONS, copied);
                }
                f.writeBytes(data, dataIndex + pos, chunk);
                Ipv4Packet p = v4.wrap(f, headroom, h + chunk);
                p.setVersionAndHeaderLen(h);
                p.setTotalLen(h + chunk);
                // RFC 791 §3.2: MF = 1 on all but the last piece, which keeps the original MF (OMF);
                // offset = OFO + position. DF is clear (we only get here with DF = 0).
                p.setFlagsFrag(false, !last || origMore, origOffset + pos);
                p.fillChecksum();
            } catch (RuntimeException e) {
                f.release();
                throw e;
            }
            fragmentsCreated++;
            out.onFragment(f);
            pos += chunk;
        }
        return result(Result.FRAGMENTED);
    }

    // ------------------------------------------------------------------------------------------------ IPv6

    /**
     * Fragments the IPv6 packet {@code packet[offset, offset+length)} for {@code mtu} with an Identification from
     * {@link FragmentIds#nextV6} (RFC 7739).
     */
    public Result fragmentV6(ByteBuf packet, int offset, int length, int mtu, Sink out) {
        if (!v6.wrapChecked(packet, offset, length).ok() || v6.version() != 6) {
            return result(Result.MALFORMED);
        }
        int ident = Ipv6Packet.HEADER_LEN + v6.payloadLen() <= mtu ? 0
                : ids.nextV6(v6.srcHi(), v6.srcLo(), v6.dstHi(), v6.dstLo());
        return fragmentV6(packet, offset, length, mtu, ident, out);
    }

    /**
     * Fragments the IPv6 packet {@code packet[offset, offset+length)} (which must not have a Fragment header) with
     * the given Identification. RFC 8200 §4.5: each fragment is the Unfragmentable Part (the IPv6 header, plus
     * hop-by-hop and routing headers and what precedes the last routing header), with its last Next Header changed
     * to 44 and its Payload Length to the fragment's, then a Fragment header whose Next Header names the first
     * header of the Fragmentable Part, then the fragment's data; data lengths are multiples of 8 except the last.
     */
    public Result fragmentV6(ByteBuf packet, int offset, int length, int mtu, int ident, Sink out) {
        if (!v6.wrapChecked(packet, offset, length).ok() || v6.version() != 6) {
            return result(Result.MALFORMED);
        }
        int total = Ipv6Packet.HEADER_LEN + v6.payloadLen();
        if (total <= mtu) {
            return result(Result.NOT_NEEDED);
        }
        if (!chain.walk(v6).ok()) {
            return result(Result.MALFORMED);
        }
        if (chain.hasFragmentHeader()) {
            return result(Result.ALREADY_FRAGMENTED);
        }
        int unfragLen = chain.unfragmentableEnd - offset;
        int firstNh = packet.getUnsignedByte(chain.unfragNextHeaderIndex);
        int dataIndex = chain.unfragmentableEnd;
        return splitV6(packet, offset, unfragLen, chain.unfragNextHeaderIndex - offset, firstNh, packet, dataIndex,
                offset + total - dataIndex, mtu, ident, out);
    }

    /**
     * Fragments a packet given as a fixed-header value and the bytes after the fixed header (the payload's readable
     * bytes, not consumed; {@code header.nextHeader} names its first header, {@code header.payloadLen} is ignored).
     * The Identification comes from {@link FragmentIds#nextV6}.
     * The Unfragmentable Part must be the fixed header alone: a payload that starts with a hop-by-hop or routing
     * header gives {@link Result#UNSUPPORTED} (build the packet and use the other overload).
     */
    public Result fragmentV6(Ipv6Repr header, ByteBuf payload, int mtu, Sink out) {
        int ident = Ipv6Packet.HEADER_LEN + payload.readableBytes() <= mtu ? 0
                : ids.nextV6(header.srcHi, header.srcLo, header.dstHi, header.dstLo);
        return fragmentV6(header, payload, mtu, ident, out);
    }

    /** As {@link #fragmentV6(Ipv6Repr, ByteBuf, int, Sink)} with the given Identification. */
    public Result fragmentV6(Ipv6Repr header, ByteBuf payload, int mtu, int ident, Sink out) {
        int dataLen = payload.readableBytes();
        if (dataLen > 0xffff) {
            return result(Result.MALFORMED);
        }
        if (Ipv6Packet.HEADER_LEN + dataLen <= mtu) {
            return result(Result.NOT_NEEDED);
        }
        int nh = header.nextHeader;
        if (nh == IpProtocol.IPV6_FRAGMENT) {
            return result(Result.ALREADY_FRAGMENTED);
        }
        if (nh == IpProtocol.HOP_BY_HOP || nh == IpProtocol.IPV6_ROUTING) {
            return result(Result.UNSUPPORTED);
        }
        header.emit(v6.wrap(scratch, SCRATCH_HEADER, Ipv6Packet.HEADER_LEN));
        return splitV6(scratch, SCRATCH_HEADER, Ipv6Packet.HEADER_LEN, Ipv6Packet.NEXT_HEADER, nh, payload,
                payload.readerIndex(), dataLen, mtu, ident, out);
    }

    /**
     * @param unfragNhRel index, relative to {@code hdrIndex}, of the Next Header field to rewrite to 44
     * @param firstNh     its original value (goes into each Fragment header)
     */
    private Result splitV6(ByteBuf hdr, int hdrIndex, int unfragLen, int unfragNhRel, int firstNh, ByteBuf data,
                           int dataIndex, int dataLen, int mtu, int ident, Sink out) {
        int maxChunk = (mtu - unfragLen - Ipv6FragmentHeader.HEADER_LEN) & ~7;
        if (maxChunk < 8) {
            return result(Result.MTU_TOO_SMALL);
        }
        // RFC 7112 §5 (and RFC 8200 §4.5): "the first fragment MUST include all headers from the IPv6 header up to,
        // and including, the upper-layer header" - otherwise receivers drop it, so refuse to send it.
        WireError e = ext.walk(data, dataIndex, dataLen, firstNh);
        if (e == WireError.BAD_EXT_CHAIN) {
            return result(Result.MALFORMED);
        }
        if (!e.ok()
                || ext.upperOffset - dataIndex + Math.min(ext.upperLength, minUpperHeader(ext.upperProtocol))
                > maxChunk) {
            return result(e.ok() ? Result.HEADER_CHAIN_TOO_LONG : Result.MALFORMED);
        }
        int pos = 0;
        while (pos < dataLen) {
            int chunk = Math.min(maxChunk, dataLen - pos);
            boolean last = pos + chunk == dataLen;
            int len = unfragLen + Ipv6FragmentHeader.HEADER_LEN + chunk;
            ByteBuf f = alloc.directBuffer(headroom + len);
            try {
                f.setIndex(headroom, headroom);
                f.writeBytes(hdr, hdrIndex, unfragLen);
                f.setByte(headroom + unfragNhRel, IpProtocol.IPV6_FRAGMENT);
                fragHeader.wrap(f, headroom + unfragLen, Ipv6FragmentHeader.HEADER_LEN)
                        .emit(firstNh, pos, !last, ident);
                f.writerIndex(headroom + unfragLen + Ipv6FragmentHeader.HEADER_LEN);
                f.writeBytes(data, dataIndex + pos, chunk);
                v6.wrap(f, headroom, len).setPayloadLen(len - Ipv6Packet.HEADER_LEN);
            } catch (RuntimeException ex) {
                f.release();
                throw ex;
            }
            fragmentsCreated++;
            out.onFragment(f);
            pos += chunk;
        }
        return result(Result.FRAGMENTED);
    }

    /**
     * Bytes of the upper-layer header that a first fragment must hold, as Linux checks on receipt
     * ({@code ipv6frag_thdr_truncated}, net/ipv6/reassembly.c): TCP 20, UDP 8, ICMPv6 8, "no next header" 0,
     * anything else 1.
     */
    static int minUpperHeader(int protocol) {
        switch (protocol) {
            case IpProtocol.TCP:
                return 20;
            case IpProtocol.UDP:
            case IpProtocol.ICMPV6:
                return 8;
            case IpProtocol.IPV6_NO_NEXT:
                return 0;
            default:
                return 1;
        }
    }

    private Result result(Result r) {
        counts[r.ordinal()]++;
        return r;
    }
}
