package io.ioth.benchmarks;

import io.ioth.vde.testing.RealTools;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The benchmarks on the classpath (JMH's generated {@code META-INF/BenchmarkList}) split into runs
 * by what they need: parameter values that need the real world (a {@code vde_switch} process, later
 * taps and namespaces) are listed in {@link #NEEDS} and run separately, so a laptop without the VDE
 * tools still runs everything else, and the CI smoke test can gate them like {@link RealTools}
 * does (skip with the reason; fail under {@code CI=true}). Used by {@link Report} and the smoke test.
 */
public final class Suite {
    /**
     * {@code "param=value"} to the tools it needs on PATH (root is always required, as
     * {@link RealTools#require} demands).
     */
    private static final List<String> TAP = List.of("ip", "nstat", "sysctl", "vde_plug", "vde_switch");
    private static final List<String> TAP_LOSS = List.of("ip", "nstat", "sysctl", "vde_plug", "vde_switch", "wirefilter");
    static final Map<String, List<String>> NEEDS = Map.of(
            "wire=vde_switch", List.of("vde_switch"),
            "transport=ioth-vde", List.of("vde_switch"),
            "transport=" + LinuxBenchTransport.IOTH_TO_LINUX, TAP,
            "transport=" + LinuxBenchTransport.LINUX_TO_IOTH, TAP,
            "transport=" + LinuxBenchTransport.LINUX_TO_LINUX, TAP,
            "transport=" + LinuxBenchTransport.IOTH_TO_LINUX + LinuxBenchTransport.LOSS1, TAP_LOSS,
            "transport=" + LinuxBenchTransport.LINUX_TO_LINUX + LinuxBenchTransport.LOSS1, TAP_LOSS);

    private Suite() {}

    /** One JMH run: a benchmark method with the parameter values to run, and what they need. */
    public static final class Run {
        public final String benchmark;
        /** Parameter name to the values of this run (every parameter of the benchmark, explicitly). */
        public final Map<String, String[]> params;
        /** Tools this run needs (empty: runs anywhere). */
        public final List<String> needs;
        /**
         * A {@code Mode.SingleShotTime} benchmark whose figure is one measurement in a fresh JVM (the
         * heap per idle stack): {@link Profile#apply(Run)} runs it once, not the profile's iterations.
         */
        public final boolean singleShot;

        Run(String benchmark, Map<String, String[]> params, List<String> needs) {
            this(benchmark, params, needs, false);
        }

        Run(String benchmark, Map<String, String[]> params, List<String> needs, boolean singleShot) {
            this.benchmark = benchmark;
            this.params = params;
            this.needs = needs;
            this.singleShot = singleShot;
        }

        /** Options that select exactly this run; the caller adds the profile. */
        public ChainedOptionsBuilder options() {
            ChainedOptionsBuilder b = new OptionsBuilder().include("^" + Pattern.quote(benchmark) + "$");
            params.forEach(b::param);
            return b;
        }

        /** How many JMH results this run produces (one per parameter combination). */
        public int combinations() {
            int n = 1;
            for (String[] v : params.values()) n *= v.length;
            return n;
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder(benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1));
            params.forEach((k, v) -> b.append(' ').append(k).append('=').append(String.join(",", v)));
            return b.toString();
        }
    }

    /** The runs for every benchmark whose name matches one of {@code includes} (all when empty). */
    public static List<Run> plan(List<String> includes) {
        List<String> inc = includes.isEmpty() ? List.of(".*") : includes;
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        Set<BenchmarkListEntry> entries = BenchmarkList.defaultList()
                .find(OutputFormatFactory.createFormatInstance(quiet, VerboseMode.SILENT), inc, List.of());
        Map<String, Map<String, String[]>> byName = new LinkedHashMap<>();
        Set<String> singleShot = new TreeSet<>();
        for (BenchmarkListEntry e : entries) {
            Map<String, String[]> p = e.getParams().hasValue() ? e.getParams().get() : Map.of();
            byName.putIfAbsent(e.getUsername(), new LinkedHashMap<>(p));
            if (e.getMode() == Mode.SingleShotTime) singleShot.add(e.getUsername());
        }
        List<Run> runs = new ArrayList<>();
        byName.forEach((name, params) -> runs.addAll(split(name, params, singleShot.contains(name))));
        return runs;
    }

    /** The cartesian product, over parameters, of each parameter's values grouped by what they need. */
    static List<Run> split(String benchmark, Map<String, String[]> params) {
        return split(benchmark, params, false);
    }

    static List<Run> split(String benchmark, Map<String, String[]> params, boolean singleShot) {
        List<Run> runs = List.of(new Run(benchmark, new LinkedHashMap<>(), List.of(), singleShot));
        for (Map.Entry<String, String[]> p : params.entrySet()) {
            Map<List<String>, List<String>> groups = new LinkedHashMap<>();
            for (String v : p.getValue()) {
                groups.computeIfAbsent(NEEDS.getOrDefault(p.getKey() + "=" + v, List.of()), k -> new ArrayList<>()).add(v);
            }
            List<Run> next = new ArrayList<>();
            for (Run r : runs) {
                for (Map.Entry<List<String>, List<String>> g : groups.entrySet()) {
                    Map<String, String[]> np = new LinkedHashMap<>(r.params);
                    np.put(p.getKey(), g.getValue().toArray(new String[0]));
                    Set<String> needs = new TreeSet<>(r.needs);
                    needs.addAll(g.getKey());
                    next.add(new Run(benchmark, np, List.copyOf(needs), singleShot));
                }
            }
            runs = next;
        }
        return runs;
    }

    /** What stops {@code run} here: "root (euid 0)" and tools not on PATH; empty when it can run. */
    public static List<String> missing(Run run) {
        if (run.needs.isEmpty()) return List.of();
        Set<String> missing = new LinkedHashSet<>();
        if (!isRoot()) missing.add("root (euid 0)");
        for (String t : run.needs) {
            if (RealTools.which(t) == null) missing.add(t + " on PATH");
        }
        return List.copyOf(missing);
    }

    /** Same test as RealTools (effective uid 0 in /proc/self/status), without JUnit on the classpath. */
    static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    String[] f = line.substring(4).trim().split("\\s+");
                    return f.length > 1 && f[1].equals("0");
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return false;
    }
}
