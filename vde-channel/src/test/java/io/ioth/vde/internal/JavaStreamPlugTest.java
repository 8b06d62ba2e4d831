package io.ioth.vde.internal;

import io.ioth.vde.DropReason;
import io.ioth.vde.PlugListener;
import io.ioth.vde.Vde;
import io.ioth.vde.VdeOptions;
import io.ioth.vde.VdePlug;
import io.ioth.vde.VdePoller;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.util.concurrent.atomic.AtomicReference;

import static io.ioth.vde.internal.StreamFrames.concat;
import static io.ioth.vde.internal.StreamFrames.direct;
import static io.ioth.vde.internal.StreamFrames.frame;
import static io.ioth.vde.internal.StreamFrames.record;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Vde.stream over plain Java streams: reader thread, bounded hand-over, writes on the owner thread. */
class JavaStreamPlugTest {

    @Test
    void framesInBothDirections() throws Exception {
        PipedOutputStream feed = new PipedOutputStream();
        PipedInputStream in = new PipedInputStream(feed, 64 * 1024);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        AtomicReference<Throwable> down = new AtomicReference<>();
        VdeOptions o = VdeOptions.defaults().withQueueLimit(2).withListener(new PlugListener() {
            @Override
            public void onDisconnected(VdePlug plug, Throwable cause) { down.set(cause); }
        });
        StreamFrames.Collector got = new StreamFrames.Collector();
        try (VdePoller poller = new VdePoller(); VdePlug p = Vde.stream(in, wire, o)) {
            poller.add(p);
            assertTrue(p.write(direct(frame(300, 7))));
            p.flush();
            // 6 frames, a runt and a split header; the queue holds 2, so the reader thread must wait for us
            byte[] input = concat(record(frame(14, 0)), record(frame(13, 9)), record(frame(60, 1)), record(frame(1514, 2)),
                    record(frame(9234, 3)), record(frame(100, 4)), record(frame(15, 5)));
            feed.write(input, 0, 1);
            feed.write(input, 1, input.length - 1);
            feed.close();
            StreamFrames.pump(poller, p, got, () -> down.get() != null);
            assertEquals(6, got.frames.size());
            assertArrayEquals(frame(9234, 3), got.frames.get(3));
            assertArrayEquals(frame(15, 5), got.frames.get(5));
            assertEquals(1, p.stats().drops(DropReason.RUNT));
            assertEquals(6, p.stats().framesIn());
            assertFalse(p.isConnected(), "EOF on input is the end of the cable");
            assertFalse(p.write(direct(frame(60, 8))));
            assertEquals(1, p.stats().drops(DropReason.NOT_CONNECTED));
        }
        assertArrayEquals(record(frame(300, 7)), wire.toByteArray(), "01 2c + frame, one record (§2)");
    }

    @Test
    void writesAreRecords() throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        try (PipedOutputStream never = new PipedOutputStream(); VdePlug p = Vde.stream(new PipedInputStream(never), wire, VdeOptions.defaults())) {
            assertTrue(p.write(direct(frame(14, 1))));
            assertFalse(p.write(direct(frame(9235, 1))));
            assertTrue(p.write(direct(frame(9234, 2))));
            p.flush();
            assertArrayEquals(concat(record(frame(14, 1)), record(frame(9234, 2))), wire.toByteArray());
            assertEquals(1, p.stats().drops(DropReason.OVERSIZE));
            assertEquals(2, p.stats().framesOut());
        }
    }
}
