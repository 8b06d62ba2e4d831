package io.ioth.tcpip.wire;

import io.netty.buffer.ByteBuf;

/**
 * The TCP options the stack uses, parsed into fields: MSS (RFC 9293 §3.2), window scale (RFC 7323 §2),
 * SACK-permitted and SACK blocks (RFC 2018), timestamps (RFC 7323 §3). Mutable, reusable; not thread-safe.
 *
 * <pre>
 * kind 0 EOL | kind 1 NOP | kind 2 len 4 MSS(2) | kind 3 len 3 shift(1) | kind 4 len 2 |
 * kind 5 len 2+8n (n = 1..4) left/right edges | kind 8 len 10 TSval(4) TSecr(4) | other kinds: len >= 2, skipped
 * </pre>
 *
 * An option whose length byte is missing, below 2, or runs past the option area makes the whole option list
 * malformed ({@link WireError#MALFORMED_OPTION}). A known kind with the wrong length is ignored, as Linux
 * {@code tcp_parse_options} does ("if (opsize == TCPOLEN_MSS ...)").
 */
public final class TcpOptions {
    public static final int KIND_EOL = 0;
    public static final int KIND_NOP = 1;
    public static final int KIND_MSS = 2;
    public static final int KIND_WSCALE = 3;
    public static final int KIND_SACK_PERMITTED = 4;
    public static final int KIND_SACK = 5;
    public static final int KIND_TIMESTAMP = 8;
    public static final int MAX_SACK_BLOCKS = 4;
    /** RFC 7323 §2.3: shift counts above 14 are treated as 14. */
    public static final int MAX_WSCALE = 14;
    /** NOP, NOP, kind 8 length 10: the 4 bytes before TSval in the usual layout (RFC 7323 Appendix A). */
    private static final int NOP_NOP_TS = KIND_NOP << 24 | KIND_NOP << 16 | KIND_TIMESTAMP << 8 | 10;

    /** 0 = absent. */
    public int mss;
    /** -1 = absent. */
    public int windowScale = -1;
    public boolean sackPermitted;
    public int sackBlockCount;
    /** left/right edge pairs: sackBlocks[2i], sackBlocks[2i+1]. */
    public final int[] sackBlocks = new int[2 * MAX_SACK_BLOCKS];
    public boolean hasTimestamp;
    public int tsVal;
    public int tsEcr;

    public TcpOptions clear() {
        mss = 0;
        windowScale = -1;
        sackPermitted = false;
        sackBlockCount = 0;
        hasTimestamp = false;
        tsVal = 0;
        tsEcr = 0;
        return this;
    }

    /** Parses {@code buf[offset, offset+length)}, never reading outside it. */
    public WireError parse(ByteBuf buf, int offset, int length) {
        clear();
        if (length == 12 && buf.getInt(offset) == NOP_NOP_TS) {
            // the options of nearly every segment with timestamps: NOP NOP TS (RFC 7323 Appendix A layout)
            hasTimestamp = true;
            tsVal = buf.getInt(offset + 4);
            tsEcr = buf.getInt(offset + 8);
            return WireError.OK;
        }
        int i = offset;
        int end = offset + length;
        while (i < end) {
            int kind = buf.getUnsignedByte(i);
            if (kind == KIND_EOL) {
                break;
            }
            if (kind == KIND_NOP) {
                i++;
                continue;
            }
            if (end - i < 2) {
                return WireError.MALFORMED_OPTION;
            }
            int olen = buf.getUnsignedByte(i + 1);
            if (olen < 2 || olen > end - i) {
                return WireError.MALFORMED_OPTION;
            }
            switch (kind) {
                case KIND_MSS:
                    if (olen == 4) {
                        mss = buf.getUnsignedShort(i + 2);
                    }
                    break;
                case KIND_WSCALE:
                    if (olen == 3) {
                        windowScale = Math.min(buf.getUnsignedByte(i + 2), MAX_WSCALE);
                    }
                    break;
                case KIND_SACK_PERMITTED:
                    if (olen == 2) {
                        sackPermitted = true;
                    }
                    break;
                case KIND_SACK:
                    if (olen >= 10 && (olen - 2) % 8 == 0) {
                        int n = Math.min((olen - 2) / 8, MAX_SACK_BLOCKS);
                        for (int k = 0; k < n; k++) {
                            sackBlocks[2 * k] = buf.getInt(i + 2 + 8 * k);
                            sackBlocks[2 * k + 1] = buf.getInt(i + 6 + 8 * k);
                        }
                        sackBlockCount = n;
                    }
                    break;
                case KIND_TIMESTAMP:
                    if (olen == 10) {
                        hasTimestamp = true;
                        tsVal = buf.getInt(i + 2);
                        tsEcr = buf.getInt(i + 6);
                    }
                    break;
                default:
                    break; // unknown kinds are skipped (RFC 9293 §3.2: "must be prepared to handle an illegal option length")
            }
            i += olen;
        }
        return WireError.OK;
    }

    /** Bytes {@link #emit} writes, padded with NOPs to a multiple of 4. */
    public int bufferLen() {
        int n = rawLen();
        return (n + 3) & ~3;
    }

    private int rawLen() {
        int n = 0;
        if (mss != 0) {
            n += 4;
        }
        if (hasTimestamp) {
            n += 12; // (SACK-perm | NOP NOP) + TS
        } else if (sackPermitted) {
            n += 4; // NOP NOP SACK-perm
        }
        if (windowScale >= 0) {
            n += 4; // NOP WS
        }
        if (sackBlockCount > 0) {
            n += 4 + 8 * sackBlockCount; // NOP NOP SACK
        }
        return n;
    }

    /** Writes the options at {@code index} in the order Linux uses (MSS, SACK-perm/TS, NOP+WS, SACK). @return bytes written
     * (the caller keeps the total within 40 bytes: RFC 9293 §3.1 data offset is at most 15 words) */
    public int emit(ByteBuf buf, int index) {
        // each option (with its NOP padding) is written as 32-bit words: kind, length and value bytes together
        int i = index;
        if (mss != 0) {
            buf.setInt(i, KIND_MSS << 24 | 4 << 16 | (mss & 0xffff));
            i += 4;
        }
        if (hasTimestamp) {
            buf.setInt(i, sackPermitted ? KIND_SACK_PERMITTED << 24 | 2 << 16 | KIND_TIMESTAMP << 8 | 10 : NOP_NOP_TS);
            buf.setInt(i + 4, tsVal);
            buf.setInt(i + 8, tsEcr);
            i += 12;
        } else if (sackPermitted) {
            buf.setInt(i, KIND_NOP << 24 | KIND_NOP << 16 | KIND_SACK_PERMITTED << 8 | 2);
            i += 4;
        }
        if (windowScale >= 0) {
            buf.setInt(i, KIND_NOP << 24 | KIND_WSCALE << 16 | 3 << 8 | (windowScale & 0xff));
            i += 4;
        }
        if (sackBlockCount > 0) {
            buf.setInt(i, KIND_NOP << 24 | KIND_NOP << 16 | KIND_SACK << 8 | ((2 + 8 * sackBlockCount) & 0xff));
            i += 4;
            for (int k = 0; k < sackBlockCount; k++) {
                buf.setInt(i, sackBlocks[2 * k]);
                buf.setInt(i + 4, sackBlocks[2 * k + 1]);
                i += 8;
            }
        }
        while (((i - index) & 3) != 0) {
            buf.setByte(i++, KIND_NOP);
        }
        return i - index;
    }
}
