package io.ioth.tcpip.wire;

/**
 * Value of an ICMPv6 message of the kinds the stack handles (RFC 4443 echo and errors, RFC 4861 RS/RA/NS/NA/
 * redirect). The source/target link-layer address options and the MTU option are lifted into fields; prefix
 * information, RDNSS and other options are read with {@link NdiscOption} over the data region.
 * Echo data / an error's invoking packet stays in the buffer ({@link #dataLen}). Mutable, reusable; not
 * thread-safe.
 */
public final class Icmpv6Repr {
    /** Absent link-layer address option. */
    public static final long NO_LL_ADDR = -1L;

    public int type;
    public int code;
    public int ident;
    public int seq;
    /** Packet Too Big MTU, or error pointer. */
    public long mtu;
    public int curHopLimit;
    public int raFlags;
    public int routerLifetime;
    public long reachableTime;
    public long retransTimer;
    public int naFlags;
    public long targetHi;
    public long targetLo;
    public long destHi;
    public long destLo;
    public long sourceLinkAddr = NO_LL_ADDR;
    public long targetLinkAddr = NO_LL_ADDR;
    /** Value of an MTU option, or -1. */
    public long optMtu = -1;
    /** Bytes after the fixed part (options for NDP; echo data; invoking packet for errors). */
    public int dataLen;

    private final NdiscOption opts = new NdiscOption();

    public Icmpv6Repr clear() {
        type = code = ident = seq = curHopLimit = raFlags = routerLifetime = naFlags = dataLen = 0;
        mtu = reachableTime = retransTimer = 0;
        targetHi = targetLo = destHi = destLo = 0;
        sourceLinkAddr = targetLinkAddr = NO_LL_ADDR;
        optMtu = -1;
        return this;
    }

    public Icmpv6Repr echo(boolean request, int ident, int seq, int dataLen) {
        clear();
        this.type = request ? Icmpv6Packet.TYPE_ECHO_REQUEST : Icmpv6Packet.TYPE_ECHO_REPLY;
        this.ident = ident;
        this.seq = seq;
        this.dataLen = dataLen;
        return this;
    }

    public static boolean isNdp(int type) {
        return type >= Icmpv6Packet.TYPE_ROUTER_SOLICIT && type <= Icmpv6Packet.TYPE_REDIRECT;
    }

    /**
     * Verifies the checksum (with the pseudo-header of the enclosing IPv6 packet) and fills this.
     * NDP validity checks of RFC 4861 §6.1.1/§7.1.1/§8.1 that depend only on the message are done here (code 0,
     * fixed length, no zero-length option, NS/NA target not multicast); the IP hop limit 255 check is the
     * caller's (it is not part of the ICMP message).
     */
    public WireError parse(Icmpv6Packet p, long srcHi, long srcLo, long dstHi, long dstLo, ChecksumPolicy policy) {
        clear();
        WireError e = p.checkLen();
        if (!e.ok()) {
            return e;
        }
        if (policy == ChecksumPolicy.VERIFY && !p.verifyChecksum(srcHi, srcLo, dstHi, dstLo)) {
            return WireError.BAD_CHECKSUM;
        }
        type = p.type();
        code = p.code();
        dataLen = p.dataLength();
        switch (type) {
            case Icmpv6Packet.TYPE_ECHO_REQUEST:
            case Icmpv6Packet.TYPE_ECHO_REPLY:
                ident = p.ident();
                seq = p.seq();
                return WireError.OK;
            case Icmpv6Packet.TYPE_DEST_UNREACHABLE:
            case Icmpv6Packet.TYPE_PACKET_TOO_BIG:
            case Icmpv6Packet.TYPE_TIME_EXCEEDED:
            case Icmpv6Packet.TYPE_PARAM_PROBLEM:
                mtu = p.mtu();
                // the invoking packet must at least hold its IPv6 header to be matched to a flow (RFC 4443 §2.4)
                return dataLen < Ipv6Packet.HEADER_LEN ? WireError.TRUNCATED : WireError.OK;
            default:
                break;
        }
        if (!isNdp(type)) {
            return WireError.UNSUPPORTED;
        }
        if (code != 0) {
            return WireError.BAD_FIELD; // RFC 4861 §6.1.1, §7.1.1, §8.1: "ICMP Code is 0"
        }
        switch (type) {
            case Icmpv6Packet.TYPE_ROUTER_ADVERT:
                curHopLimit = p.raCurHopLimit();
                raFlags = p.raFlags();
                routerLifetime = p.raRouterLifetime();
                reachableTime = p.raReachableTime();
                retransTimer = p.raRetransTimer();
                break;
            case Icmpv6Packet.TYPE_NEIGHBOR_ADVERT:
                naFlags = p.naFlags();
                // fall through: target
            case Icmpv6Packet.TYPE_NEIGHBOR_SOLICIT:
                targetHi = p.targetHi();
                targetLo = p.targetLo();
                if (Ipv6Addr.isMulticast(targetHi)) {
                    return WireError.BAD_FIELD; // RFC 4861 §7.1.1: "Target Address is not a multicast address"
                }
                break;
            case Icmpv6Packet.TYPE_REDIRECT:
                targetHi = p.targetHi();
                targetLo = p.targetLo();
                destHi = p.redirectDestHi();
                destLo = p.redirectDestLo();
                break;
            default:
                break;
        }
        opts.reset(p.buffer(), p.dataOffset(), p.dataLength());
        while (opts.next()) {
            if (!opts.wellFormed()) {
                continue;
            }
            switch (opts.type()) {
                case NdiscOption.SOURCE_LL_ADDR:
                    sourceLinkAddr = opts.linkLayerAddr();
                    break;
                case NdiscOption.TARGET_LL_ADDR:
                    targetLinkAddr = opts.linkLayerAddr();
                    break;
                case NdiscOption.MTU:
                    optMtu = opts.mtu();
                    break;
                default:
                    break;
            }
        }
        return opts.error();
    }

    /**
     * Bytes {@link #emit} writes: the fixed part, plus 8 per link-layer option (and 8 for an MTU option) for NDP.
     * Echo data and error payloads ({@link #dataLen}) come after and are the caller's to copy.
     */
    public int bufferLen() {
        int n = Icmpv6Packet.fixedLen(type);
        if (isNdp(type)) {
            n += (sourceLinkAddr != NO_LL_ADDR ? 8 : 0) + (targetLinkAddr != NO_LL_ADDR ? 8 : 0) + (optMtu >= 0 ? 8 : 0);
        }
        return n;
    }

    /**
     * Writes the message into {@code p} (whose length must be {@code bufferLen()} for NDP, or
     * {@code bufferLen() + dataLen} with the data in place for echo/errors) and fills the checksum.
     */
    public void emit(Icmpv6Packet p, long srcHi, long srcLo, long dstHi, long dstLo) {
        p.setType(type);
        p.setCode(code);
        switch (type) {
            case Icmpv6Packet.TYPE_ECHO_REQUEST:
            case Icmpv6Packet.TYPE_ECHO_REPLY:
                p.setWord1(ident << 16 | (seq & 0xffff));
                break;
            case Icmpv6Packet.TYPE_PACKET_TOO_BIG:
            case Icmpv6Packet.TYPE_PARAM_PROBLEM:
                p.setWord1((int) mtu);
                break;
            case Icmpv6Packet.TYPE_ROUTER_ADVERT:
                p.setRaFields(curHopLimit, raFlags, routerLifetime, reachableTime, retransTimer);
                break;
            case Icmpv6Packet.TYPE_NEIGHBOR_ADVERT:
                p.setWord1(naFlags << 24);
                p.setTarget(targetHi, targetLo);
                break;
            case Icmpv6Packet.TYPE_NEIGHBOR_SOLICIT:
                p.setWord1(0);
                p.setTarget(targetHi, targetLo);
                break;
            case Icmpv6Packet.TYPE_REDIRECT:
                p.setWord1(0);
                p.setTarget(targetHi, targetLo);
                p.setRedirectDest(destHi, destLo);
                break;
            default:
                p.setWord1(0); // RS and errors: reserved / unused, zero on transmit
                break;
        }
        if (isNdp(type)) {
            int i = p.offset() + Icmpv6Packet.fixedLen(type);
            if (sourceLinkAddr != NO_LL_ADDR) {
                i += NdiscOption.emitLinkLayerAddr(p.buffer(), i, NdiscOption.SOURCE_LL_ADDR, sourceLinkAddr);
            }
            if (targetLinkAddr != NO_LL_ADDR) {
                i += NdiscOption.emitLinkLayerAddr(p.buffer(), i, NdiscOption.TARGET_LL_ADDR, targetLinkAddr);
            }
            if (optMtu >= 0) {
                NdiscOption.emitMtu(p.buffer(), i, optMtu);
            }
        }
        p.fillChecksum(srcHi, srcLo, dstHi, dstLo);
    }

    @Override
    public String toString() {
        return "ICMPv6 type " + type + " code " + code;
    }
}
