package io.ioth.tcpip.socket.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.socket.tcp.congestion.CongestionControl;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.security.MessageDigest;
import java.util.SplittableRandom;

/**
 * Two stacks back to back over a seeded lossy link in simulated time: 20 MB each way at once, byte-exact (SHA-256
 * of what was written against what was read), at 0 %, 2 % and 10 % loss, with reordering and duplication, with
 * NewReno and with CUBIC (SACK-based recovery, RFC 6675 with PRR, in both; receive buffers auto-tuned). Buffers
 * come from an untracked allocator whose direct-memory counter must return to 0 at the end: the same leak check as
 * paranoid detection, without its per-access cost on ~100k segments.
 */
class BulkTransferTest extends TcpTestBase {
    static final int SIZE = 20 * 1024 * 1024;

    /** One direction of the application: writes SIZE seeded bytes, hashing them; reads and hashes the other. */
    static final class App {
        final TcpSocket s;
        final SplittableRandom gen;
        final MessageDigest sent;
        final MessageDigest received;
        long written;
        long read;
        ByteBuf chunk;
        boolean shut;
        boolean eof;

        App(final TcpSocket s, final long seed) throws Exception {
            this.s = s;
            this.gen = new SplittableRandom(seed);
            this.sent = MessageDigest.getInstance("SHA-256");
            this.received = MessageDigest.getInstance("SHA-256");
        }

        void pump(final SimNet net) {
            if (s.state() == TcpState.SYN_SENT || s.state() == TcpState.SYN_RECEIVED) {
                return;
            }
            while (!shut && s.sendSpace() > 0) {
                if (chunk == null || !chunk.isReadable()) {
                    if (chunk != null) {
                        chunk.release();
                        chunk = null;
                    }
                    if (written == SIZE) {
                        s.shutdownOutput(net.now);
                        shut = true;
                        break;
                    }
                    final int n = (int) Math.min(1 + gen.nextInt(64 * 1024), SIZE - written);
                    final byte[] bytes = new byte[n];
                    gen.nextBytes(bytes);
                    sent.update(bytes);
                    written += n;
                    chunk = net.alloc.directBuffer(n).writeBytes(bytes);
                }
                final int r = s.send(chunk);
                assertTrue(r >= 0, () -> "send failed: " + NetError.name(r) + " " + s);
                if (r == 0) {
                    break;
                }
            }
            ByteBuf b;
            while ((b = s.read(1 << 16)) != null) {
                read += b.readableBytes();
                received.update(b.nioBuffer());
                b.release();
            }
            if (s.isInputShutdown()) {
                eof = true;
            }
        }

        void release() {
            if (chunk != null) {
                chunk.release();
                chunk = null;
            }
        }
    }

    @ParameterizedTest(name = "{0}: loss {1}%, dup {2}%, reorder {3}%")
    @CsvSource({"newreno, 0, 0, 0", "newreno, 2, 1, 2", "newreno, 10, 2, 5",
            "cubic, 0, 0, 0", "cubic, 2, 1, 2", "cubic, 10, 2, 5"})
    void twentyMegabytesEachWay_byteExact(final String cc, final double lossPct, final double dupPct,
                                          final double reorderPct) throws Exception {
        final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(true, true);
        final SimNet net = new SimNet(42 + (long) lossPct, alloc, b -> b.sendBufferSize(512 * 1024)
                .receiveBufferSize(1024 * 1024).congestionControl(CongestionControl.forName(cc)));
        net.loss = lossPct / 100;
        net.duplicate = dupPct / 100;
        net.reorder = reorderPct / 100;
        net.traceSize = Integer.getInteger("tcp.trace", 0);
        final TcpListener l = net.b.tcp.openListener();
        assertEquals(NetError.OK, l.bind(0, SimNet.B_LO, 5001));
        assertEquals(NetError.OK, l.listen(16));
        final TcpSocket c = net.a.tcp.open();
        assertEquals(NetError.OK, c.connect(0, SimNet.B_LO, 5001, net.now));
        final App client = new App(c, 1);
        App server = null;
        final long start = net.now;
        final long wallStart = System.nanoTime();
        int steps = 0;
        while (true) {
            if (!net.step()) {
                break;
            }
            steps++;
            if (server == null) {
                final TcpSocket s = l.accept();
                if (s != null) {
                    server = new App(s, 2);
                }
            }
            client.pump(net);
            if (server != null) {
                server.pump(net);
            }
            while (net.a.ready.poll() != null) {
                // events are hints; the pumps poll the sockets
            }
            while (net.b.ready.poll() != null) {
                // same
            }
            if (client.eof && server != null && server.eof && client.shut && server.shut
                    && c.sendQueued() == 0 && server.s.sendQueued() == 0) {
                break;
            }
            if (net.now - start > 3_600_000_000_000L) {
                throw new AssertionError("no progress after an hour of simulated time: " + c + " / "
                        + (server == null ? null : server.s));
            }
        }
        assertNotNull(server, "accepted");
        final TcpInfo ci = c.info(new TcpInfo(), net.now);
        final TcpInfo si = server.s.info(new TcpInfo(), net.now);
        final double simSeconds = (net.now - start) / 1e9;
        System.out.printf("%s loss %.0f%%: %.1f s simulated, %.1f s wall, %d steps, %d delivered, %d dropped, %d dup;"
                        + " goodput %.1f Mbit/s each way%n  client %s%n  server %s%n", cc, lossPct, simSeconds,
                (System.nanoTime() - wallStart) / 1e9, steps, net.delivered, net.dropped, net.duplicated,
                SIZE * 8 / simSeconds / 1e6, ci, si);
        System.out.println("  A: " + net.a.tcp.stats() + "\n  B: " + net.b.tcp.stats() + "\n  client err "
                + NetError.name(c.error()) + " server err " + NetError.name(server.s.error()));
        if (client.read != SIZE || server.read != SIZE) {
            for (String t : net.trace) {
                System.out.println(t);
            }
        }
        assertEquals(SIZE, client.read, "client received everything");
        assertEquals(SIZE, server.read, "server received everything");
        assertArrayEquals(client.sent.digest(), server.received.digest(), "client -> server byte-exact");
        assertArrayEquals(server.sent.digest(), client.received.digest(), "server -> client byte-exact");
        // close both ends and let TIME-WAIT run out
        c.close(net.now);
        server.s.close(net.now);
        client.release();
        server.release();
        while (net.step()) {
            // FIN exchange, TIME-WAIT
        }
        assertEquals(TcpState.CLOSED, c.state());
        assertEquals(TcpState.CLOSED, server.s.state());
        assertEquals(0, net.a.tcp.connections() + net.b.tcp.connections());
        l.close(net.now);
        net.drain();
        net.a.tcp.close();
        net.b.tcp.close();
        assertEquals(0, alloc.metric().usedDirectMemory(), "every buffer was released");
    }
}
