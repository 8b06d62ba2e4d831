package io.ioth.vde.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Gate for tests that need the real world: root (namespaces, taps) and installed tools. On a laptop
 * such tests are skipped with a reason; under {@code CI=true} a missing prerequisite fails the test.
 */
public final class RealTools {
    private RealTools() {}

    /** Whether we run under CI ({@code CI=true}), where nothing may be skipped. */
    public static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Skips (or, under CI, fails) the calling test unless we are root and every tool is on PATH. */
    public static void require(String... tools) {
        List<String> missing = new ArrayList<>();
        if (!isRoot()) missing.add("root (euid 0)");
        for (String t : tools) {
            if (which(t) == null) missing.add(t + " on PATH");
        }
        if (missing.isEmpty()) return;
        String reason = "needs " + String.join(", ", missing);
        if (ci()) throw new AssertionError("CI=true but this test " + reason);
        Assumptions.abort(reason);
    }

    /** The absolute path of {@code tool} on PATH (sbin dirs included), or null. */
    public static String which(String tool) {
        String path = System.getenv("PATH");
        String all = (path == null ? "" : path) + ":/usr/sbin:/sbin:/usr/bin:/bin";
        for (String dir : all.split(File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, tool);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return p.toString();
        }
        return null;
    }

    static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    String[] f = line.substring(4).trim().split("\\s+");
                    return f.length > 1 && f[1].equals("0"); // real, EFFECTIVE, saved, fs
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return false;
    }
}
