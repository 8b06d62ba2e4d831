package io.ioth.vde.internal;

import io.ioth.vde.DropReason;
import io.netty.buffer.ByteBuf;

/**
 * The 8-byte vxvde header (vde-protocol.md §3; the VXLAN layout of RFC 7348 §5), read and compared
 * as one big-endian {@code long}:
 *
 * <pre>
 *  0      1      2      3      4      5      6      7
 * +------+------+------+------+------+------+------+------+
 * | 0x08 |  00     00     00  |    VNI (24 bit, BE)  |  00  |
 * +------+------+------+------+------+------+------+------+
 * </pre>
 *
 * libvdeplug_vxvde compares all 8 bytes at once with its own header; anything else is dropped.
 */
public final class VxvdeHeader {
    public static final int LENGTH = 8;
    /** Flags byte: the "I" (valid VNI) bit, as libvdeplug_vxvde sets {@code flags = 1 << 3}. */
    public static final int FLAGS = 0x08;
    /** The bytes that must be equal for the header to be well-formed at all (flags and reserved). */
    private static final long NON_VNI_MASK = 0xFFFF_FFFF_0000_00FFL;

    private VxvdeHeader() {}

    /** Our header for {@code vni}, as a big-endian long (byte 0 is the most significant). */
    public static long of(int vni) {
        if (vni < 0 || vni > 0xffffff) throw new IllegalArgumentException("VNI out of range 0..16777215: " + vni);
        return ((long) FLAGS << 56) | ((long) vni << 8);
    }

    public static int vni(long header) { return (int) (header >>> 8) & 0xffffff; }

    /** Reads the 8 bytes at {@code index} (no bounds beyond ByteBuf's own). */
    public static long read(ByteBuf buf, int index) { return buf.getLong(index); }

    /**
     * Why a received header is not ours: {@code null} if it equals {@code ours}, WRONG_VNI if only
     * the VNI bytes differ, BAD_HEADER otherwise.
     */
    public static DropReason mismatch(long received, long ours) {
        if (received == ours) return null;
        return ((received ^ ours) & NON_VNI_MASK) != 0 ? DropReason.BAD_HEADER : DropReason.WRONG_VNI;
    }
}
