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
    }
}
