package io.ioth.vde.internal;

import io.ioth.vde.DropReason;
import io.ioth.vde.PlugListener;
import io.ioth.vde.Vde;
import io.ioth.vde.VdeOptions;
import io.ioth.vde.VdePlug;
import io.ioth.vde.VdePoller;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.ioth.vde.internal.StreamFrames.direct;
import static io.ioth.vde.internal.StreamFrames.frame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** cmd:// stream cables to real child processes (vde-protocol.md §2). */
class CmdPlugTest {

    static int openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count();
        }
    }

    static boolean alive(long pid) {
        return Files.exists(Path.of("/proc/" + pid));
    }

    @Test
    void catEchoesFramesOfEverySize() throws Exception {
        try (VdePlug warm = Vde.open("cmd://cat")) { // loads jnr-posix once, so its fds are not counted below
            assertTrue(warm.isConnected());
        }
        int fdsBefore = openFds();
        int[] sizes = {14, 60, 1514, 9234};
        StreamFrames.Collector got = new StreamFrames.Collector();
        CmdPlug plug;
        try (VdePoller poller = new VdePoller(); CmdPlug p = (CmdPlug) Vde.open("cmd://cat")) {
            plug = p;
            assertTrue(alive(p.pid()));
            poller.add(p);
            for (int i = 0; i < sizes.length; i++) assertTrue(p.write(direct(frame(sizes[i], i))));
            StreamFrames.pump(poller, p, got, () -> got.frames.size() == sizes.length);
            for (int i = 0; i < sizes.length; i++) assertArrayEquals(frame(sizes[i], i), got.frames.get(i), "size " + sizes[i]);
            assertEquals(4, p.stats().framesOut());
            assertEquals(4, p.stats().framesIn());
            assertEquals(14 + 60 + 1514 + 9234, p.stats().bytesIn());
            assertEquals(0, p.stats().totalDrops());
            poller.remove(p);
        }
        assertFalse(alive(plug.pid()), "child reaped (no /proc/PID, so no zombie either)");
        assertEquals(fdsBefore, openFds(), "no descriptor leaked");
        plug.close(); // idempotent
    }

    @Test
    void outOfRangeFramesAreDroppedAndCounted() throws Exception {
        try (VdePlug p = Vde.open("cmd://cat")) {
            assertFalse(p.write(direct(frame(13, 1))));
            assertFalse(p.write(direct(frame(9235, 1))));
            assertEquals(1, p.stats().drops(DropReason.RUNT));
            assertEquals(1, p.stats().drops(DropReason.OVERSIZE));
            assertEquals(0, p.stats().framesOut());
        }
    }

    @Test
    void childExitIsADisconnect() throws Exception {
        AtomicReference<Throwable> cause = new AtomicReference<>();
        VdeOptions o = VdeOptions.defaults().withListener(new PlugListener() {
            @Override
            public void onDisconnected(VdePlug plug, Throwable why) { cause.set(why); }
        });
        try (VdePoller poller = new VdePoller(); CmdPlug p = (CmdPlug) Vde.open("cmd://sh -c 'exit 3'", o)) {
            poller.add(p);
            StreamFrames.pump(poller, p, f -> f.release(), () -> cause.get() != null);
            assertFalse(p.isConnected());
            assertTrue(cause.get().getMessage().contains("exited with status 3"), cause.get().toString());
            assertFalse(alive(p.pid()), "reaped at EOF");
            assertFalse(p.write(direct(frame(60, 1))));
            assertEquals(1, p.stats().drops(DropReason.NOT_CONNECTED));
        }
    }

    @Test
    void commandThatCannotStartThrows() throws Exception {
        int fdsBefore = openFds();
        IOException e = assertThrows(IOException.class, () -> Vde.open("cmd://no-such-command-ioth-" + ProcessHandle.current().pid()));
        assertTrue(e.getMessage().contains("127"), e.getMessage());
        assertEquals(fdsBefore, openFds());
    }

    @Test
    void writeBacklogIsBoundedWhenTheChildDoesNotRead() throws Exception {
        VdeOptions o = VdeOptions.defaults().withQueueLimit(4);
        long pid;
        try (CmdPlug p = (CmdPlug) Vde.open("cmd://sleep 600", o)) {
            pid = p.pid();
            try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
                assertEquals(List.of("0", "1", "2"), fds.map(f -> f.getFileName().toString()).sorted().collect(Collectors.toList()),
                        "the child inherits stdin/stdout (our socket) and stderr, nothing else");
            }
            int accepted = 0;
            // the socket buffers fill (EAGAIN), then 4 frames wait in the backlog, then drops begin
            while (p.stats().drops(DropReason.QUEUE_FULL) == 0) {
                if (p.write(direct(frame(9234, accepted)))) accepted++;
                assertTrue(accepted < 10_000, "the socket never filled up");
            }
            assertEquals(4, p.backlog());
            assertEquals(accepted - 4 - 1, p.stats().framesOut(), "all but the backlog and the partly written record went out");
            p.flush(); // still full: nothing changes, nothing blocks
            assertEquals(4, p.backlog());
        }
        assertFalse(alive(pid), "sleep got SIGTERM and was reaped");
    }
}
