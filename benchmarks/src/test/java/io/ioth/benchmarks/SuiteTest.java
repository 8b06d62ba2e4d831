package io.ioth.benchmarks;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** How the suite splits parameter values that need real tools from those that run anywhere. */
class SuiteTest {
    @Test
    void realToolValuesRunSeparately() {
        Map<String, String[]> params = new LinkedHashMap<>();
        params.put("size", new String[] {"64", "1514"});
        params.put("wire", new String[] {"embedded", "vde_switch"});
        List<Suite.Run> runs = Suite.split("io.ioth.benchmarks.VdeRoundTripBenchmark.roundTrip", params);

        assertEquals(2, runs.size());
        assertEquals(List.of(), runs.get(0).needs);
        assertArrayEquals(new String[] {"64", "1514"}, runs.get(0).params.get("size"));
        assertArrayEquals(new String[] {"embedded"}, runs.get(0).params.get("wire"));
        assertEquals(2, runs.get(0).combinations());
        assertEquals(List.of("vde_switch"), runs.get(1).needs);
        assertArrayEquals(new String[] {"vde_switch"}, runs.get(1).params.get("wire"));
        assertEquals("VdeRoundTripBenchmark.roundTrip size=64,1514 wire=vde_switch", runs.get(1).toString());
    }

    @Test
    void everyBenchmarkOnTheClasspathIsPlanned() {
        List<Suite.Run> runs = Suite.plan(List.of("benchmarks\\.Tcp"));
        assertEquals(List.of("io.ioth.benchmarks.TcpBulkBenchmark.bulk", "io.ioth.benchmarks.TcpConnectBenchmark.connectAcceptClose",
                "io.ioth.benchmarks.TcpEchoBenchmark.echo"), runs.stream().map(r -> r.benchmark).distinct().sorted().toList());
        Suite.Run echo = runs.stream().filter(r -> r.benchmark.endsWith("echo") && r.needs.isEmpty()).findFirst()
                .orElseThrow();
        assertArrayEquals(new String[] {"64", "16384"}, echo.params.get("size"));
        // NIO over loopback and IoTh over the embedded switch side by side in one run (issue 5), all in-JVM
        assertArrayEquals(new String[] {"nio", "ioth-1500"}, echo.params.get("transport"));
        assertEquals(List.of(), echo.needs);
        // IoTh <-> IoTh across a real vde_switch: a run of its own, gated on the tool (issue 8 "over real VDE")
        Suite.Run vde = runs.stream().filter(r -> r.benchmark.endsWith("bulk") && r.needs.equals(List.of("vde_switch")))
                .findFirst().orElseThrow();
        assertArrayEquals(new String[] {"ioth-vde"}, vde.params.get("transport"));
        assertEquals(List.of("vde_switch"), vde.needs);
        // IoTh <-> Linux through taps: one more run, gated on what builds namespaces and taps (issue 8)
        List<String> tap = List.of("ip", "nstat", "sysctl", "vde_plug", "vde_switch");
        Suite.Run linuxEcho = runs.stream().filter(r -> r.benchmark.endsWith("echo") && r.needs.equals(tap)).findFirst()
                .orElseThrow();
        assertArrayEquals(new String[] {"ioth-linux"}, linuxEcho.params.get("transport"));
        Suite.Run linuxBulk = runs.stream().filter(r -> r.benchmark.endsWith("bulk") && r.needs.equals(tap)).findFirst()
                .orElseThrow();
        // both directions and the kernel-to-kernel baseline over the same kind of switch, in one run
        assertArrayEquals(new String[] {"ioth-linux", "linux-ioth", "linux-linux"}, linuxBulk.params.get("transport"));
        // and at 1 % loss through wirefilter: a run of their own, which needs wirefilter too
        Suite.Run lossy = runs.stream().filter(r -> r.benchmark.endsWith("bulk") && r.needs.contains("wirefilter"))
                .findFirst().orElseThrow();
        assertArrayEquals(new String[] {"ioth-linux-loss1", "linux-linux-loss1"}, lossy.params.get("transport"));
    }

    @Test
    void packetPathBenchmarksRunAnywhere() {
        List<Suite.Run> runs = Suite.plan(List.of("packet\\."));
        assertEquals(List.of("ChecksumBenchmark.sum", "ChecksumBenchmark.sumNative", "IcmpEchoBenchmark.echo",
                "LinkBaselineBenchmark.receive", "TcpAckBenchmark.ack", "TcpDemuxBenchmark.demux",
                "TcpReceiveBenchmark.receive", "TcpSendBenchmark.send", "UdpReceiveBenchmark.receive",
                "UdpSendBenchmark.send"),
                runs.stream().map(r -> r.benchmark.substring("io.ioth.benchmarks.packet.".length())).sorted().toList());
        for (Suite.Run r : runs) assertEquals(List.of(), r.needs, r.toString());
        Suite.Run udp = runs.stream().filter(r -> r.benchmark.endsWith("UdpReceiveBenchmark.receive")).findFirst().orElseThrow();
        assertArrayEquals(new String[] {"32"}, udp.params.get("batch"));
        assertEquals(2, udp.combinations());
    }

    @Test
    void engineBenchmarks_scaleRunsAsOneShot() {
        List<Suite.Run> runs = Suite.plan(List.of("benchmarks\\.engine\\."));
        assertEquals(List.of("ScaleBenchmark.idleConnections", "ScaleBenchmark.idleStacks", "TcpBulkStacksBenchmark.bulk"),
                runs.stream().map(r -> r.benchmark.substring("io.ioth.benchmarks.engine.".length())).sorted().toList());
        for (Suite.Run r : runs) {
            assertEquals(List.of(), r.needs, r.toString());
            assertEquals(r.benchmark.contains("Scale"), r.singleShot, r.toString());
        }
        Suite.Run bulk = runs.stream().filter(r -> r.benchmark.endsWith("bulk")).findFirst().orElseThrow();
        assertArrayEquals(new String[] {"1500", "9000"}, bulk.params.get("mtu"));
        Suite.Run stacks = runs.stream().filter(r -> r.benchmark.endsWith("idleStacks")).findFirst().orElseThrow();
        assertEquals(List.of("stacks"), List.copyOf(stacks.params.keySet()), "only its own parameter");
        // one measured shot in one JVM whatever the profile: JMH adds @AuxCounters EVENTS up over iterations
        for (Profile p : Profile.values()) {
            org.openjdk.jmh.runner.options.Options o = p.apply(stacks).build();
            assertEquals(1, o.getForkCount().get(), p.toString());
            assertEquals(1, o.getMeasurementIterations().get(), p.toString());
            assertEquals(List.of(), o.getProfilers(), p.toString());
        }
    }
}
