package io.ioth.tcpip.wire;

import io.netty.buffer.ByteBuf;

/**
 * Value of an IPv4 header (smoltcp {@code Ipv4Repr}), including the fragment fields the reassembler needs.
 * Options are skipped on parse and never emitted. Mutable, reusable; not thread-safe.
 */
public final class Ipv4Repr {
    public int src;
    public int dst;
    public int protocol;
    public int payloadLen;
    public int ttl = 64;
    public int tos;
    public int ident;
    public boolean dontFrag;
    public boolean moreFrags;
    /** Fragment offset in bytes. */
    public int fragOffset;
    /** Header length found on parse (with options); emit always writes 20. */
    public int headerLen = Ipv4Packet.HEADER_LEN;

    public Ipv4Repr set(int src, int dst, int protocol, int payloadLen, int ttl) {
        this.src = src;
        this.dst = dst;
        this.protocol = protocol;
        this.payloadLen = payloadLen;
        this.ttl = ttl;
        this.tos = 0;
        this.ident = 0;
        this.dontFrag = false;
        this.moreFrags = false;
        this.fragOffset = 0;
        this.headerLen = Ipv4Packet.HEADER_LEN;
        return this;
    }

    /** Checks lengths, version (RFC 1122 §3.2.1.1) and the header checksum (§3.2.1.2), then fills this. */
    public WireError parse(Ipv4Packet p, ChecksumPolicy policy) {
        WireError e = p.checkLen();
        if (!e.ok()) {
            return e;
        }
        // checkLen guarantees the 20 fixed bytes: read them as three words (three checked reads instead of one per
        // field) and, without options, verify the checksum from the same words (RFC 1071 §2 (B): any grouping)
        final ByteBuf b = p.buffer();
        final int o = p.offset();
        final long w0 = b.getLong(o);              // version/IHL, TOS, total length, identification, flags/offset
        final long w1 = b.getLong(o + Ipv4Packet.TTL); // TTL, protocol, checksum, source
        final int w2 = b.getInt(o + Ipv4Packet.DST);
        if ((int) (w0 >>> 60) != 4) {
            return WireError.BAD_VERSION;
        }
        final int hl = ((int) (w0 >>> 56) & 0x0f) * 4;
        if (policy == ChecksumPolicy.VERIFY) {
            final boolean ok = hl == Ipv4Packet.HEADER_LEN
                    ? Checksum.verifies(Checksum.fold(halves(w0) + halves(w1) + (w2 & 0xffffffffL)))
                    : p.verifyChecksum();
            if (!ok) {
                return WireError.BAD_CHECKSUM;
            }
        }
        final int flagsFrag = (int) w0 & 0xffff;
        src = (int) w1;
        dst = w2;
        protocol = (int) (w1 >>> 48) & 0xff;
        final int total = (int) (w0 >>> 32) & 0xffff;
        payloadLen = total - hl;
        ttl = (int) (w1 >>> 56);
        tos = (int) (w0 >>> 48) & 0xff;
        ident = (int) (w0 >>> 16) & 0xffff;
        dontFrag = (flagsFrag & Ipv4Packet.FLAG_DF) != 0;
        moreFrags = (flagsFrag & Ipv4Packet.FLAG_MF) != 0;
        fragOffset = (flagsFrag & 0x1fff) * 8;
        headerLen = hl;
        return WireError.OK;
    }

    private static long halves(long v) {
        return (v >>> 32) + (v & 0xffffffffL);
    }

    /** Bytes {@link #emit} writes: the 20-byte header (no options). */
    public int bufferLen() {
        return Ipv4Packet.HEADER_LEN;
    }

    /**
     * Writes a 20-byte header with total length {@code 20 + payloadLen} and fills its checksum, computed from the
     * field values (RFC 1071: the sum of the header's 16-bit words; nothing is read back), in three writes.
     */
    public void emit(Ipv4Packet p) {
        final int w0 = 0x4500 | (tos & 0xff);
        final int total = (Ipv4Packet.HEADER_LEN + payloadLen) & 0xffff;
        final int id = ident & 0xffff;
        final int ff = (dontFrag ? Ipv4Packet.FLAG_DF : 0) | (moreFrags ? Ipv4Packet.FLAG_MF : 0)
                | ((fragOffset >>> 3) & 0x1fff);
        final int w4 = (ttl & 0xff) << 8 | (protocol & 0xff);
        final long sum = w0 + total + id + ff + w4 + (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff);
        final int csum = Checksum.finish(Checksum.fold(sum));
        final ByteBuf b = p.buffer();
        final int o = p.offset();
        b.setLong(o, (long) w0 << 48 | (long) total << 32 | (long) id << 16 | ff);
        b.setLong(o + Ipv4Packet.TTL, (long) w4 << 48 | (long) csum << 32 | (src & 0xffffffffL));
        b.setInt(o + Ipv4Packet.DST, dst);
    }

    public int pseudoHeaderSum() {
        return Checksum.pseudoHeaderV4(src, dst, protocol, payloadLen);
    }

    @Override
    public String toString() {
        return "IPv4 " + Ipv4Addr.format(src) + " > " + Ipv4Addr.format(dst) + " proto " + protocol + " len "
                + payloadLen + " ttl " + ttl + " id " + ident + (dontFrag ? " DF" : "") + (moreFrags ? " MF" : "")
                + (fragOffset != 0 ? " off " + fragOffset : "");
    }
}
