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
        List<Suite.Run> runs = Suite.plan(List.of("Tcp"));
        assertEquals(List.of("io.ioth.benchmarks.TcpBulkBenchmark.bulk", "io.ioth.benchmarks.TcpConnectBenchmark.connectAcceptClose",
                "io.ioth.benchmarks.TcpEchoBenchmark.echo"), runs.stream().map(r -> r.benchmark).sorted().toList());
        Suite.Run echo = runs.stream().filter(r -> r.benchmark.endsWith("echo")).findFirst().orElseThrow();
        assertArrayEquals(new String[] {"64", "16384"}, echo.params.get("size"));
        assertArrayEquals(new String[] {"nio"}, echo.params.get("transport"));
    }

    @Test
    void packetPathBenchmarksRunAnywhere() {
        List<Suite.Run> runs = Suite.plan(List.of("packet\\."));
        assertEquals(List.of("ChecksumBenchmark.sum", "ChecksumBenchmark.sumNative", "IcmpEchoBenchmark.echo",
                "LinkBaselineBenchmark.receive", "UdpReceiveBenchmark.receive", "UdpSendBenchmark.send"),
                runs.stream().map(r -> r.benchmark.substring("io.ioth.benchmarks.packet.".length())).sorted().toList());
        for (Suite.Run r : runs) assertEquals(List.of(), r.needs, r.toString());
        Suite.Run udp = runs.stream().filter(r -> r.benchmark.endsWith("UdpReceiveBenchmark.receive")).findFirst().orElseThrow();
        assertArrayEquals(new String[] {"32", "64"}, udp.params.get("batch"));
        assertEquals(4, udp.combinations());
    }
}
