package io.ioth.tcpip.wire;

import io.netty.buffer.ByteBuf;

/**
 * The Internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum of 16-bit words.
 *
 * <p>Usage: accumulate partial sums with {@link #sum}, {@link #pseudoHeaderV4} / {@link #pseudoHeaderV6}, add them
 * with {@link #add}, then {@link #finish} to get the value to store. A region that verifies sums (with its checksum
 * field in place) to {@code 0xffff}, i.e. {@code finish(...) == 0}.
 *
 * <p>{@link #sum} reads 8 bytes at a time and defers the carries (RFC 1071 §2 (C) "deferred carries", §4.1),
 * using absolute indexes: it does not move reader/writer indexes and allocates nothing.
 * A region of odd length is padded with a zero byte at its end (RFC 1071 §4.1), so when chaining regions only the
 * last may have odd length.
 *
 * <p>Stateless; thread-safe.
 */
public final class Checksum {
    private Checksum() {
    }

    /**
     * One's complement sum of {@code buf[offset, offset+length)} as big-endian 16-bit words, plus {@code initial}.
     *
     * @return the folded 16-bit partial sum (not complemented)
     */
    public static int sum(ByteBuf buf, int offset, int length, int initial) {
        long acc = initial & 0xffffffffL;
        int i = offset;
        int end = offset + length;
        // 64-bit reads; adding the two 32-bit halves into a 64-bit accumulator cannot overflow for any ByteBuf
        // length (< 2^31 bytes): each step adds < 2^33.
        for (int last = end - 8; i <= last; i += 8) {
            long v = buf.getLong(i);
            acc += (v >>> 32) + (v & 0xffffffffL);
        }
        if (end - i >= 4) {
            acc += buf.getInt(i) & 0xffffffffL;
            i += 4;
        }
        if (end - i >= 2) {
            acc += buf.getUnsignedShort(i);
            i += 2;
        }
        if (i < end) {
            acc += (buf.getUnsignedByte(i)) << 8; // RFC 1071 §4.1: pad the odd byte with zero on the right
        }
        return fold(acc);
    }

    /** Folds carries until 16 bits remain (end-around carry). */
    public static int fold(long acc) {
        acc = (acc & 0xffffffffL) + (acc >>> 32);
        acc = (acc & 0xffffL) + (acc >>> 16);
        acc = (acc & 0xffffL) + (acc >>> 16);
        acc = (acc & 0xffffL) + (acc >>> 16);
        return (int) acc;
    }

    /** One's complement addition of two partial sums. */
    public static int add(int a, int b) {
        return fold((a & 0xffffffffL) + (b & 0xffffffffL));
    }

    /** The value to put in a checksum field: the complement of the folded sum. */
    public static int finish(int partial) {
        return ~fold(partial & 0xffffffffL) & 0xffff;
    }

    /** True if a region summed with its checksum field in place verifies (sum is all ones, RFC 1071 §1 (3)). */
    public static boolean verifies(int partial) {
        return fold(partial & 0xffffffffL) == 0xffff;
    }

    /**
     * Partial sum of the IPv4 pseudo-header (RFC 768, RFC 9293 §3.1): src, dst, zero, protocol, upper-layer length.
     */
    public static int pseudoHeaderV4(int src, int dst, int protocol, int upperLength) {
        long acc = (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + (upperLength & 0xffff);
        return fold(acc);
    }

    /**
     * Partial sum of the IPv6 pseudo-header (RFC 8200 §8.1): src, dst, 32-bit upper-layer length, zero, next header.
     */
    public static int pseudoHeaderV6(long srcHi, long srcLo, long dstHi, long dstLo, int nextHeader, int upperLength) {
        long acc = halves(srcHi) + halves(srcLo) + halves(dstHi) + halves(dstLo)
                + (upperLength & 0xffffffffL) + nextHeader;
        return fold(acc);
    }

    private static long halves(long v) {
        return (v >>> 32) + (v & 0xffffffffL);
    }

    /**
     * Incremental update (RFC 1624 eqn. 3): {@code HC' = ~(~HC + ~m + m')} when one 16-bit word {@code m} of the
     * covered data changes to {@code m'}. Never yields 0xffff-vs-0 ambiguity problems of eqn. 2 (RFC 1624 §3).
     */
    public static int update(int oldChecksum, int oldWord, int newWord) {
        long acc = (~oldChecksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
        return ~fold(acc) & 0xffff;
    }

    /** Incremental update for a 32-bit field (e.g. an IPv4 address rewritten by NAT), RFC 1624 applied twice. */
    public static int update32(int oldChecksum, int oldValue, int newValue) {
        int c = update(oldChecksum, oldValue >>> 16, newValue >>> 16);
        return update(c, oldValue & 0xffff, newValue & 0xffff);
    }
}
