package io.ioth.benchmarks;

import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * JMH worker threads that are Netty {@code FastThreadLocalThread}s, like event-loop threads. Netty
 * 4.2 recycles pooled ByteBuf objects only on such threads ({@code Recycler.get()} hands out a new
 * object with a no-op handle elsewhere) and gives plain threads no PoolThreadCache
 * ({@code io.netty.allocator.useCacheForAllThreads=false}), so on JMH's default threads the
 * benchmark would measure garbage a loop never makes. Selected with
 * {@code -Djmh.executor=CUSTOM -Djmh.executor.class=io.ioth.benchmarks.FastThreadLocalExecutor}.
 */
public final class FastThreadLocalExecutor extends ThreadPoolExecutor {
    /** The constructor JMH's CUSTOM executor mode calls (BenchmarkHandler#getExecutor). */
    public FastThreadLocalExecutor(int maxThreads, String prefix) {
        super(maxThreads, maxThreads, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                new DefaultThreadFactory(prefix, true));
    }
}
