package io.ioth.tcpip.wire;

import io.netty.buffer.ByteBuf;

/**
 * IPv4 option-list helpers (RFC 791 §3.1 "Options"). Options are otherwise skipped, never interpreted
 * (see {@link Ipv4Packet}).
 *
 * <pre>
 * single-octet options:  type 0 End of Option List, type 1 No Operation
 * other options:         +--------+--------+--------...
 *                        |  type  | length | (length - 2) octets; length counts type and length octets
 *                        +--------+--------+--------...
 * option type octet:     +-+-+-+-+-+-+-+-+
 *                        |C| cl|  number |   C = "copied flag": the option is copied into all fragments
 *                        +-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Added by helper "frag" for {@code io.ioth.tcpip.frag.Fragmenter}. Stateless; thread-safe.
 */
public final class Ipv4Options {
    public static final int TYPE_EOL = 0;
    public static final int TYPE_NOP = 1;
    /** The "copied" flag of the option-type octet (RFC 791 §3.1). */
    public static final int COPIED_FLAG = 0x80;

    private Ipv4Options() {
    }

    /**
     * Writes the options that fragments after the first carry: RFC 791 §3.2 ("Fragmentation ... (5) ...
     * selectively copy the internet header options") keeps exactly the options whose copied flag is 1. EOL, NOP
     * and options with the flag clear are dropped; the result is padded with zeros (EOL) to a multiple of 4 octets,
     * as the header length is counted in 32-bit words.
     *
     * @param src       buffer holding the options of the original header
     * @param optIndex  absolute index of the first option octet ({@link Ipv4Packet#optionsOffset()})
     * @param optLength number of option octets ({@link Ipv4Packet#optionsLength()}), 0..40
     * @param dst       where to write, at {@code dstIndex}; needs room for {@code optLength} octets
     * @return octets written (a multiple of 4, at most {@code optLength}), or -1 if an option's length octet is
     *         missing, below 2, or runs past the option area (nothing useful is written then)
     */
    public static int copyForFragment(ByteBuf src, int optIndex, int optLength, ByteBuf dst, int dstIndex) {
        int i = optIndex;
        int end = optIndex + optLength;
        int w = dstIndex;
        while (i < end) {
            int type = src.getUnsignedByte(i);
            if (type == TYPE_EOL) {
                break; // RFC 791: "used at the end of all options, not the end of each option"; rest is padding
            }
            if (type == TYPE_NOP) {
                i++;
                continue;
            }
            if (end - i < 2) {
                return -1;
            }
            int olen = src.getUnsignedByte(i + 1);
            if (olen < 2 || olen > end - i) {
                return -1;
            }
            if ((type & COPIED_FLAG) != 0) {
                dst.setBytes(w, src, i, olen);
                w += olen;
            }
            i += olen;
        }
        int written = w - dstIndex;
        while ((written & 3) != 0) {
            dst.setByte(w++, TYPE_EOL);
            written++;
        }
        return written;
    }

    /**
     * Validates the option list without copying: every option's length octet present, at least 2, inside the area.
     *
     * @return true if well formed
     */
    public static boolean wellFormed(ByteBuf src, int optIndex, int optLength) {
        int i = optIndex;
        int end = optIndex + optLength;
        while (i < end) {
            int type = src.getUnsignedByte(i);
            if (type == TYPE_EOL) {
                return true;
            }
            if (type == TYPE_NOP) {
                i++;
                continue;
            }
            if (end - i < 2) {
                return false;
            }
            int olen = src.getUnsignedByte(i + 1);
            if (olen < 2 || olen > end - i) {
                return false;
            }
            i += olen;
        }
        return true;
    }
}
