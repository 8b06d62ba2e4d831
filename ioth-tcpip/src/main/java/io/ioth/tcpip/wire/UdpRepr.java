package io.ioth.tcpip.wire;

/** Value of a UDP header (smoltcp {@code UdpRepr}). Mutable, reusable; not thread-safe. */
public final class UdpRepr {
    public int srcPort;
    public int dstPort;
    public int payloadLen;

    public UdpRepr set(int srcPort, int dstPort, int payloadLen) {
        this.srcPort = srcPort;
        this.dstPort = dstPort;
        this.payloadLen = payloadLen;
        return this;
    }

    /**
     * Checks lengths and the checksum. Zero checksum: accepted over IPv4 ("An all zero transmitted checksum value
     * means that the transmitter generated no checksum", RFC 768), refused over IPv6 ("IPv6 receivers must
     * discard UDP packets containing a zero checksum", RFC 8200 §8.1).
     *
     * @param pseudoHeaderSum partial sum of the pseudo-header with the UDP length as upper-layer length
     */
    public WireError parse(UdpPacket p, int pseudoHeaderSum, boolean ipv6, ChecksumPolicy policy) {
        WireError e = p.checkLen();
        if (!e.ok()) {
            return e;
        }
        if (policy == ChecksumPolicy.VERIFY) {
            if (p.checksum() == 0) {
                if (ipv6) {
                    return WireError.BAD_CHECKSUM;
                }
            } else if (!p.verifyChecksum(pseudoHeaderSum)) {
                return WireError.BAD_CHECKSUM;
            }
        }
        srcPort = p.srcPort();
        dstPort = p.dstPort();
        payloadLen = p.payloadLength();
        return WireError.OK;
    }

    /** Header bytes {@link #emit} writes. */
    public int bufferLen() {
        return UdpPacket.HEADER_LEN;
    }

    /** Writes the header and fills the checksum over the header and the {@link #payloadLen} bytes after it. */
    public void emit(UdpPacket p, int pseudoHeaderSum) {
        p.setSrcPort(srcPort);
        p.setDstPort(dstPort);
        p.setUdpLength(UdpPacket.HEADER_LEN + payloadLen);
        p.fillChecksum(pseudoHeaderSum);
    }

    @Override
    public String toString() {
        return "UDP " + srcPort + " > " + dstPort + " len " + payloadLen;
    }
}
