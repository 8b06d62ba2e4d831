package io.ioth.benchmarks;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Locale;

/**
 * How long and how often each benchmark runs. The profile overrides the classes' own
 * {@code @Warmup}/{@code @Measurement}/{@code @Fork(value)}; their {@code jvmArgsAppend}
 * (FastThreadLocalThread workers, leak detection off) always applies.
 */
public enum Profile {
    /** Minutes, not hours: a first look and the figures for a PR note (whole suite at most 5 min on 2 cores). */
    // four measured iterations, not three: JMH's 99.9% interval uses Student's t, 31.6 at n=3, 12.9 at n=4 (8.6 at
    // n=5 no longer fits the 5 minutes once the IoTh transport joined the end-to-end benchmarks: ~40 combinations)
    QUICK(1, 2, TimeValue.seconds(1), 4, TimeValue.seconds(1), true),
    /** Proper warm-up and enough iterations over two forks for a stable error estimate (~25 min, 23 combinations). */
    FULL(2, 5, TimeValue.seconds(2), 10, TimeValue.seconds(2), true),
    /** Does every benchmark run at all: one short iteration, no warm-up, no profiler (the CI smoke test). */
    SMOKE(1, 0, TimeValue.seconds(0), 1, TimeValue.milliseconds(200), false);

    public final int forks, warmupIterations, measurementIterations;
    public final TimeValue warmupTime, measurementTime;
    public final boolean gc;

    Profile(int forks, int wi, TimeValue wt, int mi, TimeValue mt, boolean gc) {
        this.forks = forks;
        this.warmupIterations = wi;
        this.warmupTime = wt;
        this.measurementIterations = mi;
        this.measurementTime = mt;
        this.gc = gc;
    }

    public ChainedOptionsBuilder apply(ChainedOptionsBuilder b) {
        b.forks(forks).warmupIterations(warmupIterations).measurementIterations(measurementIterations)
                .measurementTime(measurementTime)
                // an iteration that has not ended this long after its time is up is a hung benchmark
                .timeout(TimeValue.seconds(30))
                .shouldFailOnError(true);
        if (warmupIterations > 0) b.warmupTime(warmupTime);
        if (gc) b.addProfiler(GCProfiler.class);
        return b;
    }

    /**
     * The options for {@code run} under this profile. A single-shot run ({@link Suite.Run#singleShot})
     * is one measured shot in one fresh JVM after {@code 1} warm-up shot (none in {@link #SMOKE}),
     * without {@code -prof gc}: its figure is an {@code @AuxCounters} EVENTS count, which JMH adds up
     * over iterations and forks, and its allocation is the population it builds, not a rate.
     */
    public ChainedOptionsBuilder apply(Suite.Run run) {
        if (!run.singleShot) return apply(run.options());
        return run.options().forks(1).warmupIterations(warmupIterations > 0 ? 1 : 0).measurementIterations(1)
                .timeout(TimeValue.minutes(3)).shouldFailOnError(true);
    }

    /** Seconds one parameter combination takes, plus about 2 s for the forked JVM and set-up. */
    public double secondsPerCombination() {
        return forks * (warmupIterations * seconds(warmupTime) + measurementIterations * seconds(measurementTime) + 2);
    }

    /** "1 fork, 2 × 1 s warm-up, 3 × 1 s measurement, -prof gc". */
    public String describe() {
        return forks + (forks == 1 ? " fork" : " forks") + ", "
                + (warmupIterations == 0 ? "no warm-up" : warmupIterations + " \u00d7 " + warmupTime + " warm-up") + ", "
                + measurementIterations + " \u00d7 " + measurementTime + " measurement" + (gc ? ", -prof gc" : "");
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    private static double seconds(TimeValue t) {
        return t.convertTo(java.util.concurrent.TimeUnit.MILLISECONDS) / 1000.0;
    }
}
