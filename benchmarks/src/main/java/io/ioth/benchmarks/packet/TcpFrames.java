package io.ioth.benchmarks.packet;

import io.ioth.tcpip.wire.Checksum;
import io.ioth.tcpip.wire.EthernetFrame;
import io.ioth.tcpip.wire.IpProtocol;
import io.ioth.tcpip.wire.Ipv4Packet;
import io.ioth.tcpip.wire.TcpPacket;
import io.ioth.tcpip.wire.TcpRepr;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * TCP frames from host A (the peer) to host B (the stack measured) of {@link Frames}, built with the
 * engine's wire layer, and their in-place rewrite. Segments after the handshake carry the
 * timestamp option as Linux sends it ({@code NOP NOP TS}, RFC 7323 appendix A), so a full-size
 * segment at MTU 1500 has {@value #FULL_PAYLOAD} bytes of data in a 1514-byte frame.
 */
final class TcpFrames {
    /** Offset of the TCP header in a frame (Ethernet, IPv4 without options). */
    static final int TCP = EthernetFrame.HEADER_LEN + Ipv4Packet.HEADER_LEN;
    /** TCP header with {@code NOP NOP TS}: 20 + 12 bytes. */
    static final int TS_HEADER_LEN = TcpPacket.HEADER_LEN + 12;
    /** Offsets of the fields {@link #rewrite} changes. */
    static final int SEQ = TCP + TcpPacket.SEQ, ACK = TCP + TcpPacket.ACK, WINDOW = TCP + TcpPacket.WINDOW,
            CHECKSUM = TCP + TcpPacket.CHECKSUM, TS_VAL = TCP + TcpPacket.HEADER_LEN + 4, TS_ECR = TS_VAL + 4;
    /** MSS at MTU 1500 (RFC 9293 §3.7.1: MTU - 40) minus the timestamp option. */
    static final int FULL_PAYLOAD = 1500 - Ipv4Packet.HEADER_LEN - TS_HEADER_LEN;
    /** The window scale both ends offer (Linux's with its default buffers). */
    static final int WSCALE = 7;

    private TcpFrames() {}

    /** The SYN of A: MSS 1460, SACK permitted, timestamps, window scale {@link #WSCALE} (Linux's option set). */
    static ByteBuf syn(int srcPort, int dstPort, int isn, int tsVal) {
        TcpRepr r = new TcpRepr();
        r.options.clear();
        r.options.mss = 1460;
        r.options.sackPermitted = true;
        r.options.hasTimestamp = true;
        r.options.tsVal = tsVal;
        r.options.windowScale = WSCALE;
        return build(r, srcPort, dstPort, isn, 0, TcpPacket.SYN, 65535, 0);
    }

    /**
     * A segment A to B with {@code NOP NOP TS} and {@code payloadLen} bytes of {@link Frames#fill}
     * data, in a pooled direct buffer (a template to {@link #rewrite}).
     */
    static ByteBuf segment(int srcPort, int dstPort, int seq, int ack, int flags, int window, int tsVal, int tsEcr,
                           int payloadLen) {
        TcpRepr r = new TcpRepr();
        r.options.clear();
        r.options.hasTimestamp = true;
        r.options.tsVal = tsVal;
        r.options.tsEcr = tsEcr;
        ByteBuf b = build(r, srcPort, dstPort, seq, ack, flags, window, payloadLen);
        if (b.getInt(TCP + TcpPacket.HEADER_LEN) != 0x0101080a) {
            throw new IllegalStateException("expected NOP NOP TS options");
        }
        return b;
    }

    private static ByteBuf build(TcpRepr r, int srcPort, int dstPort, int seq, int ack, int flags, int window,
                                 int payloadLen) {
        r.srcPort = srcPort;
        r.dstPort = dstPort;
        r.seq = seq;
        r.ack = ack;
        r.flags = flags;
        r.window = window;
        r.payloadLen = payloadLen;
        int tcpLen = r.bufferLen() + payloadLen;
        ByteBuf heap = Frames.ipv4(IpProtocol.TCP, tcpLen);
        Frames.fill(heap, TCP + r.bufferLen(), payloadLen);
        r.emit(new TcpPacket().wrap(heap, TCP, tcpLen),
                Checksum.pseudoHeaderV4(Frames.IP_A, Frames.IP_B, IpProtocol.TCP, tcpLen));
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(heap.readableBytes());
        b.writeBytes(heap);
        return b;
    }

    /**
     * Rewrites sequence number, acknowledgement, window and the timestamp option of a frame made by
     * {@link #segment}, fixing the TCP checksum incrementally (RFC 1624 eqn. 3, per 16-bit word), so
     * the frame stays valid without summing its payload again.
     */
    static void rewrite(ByteBuf f, int seq, int ack, int window, int tsVal, int tsEcr) {
        int c = f.getUnsignedShort(CHECKSUM);
        c = Checksum.update32(c, f.getInt(SEQ), seq);
        c = Checksum.update32(c, f.getInt(ACK), ack);
        c = Checksum.update(c, f.getUnsignedShort(WINDOW), window);
        c = Checksum.update32(c, f.getInt(TS_VAL), tsVal);
        c = Checksum.update32(c, f.getInt(TS_ECR), tsEcr);
        f.setInt(SEQ, seq);
        f.setInt(ACK, ack);
        f.setShort(WINDOW, window);
        f.setInt(TS_VAL, tsVal);
        f.setInt(TS_ECR, tsEcr);
        f.setShort(CHECKSUM, c);
    }
}
