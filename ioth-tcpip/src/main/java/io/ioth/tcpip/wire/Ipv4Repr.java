package io.ioth.tcpip.wire;

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
        if (p.version() != 4) {
            return WireError.BAD_VERSION;
        }
        if (policy == ChecksumPolicy.VERIFY && !p.verifyChecksum()) {
            return WireError.BAD_CHECKSUM;
        }
        src = p.src();
        dst = p.dst();
        protocol = p.protocol();
        payloadLen = p.payloadLength();
        ttl = p.ttl();
        tos = p.tos();
        ident = p.ident();
        dontFrag = p.dontFrag();
        moreFrags = p.moreFrags();
        fragOffset = p.fragOffset();
        headerLen = p.headerLen();
        return WireError.OK;
    }

    /** Bytes {@link #emit} writes: the 20-byte header (no options). */
    public int bufferLen() {
        return Ipv4Packet.HEADER_LEN;
    }

    /** Writes a 20-byte header with total length {@code 20 + payloadLen} and fills its checksum. */
    public void emit(Ipv4Packet p) {
        p.setVersionAndHeaderLen(Ipv4Packet.HEADER_LEN);
        p.setTos(tos);
        p.setTotalLen(Ipv4Packet.HEADER_LEN + payloadLen);
        p.setIdent(ident);
        p.setFlagsFrag(dontFrag, moreFrags, fragOffset);
        p.setTtl(ttl);
        p.setProtocol(protocol);
        p.setSrc(src);
        p.setDst(dst);
        p.fillChecksum();
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
