package io.ioth.tcpip.socket.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.socket.tcp.congestion.CongestionControl;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The sender's loss recovery and congestion control end to end in simulated time (no CPU in the figures): 8 MB one
 * way over {@link SimNet} at 1 Gbit/s with the impairments of the real-peer measurement (LinuxTcpThroughputTest
 * senders(): wirefilter's 1 % loss each way, 20 ms each way, 2 % duplication with reordering), several seeds.
 * Prints the simulated goodput and the sender's counters.
 */
class SenderUnderLossSimTest extends TcpTestBase {
    static final long SIZE = 8_000_000L;

    static final class Result {
        double mbit;
        TcpInfo info;
        String stats;
    }

    static Result run(final String cc, final long seed, final double lossPct, final long oneWayNanos,
                      final double dupPct, final double reorderPct, final long reorderExtraNanos) {
        final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(true, true);
        final SimNet net = new SimNet(seed, alloc, b -> {
            b.receiveBufferSize(6 << 20);
            if (!cc.equals("default")) {
                b.congestionControl(CongestionControl.forName(cc));
            }
        });
        net.loss = lossPct / 100;
        net.duplicate = dupPct / 100;
        net.reorder = reorderPct / 100;
        net.reorderExtraNanos = Math.max(1, reorderExtraNanos);
        net.delayNanos = oneWayNanos;
        net.nanosPerByte = 8;
        final TcpListener l = net.b.tcp.openListener();
        assertEquals(NetError.OK, l.bind(0, SimNet.B_LO, 5001));
        assertEquals(NetError.OK, l.listen(4));
        final TcpSocket c = net.a.tcp.open();
        assertEquals(NetError.OK, c.connect(0, SimNet.B_LO, 5001, net.now));
        final ByteBuf chunk = alloc.directBuffer(1 << 16).writeZero(1 << 16);
        TcpSocket s = null;
        long written = 0;
        long read = 0;
        long t0 = 0;
        boolean shut = false;
        final long traceEvery = Long.getLong("tcp.sim.traceMs", 0) * 1_000_000L;
        long nextTrace = 0;
        final StringBuilder trace = new StringBuilder();
        final TcpInfo ti = new TcpInfo();
        try {
            while (read < SIZE) {
                assertTrue(net.step(), "stalled");
                if (s == null) {
                    s = l.accept();
                }
                if (c.isConnected() && t0 == 0) {
                    t0 = net.now;
                }
                if (traceEvery > 0 && t0 != 0 && net.now >= nextTrace) {
                    nextTrace = net.now + traceEvery;
                    c.info(ti, net.now);
                    trace.append(String.format(" %d:%d/%s%s%s", (net.now - t0) / 1_000_000, ti.cwnd / ti.sndMss,
                            ti.ssthresh > 1 << 28 ? "-" : Integer.toString(ti.ssthresh / ti.sndMss),
                            ti.inRecovery ? "R" : ti.inLossRecovery ? "L" : "", ti.sendQueued / ti.sndMss
                                    < ti.cwnd / ti.sndMss ? "a" : ""));
                }
                while (written < SIZE && c.isConnected() && c.sendSpace() > 0) {
                    final ByteBuf d = chunk.retainedSlice(0, (int) Math.min(chunk.readableBytes(), SIZE - written));
                    final int n = c.send(d);
                    d.release();
                    written += n;
                    if (n == 0) {
                        break;
                    }
                }
                if (written == SIZE && !shut) {
                    c.shutdownOutput(net.now);
                    shut = true;
                }
                if (s != null) {
                    ByteBuf b;
                    while ((b = s.read(1 << 20)) != null) {
                        read += b.readableBytes();
                        b.release();
                    }
                }
                while (net.a.ready.poll() != null) {
                    // hints
                }
                while (net.b.ready.poll() != null) {
                    // hints
                }
                assertTrue(net.now - t0 < 3_600_000_000_000L || t0 == 0, "an hour of simulated time");
            }
            final Result r = new Result();
            r.mbit = SIZE * 8 / ((net.now - t0) / 1e9) / 1e6;
            r.info = c.info(new TcpInfo(), net.now);
            r.stats = net.a.tcp.stats().toString() + (trace.length() > 0 ? "\n   cwnd/ssthresh(segs) by ms:" + trace : "");
            return r;
        } finally {
            chunk.release();
            c.abort(net.now);
            if (s != null) {
                s.abort(net.now);
            }
            net.drain();
            net.a.tcp.close();
            net.b.tcp.close();
        }
    }

    /**
     * The floors (simulated Mbit/s, mean of the seeds) are about 3/4 of what the sender reaches, and far above what
     * it reached before spurious recoveries were undone (reordering: 44) or the send buffer was auto-tuned; at 1 %
     * random loss and 40 ms RTT a loss-based sender is held near the Mathis bound (MSS/RTT * 1.22/sqrt(p): 3.5 Mbit/s
     * for Reno; Linux's CUBIC measures 2.8 on the real path, only BBR does better). At a LAN's 0.1 ms round trip (the
     * benchmarks' ioth-linux-loss1 path) 1 % loss leaves CUBIC ~900 of the 1,000 Mbit/s, without a timeout.
     */
    @ParameterizedTest(name = "{0}: loss {1}%, one-way {2} ms, dup {3}%, reorder {4}% (+{5} ms), at least {6} Mbit/s")
    @CsvSource({"newreno, 1, 0.2, 0, 0, 0, 250", "cubic, 1, 0.2, 0, 0, 0, 350", "cubic, 1, 0.05, 0, 0, 0, 650",
            "newreno, 1, 20, 0, 0, 0, 2.5", "cubic, 1, 20, 0, 0, 0, 3",
            "newreno, 0, 5, 2, 50, 8, 150", "cubic, 0, 5, 2, 50, 8, 150"})
    void goodput(final String cc, final double loss, final double oneWayMs, final double dup, final double reorder,
                 final double extraMs, final double floorMbit) {
        final StringBuilder sb = new StringBuilder();
        double sum = 0;
        final int seeds = Integer.getInteger("tcp.sim.seeds", 2);
        for (long seed = 1; seed <= seeds; seed++) {
            final Result r = run(cc, seed, loss, (long) (oneWayMs * 1e6), dup, reorder, (long) (extraMs * 1e6));
            sum += r.mbit;
            sb.append(String.format("%n  seed %d: %.1f Mbit/s  %s", seed, r.mbit, r.stats));
        }
        System.out.printf("[simsender] %s loss %.1f%% one-way %.1f ms dup %.0f%% reorder %.0f%%: mean %.1f Mbit/s%s%n",
                cc, loss, oneWayMs, dup, reorder, sum / seeds, sb);
        assertTrue(sum / seeds >= floorMbit, String.format("%.1f Mbit/s < %.1f%s", sum / seeds, floorMbit, sb));
    }
}
