package io.ioth.benchmarks;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * What one JMH operation of a benchmark method is, for people reading the results: {@code "MiB"}
 * turns JMH's {@code ops/s} into {@code MiB/s}, {@code "conn"} into {@code conn/s}, and
 * {@code @Op(value = "round trip", plural = "round trips")} turns {@code us/op} into
 * {@code us/round trip} and {@code ops/s} into {@code round trips/s}. JMH's JSON keeps its own units;
 * {@link Report} reads this annotation (by reflection, from the benchmark class on its classpath)
 * when it writes the table and the chart.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Op {
    /** One operation, as in "µs per <i>value</i>". */
    String value();

    /** Operations, as in "<i>plural</i> per second"; the same as {@link #value()} when empty. */
    String plural() default "";

    /**
     * The {@code @Param} whose value is the number of bytes one operation processes (a checksum over
     * {@code size} bytes), or empty. With it the report adds a data rate in GB/s (10<sup>9</sup> bytes
     * per second) next to the score, and the chart draws that rate.
     */
    String bytesParam() default "";

    /**
     * The secondary result (an {@code @AuxCounters} field) that is this benchmark's figure, or empty
     * for JMH's primary score. A single-shot benchmark that measures bytes of heap, say, reports them
     * as {@code bytesPerStack}; with {@code metric = "bytesPerStack"} the report shows that value as
     * the row's score, in {@code B/}<i>op</i>, and JMH's time of the shot not at all.
     */
    String metric() default "";
}
