package io.ioth.tcpip.wire;

import io.netty.buffer.ByteBuf;

/**
 * Base of the packet views: a reusable flyweight over {@code buf[offset, offset+length)} (Aeron flyweights,
 * smoltcp {@code Packet<T>}). Views use absolute indexes and never move the buffer's reader/writer indexes, never
 * retain or release it.
 *
 * <p>Contract (smoltcp {@code wire/mod.rs}): {@code wrap} is unchecked; untrusted bytes go through
 * {@code wrapChecked} / {@code checkLen}, and once that returned {@link WireError#OK} no getter of the fixed header
 * can throw. Not thread-safe: one instance per layer per stack, used by the owning loop thread.
 */
public abstract class View {
    protected ByteBuf buf;
    protected int off;
    protected int len;

    protected final void set(ByteBuf buf, int offset, int length) {
        if (offset < 0 || length < 0 || (long) offset + length > buf.capacity()) {
            // programmer error, not wire input: the region itself must lie inside the buffer
            throw new IndexOutOfBoundsException("region " + offset + "+" + length + " outside capacity " + buf.capacity());
        }
        this.buf = buf;
        this.off = offset;
        this.len = length;
    }

    /** Validates the region against this header's length rules. */
    public abstract WireError checkLen();

    public final ByteBuf buffer() {
        return buf;
    }

    /** Absolute index of the first byte of this header. */
    public final int offset() {
        return off;
    }

    /** Length of the region wrapped (header + payload + possibly link padding). */
    public final int length() {
        return len;
    }
}
