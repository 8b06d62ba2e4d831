package io.ioth.tcpip.socket.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ioth.tcpip.iface.NetError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.FastThreadLocalThread;
import org.junit.jupiter.api.Test;

/**
 * A rough CPU figure (not the JMH benchmark issue 4 asks for): how fast two TCP stacks move bytes through the
 * simulated wire on one event-loop-like thread, leak detection off, pooled buffers. The wire adds its own cost
 * (a priority queue of packets), so this is a lower bound of the TCP code's throughput.
 */
class ThroughputProbeTest {
    static final long SIZE = 128L * 1024 * 1024;

    @Test
    void oneWayBulk_cpuThroughput() throws Throwable {
        final Throwable[] failure = new Throwable[1];
        final double[] gbps = new double[1];
        final Thread t = new FastThreadLocalThread(() -> {
            final ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
            try {
                gbps[0] = run();
            } catch (Throwable e) {
                failure[0] = e;
            } finally {
                ResourceLeakDetector.setLevel(level);
            }
        });
        t.start();
        t.join();
        if (failure[0] != null) {
            throw failure[0];
        }
        assertTrue(gbps[0] > 0.1, "Gbit/s " + gbps[0]);
    }

    private static double run() {
        final PooledByteBufAllocator alloc = new PooledByteBufAllocator(true);
        final SimNet net = new SimNet(5, alloc, b -> b.sendBufferSize(4 << 20).receiveBufferSize(4 << 20));
        net.delayNanos = 50_000;
        net.nanosPerByte = 0;
        net.queueLimit = 1 << 20;
        final TcpListener l = net.b.tcp.openListener();
        l.bind(0, SimNet.B_LO, 9);
        l.listen(4);
        final TcpSocket c = net.a.tcp.open();
        assertEquals(NetError.OK, c.connect(0, SimNet.B_LO, 9, net.now));
        final ByteBuf chunk = alloc.directBuffer(256 * 1024).writeZero(256 * 1024);
        TcpSocket s = null;
        long written = 0;
        long read = 0;
        final long t0 = System.nanoTime();
        while (read < SIZE) {
            if (!net.step()) {
                throw new AssertionError("stalled");
            }
            if (s == null) {
                s = l.accept();
            }
            while (written < SIZE && c.isConnected() && c.sendSpace() > 0) {
                final ByteBuf d = chunk.retainedDuplicate();
                final int n = c.send(d);
                d.release();
                written += n;
                if (n == 0) {
                    break;
                }
            }
            if (s != null) {
                ByteBuf b;
                while ((b = s.read(1 << 20)) != null) {
                    read += b.readableBytes();
                    b.release();
                }
            }
            while (net.a.ready.poll() != null) {
                // drain
            }
            while (net.b.ready.poll() != null) {
                // drain
            }
        }
        final double secs = (System.nanoTime() - t0) / 1e9;
        final double gbps = SIZE * 8 / secs / 1e9;
        System.out.printf("stack -> stack over the simulated wire, one thread: %d MiB in %.2f s wall = %.2f Gbit/s"
                + " (%d segments delivered)%n", SIZE >> 20, secs, gbps, net.delivered);
        chunk.release();
        c.abort(net.now);
        s.abort(net.now);
        net.drain();
        net.a.tcp.close();
        net.b.tcp.close();
        return gbps;
    }
}
