package io.ioth.tcpip;

import io.ioth.tcpip.iface.IpAddr;
import io.ioth.tcpip.iface.StackConfig;
import io.ioth.tcpip.socket.tcp.TcpConfig;
import io.ioth.vde.testing.Background;
import io.ioth.vde.testing.RealTools;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Throughput measurement (not a CI test: runs only with {@code -Dioth.measure=true}): Linux to Linux through one
 * real vde_switch (two namespaces, two taps) as the baseline, and Linux to the stack / the stack to Linux through
 * the same switch, in the same run, interleaved, {@code ioth.measure.rounds} times (default 3) with
 * {@code ioth.measure.mb} MB (default 100) each. {@code -Dioth.measure.wirefilter="-l 1"} puts wirefilter with
 * those options between the switch and namespace a (the stack's and namespace b's peer), so all three flows cross
 * the same impaired link. Prints a table and the counters that explain it.
 *
 * <pre>
 * mvn -B -q -ntp -o -Dioth.target=target-tcp -pl ioth-tcpip -am test -Dtest=LinuxTcpThroughputTest \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dioth.measure=true [-Dioth.measure.wirefilter="-l 1"]
 * </pre>
 */
@EnabledIfSystemProperty(named = "ioth.measure", matches = "true")
class LinuxTcpThroughputTest {
    static final long MB = 1_000_000L;

    @Test
    void measure() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(Boolean.getBoolean("ioth.measure.senders"),
                "-Dioth.measure.senders=true runs senders() instead");
        RealTools.require("vde_switch", "vde_plug", "ip", "python3", "nstat");
        long bytes = Long.getLong("ioth.measure.mb", 100) * MB;
        int rounds = Integer.getInteger("ioth.measure.rounds", 3);
        String wf = System.getProperty("ioth.measure.wirefilter", "");
        boolean v6 = Boolean.getBoolean("ioth.measure.v6");
        boolean profile = Boolean.getBoolean("ioth.measure.profile");
        boolean skipL2l = Boolean.getBoolean("ioth.measure.nobaseline");
        String[] wfArgs = wf.isBlank() ? null : wf.trim().split("\\s+");
        if (wfArgs != null) {
            RealTools.require("wirefilter");
        }
        List<String> rows = new ArrayList<>();
        // the test JVMs run with paranoid leak detection (LeakDetectionExtension): a stack trace per buffer
        // operation, which costs the loop thread 80 % of its time; measure the stack, not the detector
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        ByteBuf block = Unpooled.directBuffer(1 << 20).writeZero(1 << 20);
        try (LinuxTcpRig rig = new LinuxTcpRig(true, wfArgs)) {
            TcpConfig.Builder tcp = TcpConfig.builder();
            Integer rcvbuf = Integer.getInteger("ioth.measure.rcvbuf");
            if (rcvbuf != null) {
                tcp.receiveBufferSize(rcvbuf).maxReceiveBufferSize(rcvbuf).receiveBufferAutoTuning(false);
            }
            tcp.ackCoalescing(!Boolean.getBoolean("ioth.measure.noCoalescing"));
            rig.startStack(StackConfig.builder().name("iothtcp").build(), tcp.build());
            String aAddr = v6 ? LinuxTcpRig.A6 : LinuxTcpRig.A4;
            String bAddr = v6 ? LinuxTcpRig.B6 : LinuxTcpRig.B4;
            String stackAddr = v6 ? LinuxTcpRig.STACK6 : LinuxTcpRig.STACK4;
            int port = 6000;
            for (int r = 0; r < rounds; r++) {
                // Linux -> Linux over the same switch
                if (!skipL2l) {
                    Map<String, Long> before = LinuxTcpRig.nstat(rig.a);
                    Background rx = rig.pyReceiver(rig.b, bAddr, port, false);
                    Background dump = tcpdump(rig, "l2l-" + r, port);
                    long[] procs0 = rig.cpuSnapshot();
                    long w0 = System.nanoTime();
                    Background tx = rig.pySender(rig.a, bAddr, port, bytes, "-");
                    String[] res = LinuxTcpRig.result(rx, 300_000);
                    if (dump != null) {
                        dump.close();
                    }
                    LinuxTcpRig.result(tx, 10_000);
                    double mbit = LinuxTcpRig.mbit(Long.parseLong(res[1]), Double.parseDouble(res[2]));
                    rows.add(String.format("round %d  linux->linux  %s", r,
                            LinuxTcpRig.cpuDiff(procs0, rig.cpuSnapshot(), (System.nanoTime() - w0) / 1e9)));
                    rows.add(String.format("round %d  linux->linux  %7.1f Mbit/s  sender: %s", r, mbit,
                            LinuxTcpRig.nstatDiff(before, LinuxTcpRig.nstat(rig.a))));
                    port++;
                }
                // Linux -> stack
                {
                    Map<String, Long> before = LinuxTcpRig.nstat(rig.a);
                    String tcpBefore = rig.driver.call(now -> rig.stack.tcpStats().toString());
                    String plugBefore = rig.plug.stats().toString();
                    LinuxTcpRig.Sink sink = new LinuxTcpRig.Sink(false);
                    Thread loop = rig.loopThread();
                    long cpu0 = LinuxTcpRig.cpuNanos(loop);
                    long[] procs0 = rig.cpuSnapshot();
                    LinuxTcpRig.Sampler prof = profile ? new LinuxTcpRig.Sampler(loop) : null;
                    rig.listen(v6 ? IpAddr.ANY_LO : IpAddr.V4_ANY_LO, port, sink);
                    Background dump = tcpdump(rig, "l2s-" + r, port);
                    Background tx = rig.pySender(rig.a, stackAddr, port, bytes, "-");
                    assertTrue(rig.driver.await(300_000, now -> sink.eof || sink.error != 0), "L->S not done");
                    if (dump != null) {
                        dump.close();
                    }
                    LinuxTcpRig.result(tx, 10_000);
                    assertEquals(bytes, sink.bytes);
                    double mbit = LinuxTcpRig.mbit(sink.bytes, (sink.t1 - sink.t0) / 1e9);
                    double cpu = (LinuxTcpRig.cpuNanos(loop) - cpu0) / (double) (sink.t1 - sink.t0);
                    if (prof != null) {
                        prof.close();
                        System.out.println("[tcpmeasure] L->S profile " + prof);
                    }
                    rows.add(String.format("round %d  linux->stack  loop thread cpu %.0f%%, %s", r, cpu * 100,
                            LinuxTcpRig.cpuDiff(procs0, rig.cpuSnapshot(), (sink.t1 - sink.t0) / 1e9)));
                    rows.add(String.format("round %d  linux->stack  %7.1f Mbit/s  sender: %s%n      stack: %s%n"
                                    + "      (before: %s)%n      plug: %s (before: %s)", r, mbit,
                            LinuxTcpRig.nstatDiff(before, LinuxTcpRig.nstat(rig.a)),
                            rig.driver.call(now -> rig.stack.tcpStats().toString()), tcpBefore,
                            rig.plug.stats(), plugBefore));
                    port++;
                }
                // stack -> Linux
                {
                    Map<String, Long> before = LinuxTcpRig.nstat(rig.a);
                    String tcpBefore = rig.driver.call(now -> rig.stack.tcpStats().toString());
                    Background rx = rig.pyReceiver(rig.a, aAddr, port, false);
                    Thread loop = rig.loopThread();
                    long cpu0 = LinuxTcpRig.cpuNanos(loop);
                    long w0 = System.nanoTime();
                    long[] procs0 = rig.cpuSnapshot();
                    LinuxTcpRig.Sampler prof = profile ? new LinuxTcpRig.Sampler(loop) : null;
                    Background dump = tcpdump(rig, "s2l-" + r, port);
                    LinuxTcpRig.Source src = rig.connect(aAddr, port, block, bytes);
                    assertTrue(rig.awaitSent(src, 300_000), "S->L not done");
                    if (dump != null) {
                        dump.close();
                    }
                    double cpu = (LinuxTcpRig.cpuNanos(loop) - cpu0) / (double) (System.nanoTime() - w0);
                    if (prof != null) {
                        prof.close();
                        System.out.println("[tcpmeasure] S->L profile " + prof);
                    }
                    rows.add(String.format("round %d  stack->linux  loop thread cpu %.0f%%, %s", r, cpu * 100,
                            LinuxTcpRig.cpuDiff(procs0, rig.cpuSnapshot(), (System.nanoTime() - w0) / 1e9)));
                    String[] res = LinuxTcpRig.result(rx, 10_000);
                    assertEquals(0, src.error);
                    double mbit = LinuxTcpRig.mbit(Long.parseLong(res[1]), Double.parseDouble(res[2]));
                    rows.add(String.format("round %d  stack->linux  %7.1f Mbit/s  receiver: %s%n      stack: %s%n"
                                    + "      (before: %s)", r, mbit,
                            LinuxTcpRig.nstatDiff(before, LinuxTcpRig.nstat(rig.a)),
                            rig.driver.call(now -> rig.stack.tcpStats().toString()), tcpBefore));
                    rig.driver.run(now -> src.s.close(now));
                    port++;
                }
            }
            System.out.printf("[tcpmeasure] %d MB, %s, wirefilter: %s%n", bytes / MB, v6 ? "IPv6" : "IPv4",
                    wf.isBlank() ? "none" : wf);
            for (String row : rows) {
                System.out.println("[tcpmeasure] " + row);
            }
            System.out.println("[tcpmeasure] switch ports: " + rig.sw.mgmt("port/allprint").replace('\n', '|'));
        } finally {
            block.release();
            ResourceLeakDetector.setLevel(level);
        }
    }

    /**
     * The sender comparison ({@code -Dioth.measure=true -Dioth.measure.senders=true}): for each wirefilter scenario
     * ({@code -Dioth.measure.scenarios="-l 1;-l 1 -d 20;-D 2 -d 5+4 -N"}, separated by ';'), one rig (switch,
     * wirefilter in front of namespace a) and, interleaved {@code rounds} times, Linux(b) to Linux(a) and the stack
     * to Linux(a), once per congestion control in {@code -Dioth.measure.cc=cubic,newreno} (default: the stack's
     * default), and Linux once per kernel congestion control in {@code -Dioth.measure.linuxcc=cubic,bbr}. Both senders sit on the switch, both receivers behind the same wirefilter: the same path. Prints one
     * row per transfer (Mbit/s, sender counters) and a summary table (medians).
     */
    @Test
    @EnabledIfSystemProperty(named = "ioth.measure.senders", matches = "true")
    void senders() throws Exception {
        RealTools.require("vde_switch", "vde_plug", "ip", "python3", "nstat", "wirefilter");
        long bytes = Long.getLong("ioth.measure.mb", 8) * MB;
        int rounds = Integer.getInteger("ioth.measure.rounds", 3);
        String[] scenarios = System.getProperty("ioth.measure.scenarios", "-l 1;-l 1 -d 20;-D 2 -d 5+4 -N")
                .split(";");
        String ccs = System.getProperty("ioth.measure.cc", "");
        String lccs = System.getProperty("ioth.measure.linuxcc", "cubic,bbr");
        List<String> linuxCcs = lccs.equals("none") ? List.of() : List.of(lccs.split(","));
        List<String> ccList = ccs.isBlank() ? List.of("default") : ccs.equals("none") ? List.of()
                : List.of(ccs.split(","));
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        ByteBuf block = Unpooled.directBuffer(1 << 20).writeZero(1 << 20);
        List<String> rows = new ArrayList<>();
        List<String> summary = new ArrayList<>();
        try {
            for (String sc : scenarios) {
                String[] wfArgs = sc.trim().isEmpty() ? null : sc.trim().split("\\s+");
                Map<String, List<Double>> results = new java.util.LinkedHashMap<>();
                Map<String, long[]> counters = new java.util.LinkedHashMap<>();
                try (LinuxTcpRig rig = new LinuxTcpRig(true, wfArgs)) {
                    TcpConfig.Builder tcp = TcpConfig.builder();
                    Integer sndbuf = Integer.getInteger("ioth.measure.sndbuf");
                    if (sndbuf != null) {
                        tcp.sendBufferSize(sndbuf).maxSendBufferSize(Math.max(sndbuf, 4 << 20));
                    }
                    rig.startStack(StackConfig.builder().name("iothtcp").build(), tcp.build());
                    int port = 6100;
                    for (int r = 0; r < rounds; r++) {
                        // Linux b -> Linux a: the sender on the switch, the receiver behind wirefilter; once per
                        // kernel congestion control (-Dioth.measure.linuxcc=cubic,bbr; the host's default is inherited
                        // by the namespaces otherwise, and may be bbr)
                        for (String lcc : linuxCcs) {
                            Map<String, Long> before = LinuxTcpRig.nstat(rig.b);
                            Background rx = rig.pyReceiver(rig.a, LinuxTcpRig.A4, port, false);
                            // -Dioth.measure.ss=true: the Linux sender's cwnd/ssthresh every 20 ms (ss -tin)
                            Background ss = Boolean.getBoolean("ioth.measure.ss") ? rig.b.spawn("sh", "-c",
                                    "while :; do ss -tinH dst " + LinuxTcpRig.A4 + ":" + port
                                            + " | tr -s ' ' | grep -o 'cwnd:[0-9]*\\|ssthresh:[0-9]*\\|rtt:[0-9.]*'"
                                            + " | tr '\\n' ' '; echo; sleep 0.02; done") : null;
                            Background tx = lcc.equals("default")
                                    ? rig.pySender(rig.b, LinuxTcpRig.A4, port, bytes, "-")
                                    : rig.pySender(rig.b, LinuxTcpRig.A4, port, bytes, "-", lcc);
                            String[] res = LinuxTcpRig.result(rx, 600_000);
                            LinuxTcpRig.result(tx, 10_000);
                            if (ss != null) {
                                rows.add("linux sender ss: " + ss.output().replaceAll("\\n+", " | "));
                                ss.close();
                            }
                            double mbit = LinuxTcpRig.mbit(Long.parseLong(res[1]), Double.parseDouble(res[2]));
                            results.computeIfAbsent("linux/" + lcc, k -> new ArrayList<>()).add(mbit);
                            rows.add(String.format("[%s] round %d  linux(b,%s)->linux(a) %7.1f Mbit/s  sender: %s",
                                    sc, r, lcc, mbit, LinuxTcpRig.nstatDiff(before, LinuxTcpRig.nstat(rig.b))));
                            port++;
                        }
                        for (String cc : ccList) {
                            long[] c0 = rig.driver.call(now -> counters(rig.stack.tcpStats()));
                            Background rx = rig.pyReceiver(rig.a, LinuxTcpRig.A4, port, false);
                            LinuxTcpRig.Source src = rig.connect(LinuxTcpRig.A4, port, block, bytes,
                                    "default".equals(cc) ? null
                                            : io.ioth.tcpip.socket.tcp.congestion.CongestionControl.forName(cc));
                            assertTrue(rig.awaitSent(src, 600_000), "S->L not done");
                            String[] res = LinuxTcpRig.result(rx, 10_000);
                            assertEquals(0, src.error);
                            double mbit = LinuxTcpRig.mbit(Long.parseLong(res[1]), Double.parseDouble(res[2]));
                            long[] c1 = rig.driver.call(now -> counters(rig.stack.tcpStats()));
                            long[] d = new long[c1.length];
                            for (int i = 0; i < d.length; i++) {
                                d[i] = c1[i] - c0[i];
                            }
                            String key = "stack/" + cc;
                            results.computeIfAbsent(key, k -> new ArrayList<>()).add(mbit);
                            long[] sum = counters.computeIfAbsent(key, k -> new long[d.length]);
                            for (int i = 0; i < d.length; i++) {
                                sum[i] += d[i];
                            }
                            rows.add(String.format("[%s] round %d  stack(%s)->linux(a) %7.1f Mbit/s  stack: %s", sc, r,
                                    cc, mbit, diffString(d)));
                            rig.driver.run(now -> src.s.close(now));
                            port++;
                        }
                    }
                }
                StringBuilder line = new StringBuilder(String.format("| %-16s |", sc.trim()));
                for (Map.Entry<String, List<Double>> e : results.entrySet()) {
                    List<Double> v = new ArrayList<>(e.getValue());
                    v.sort(null);
                    line.append(String.format(" %s %.1f (%s) |", e.getKey(), v.get(v.size() / 2),
                            v.stream().map(x -> String.format("%.1f", x)).collect(java.util.stream.Collectors
                                    .joining("/"))));
                }
                summary.add(line.toString());
                for (Map.Entry<String, long[]> e : counters.entrySet()) {
                    summary.add(String.format("|   %s per transfer: %s", e.getKey(), perTransfer(e.getValue(), rounds)));
                }
            }
        } finally {
            block.release();
            ResourceLeakDetector.setLevel(level);
        }
        for (String row : rows) {
            System.out.println("[sendermeasure] " + row);
        }
        System.out.printf("[sendermeasure] %d MB, %d rounds, Mbit/s median (all)%n", bytes / MB, rounds);
        for (String row : summary) {
            System.out.println("[sendermeasure] " + row);
        }
    }

    private static long[] counters(io.ioth.tcpip.socket.tcp.TcpStats st) {
        io.ioth.tcpip.socket.tcp.TcpCounter[] all = io.ioth.tcpip.socket.tcp.TcpCounter.values();
        long[] v = new long[all.length];
        for (int i = 0; i < all.length; i++) {
            v[i] = st.get(all[i]);
        }
        return v;
    }

    private static String diffString(long[] d) {
        io.ioth.tcpip.socket.tcp.TcpCounter[] all = io.ioth.tcpip.socket.tcp.TcpCounter.values();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < d.length; i++) {
            if (d[i] != 0 && SENDER_COUNTERS.contains(all[i].name())) {
                sb.append(all[i].name()).append('=').append(d[i]).append(' ');
            }
        }
        return sb.toString().trim();
    }

    private static String perTransfer(long[] sum, int n) {
        long[] avg = new long[sum.length];
        for (int i = 0; i < sum.length; i++) {
            avg[i] = Math.round((double) sum[i] / n);
        }
        return diffString(avg);
    }

    /** The stack's counters that describe a sender's loss recovery. */
    static final java.util.Set<String> SENDER_COUNTERS = java.util.Set.of("RETRANS_SEGS", "TIMEOUTS",
            "FAST_RETRANSMITS", "SACK_RECOVERIES", "SACK_LOSS_RECOVERIES", "SACK_RESCUE_RETRANSMITS",
            "LOST_RETRANSMITS", "TLP_PROBES", "TLP_LOSS_REPAIRED", "REORDERING_SEEN", "DSACKS_RECEIVED",
            "SACK_RENEGING", "LOCAL_QUEUE_FULL", "DISORDERED_ACKS", "UNDO_DSACK", "UNDO_TIMESTAMP", "UNDO_RTO",
            "HYSTART_EXITS", "SNDBUF_AUTOTUNED", "RACK_REO_WND_RAISED", "IN_SEGS", "OUT_SEGS");

    /** With {@code -Dioth.measure.pcap=PREFIX}: tcpdump of the flow on namespace a's tap (headers only). */
    private static Background tcpdump(LinuxTcpRig rig, String what, int port) {
        String pcap = System.getProperty("ioth.measure.pcap");
        if (pcap == null) {
            return null;
        }
        Background dump = rig.a.spawn("tcpdump", "-i", "tap0", "-s", "128", "-B", "65536", "-w",
                pcap + "-" + what + ".pcap", "tcp port " + port);
        long end = System.nanoTime() + 5_000_000_000L;
        while (!dump.output().contains("listening") && System.nanoTime() < end) {
            Thread.onSpinWait();
        }
        return dump;
    }
}
