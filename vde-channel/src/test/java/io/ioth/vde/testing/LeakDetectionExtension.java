package io.ioth.vde.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns Netty's leak reports into test failures. Registered for every test through JUnit's
 * extension auto-detection (see the root pom's surefire configuration); the test JVMs run with
 * {@code -Dio.netty.leakDetectionLevel=paranoid}, so every buffer is tracked.
 *
 * <p>After each test it collects garbage and makes the detector poll its reference queue; any
 * leak reported then fails that test with Netty's record of where the buffer was touched.
 */
public final class LeakDetectionExtension implements BeforeAllCallback, AfterEachCallback {
    private static final List<String> LEAKS = new ArrayList<>();
    private static volatile boolean installed;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        install();
    }

    static synchronized void install() throws ReflectiveOperationException {
        if (installed) return;
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        }
        Class<?> abb = Class.forName("io.netty.buffer.AbstractByteBuf");
        Field f = abb.getDeclaredField("leakDetector");
        f.setAccessible(true);
        ResourceLeakDetector<?> detector = (ResourceLeakDetector<?>) f.get(null);
        detector.setLeakListener((resourceType, records) -> {
            synchronized (LEAKS) {
                LEAKS.add(resourceType + " leaked:" + records);
            }
        });
        installed = true;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<String> found = collect();
        if (!found.isEmpty()) {
            throw new AssertionError(found.size() + " ByteBuf leak(s) in " + context.getDisplayName()
                    + "\n" + String.join("\n\n", found));
        }
    }

    /** Runs the collector and lets the detector report; returns (and forgets) what it reported. */
    public static List<String> collect() {
        for (int i = 0; i < 2; i++) {
            System.gc();
            System.runFinalization();
            // A newly tracked buffer makes the detector drain its reference queue and report leaks.
            ByteBuf a = PooledByteBufAllocator.DEFAULT.buffer(1);
            ByteBuf b = UnpooledByteBufAllocator.DEFAULT.directBuffer(1);
            a.release();
            b.release();
        }
        synchronized (LEAKS) {
            List<String> out = new ArrayList<>(LEAKS);
            LEAKS.clear();
            return out;
        }
    }
}
