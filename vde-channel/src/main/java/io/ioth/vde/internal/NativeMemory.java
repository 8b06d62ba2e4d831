package io.ioth.vde.internal;

import io.netty.util.internal.PlatformDependent;

import java.nio.charset.StandardCharsets;

/**
 * A small block of off-heap memory for socket addresses, option values and poll sets. Owned by one
 * thread; freed by {@link #close()}.
 */
public final class NativeMemory implements AutoCloseable {
    private final long address;
    private final int size;
    private boolean freed;

    public NativeMemory(int size) {
        this.size = size;
        this.address = PlatformDependent.allocateMemory(size);
        PlatformDependent.setMemory(address, size, (byte) 0);
    }

    public long address() { return address; }

    public int size() { return size; }

    public void clear() { PlatformDependent.setMemory(address, size, (byte) 0); }

    public void putByte(int off, byte v) { check(off, 1); PlatformDependent.putByte(address + off, v); }

    public byte getByte(int off) { check(off, 1); return PlatformDependent.getByte(address + off); }

    /** Native byte order. */
    public void putShort(int off, short v) { check(off, 2); PlatformDependent.putShort(address + off, v); }

    public short getShort(int off) { check(off, 2); return PlatformDependent.getShort(address + off); }

    /** Native byte order. */
    public void putInt(int off, int v) { check(off, 4); PlatformDependent.putInt(address + off, v); }

    public int getInt(int off) { check(off, 4); return PlatformDependent.getInt(address + off); }

    public void putLong(int off, long v) { check(off, 8); PlatformDependent.putLong(address + off, v); }

    public long getLong(int off) { check(off, 8); return PlatformDependent.getLong(address + off); }

    public void putBytes(int off, byte[] b) {
        check(off, b.length);
        PlatformDependent.copyMemory(b, 0, address + off, b.length);
    }

    public void getBytes(int off, byte[] dst, int len) {
        check(off, len);
        PlatformDependent.copyMemory(address + off, dst, 0, len);
    }

    /** Reads a NUL-terminated (or {@code max}-long) ASCII string. */
    public String getCString(int off, int max) {
        int n = 0;
        while (n < max && getByte(off + n) != 0) n++;
        byte[] b = new byte[n];
        getBytes(off, b, n);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private void check(int off, int len) {
        if (freed) throw new IllegalStateException("freed");
        if (off < 0 || off + len > size) throw new IndexOutOfBoundsException(off + "+" + len + " > " + size);
    }

    @Override
    public void close() {
        if (!freed) {
            freed = true;
            PlatformDependent.freeMemory(address);
        }
    }
}
