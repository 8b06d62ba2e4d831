package io.ioth.tcpip.wire;

/**
 * Value of a TCP segment header with its parsed options (smoltcp {@code TcpRepr}). Sequence numbers are raw
 * {@code int}s: compare them only with sequence-number helpers. Mutable, reusable; not thread-safe.
 */
public final class TcpRepr {
    public int srcPort;
    public int dstPort;
    public int seq;
    public int ack;
    public int flags;
    public int window;
    public int urgent;
    public int payloadLen;
    public final TcpOptions options = new TcpOptions();

    /** Checks lengths, the checksum (RFC 9293 §3.1, pseudo-header given) and the options. */
    public WireError parse(TcpPacket p, int pseudoHeaderSum, ChecksumPolicy policy) {
        WireError e = p.checkLen();
        if (!e.ok()) {
            return e;
        }
        if (policy == ChecksumPolicy.VERIFY && !p.verifyChecksum(pseudoHeaderSum)) {
            return WireError.BAD_CHECKSUM;
        }
        e = options.parse(p.buffer(), p.optionsOffset(), p.optionsLength());
        if (!e.ok()) {
            return e;
        }
        srcPort = p.srcPort();
        dstPort = p.dstPort();
        seq = p.seq();
        ack = p.ack();
        flags = p.flags();
        window = p.window();
        urgent = p.urgent();
        payloadLen = p.payloadLength();
        return WireError.OK;
    }

    /** Header bytes {@link #emit} writes (20 + padded options). */
    public int bufferLen() {
        return TcpPacket.HEADER_LEN + options.bufferLen();
    }

    /**
     * Writes the header and options, then fills the checksum over the header and the {@link #payloadLen} bytes
     * after it (which must be in place). {@code p} must be exactly {@code bufferLen() + payloadLen} long.
     */
    public void emit(TcpPacket p, int pseudoHeaderSum) {
        int hl = bufferLen();
        p.setSrcPort(srcPort);
        p.setDstPort(dstPort);
        p.setSeq(seq);
        p.setAck(ack);
        p.setHeaderLenAndFlags(hl, flags);
        p.setWindow(window);
        p.setUrgent(urgent);
        options.emit(p.buffer(), p.offset() + TcpPacket.HEADER_LEN);
        p.fillChecksum(pseudoHeaderSum);
    }

    @Override
    public String toString() {
        return "TCP " + srcPort + " > " + dstPort + " flags 0x" + Integer.toHexString(flags) + " seq "
                + Integer.toUnsignedString(seq) + " ack " + Integer.toUnsignedString(ack) + " win " + window
                + " len " + payloadLen;
    }
}
