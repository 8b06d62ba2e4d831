package io.ioth.benchmarks.report;

import io.ioth.benchmarks.Op;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One row of JMH's JSON output (one benchmark method with one combination of parameters), with
 * what the report shows: score, error, unit (made readable with the method's {@link Op}),
 * percentiles for sampled modes and the normalised allocation from {@code -prof gc}.
 */
public final class BenchResult {
    /** Fully qualified, as JMH names it: {@code io.ioth.benchmarks.TcpEchoBenchmark.echo}. */
    public final String benchmark;
    /** JMH's short mode name: thrpt, avgt, sample, ss. */
    public final String mode;
    public final Map<String, String> params;
    public final double score, error;
    /** JMH's unit ({@code ops/s}, {@code us/op}). */
    public final String rawUnit;
    /** Percentile (0..100) to value, in the score's unit; only sampled modes have a useful spread. */
    public final Map<Double, Double> percentiles;
    /** {@code gc.alloc.rate.norm} in B/op, NaN when the run had no {@code -prof gc}. */
    public final double allocNorm;
    /** What one op is, and ops ({@link Op}), or null. */
    public final String op, ops;
    /** The {@code @AuxCounters} result shown as the score ({@link Op#metric()}), or null for JMH's primary score. */
    public final String metric;
    /** Bytes one op processes ({@link Op#bytesParam()}), or 0. */
    public final long bytesPerOp;
    /**
     * The run this row comes from, as the runner records it ({@code date}, {@code commit},
     * {@code profile}, {@code command}); empty for plain JMH output.
     */
    public final Map<String, String> origin;
    public final int forks, warmupIterations, measurementIterations;
    public final String warmupTime, measurementTime;

    /** Parameters that tell the compared systems apart come first in labels (JMH sorts by name). */
    private static final List<String> FIRST_PARAMS = List.of("transport", "wire");

    private BenchResult(Map<String, Object> o) {
        benchmark = String.valueOf(o.get("benchmark"));
        mode = String.valueOf(o.get("mode"));
        Map<String, String> p = new LinkedHashMap<>();
        Map<String, Object> jp = Json.object(o.get("params"));
        for (String first : FIRST_PARAMS) {
            if (jp.containsKey(first)) p.put(first, String.valueOf(jp.get(first)));
        }
        jp.forEach((k, v) -> p.putIfAbsent(k, String.valueOf(v)));
        params = Collections.unmodifiableMap(p);
        Op ann = lookUpOp(String.valueOf(o.get("benchmark")));
        Map<String, Object> pm = Json.object(o.get("primaryMetric"));
        Map<String, Object> secondary = Json.object(o.get("secondaryMetrics"));
        String unit = String.valueOf(pm.get("scoreUnit"));
        String m = null;
        if (ann != null && !ann.metric().isEmpty() && secondary.containsKey(ann.metric())) {
            // the figure is an @AuxCounters result (bytes of heap per stack, say), not the time
            m = ann.metric();
            pm = Json.object(secondary.get(m));
            unit = "B/op";
        }
        metric = m;
        score = Json.number(pm.get("score"));
        error = Json.number(pm.get("scoreError"));
        rawUnit = unit;
        Map<Double, Double> pc = new TreeMap<>();
        Json.object(pm.get("scorePercentiles")).forEach((k, v) -> pc.put(Double.parseDouble(k), Json.number(v)));
        percentiles = Collections.unmodifiableMap(pc);
        double alloc = Double.NaN;
        for (Map.Entry<String, Object> e : Json.object(o.get("secondaryMetrics")).entrySet()) {
            // JMH before 1.37 prefixed profiler metrics with a middle dot
            String name = e.getKey().startsWith("\u00b7") ? e.getKey().substring(1) : e.getKey();
            if (name.equals("gc.alloc.rate.norm")) alloc = Json.number(Json.object(e.getValue()).get("score"));
        }
        allocNorm = alloc;
        op = ann == null ? null : ann.value();
        ops = ann == null ? null : ann.plural().isEmpty() ? ann.value() : ann.plural();
        long bytes = 0;
        if (ann != null && !ann.bytesParam().isEmpty() && params.containsKey(ann.bytesParam())) {
            try {
                bytes = Long.parseLong(params.get(ann.bytesParam()));
            } catch (NumberFormatException e) {
                // not a byte count: no rate
            }
        }
        bytesPerOp = bytes;
        Map<String, String> or = new LinkedHashMap<>();
        Json.object(o.get("iothRun")).forEach((k, v) -> or.put(k, String.valueOf(v)));
        origin = Collections.unmodifiableMap(or);
        forks = (int) Json.number(o.get("forks"));
        warmupIterations = (int) Json.number(o.get("warmupIterations"));
        measurementIterations = (int) Json.number(o.get("measurementIterations"));
        warmupTime = String.valueOf(o.get("warmupTime"));
        measurementTime = String.valueOf(o.get("measurementTime"));
    }

    /** Reads a JMH JSON result file's text; rows sorted by benchmark name, in JMH's order within one. */
    public static List<BenchResult> parse(String json) {
        List<BenchResult> out = new ArrayList<>();
        for (Object o : Json.array(Json.parse(json))) out.add(new BenchResult(Json.object(o)));
        out.sort(Comparator.comparing(BenchResult::shortName)); // stable
        return out;
    }

    /** {@code TcpEcho.echo}: the class's simple name without "Benchmark", and the method. */
    public String shortName() {
        int dot = benchmark.lastIndexOf('.');
        String cls = benchmark.substring(0, Math.max(dot, 0));
        cls = cls.substring(cls.lastIndexOf('.') + 1);
        if (cls.endsWith("Benchmark")) cls = cls.substring(0, cls.length() - "Benchmark".length());
        return cls + "." + benchmark.substring(dot + 1);
    }

    /** {@code size=64 transport=nio}, or empty. */
    public String paramString() {
        StringBuilder b = new StringBuilder();
        params.forEach((k, v) -> b.append(b.length() == 0 ? "" : " ").append(k).append('=').append(v));
        return b.toString();
    }

    /** Throughput-like (higher is better) rather than time per op. */
    public boolean isThroughput() {
        return mode.equals("thrpt");
    }

    /** The unit with "op" replaced by what an op is: {@code MiB/s}, {@code us/round trip}. */
    public String unit() {
        String u = rawUnit.replace("us/", "\u00b5s/");
        if (op == null) return u;
        if (u.startsWith("ops/")) return ops + u.substring(3);
        if (u.endsWith("/op")) return u.substring(0, u.length() - 2) + op;
        return u;
    }

    /** Ops per second from the score, whatever JMH's unit ({@code ns/op}, {@code ops/ms}...); NaN if unknown. */
    public double opsPerSecond() {
        int slash = rawUnit.indexOf('/');
        if (slash < 0) return Double.NaN;
        String a = rawUnit.substring(0, slash), b = rawUnit.substring(slash + 1);
        if (a.equals("ops")) return score / seconds(b);
        if (b.equals("op")) return 1 / (score * seconds(a));
        return Double.NaN;
    }

    /** The data rate in GB/s (10^9 bytes per second) for a benchmark with {@link Op#bytesParam()}, else NaN. */
    public double gbPerSecond() {
        return bytesPerOp > 0 ? opsPerSecond() * bytesPerOp / 1e9 : Double.NaN;
    }

    /** The half-width of the confidence interval of {@link #gbPerSecond()} (to first order), or NaN. */
    public double gbPerSecondError() {
        return Double.isNaN(error) || score == 0 ? Double.NaN : gbPerSecond() * error / score;
    }

    private static double seconds(String unit) {
        switch (unit) {
            case "ns": return 1e-9;
            case "us": return 1e-6;
            case "ms": return 1e-3;
            case "s": return 1;
            case "min": return 60;
            default: return Double.NaN;
        }
    }

    /** The allocation unit: B/op with the op named. */
    public String allocUnit() {
        return op == null ? "B/op" : "B/" + op;
    }

    public double percentile(double p) {
        Double v = percentiles.get(p);
        return v == null ? Double.NaN : v;
    }

    /** Whether the percentiles describe single operations (sampled), not iteration scores. */
    public boolean hasOpPercentiles() {
        return mode.equals("sample") && !percentiles.isEmpty();
    }

    private static Op lookUpOp(String benchmark) {
        int dot = benchmark.lastIndexOf('.');
        if (dot < 0) return null;
        try {
            Class<?> c = Class.forName(benchmark.substring(0, dot), false, BenchResult.class.getClassLoader());
            for (Method m : c.getMethods()) {
                Op op = m.getAnnotation(Op.class);
                if (op != null && m.getName().equals(benchmark.substring(dot + 1))) return op;
            }
        } catch (ClassNotFoundException | LinkageError e) {
            // results of a benchmark not on this classpath: JMH's units as they are
        }
        return null;
    }
}
