package io.ioth.tcpip.wire;

/**
 * Value of an Ethernet II header (smoltcp {@code EthernetRepr}). Mutable and reusable so the hot path allocates
 * nothing; not thread-safe.
 */
public final class EthernetRepr {
    public long src;
    public long dst;
    public int etherType;
    /** VLAN id, or {@link EthernetFrame#NO_VLAN}. */
    public int vlanId = EthernetFrame.NO_VLAN;
    public int pcp;

    public EthernetRepr set(long src, long dst, int etherType) {
        this.src = src;
        this.dst = dst;
        this.etherType = etherType;
        this.vlanId = EthernetFrame.NO_VLAN;
        this.pcp = 0;
        return this;
    }

    /** Fills this from a frame that passed {@code checkLen()}. */
    public WireError parse(EthernetFrame f) {
        WireError e = f.checkLen();
        if (!e.ok()) {
            return e;
        }
        src = f.src();
        dst = f.dst();
        etherType = f.etherType();
        vlanId = f.vlanId();
        pcp = f.pcp();
        return WireError.OK;
    }

    /** Header bytes {@link #emit} writes: 14, or 18 with a tag. */
    public int bufferLen() {
        return vlanId == EthernetFrame.NO_VLAN ? EthernetFrame.HEADER_LEN : EthernetFrame.TAGGED_HEADER_LEN;
    }

    public void emit(EthernetFrame f) {
        if (vlanId == EthernetFrame.NO_VLAN) {
            // two (overlapping) 8-byte writes: destination + the top of the source, then the source + EtherType
            final io.netty.buffer.ByteBuf b = f.buffer();
            final int o = f.offset();
            b.setLong(o + EthernetFrame.DST, dst << 16 | (src >>> 32) & 0xffff);
            b.setLong(o + EthernetFrame.SRC, src << 16 | (etherType & 0xffff));
        } else {
            f.setDst(dst);
            f.setSrc(src);
            f.setVlanTag(pcp, vlanId, etherType);
        }
    }

    @Override
    public String toString() {
        return "Ethernet " + MacAddr.format(src) + " > " + MacAddr.format(dst) + " type 0x" + Integer.toHexString(etherType)
                + (vlanId == EthernetFrame.NO_VLAN ? "" : " vlan " + vlanId);
    }
}
