package io.ioth.benchmarks.engine;

import io.ioth.benchmarks.Op;
import io.ioth.tcpip.Stack;
import io.ioth.tcpip.iface.NetInterface;
import io.ioth.tcpip.iface.StackConfig;
import io.ioth.tcpip.link.PipeLink;
import io.ioth.tcpip.socket.StackSocket;
import io.ioth.tcpip.socket.tcp.TcpConfig;
import io.ioth.tcpip.socket.tcp.TcpListener;
import io.ioth.tcpip.socket.tcp.TcpSocket;
import io.ioth.tcpip.socket.tcp.TcpState;
import io.ioth.tcpip.wire.Ipv4Addr;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How many stacks and connections fit in one JVM: the heap an idle stack, and an idle established
 * connection, keep alive, measured as the difference of the GC-settled used heap
 * ({@link MemoryMXBean}, after full collections until it stops shrinking) before and after creating
 * them, divided by their number. One op builds the population, settles it, measures, and closes it
 * (single shot: the figure is the bytes, reported through {@link AuxCounters}; the report shows them
 * as the row's score with {@link Op#metric()}, JMH's time of the shot is only how long it took).
 *
 * <ul>
 *   <li>{@link #idleStacks}: {@code stacks} stacks, TCP attached, each with one Ethernet interface on
 *       an in-memory cable ({@link PipeLink}, two stacks per cable), an IPv4 address and IPv6 (its
 *       link-local address and a ULA, DAD done), then left to settle (announcements, DAD, MLD reports
 *       over) in simulated time. Bytes per stack, its cable end included.</li>
 *   <li>{@link #idleConnections}: {@code connections} established TCP connections between two stacks
 *       (one listener; both ends in this JVM), handshakes done, nothing queued. Bytes per connection
 *       <em>counting both of its ends</em> (two {@code TcpSocket}s, two flow-table entries): one end
 *       is half of it.</li>
 * </ul>
 * Direct (off-heap) memory is not included: idle stacks and connections hold no buffers.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar Scale
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 1)
@Fork(value = 1, jvmArgsAppend = {"-Djmh.executor=CUSTOM",
        "-Djmh.executor.class=io.ioth.benchmarks.FastThreadLocalExecutor",
        "-Dio.netty.leakDetection.level=disabled"})
public class ScaleBenchmark {
    /** The population of {@link #idleStacks} (a state of its own, so the other benchmark's row does not show it). */
    @State(Scope.Benchmark)
    public static class Stacks {
        @Param({"1000"})
        public int stacks;
    }

    /** The population of {@link #idleConnections}. */
    @State(Scope.Benchmark)
    public static class Connections {
        @Param({"10000"})
        public int connections;
    }

    /** What {@link #idleStacks} measured (JMH adds up EVENTS counters over iterations: one measured shot). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class StackBytes {
        public long bytesPerStack;

        @Setup(Level.Iteration)
        public void clear() {
            bytesPerStack = 0;
        }
    }

    /** What {@link #idleConnections} measured. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class ConnectionBytes {
        public long bytesPerConnection;

        @Setup(Level.Iteration)
        public void clear() {
            bytesPerConnection = 0;
        }
    }

    @Benchmark
    @Op(value = "stack", plural = "stacks", metric = "bytesPerStack")
    public int idleStacks(Stacks p, StackBytes out) {
        int stacks = p.stacks;
        long now = 1_000_000_000L;
        List<Stack> all = new ArrayList<>(stacks);
        List<PipeLink.Pair> wires = new ArrayList<>(stacks / 2 + 1);
        long before = settledHeap();
        for (int i = 0; i < stacks; i++) {
            PipeLink end;
            if ((i & 1) == 0) {
                PipeLink.Pair w = PipeLink.builder().capacity(64).pair();
                wires.add(w);
                end = w.a();
            } else {
                end = wires.get(wires.size() - 1).b();
            }
            Stack s = Stack.create(StackConfig.builder().name("s" + i).seed(i).build(), TcpConfig.builder()
                    .secret(i, ~i).build(), now);
            NetInterface eth = s.addInterface("eth0", end, 0x02_00_00_00_00_00L + i + 1);
            s.addIpv4(eth, Ipv4Addr.parse("10.0.0.0") + i + 1, 8, now);
            s.addIpv6(eth, String.format("fd00::%x/64", i + 1), now); // IPv6 on, fe80::EUI-64 too
            all.add(s);
        }
        // announcements, DAD and MLD reports, then quiet: 10 s of simulated time in 10 ms steps
        for (int t = 0; t < 1000; t++) {
            now += 10_000_000L;
            for (Stack s : all) {
                s.poll(now);
                StackSocket r;
                while ((r = s.nextReady()) != null) r.takeEvents();
            }
        }
        int preferred = 0;
        for (int i = 0; i < stacks; i++) {
            if (all.get(i).interfaceByName("eth0").ipv6State(0xfd00_0000_0000_0000L, i + 1L)
                    == NetInterface.AddressState.PREFERRED) {
                preferred++;
            }
        }
        if (preferred != stacks) throw new IllegalStateException(preferred + " of " + stacks + " stacks finished DAD");
        long after = settledHeap();
        out.bytesPerStack = (after - before) / stacks;
        int n = all.size();
        for (Stack s : all) s.close();
        for (PipeLink.Pair w : wires) w.close();
        return n;
    }

    @Benchmark
    @Op(value = "connection", plural = "connections", metric = "bytesPerConnection")
    public int idleConnections(Connections p, ConnectionBytes out) {
        int connections = p.connections;
        TcpConfig tcp = TcpConfig.builder().secret(5, 6).maxSynBacklog(2 * connections).maxBacklog(2 * connections)
                .build();
        StackPair net = new StackPair(1500, 4096, tcp, tcp, 64);
        try {
            TcpListener l = net.b.openTcpListener();
            StackPair.check(l.bind(0, StackPair.LO_B, 5001), "bind");
            StackPair.check(l.listen(connections), "listen");
            TcpSocket[] client = new TcpSocket[connections];
            TcpSocket[] server = new TcpSocket[connections];
            // ARP resolved before the baseline: the neighbour entries are not per connection
            TcpSocket probe = net.a.openTcp();
            StackPair.check(probe.connect(0, StackPair.LO_B, 5002, net.now), "connect");
            net.runUntil(() -> probe.state() == TcpState.CLOSED, () -> { }, 10_000_000_000L);
            long before = settledHeap();
            int[] accepted = {0};
            Runnable accept = () -> {
                TcpSocket s;
                while ((s = l.accept()) != null) server[accepted[0]++] = s;
            };
            // in waves of 500 handshakes, so the pipe never holds more than a wave
            for (int from = 0; from < connections; from += 500) {
                int to = Math.min(connections, from + 500);
                for (int i = from; i < to; i++) {
                    client[i] = net.a.openTcp();
                    StackPair.check(client[i].connect(0, StackPair.LO_B, 5001, net.now), "connect " + i);
                }
                int want = to;
                net.runUntil(() -> accepted[0] == want, accept, 10_000_000_000L);
            }
            // let delayed ACKs and other timers run out: idle means nothing pending
            net.runUntil(() -> !net.a.tcp().hasPendingOutput() && !net.b.tcp().hasPendingOutput()
                    && net.wire.a().pending() == 0 && net.wire.b().pending() == 0, () -> { }, 1_000_000_000L);
            for (int i = 0; i < connections; i++) {
                if (client[i].state() != TcpState.ESTABLISHED || server[i].state() != TcpState.ESTABLISHED) {
                    throw new IllegalStateException("connection " + i + ": " + client[i].state() + " / "
                            + server[i].state());
                }
            }
            long after = settledHeap();
            out.bytesPerConnection = (after - before) / connections;
            if (net.pipeDrops() != 0 || net.a.tcp().connections() < connections) {
                throw new IllegalStateException(net.pipeDrops() + " frames dropped, " + net.a.tcp().connections()
                        + " connections on A");
            }
            return accepted[0];
        } finally {
            net.close();
        }
    }

    /** Used heap after full collections, once it stops shrinking (at most 10). */
    static long settledHeap() {
        MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
        long prev = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            long used = mx.getHeapMemoryUsage().getUsed();
            if (i >= 2 && used >= prev - 1024) return Math.min(used, prev);
            prev = Math.min(prev, used);
        }
        return prev;
    }
}
