package io.ioth.benchmarks;

import io.ioth.benchmarks.report.BenchResult;
import io.ioth.benchmarks.report.Markdown;
import io.ioth.vde.testing.RealTools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CI's smoke mode (issue 8: "CI compiles the benchmarks and runs each once"): every benchmark and
 * every parameter combination, through the JMH Runner API with {@link Profile#SMOKE} (one forked
 * JVM per combination, as the real runs use, so each class's {@code @Fork(jvmArgsAppend)} is
 * exercised; no warm-up; one 200 ms iteration). Each must produce a finite, positive score.
 * Parameter values that need the real world ({@link Suite#NEEDS}) run in their own test, gated by
 * {@link RealTools#require}: skipped with the reason on a laptop, mandatory under {@code CI=true}.
 * Then the results go through the report's JSON round trip. Whole class: about 80-120 s on 2 cores
 * (36 parameter combinations in-JVM, the two single-shot scale benchmarks among them, and the end-to-end
 * benchmarks' IoTh transports {@code ioth-1500} and {@code ioth-9000}, which need nothing outside the JVM).
 */
class BenchmarkSmokeTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(360)
    void everyBenchmarkRunsOnce() throws Exception {
        List<Suite.Run> runs = Suite.plan(List.of());
        assertFalse(runs.isEmpty(), "no benchmarks in META-INF/BenchmarkList: was the annotation processor run?");
        Set<String> all = runs.stream().map(r -> r.benchmark).collect(Collectors.toCollection(TreeSet::new));
        List<RunResult> results = new ArrayList<>();
        Set<String> ran = new TreeSet<>();
        for (Suite.Run r : runs) {
            if (!r.needs.isEmpty()) continue;
            results.addAll(runOnce(r));
            ran.add(r.benchmark);
        }
        // every benchmark has values that run anywhere (the real-tool ones are variants, not the only case)
        assertEquals(all, ran, "benchmarks that never ran in-JVM");
        roundTripThroughReport(results);
    }

    @Test
    @Timeout(60)
    void realToolVariantsRunOnce() throws Exception {
        List<RunResult> results = new ArrayList<>();
        for (Suite.Run r : Suite.plan(List.of())) {
            if (r.needs.isEmpty()) continue;
            RealTools.require(r.needs.toArray(new String[0]));
            results.addAll(runOnce(r));
        }
        roundTripThroughReport(results);
    }

    private Collection<RunResult> runOnce(Suite.Run run) throws IOException {
        Path log = dir.resolve("jmh-" + Math.abs(run.toString().hashCode()) + ".log");
        Collection<RunResult> results;
        try {
            results = new Runner(Profile.SMOKE.apply(run).output(log.toString()).build()).run();
        } catch (RunnerException e) {
            throw new AssertionError(run + " failed: " + e + "\n--- JMH output ---\n" + tail(log), e);
        }
        assertEquals(run.combinations(), results.size(), run + ": one result per parameter combination\n" + tail(log));
        // forked as in real runs: the class's @Fork(jvmArgsAppend) put JMH's workers on FastThreadLocalThreads
        String vmOptions = Files.readAllLines(log).stream().filter(l -> l.startsWith("# VM options:")).findFirst().orElse("");
        assertTrue(vmOptions.contains("-Djmh.executor.class=" + FastThreadLocalExecutor.class.getName()), run + ": " + vmOptions);
        for (RunResult rr : results) {
            Result<?> p = rr.getPrimaryResult();
            String what = rr.getParams().getBenchmark() + " " + rr.getParams().getParamsKeys().stream()
                    .map(k -> k + "=" + rr.getParams().getParam(k)).collect(Collectors.joining(" "));
            assertTrue(p.getSampleCount() > 0, what + ": no samples\n" + tail(log));
            assertTrue(Double.isFinite(p.getScore()) && p.getScore() > 0, what + ": score " + p.getScore() + "\n" + tail(log));
        }
        return results;
    }

    /** The results as JMH's JSON and back through the report's reader: one table row per result. */
    private static void roundTripThroughReport(List<RunResult> results) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            ResultFormatFactory.getInstance(ResultFormatType.JSON, ps).writeOut(results);
        }
        List<BenchResult> parsed = BenchResult.parse(bytes.toString(StandardCharsets.UTF_8));
        assertEquals(results.size(), parsed.size());
        for (BenchResult r : parsed) assertTrue(r.score > 0 && r.op != null, r.benchmark + ": score and @Op");
        String table = Markdown.table(parsed);
        assertEquals(results.size() + 2, table.split("\n").length, table);
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no JMH output: " + e + ")";
        }
    }
}
