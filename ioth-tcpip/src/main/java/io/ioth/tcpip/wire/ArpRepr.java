package io.ioth.tcpip.wire;

/** Value of an Ethernet/IPv4 ARP packet (RFC 826). Mutable, reusable; not thread-safe. */
public final class ArpRepr {
    public int operation;
    public long senderMac;
    public int senderIp;
    public long targetMac;
    public int targetIp;

    public ArpRepr set(int operation, long senderMac, int senderIp, long targetMac, int targetIp) {
        this.operation = operation;
        this.senderMac = senderMac;
        this.senderIp = senderIp;
        this.targetMac = targetMac;
        this.targetIp = targetIp;
        return this;
    }

    /** RFC 826 "Packet Reception": only hardware type Ethernet and protocol IPv4 are handled; other ops refused. */
    public WireError parse(ArpPacket p) {
        WireError e = p.checkLen();
        if (!e.ok()) {
            return e;
        }
        if (p.htype() != ArpPacket.HTYPE_ETHERNET || p.ptype() != EtherType.IPV4 || p.hlen() != 6 || p.plen() != 4) {
            return WireError.UNSUPPORTED;
        }
        int op = p.oper();
        if (op != ArpPacket.OP_REQUEST && op != ArpPacket.OP_REPLY) {
            return WireError.UNSUPPORTED;
        }
        operation = op;
        senderMac = p.sha();
        senderIp = p.spa();
        targetMac = p.tha();
        targetIp = p.tpa();
        return WireError.OK;
    }

    public int bufferLen() {
        return ArpPacket.HEADER_LEN;
    }

    public void emit(ArpPacket p) {
        p.setHtype(ArpPacket.HTYPE_ETHERNET);
        p.setPtype(EtherType.IPV4);
        p.setHlen(6);
        p.setPlen(4);
        p.setOper(operation);
        p.setSha(senderMac);
        p.setSpa(senderIp);
        p.setTha(targetMac);
        p.setTpa(targetIp);
    }

    @Override
    public String toString() {
        return operation == ArpPacket.OP_REQUEST
                ? "ARP who-has " + Ipv4Addr.format(targetIp) + " tell " + Ipv4Addr.format(senderIp)
                : "ARP reply " + Ipv4Addr.format(senderIp) + " is-at " + MacAddr.format(senderMac);
    }
}
