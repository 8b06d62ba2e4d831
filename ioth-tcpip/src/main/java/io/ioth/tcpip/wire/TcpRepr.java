package io.ioth.tcpip.wire;

import io.netty.buffer.ByteBuf;

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
        // checkLen guarantees the 20 fixed bytes: three checked reads instead of one (or two) per field
        final ByteBuf b = p.buffer();
        final int o = p.offset();
        final long w0 = b.getLong(o);                    // ports, sequence number
        final long w1 = b.getLong(o + TcpPacket.ACK);    // acknowledgment, data offset, flags, window
        final int w2 = b.getInt(o + TcpPacket.CHECKSUM); // checksum, urgent pointer
        final int hl = ((int) (w1 >>> 28) & 0x0f) * 4;
        e = options.parse(b, o + TcpPacket.HEADER_LEN, hl - TcpPacket.HEADER_LEN);
        if (!e.ok()) {
            return e;
        }
        srcPort = (int) (w0 >>> 48);
        dstPort = (int) (w0 >>> 32) & 0xffff;
        seq = (int) w0;
        ack = (int) (w1 >>> 32);
        flags = (int) (w1 >>> 16) & 0xff;
        window = (int) w1 & 0xffff;
        urgent = w2 & 0xffff;
        payloadLen = p.length() - hl;
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
        final int hl = bufferLen();
        final ByteBuf b = p.buffer();
        final int o = p.offset();
        // the fixed header in three writes (checksum zero), the options, then the checksum over it all
        b.setLong(o, (long) (srcPort & 0xffff) << 48 | (long) (dstPort & 0xffff) << 32 | (seq & 0xffffffffL));
        b.setLong(o + TcpPacket.ACK, (long) ack << 32 | (long) ((hl / 4) << 12 | (flags & 0xff)) << 16
                | (window & 0xffff));
        b.setInt(o + TcpPacket.CHECKSUM, urgent & 0xffff);
        options.emit(b, o + TcpPacket.HEADER_LEN);
        b.setShort(o + TcpPacket.CHECKSUM, Checksum.finish(Checksum.sum(b, o, p.length(), pseudoHeaderSum)));
    }

    @Override
    public String toString() {
        return "TCP " + srcPort + " > " + dstPort + " flags 0x" + Integer.toHexString(flags) + " seq "
                + Integer.toUnsignedString(seq) + " ack " + Integer.toUnsignedString(ack) + " win " + window
                + " len " + payloadLen;
    }
}
