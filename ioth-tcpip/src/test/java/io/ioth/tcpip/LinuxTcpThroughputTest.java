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
