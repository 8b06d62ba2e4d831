package io.ioth.tcpip.wire;

import io.netty.buffer.ByteBuf;
import io.netty.util.IllegalReferenceCountException;
import io.netty.util.internal.PlatformDependent;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

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
 * <p>Buffers with a memory address (direct) or a backing array (heap) are read in the machine's byte order, without
 * {@code ByteBuf}'s per-read checks, and the sum is byte-swapped once at the end on a little-endian machine
 * (RFC 1071 §2 (B), byte-order independence); the range and the reference count are checked once per call, so the
 * exceptions are the same as {@code ByteBuf.getLong}'s. Other buffers (e.g. a composite of several components) are
 * read through {@code ByteBuf.getLong}.
 *
 * <p>Stateless; thread-safe.
 */
public final class Checksum {
    /** RFC 1071 §2 (B): words summed in native order give the byte-swapped sum on a little-endian machine. */
    private static final boolean BIG_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN;
    /** Reading at a raw address needs Unsafe, and unaligned 8-byte loads (any offset may be odd). */
    private static final boolean ADDRESS_READS = PlatformDependent.hasUnsafe() && PlatformDependent.isUnaligned();
    // Plain-mode byte-array views work at any alignment (MethodHandles.byteArrayViewVarHandle) and are bounds-checked.
    private static final VarHandle LONGS = arrayView(long[].class);
    private static final VarHandle INTS = arrayView(int[].class);
    private static final VarHandle SHORTS = arrayView(short[].class);
    /**
     * Shorter regions (an IPv4 header's 20 bytes) go through {@code ByteBuf.getLong}: its few checked reads cost no
     * more than the fast paths' per-call checks (measured: 1 ns slower at 16 bytes, a wash at 20-48, faster from 64).
     */
    private static final int MIN_FAST = 32;

    private Checksum() {
    }

    private static VarHandle arrayView(Class<?> arrayClass) {
        return MethodHandles.byteArrayViewVarHandle(arrayClass, ByteOrder.nativeOrder());
    }

    /**
     * One's complement sum of {@code buf[offset, offset+length)} as big-endian 16-bit words, plus {@code initial}.
     *
     * @return the folded 16-bit partial sum (not complemented)
     * @throws IndexOutOfBoundsException if the region is outside the buffer's capacity
     * @throws IllegalReferenceCountException if the buffer was released
     */
    public static int sum(ByteBuf buf, int offset, int length, int initial) {
        if (length >= MIN_FAST) {
            checkRegion(buf, offset, length);
            if (ADDRESS_READS && buf.hasMemoryAddress()) {
                return fold(toBigEndian(sumAddress(buf.memoryAddress() + offset, length)) + (initial & 0xffffffffL));
            }
            if (buf.hasArray()) {
                long acc = sumArray(buf.array(), buf.arrayOffset() + offset, length);
                return fold(toBigEndian(acc) + (initial & 0xffffffffL));
            }
        }
        return sumIndexed(buf, offset, length, initial);
    }

    /**
     * The checks {@code ByteBuf.getLong} makes (AbstractByteBuf.checkIndex: accessible, then in range), once for the
     * whole region: the raw reads make none. {@code offset > capacity - length} cannot overflow, unlike {@code end}.
     */
    private static void checkRegion(ByteBuf buf, int offset, int length) {
        if (buf.refCnt() == 0) {
            throw new IllegalReferenceCountException(0); // released: its memory may be freed or reused
        }
        if (offset < 0 || offset > buf.capacity() - length) {
            throw new IndexOutOfBoundsException(
                    "offset: " + offset + ", length: " + length + " (expected: range(0, " + buf.capacity() + "))");
        }
    }

    /**
     * RFC 1071 §2 (B): a sum of native-order words is the byte-swapped sum on a little-endian machine. Swapping the
     * bytes of a 16-bit word is multiplying it by 2^8 modulo 2^16 - 1 (2^16 = 1 there), so instead of folding and
     * swapping, shift the half-folded sum (< 2^33) left by 8: {@link #fold} of the result is the big-endian sum.
     */
    private static long toBigEndian(long nativeSum) {
        return BIG_ENDIAN ? nativeSum : ((nativeSum & 0xffffffffL) + (nativeSum >>> 32)) << 8;
    }

    /**
     * Unfolded sum of {@code length} bytes at {@code address} as native-order 16-bit words. One accumulator: two or
     * four independent ones (and 32-bit reads, and 64-bit adds with carry detection) measured slower with C2 on JDK 17.
     * Adding the two 32-bit halves of each 8 bytes into 64 bits cannot overflow below 2^31 bytes (each step < 2^33).
     */
    private static long sumAddress(long address, int length) {
        long a = address;
        long acc = 0;
        for (long end = a + (length & ~7); a < end; a += 8) {
            long v = PlatformDependent.getLong(a);
            acc += (v >>> 32) + (v & 0xffffffffL);
        }
        if ((length & 4) != 0) {
            acc += PlatformDependent.getInt(a) & 0xffffffffL;
            a += 4;
        }
        if ((length & 2) != 0) {
            acc += PlatformDependent.getShort(a) & 0xffffL;
            a += 2;
        }
        if ((length & 1) != 0) {
            acc += oddByte(PlatformDependent.getByte(a));
        }
        return acc;
    }

    /** {@link #sumAddress} over {@code array[index, index+length)}. */
    private static long sumArray(byte[] array, int index, int length) {
        int i = index;
        long acc = 0;
        for (int last = index + length - 8; i <= last; i += 8) {
            long v = (long) LONGS.get(array, i);
            acc += (v >>> 32) + (v & 0xffffffffL);
        }
        if ((length & 4) != 0) {
            acc += (int) INTS.get(array, i) & 0xffffffffL;
            i += 4;
        }
        if ((length & 2) != 0) {
            acc += (short) SHORTS.get(array, i) & 0xffffL;
            i += 2;
        }
        if ((length & 1) != 0) {
            acc += oddByte(array[i]);
        }
        return acc;
    }

    /** RFC 1071 §4.1: the odd last byte padded with zero on the right, {@code b << 8}, as a native-order word. */
    private static int oddByte(byte b) {
        return BIG_ENDIAN ? (b & 0xff) << 8 : b & 0xff;
    }

    /** {@link #sum} through {@code ByteBuf} reads: any buffer, e.g. a composite of several components. */
    private static int sumIndexed(ByteBuf buf, int offset, int length, int initial) {
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
