package io.ioth.benchmarks;

import io.ioth.benchmarks.report.BenchResult;
import io.ioth.benchmarks.report.Chart;
import io.ioth.benchmarks.report.Json;
import io.ioth.benchmarks.report.Markdown;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The report from JMH's JSON: jmh-sample.json is real JMH 1.37 output
 * ({@code TcpBulk|TcpEcho -p size=64 -f 1 -wi 0 -i 2 -r 200ms -prof gc -rf json}, histogram
 * buckets trimmed), read into rows, a Markdown table, a PNG and the BENCHMARKS.md section.
 */
class ReportTest {
    @TempDir
    Path dir;

    static String sample() throws IOException {
        try (InputStream in = ReportTest.class.getResourceAsStream("jmh-sample.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void readsJmhJson() throws IOException {
        List<BenchResult> rs = BenchResult.parse(sample());
        assertEquals(2, rs.size());
        BenchResult bulk = rs.get(0), echo = rs.get(1);

        assertEquals("TcpBulk.bulk", bulk.shortName());
        assertEquals("thrpt", bulk.mode);
        assertEquals(2561.6871481820967, bulk.score);
        assertTrue(Double.isNaN(bulk.error), "JMH writes \"NaN\" for two iterations");
        assertEquals("MiB/s", bulk.unit(), "@Op(\"MiB\") on bulk()");
        assertEquals(16505.69764049764, bulk.allocNorm);
        assertEquals("B/MiB", bulk.allocUnit());

        assertEquals("TcpEcho.echo", echo.shortName());
        assertEquals("transport=nio size=64", echo.paramString(), "transport first, then JMH's order");
        assertEquals("\u00b5s/round trip", echo.unit());
        assertEquals(21.56030457313193, echo.error);
        assertTrue(echo.hasOpPercentiles());
        assertEquals(19.52, echo.percentile(50.0));
        assertEquals(8332.697600000323, echo.percentile(99.9));
        assertEquals(1184.8634271189535, echo.allocNorm);
    }

    @Test
    void markdownTable() throws IOException {
        String[] rows = Markdown.table(BenchResult.parse(sample())).split("\n");
        assertEquals("| Benchmark | Params | Score | Error (99.9%) | Unit | p50 | p99 | p99.9 | Alloc |", rows[0]);
        assertEquals("| TcpBulk.bulk | `transport=nio` | 2,562 | \u2014 | MiB/s | | | | 16,506 B/MiB |", rows[2]);
        assertEquals("| TcpEcho.echo | `transport=nio size=64` | 56.50 | \u00b1 21.56 | \u00b5s/round trip | 19.52 | 224.3 | 8,333"
                + " | 1,185 B/round trip |", rows[3]);
        assertEquals(4, rows.length);
    }

    @Test
    void otherTransportsAreComparedWithNioOnTheSameParameters() throws IOException {
        // a second transport in the same run: the NIO bulk row again, named ioth-1500, at half the score
        String json = sample();
        int start = json.indexOf('{'), end = json.indexOf("\n    },\n") + 6;
        String ioth = json.substring(start, end).replace("\"transport\" : \"nio\"", "\"transport\" : \"ioth-1500\"")
                .replace("\"transport\": \"nio\"", "\"transport\": \"ioth-1500\"")
                .replaceFirst("\"score\": 2561.6871481820967", "\"score\": 1280.8435740910484");
        String both = "[" + ioth + "," + json.substring(json.indexOf('{'));
        String table = Markdown.table(BenchResult.parse(both));
        assertTrue(table.contains("| vs nio |"), table);
        assertTrue(table.contains("| TcpBulk.bulk | `transport=ioth-1500` | 1,281 | \u2014 | MiB/s | | | | 0.50\u00d7 |"), table);
    }

    @Test
    void throughATapTheBaselineIsLinuxToLinux() throws IOException {
        // the NIO bulk row as three more transports: linux-linux at the NIO score, ioth-linux at 1.5 times it
        String json = sample();
        int start = json.indexOf('{'), end = json.indexOf("\n    },\n") + 6;
        String nio = json.substring(start, end);
        java.util.function.BiFunction<String, String, String> as = (t, score) -> nio
                .replace("\"transport\" : \"nio\"", "\"transport\" : \"" + t + "\"")
                .replace("\"transport\": \"nio\"", "\"transport\": \"" + t + "\"")
                .replaceFirst("\"score\": 2561.6871481820967", "\"score\": " + score);
        String all = "[" + as.apply("ioth-1500", "1280.8435740910484") + "," + as.apply("linux-linux", "2561.6871481820967")
                + "," + as.apply("ioth-linux", "3842.530722273145") + "," + as.apply("linux-linux-loss1", "1000")
                + "," + as.apply("ioth-linux-loss1", "2000") + "," + json.substring(json.indexOf('{'));
        String table = Markdown.table(BenchResult.parse(all));
        assertTrue(table.contains("| vs nio | vs linux-linux |"), table);
        // ioth-linux is compared with linux-linux only; ioth-1500 with nio only; the baselines with nothing
        assertTrue(table.contains("| `transport=ioth-linux` | 3,843 | \u2014 | MiB/s | | | |  | 1.50\u00d7 |"), table);
        assertTrue(table.contains("| `transport=ioth-1500` | 1,281 | \u2014 | MiB/s | | | | 0.50\u00d7 |  |"), table);
        assertTrue(table.contains("| `transport=linux-linux` | 2,562 | \u2014 | MiB/s | | | |  |  |"), table);
        // at 1 % loss: against Linux at the same loss, in the same column; that baseline against nothing
        assertTrue(table.contains("| `transport=ioth-linux-loss1` | 2,000 | \u2014 | MiB/s | | | |  | 2.00\u00d7 |"), table);
        assertTrue(table.contains("| `transport=linux-linux-loss1` | 1,000 | \u2014 | MiB/s | | | |  |  |"), table);
    }

    @Test
    void chartLegendWrapsToTheChartsWidth() {
        List<String> keys = new java.util.ArrayList<>(List.of(""));
        for (String t : List.of("nio", "ioth-1500", "ioth-9000", "ioth-65535", "ioth-vde", "ioth-linux", "linux-ioth",
                "linux-linux", "ioth-linux-loss1", "linux-linux-loss1")) {
            keys.add("transport=" + t);
        }
        List<List<String>> lines = io.ioth.benchmarks.report.Chart.legendLines(keys);
        assertTrue(lines.size() >= 2, "ten transports do not fit one 1200-pixel line: " + lines);
        assertEquals(10, lines.stream().mapToInt(List::size).sum(), "every key once, the neutral one left out");
        for (List<String> line : lines) {
            int w = 16;
            for (String k : line) w += 20 + (int) Math.ceil(k.length() * 7.5) + 24;
            assertTrue(w <= 1200 - 16 || line.size() == 1, "fits: " + line);
        }
    }

    @Test
    void chartIsAPng() throws IOException {
        Path png = dir.resolve("chart.png");
        Chart.write(BenchResult.parse(sample()), "title", List.of("machine"), png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(1200, img.getWidth());
        assertTrue(img.getHeight() > 150 && img.getHeight() < 600, "height " + img.getHeight());
    }

    @Test
    void benchmarksMdKeepsTheHandWrittenPartAndReplacesTheResults() throws IOException {
        Path md = dir.resolve("BENCHMARKS.md");
        Files.writeString(md, "# Benchmarks\n\nhow we measure\n\n");
        Report.updateBenchmarksMd(md, "first run\n");
        Files.writeString(md, Files.readString(md) + "\n## Notes kept below\n");
        Report.updateBenchmarksMd(md, "second run\n");
        assertEquals("# Benchmarks\n\nhow we measure\n\n" + Report.BEGIN + "\nsecond run\n" + Report.END + "\n"
                + "\n## Notes kept below\n", Files.readString(md));
    }

    /** A JMH result object with only what the report reads. */
    static String row(String benchmark, String mode, String params, double score, double error, String unit) {
        return "{\"benchmark\":\"" + benchmark + "\",\"mode\":\"" + mode + "\",\"forks\":1,\"params\":" + params
                + ",\"primaryMetric\":{\"score\":" + score + ",\"scoreError\":" + error + ",\"scoreUnit\":\"" + unit
                + "\",\"scorePercentiles\":{}},\"secondaryMetrics\":{\"gc.alloc.rate.norm\":{\"score\":0.002}}}";
    }

    @Test
    void aSingleShotFigureFromAuxCountersIsTheScore() {
        String stacks = "io.ioth.benchmarks.engine.ScaleBenchmark.idleStacks"; // @Op(metric = "bytesPerStack")
        String conns = "io.ioth.benchmarks.engine.ScaleBenchmark.idleConnections"; // @Op(metric = "bytesPerConnection")
        String shot = "{\"benchmark\":\"%s\",\"mode\":\"ss\",\"forks\":1,\"params\":{%s},"
                + "\"primaryMetric\":{\"score\":1392.4,\"scoreError\":\"NaN\",\"scoreUnit\":\"ms/op\"},"
                + "\"secondaryMetrics\":{\"%s\":{\"score\":%s,\"scoreError\":\"NaN\",\"scoreUnit\":\"#\"}}}";
        List<BenchResult> rs = BenchResult.parse("[" + String.format(shot, stacks, "\"stacks\":\"1000\"", "bytesPerStack", "130460.0")
                + "," + String.format(shot, conns, "\"connections\":\"10000\"", "bytesPerConnection", "2040.0") + "]");
        BenchResult c = rs.get(0), st = rs.get(1);
        assertEquals("Scale.idleConnections", c.shortName());
        assertEquals(2040.0, c.score);
        assertEquals("B/connection", c.unit());
        assertEquals(130460.0, st.score);
        assertEquals("B/stack", st.unit());
        assertEquals("bytesPerStack", st.metric);
        assertTrue(Double.isNaN(st.error));
        String table = Markdown.table(rs);
        assertTrue(table.contains("| Scale.idleStacks | `stacks=1000` | 130,460 | \u2014 | B/stack |"), table);
    }

    @Test
    void opsOfBytesGetARateInGigabytesPerSecond() {
        String sum = "io.ioth.benchmarks.packet.ChecksumBenchmark.sum"; // @Op(bytesParam = "size")
        String echo = "io.ioth.benchmarks.packet.IcmpEchoBenchmark.echo"; // no bytesParam
        List<BenchResult> rs = BenchResult.parse("[" + row(sum, "avgt", "{\"size\":\"1500\"}", 100.0, 10.0, "ns/op")
                + "," + row(sum, "thrpt", "{\"size\":\"9000\"}", 2.0, 0.1, "ops/us")
                + "," + row(echo, "avgt", "{\"payload\":\"64\",\"batch\":\"32\"}", 250.0, 5.0, "ns/op") + "]");
        BenchResult avgt = rs.get(0), thrpt = rs.get(1), icmp = rs.get(2);
        assertEquals(1500, avgt.bytesPerOp);
        assertEquals("ns/buffer", avgt.unit());
        assertEquals(1e7, avgt.opsPerSecond(), 1e-3);
        assertEquals(15.0, avgt.gbPerSecond(), 1e-9, "1500 B per 100 ns");
        assertEquals(1.5, avgt.gbPerSecondError(), 1e-9);
        assertEquals(18.0, thrpt.gbPerSecond(), 1e-9, "2 buffers of 9000 B per microsecond");
        assertEquals("buffers/us", thrpt.unit());
        assertEquals(0, icmp.bytesPerOp, "no bytesParam: no rate");
        assertTrue(Double.isNaN(icmp.gbPerSecond()));
        assertEquals("B/packet", icmp.allocUnit());

        String[] table = Markdown.table(rs).split("\n");
        assertEquals("| Benchmark | Params | Score | Error (99.9%) | Unit | GB/s | Alloc |", table[0]);
        assertEquals("| Checksum.sum | `size=1500` | 100.0 | \u00b1 10.00 | ns/buffer | 15.00 | 0.002 B/buffer |",
                table[2]);
        assertEquals("| IcmpEcho.echo | `payload=64 batch=32` | 250.0 | \u00b1 5.000 | ns/packet |  | 0.002 B/packet |",
                table[4]);
    }

    @Test
    void chartDrawsRatesAndTimes() throws IOException {
        String sum = "io.ioth.benchmarks.packet.ChecksumBenchmark.sum";
        String udp = "io.ioth.benchmarks.packet.UdpReceiveBenchmark.receive";
        List<BenchResult> rs = BenchResult.parse("[" + row(sum, "avgt", "{\"size\":\"64\"}", 18.0, 1.0, "ns/op")
                + "," + row(sum, "avgt", "{\"size\":\"9000\"}", 1200.0, 50.0, "ns/op")
                + "," + row(udp, "avgt", "{\"payload\":\"64\",\"batch\":\"32\"}", 220.0, 5.0, "ns/op") + "]");
        Path png = dir.resolve("packet.png");
        Chart.write(rs, "title", List.of("machine"), png);
        assertEquals(1200, ImageIO.read(png.toFile()).getWidth());
    }

    @Test
    void aPartialRunKeepsTheOtherRowsWithTheRunTheyComeFrom() {
        String report = "java -cp benchmarks/target/benchmarks.jar io.ioth.benchmarks.Report --profile quick";
        Map<String, String> before = Map.of("Date", "2026-11-29 19:42 UTC", "Commit", "edc35b4043a8 (main)",
                "Profile", "quick: 1 fork", "Command", report);
        Map<String, String> now = Map.of("Date", "2026-11-30 08:00 UTC", "Commit", "596c995",
                "Profile", "quick: 1 fork", "Command", report + " --include packet");
        String echo = "io.ioth.benchmarks.TcpEchoBenchmark.echo";
        String sum = "io.ioth.benchmarks.packet.ChecksumBenchmark.sum";
        // the previous results: plain JMH rows (no origin yet) of TcpEcho and an old Checksum row
        String previous = "[" + row(echo, "sample", "{\"transport\":\"nio\",\"size\":\"64\"}", 18.0, 0.3, "us/op")
                + ",\n"
                + row(sum, "avgt", "{\"size\":\"64\"}", 99.0, 1.0, "ns/op") + "]";
        assertEquals(2, Json.elements(previous).size());
        List<String> fresh = List.of(Report.withOrigin(row(sum, "avgt", "{\"size\":\"64\"}", 18.0, 1.0, "ns/op"), now));
        List<String> merged = Report.merge(previous, before, java.util.Set.of(sum), fresh);

        List<BenchResult> rs = BenchResult.parse("[" + String.join(",", merged) + "]");
        assertEquals(2, rs.size(), "the old Checksum row is replaced, TcpEcho kept");
        BenchResult sumRow = rs.get(0), echoRow = rs.get(1);
        assertEquals("Checksum.sum", sumRow.shortName());
        assertEquals(18.0, sumRow.score);
        assertEquals("2026-11-30 08:00 UTC", sumRow.origin.get("date"));
        assertEquals("2026-11-29 19:42 UTC", echoRow.origin.get("date"));
        assertEquals("transport=nio size=64", echoRow.paramString(), "the row itself is untouched");
        assertEquals(List.of("Rows of `TcpEcho.echo` are from an earlier run: 2026-11-29 19:42 UTC, "
                + "commit edc35b4043a8 (main), quick: 1 fork, `" + report + "`."), Report.originNotes(rs, now));
        assertEquals(List.of(), Report.originNotes(List.of(sumRow), now));
        // kept again by a later partial run: still marked with its own run, not the one in between
        List<String> again = Report.merge("[" + String.join(",", merged) + "]", now, java.util.Set.of(sum), fresh);
        assertEquals("2026-11-29 19:42 UTC", BenchResult.parse("[" + again.get(0) + "]").get(0).origin.get("date"));
    }

    @Test
    void jsonReader() {
        Object v = Json.parse(" {\"a\": [1, -2.5e3, true, false, null, \"x\\\"\\u00b5\\n\"], \"b\": {}, \"c\": []} ");
        Map<String, Object> o = Json.object(v);
        assertEquals(Arrays.asList(1.0, -2500.0, true, false, null, "x\"\u00b5\n"), Json.array(o.get("a")));
        assertEquals(Map.of(), o.get("b"));
        assertEquals(List.of(), o.get("c"));
        assertTrue(Double.isNaN(Json.number("NaN")));
        assertEquals(Double.POSITIVE_INFINITY, Json.number("Infinity"));
        assertEquals("{\"a b\":[1,\"x \\\" y\"]}\n", Json.compact(" {\n  \"a b\" : [ 1 ,\t\"x \\\" y\" ] } "));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1, 2"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\" 1}"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1] x"));
        assertEquals(List.of("{\"a\": [1, 2]}", "\"x,]\"", "3"), Json.elements(" [ {\"a\": [1, 2]} ,\"x,]\", 3 ] "));
        assertEquals(List.of(), Json.elements("[]"));
        assertEquals("\"a\\\"b\\\\c\\n\"", Json.quote("a\"b\\c\n"));
        assertEquals("a\"b\\c\n", Json.parse(Json.quote("a\"b\\c\n")));
    }
}
