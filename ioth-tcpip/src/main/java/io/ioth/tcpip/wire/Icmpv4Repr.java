package io.ioth.tcpip.wire;

/**
 * Value of an ICMPv4 message of the kinds the stack handles: echo request/reply, destination unreachable
 * (including fragmentation needed with the RFC 1191 next-hop MTU) and time exceeded. The data (echo payload, or the
 * invoking datagram of an error) stays in the buffer: {@link #dataLen} says how long it is.
 * Mutable, reusable; not thread-safe.
 */
public final class Icmpv4Repr {
    public int type;
    public int code;
    public int ident;
    public int seq;
    /** Next-hop MTU of a fragmentation-needed message (0 = not given, RFC 1191 §4 old routers). */
    public int mtu;
    public int dataLen;

    public Icmpv4Repr echo(boolean request, int ident, int seq, int dataLen) {
        this.type = request ? Icmpv4Packet.TYPE_ECHO_REQUEST : Icmpv4Packet.TYPE_ECHO_REPLY;
        this.code = 0;
        this.ident = ident;
        this.seq = seq;
        this.mtu = 0;
        this.dataLen = dataLen;
        return this;
    }

    public Icmpv4Repr error(int type, int code, int mtu, int dataLen) {
        this.type = type;
        this.code = code;
        this.ident = 0;
        this.seq = 0;
        this.mtu = mtu;
        this.dataLen = dataLen;
        return this;
    }

    public WireError parse(Icmpv4Packet p, ChecksumPolicy policy) {
        WireError e = p.checkLen();
        if (!e.ok()) {
            return e;
        }
        if (policy == ChecksumPolicy.VERIFY && !p.verifyChecksum()) {
            return WireError.BAD_CHECKSUM;
        }
        type = p.type();
        code = p.code();
        ident = 0;
        seq = 0;
        mtu = 0;
        dataLen = p.dataLength();
        switch (type) {
            case Icmpv4Packet.TYPE_ECHO_REQUEST:
            case Icmpv4Packet.TYPE_ECHO_REPLY:
                if (code != 0) {
                    return WireError.BAD_FIELD;
                }
                ident = p.ident();
                seq = p.seq();
                return WireError.OK;
            case Icmpv4Packet.TYPE_DEST_UNREACHABLE:
            case Icmpv4Packet.TYPE_TIME_EXCEEDED:
                // RFC 792: errors carry "Internet Header + 64 bits of Original Data Datagram"; RFC 1812 §4.3.2.3
                // allows more. Require at least a minimal IPv4 header so the embedded packet can be matched.
                if (dataLen < Ipv4Packet.HEADER_LEN) {
                    return WireError.TRUNCATED;
                }
                if (type == Icmpv4Packet.TYPE_DEST_UNREACHABLE && code == Icmpv4Packet.CODE_FRAG_NEEDED) {
                    mtu = p.nextHopMtu();
                }
                return WireError.OK;
            default:
                return WireError.UNSUPPORTED;
        }
    }

    /** Bytes {@link #emit} writes (header only; the data must already be in place after it). */
    public int bufferLen() {
        return Icmpv4Packet.HEADER_LEN;
    }

    /** Writes the header and fills the checksum over header + the {@link #dataLen} bytes already after it. */
    public void emit(Icmpv4Packet p) {
        p.setType(type);
        p.setCode(code);
        if (type == Icmpv4Packet.TYPE_ECHO_REQUEST || type == Icmpv4Packet.TYPE_ECHO_REPLY) {
            p.setIdent(ident);
            p.setSeq(seq);
        } else {
            p.setRestOfHeader(mtu & 0xffff); // unused bytes are zero (RFC 792)
        }
        p.setChecksum(0);
        p.setChecksum(Checksum.finish(Checksum.sum(p.buffer(), p.offset(), Icmpv4Packet.HEADER_LEN + dataLen, 0)));
    }

    @Override
    public String toString() {
        return "ICMP type " + type + " code " + code + " id " + ident + " seq " + seq + " mtu " + mtu + " len " + dataLen;
    }
}
