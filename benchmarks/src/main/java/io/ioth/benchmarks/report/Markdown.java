package io.ioth.benchmarks.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** The results table in GitHub Markdown. */
public final class Markdown {
    /** The transport every other one is compared with (BenchTransport "nio"). */
    static final String BASELINE = "nio";
    /** What IoTh &harr; Linux through a tap is compared with: Linux &harr; Linux over the same kind of switch. */
    static final String LINUX_BASELINE = "linux-linux";
    private static final List<String> BASELINES = List.of(BASELINE, LINUX_BASELINE);

    private Markdown() {}

    /**
     * One row per benchmark and parameter combination: score ± error (JMH's 99.9% confidence
     * interval half-width), the unit, the data rate in GB/s for benchmarks whose op is a number of
     * bytes ({@code Op#bytesParam}), p50/p99/p99.9 for sampled latencies, the ratio to the
     * baseline with the same other parameters (NIO over loopback; for a transport through a tap, Linux
     * &harr; Linux through taps: one column per baseline present in the run), and the allocation per op
     * when {@code -prof gc} was on.
     */
    public static String table(List<BenchResult> results) {
        boolean pct = results.stream().anyMatch(BenchResult::hasOpPercentiles);
        boolean alloc = results.stream().anyMatch(r -> !Double.isNaN(r.allocNorm));
        List<String> ratios = BASELINES.stream()
                .filter(base -> results.stream().anyMatch(r -> base.equals(baselineOf(r)) && baseline(r, results) != null))
                .toList();
        boolean rate = results.stream().anyMatch(r -> r.bytesPerOp > 0);
        StringBuilder b = new StringBuilder();
        b.append("| Benchmark | Params | Score | Error (99.9%) | Unit |");
        if (rate) b.append(" GB/s |");
        if (pct) b.append(" p50 | p99 | p99.9 |");
        for (String base : ratios) b.append(" vs ").append(base).append(" |");
        if (alloc) b.append(" Alloc |");
        b.append('\n').append("|---|---|--:|--:|---|");
        if (rate) b.append("--:|");
        if (pct) b.append("--:|--:|--:|");
        for (int i = 0; i < ratios.size(); i++) b.append("--:|");
        if (alloc) b.append("--:|");
        b.append('\n');
        for (BenchResult r : results) {
            b.append("| ").append(r.shortName()).append(" | ").append(r.paramString().isEmpty() ? "\u2014" : "`" + r.paramString() + "`")
                    .append(" | ").append(num(r.score)).append(" | ")
                    .append(Double.isNaN(r.error) ? "\u2014" : "\u00b1 " + num(r.error))
                    .append(" | ").append(r.unit()).append(" |");
            if (rate) b.append(' ').append(r.bytesPerOp > 0 ? num(r.gbPerSecond()) : "").append(" |");
            if (pct) {
                if (r.hasOpPercentiles()) {
                    b.append(' ').append(num(r.percentile(50.0))).append(" | ").append(num(r.percentile(99.0)))
                            .append(" | ").append(num(r.percentile(99.9))).append(" |");
                } else {
                    b.append(" | | |");
                }
            }
            for (String name : ratios) {
                BenchResult base = name.equals(baselineOf(r)) ? baseline(r, results) : null;
                b.append(' ').append(base == null ? "" : String.format(Locale.ROOT, "%.2f\u00d7", r.score / base.score)).append(" |");
            }
            if (alloc) {
                b.append(' ').append(Double.isNaN(r.allocNorm) ? "" : num(r.allocNorm) + " " + r.allocUnit()).append(" |");
            }
            b.append('\n');
        }
        return b.toString();
    }

    /**
     * The column {@code r}'s ratio goes in (a name of {@link #BASELINES}); null for a baseline itself or a row without a
     * transport. A transport through a tap with a loss suffix ({@code -loss1}) is compared with Linux &harr; Linux at the
     * same loss, in the same column.
     */
    static String baselineOf(BenchResult r) {
        String t = r.params.get("transport");
        if (t == null || BASELINES.contains(t)) return null;
        if (!t.contains("linux")) return BASELINE;
        return t.equals(LINUX_BASELINE + lossSuffix(t)) ? null : LINUX_BASELINE;
    }

    /** "-loss1" of "ioth-linux-loss1"; "" without. */
    private static String lossSuffix(String transport) {
        int i = transport.lastIndexOf("-loss");
        return i < 0 ? "" : transport.substring(i);
    }

    /** The baseline's row with the same benchmark and other parameters, if {@code r} is compared with one. */
    static BenchResult baseline(BenchResult r, List<BenchResult> all) {
        String column = baselineOf(r);
        if (column == null) return null;
        String base = column.equals(LINUX_BASELINE) ? LINUX_BASELINE + lossSuffix(r.params.get("transport")) : column;
        for (BenchResult o : all) {
            if (!o.benchmark.equals(r.benchmark) || !o.mode.equals(r.mode) || !base.equals(o.params.get("transport"))) continue;
            boolean same = true;
            for (Map.Entry<String, String> e : r.params.entrySet()) {
                if (!e.getKey().equals("transport") && !Objects.equals(e.getValue(), o.params.get(e.getKey()))) same = false;
            }
            if (same) return o;
        }
        return null;
    }

    /** Three or four significant digits, thousands separated: 4,307 · 15.9 · 0.253. */
    public static String num(double v) {
        if (Double.isNaN(v)) return "\u2014";
        double a = Math.abs(v);
        if (a >= 1000) return String.format(Locale.ROOT, "%,.0f", v);
        if (a >= 100) return String.format(Locale.ROOT, "%.1f", v);
        if (a >= 10) return String.format(Locale.ROOT, "%.2f", v);
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
