package io.ioth.tcpip.socket.tcp;

import io.ioth.tcpip.wire.TcpOptions;
import io.ioth.tcpip.wire.TcpPacket;
import io.ioth.tcpip.wire.TcpRepr;
import io.netty.buffer.ByteBuf;

/**
 * The segment being processed: the parsed header ({@link TcpRepr}), where its payload lies in the received buffer
 * (borrowed for the call: TCP retains slices of what it keeps), and the addresses it came with. One instance per
 * stack, reused for every segment (the loop is single-threaded).
 *
 * <p>Not thread-safe: owner thread.
 */
final class Segment {
    final TcpRepr repr = new TcpRepr();
    long srcHi;
    long srcLo;
    long dstHi;
    long dstLo;
    ByteBuf buf;
    /** Absolute index of the first payload byte in {@link #buf}. */
    int payloadOffset;
    /** Payload length; trimmed to the window during processing. */
    int len;
    /** Sequence number of the first payload byte after trimming (SEG.SEQ, +1 if SYN). */
    int seq;
    boolean fin;

    int flags() {
        return repr.flags;
    }

    boolean syn() {
        return (repr.flags & TcpPacket.SYN) != 0;
    }

    boolean rst() {
        return (repr.flags & TcpPacket.RST) != 0;
    }

    boolean hasAck() {
        return (repr.flags & TcpPacket.ACK_FLAG) != 0;
    }

    TcpOptions options() {
        return repr.options;
    }

    /** SEG.LEN (RFC 9293 §3.4): payload + SYN + FIN, as received. */
    int segLen() {
        return repr.payloadLen + (syn() ? 1 : 0) + ((repr.flags & TcpPacket.FIN) != 0 ? 1 : 0);
    }

    /** Resets the derived fields from the header. */
    void init() {
        seq = repr.seq;
        len = repr.payloadLen;
        fin = (repr.flags & TcpPacket.FIN) != 0;
    }
}
