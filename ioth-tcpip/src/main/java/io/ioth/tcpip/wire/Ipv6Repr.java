package io.ioth.tcpip.wire;

/** Value of an IPv6 fixed header (smoltcp {@code Ipv6Repr}). Mutable, reusable; not thread-safe. */
public final class Ipv6Repr {
    public long srcHi;
    public long srcLo;
    public long dstHi;
    public long dstLo;
    public int nextHeader;
    public int payloadLen;
    public int hopLimit = 64;
    public int trafficClass;
    public int flowLabel;

    public Ipv6Repr set(long srcHi, long srcLo, long dstHi, long dstLo, int nextHeader, int payloadLen, int hopLimit) {
        this.srcHi = srcHi;
        this.srcLo = srcLo;
        this.dstHi = dstHi;
        this.dstLo = dstLo;
        this.nextHeader = nextHeader;
        this.payloadLen = payloadLen;
        this.hopLimit = hopLimit;
        this.trafficClass = 0;
        this.flowLabel = 0;
        return this;
    }

    public WireError parse(Ipv6Packet p) {
        WireError e = p.checkLen();
        if (!e.ok()) {
            return e;
        }
        if (p.version() != 6) {
            return WireError.BAD_VERSION;
        }
        srcHi = p.srcHi();
        srcLo = p.srcLo();
        dstHi = p.dstHi();
        dstLo = p.dstLo();
        nextHeader = p.nextHeader();
        payloadLen = p.payloadLen();
        hopLimit = p.hopLimit();
        trafficClass = p.trafficClass();
        flowLabel = p.flowLabel();
        return WireError.OK;
    }

    public int bufferLen() {
        return Ipv6Packet.HEADER_LEN;
    }

    public void emit(Ipv6Packet p) {
        // version/traffic class/flow label, payload length, next header and hop limit in one 8-byte write
        final int first = 6 << 28 | (trafficClass & 0xff) << 20 | (flowLabel & 0xfffff);
        p.buffer().setLong(p.offset(), (long) first << 32 | (long) (payloadLen & 0xffff) << 16
                | (nextHeader & 0xff) << 8 | (hopLimit & 0xff));
        p.setSrc(srcHi, srcLo);
        p.setDst(dstHi, dstLo);
    }

    @Override
    public String toString() {
        return "IPv6 " + Ipv6Addr.format(srcHi, srcLo) + " > " + Ipv6Addr.format(dstHi, dstLo) + " nh " + nextHeader
                + " len " + payloadLen + " hlim " + hopLimit;
    }
}
