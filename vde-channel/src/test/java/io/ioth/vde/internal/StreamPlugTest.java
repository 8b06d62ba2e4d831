package io.ioth.vde.internal;

import io.ioth.vde.VdeOptions;
import io.ioth.vde.Vnl;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.ioth.vde.internal.StreamFrames.concat;
import static io.ioth.vde.internal.StreamFrames.frame;
import static io.ioth.vde.internal.StreamFrames.record;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** A stream cable (vde-protocol.md §2) on one end of a socketpair; the test holds the other end. */
class StreamPlugTest {
    private static final LibC C = LibC.INSTANCE;

    /** Three records arrive in one read(2); the handler closes the plug on the first frame. */
    @Test
    void handlerClosingThePlugStopsDelivery() {
        UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(true); // counts what is still allocated
        int[] pair = new int[2];
        try (NativeMemory fds = new NativeMemory(8)) {
            assertEquals(0, C.socketpair(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC, 0,
                    fds.address()));
            pair[0] = fds.getInt(0);
            pair[1] = fds.getInt(4);
        }
        StreamPlug p = new StreamPlug(new Vnl.Cmd("socketpair"), VdeOptions.defaults().withAllocator(alloc),
                pair[0], pair[0], true) {};
        try {
            byte[] wire = concat(record(frame(60, 1)), record(frame(60, 2)), record(frame(60, 3)));
            try (NativeMemory m = new NativeMemory(wire.length)) {
                m.putBytes(0, wire);
                assertEquals(wire.length, C.write(pair[1], m.address(), wire.length));
            }
            List<byte[]> got = new ArrayList<>();
            int n = p.read(f -> {
                got.add(ByteBufUtil.getBytes(f));
                f.release();
                p.close();
            }, 64);
            // before the fix the decoder went on with the rest of the read and handed frames 2 and 3
            // to a handler that had already closed the plug
            assertEquals(1, n);
            assertEquals(1, got.size(), "nothing is delivered after the handler closed the plug");
            assertArrayEquals(frame(60, 1), got.get(0));
            assertFalse(p.isOpen());
            assertEquals(0, alloc.metric().usedDirectMemory(), "read and write buffers released once closed");
        } finally {
            p.close();
            C.close(pair[1]);
        }
    }
}
