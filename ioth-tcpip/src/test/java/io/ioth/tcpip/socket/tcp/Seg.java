package io.ioth.tcpip.socket.tcp;

import io.ioth.tcpip.wire.TcpOptions;
import io.ioth.tcpip.wire.TcpPacket;
import io.ioth.tcpip.wire.TcpRepr;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A TCP segment template for the harness (smoltcp's {@code SEND_TEMPL}/{@code RECV_TEMPL} plus gVisor's checker
 * style): builds segments to inject, and matches segments the stack sent. A field left unset is a wildcard when
 * matching and a default (0, no option) when building. PSH is ignored when matching unless {@link #exactFlags()}.
 */
final class Seg {
    static final int FIN = TcpPacket.FIN;
    static final int SYN = TcpPacket.SYN;
    static final int RST = TcpPacket.RST;
    static final int PSH = TcpPacket.PSH;
    static final int ACK = TcpPacket.ACK_FLAG;

    Integer srcPort;
    Integer dstPort;
    Integer seq;
    Integer ack;
    Integer flags;
    boolean exactFlags;
    Integer window;
    byte[] payload;
    Integer payloadLen;
    Integer mss;
    Integer wscale;
    Boolean sackPerm;
    Integer tsVal;
    Integer tsEcr;
    Boolean hasTs;
    int[] sack;
    boolean noOptions;
    /** Override of the data offset (bad-input tests). */
    Integer rawHeaderLen;
    byte[] rawOptions;

    static Seg seg() {
        return new Seg();
    }

    static Seg flags(final int f) {
        return new Seg().withFlags(f);
    }

    Seg withFlags(final int f) {
        flags = f;
        return this;
    }

    Seg exactFlags() {
        exactFlags = true;
        return this;
    }

    Seg seq(final int v) {
        seq = v;
        return this;
    }

    Seg ack(final int v) {
        ack = v;
        return this;
    }

    Seg win(final int v) {
        window = v;
        return this;
    }

    Seg sport(final int v) {
        srcPort = v;
        return this;
    }

    Seg dport(final int v) {
        dstPort = v;
        return this;
    }

    Seg data(final String s) {
        payload = s.getBytes(StandardCharsets.ISO_8859_1);
        payloadLen = payload.length;
        return this;
    }

    Seg data(final byte[] b) {
        payload = b;
        payloadLen = b.length;
        return this;
    }

    /** n bytes of filler ('a' + offset % 26). */
    Seg len(final int n) {
        payload = filler(n);
        payloadLen = n;
        return this;
    }

    /** Matches any payload of this length. */
    Seg payloadLen(final int n) {
        payloadLen = n;
        return this;
    }

    Seg mss(final int v) {
        mss = v;
        return this;
    }

    Seg ws(final int v) {
        wscale = v;
        return this;
    }

    Seg sackPerm() {
        sackPerm = true;
        return this;
    }

    Seg ts(final int val, final int ecr) {
        hasTs = true;
        tsVal = val;
        tsEcr = ecr;
        return this;
    }

    Seg noTs() {
        hasTs = false;
        return this;
    }

    Seg sack(final int... edges) {
        sack = edges;
        return this;
    }

    Seg noOptions() {
        noOptions = true;
        return this;
    }

    Seg headerLen(final int bytes) {
        rawHeaderLen = bytes;
        return this;
    }

    Seg rawOptions(final byte[] o) {
        rawOptions = o;
        return this;
    }

    static byte[] filler(final int n) {
        final byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ('a' + i % 26);
        }
        return b;
    }

    void fill(final TcpRepr r) {
        r.srcPort = srcPort;
        r.dstPort = dstPort;
        r.seq = seq == null ? 0 : seq;
        r.ack = ack == null ? 0 : ack;
        r.flags = flags == null ? ACK : flags;
        r.window = window == null ? 65535 : window;
        r.urgent = 0;
        r.payloadLen = payload == null ? 0 : payload.length;
        final TcpOptions o = r.options.clear();
        if (mss != null) {
            o.mss = mss;
        }
        if (wscale != null) {
            o.windowScale = wscale;
        }
        if (sackPerm != null) {
            o.sackPermitted = sackPerm;
        }
        if (hasTs != null && hasTs) {
            o.hasTimestamp = true;
            o.tsVal = tsVal;
            o.tsEcr = tsEcr;
        }
        if (sack != null) {
            o.sackBlockCount = sack.length / 2;
            System.arraycopy(sack, 0, o.sackBlocks, 0, sack.length);
        }
    }

    /** Mismatches between this template and a sent segment ("" when it matches). */
    String mismatch(final Sent s) {
        final StringBuilder sb = new StringBuilder();
        final TcpRepr r = s.repr;
        cmp(sb, "sport", srcPort, r.srcPort);
        cmp(sb, "dport", dstPort, r.dstPort);
        cmp(sb, "seq", seq, r.seq);
        cmp(sb, "ack", ack, r.ack);
        if (flags != null) {
            final int mask = exactFlags ? 0xff : ~PSH & 0xff;
            if ((flags & mask) != (r.flags & mask)) {
                sb.append(" flags ").append(flagString(flags)).append("!=").append(flagString(r.flags));
            }
        }
        cmp(sb, "win", window, r.window);
        cmp(sb, "len", payloadLen, r.payloadLen);
        if (payload != null && !Arrays.equals(payload, s.payload)) {
            sb.append(" payload differs");
        }
        final TcpOptions o = r.options;
        cmp(sb, "mss", mss, o.mss);
        cmp(sb, "wscale", wscale, o.windowScale);
        if (sackPerm != null && sackPerm != o.sackPermitted) {
            sb.append(" sackPerm ").append(sackPerm).append("!=").append(o.sackPermitted);
        }
        if (hasTs != null && hasTs != o.hasTimestamp) {
            sb.append(" ts ").append(hasTs).append("!=").append(o.hasTimestamp);
        }
        if (hasTs != null && hasTs) {
            cmp(sb, "tsval", tsVal, o.tsVal);
            cmp(sb, "tsecr", tsEcr, o.tsEcr);
        }
        if (sack != null) {
            final int[] got = Arrays.copyOf(o.sackBlocks, 2 * o.sackBlockCount);
            if (!Arrays.equals(sack, got)) {
                sb.append(" sack ").append(Arrays.toString(sack)).append("!=").append(Arrays.toString(got));
            }
        }
        if (noOptions && o.bufferLen() != 0) {
            sb.append(" has options");
        }
        return sb.toString();
    }

    private static void cmp(final StringBuilder sb, final String what, final Integer want, final int got) {
        if (want != null && want != got) {
            sb.append(' ').append(what).append(' ').append(Integer.toUnsignedString(want)).append("!=")
                    .append(Integer.toUnsignedString(got));
        }
    }

    static String flagString(final int f) {
        final StringBuilder sb = new StringBuilder("[");
        if ((f & SYN) != 0) {
            sb.append('S');
        }
        if ((f & FIN) != 0) {
            sb.append('F');
        }
        if ((f & RST) != 0) {
            sb.append('R');
        }
        if ((f & PSH) != 0) {
            sb.append('P');
        }
        if ((f & ACK) != 0) {
            sb.append('.');
        }
        return sb.append(']').toString();
    }

    @Override
    public String toString() {
        final List<String> p = new ArrayList<>();
        if (flags != null) {
            p.add(flagString(flags));
        }
        if (seq != null) {
            p.add("seq " + Integer.toUnsignedString(seq));
        }
        if (ack != null) {
            p.add("ack " + Integer.toUnsignedString(ack));
        }
        if (window != null) {
            p.add("win " + window);
        }
        if (payloadLen != null) {
            p.add("len " + payloadLen);
        }
        if (mss != null) {
            p.add("mss " + mss);
        }
        if (wscale != null) {
            p.add("ws " + wscale);
        }
        if (hasTs != null) {
            p.add(hasTs ? "ts " + tsVal + "/" + tsEcr : "no-ts");
        }
        if (sack != null) {
            p.add("sack " + Arrays.toString(sack));
        }
        return String.join(" ", p);
    }

    /** A segment the stack sent, parsed. */
    static final class Sent {
        final TcpRepr repr;
        final byte[] payload;
        final long srcLo;
        final long dstLo;
        final long at;

        Sent(final TcpRepr repr, final byte[] payload, final long srcLo, final long dstLo, final long at) {
            this.repr = repr;
            this.payload = payload;
            this.srcLo = srcLo;
            this.dstLo = dstLo;
            this.at = at;
        }

        int seq() {
            return repr.seq;
        }

        int ack() {
            return repr.ack;
        }

        int flags() {
            return repr.flags;
        }

        boolean has(final int f) {
            return (repr.flags & f) == f;
        }

        int len() {
            return repr.payloadLen;
        }

        int window() {
            return repr.window;
        }

        TcpOptions options() {
            return repr.options;
        }

        @Override
        public String toString() {
            final TcpRepr r = repr;
            final TcpOptions o = r.options;
            final StringBuilder sb = new StringBuilder();
            sb.append('@').append((at / 1_000_000L)).append("ms ").append(flagString(r.flags)).append(" seq ")
                    .append(Integer.toUnsignedString(r.seq));
            if ((r.flags & ACK) != 0) {
                sb.append(" ack ").append(Integer.toUnsignedString(r.ack));
            }
            sb.append(" win ").append(r.window).append(" len ").append(r.payloadLen);
            if (o.mss != 0) {
                sb.append(" mss ").append(o.mss);
            }
            if (o.windowScale >= 0) {
                sb.append(" ws ").append(o.windowScale);
            }
            if (o.sackPermitted) {
                sb.append(" sackOK");
            }
            if (o.hasTimestamp) {
                sb.append(" ts ").append(Integer.toUnsignedString(o.tsVal)).append('/')
                        .append(Integer.toUnsignedString(o.tsEcr));
            }
            if (o.sackBlockCount > 0) {
                sb.append(" sack ").append(Arrays.toString(Arrays.copyOf(o.sackBlocks, 2 * o.sackBlockCount)));
            }
            return sb.toString();
        }
    }
}
