package io.ioth.benchmarks.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the results were measured on, read from /proc and the JVM: CPU model and count, memory,
 * cgroup CPU quota, JDK, OS, kernel, and the load average (the machine may be shared; a high load
 * during a run makes its figures suspect).
 */
public final class Machine {
    private Machine() {}

    /** Label to value, in display order. Every entry degrades to "unknown" off Linux. */
    public static Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        String model = "unknown";
        int procs = 0;
        for (String line : lines("/proc/cpuinfo")) {
            if (line.startsWith("model name") && model.equals("unknown")) model = after(line);
            if (line.startsWith("processor")) procs++;
        }
        m.put("CPU", model + " \u2014 " + Runtime.getRuntime().availableProcessors() + " cores available to the JVM"
                + (procs > 0 ? " (" + procs + " online)" : ""));
        String quota = first("/sys/fs/cgroup/cpu.max");
        if (quota != null && !quota.startsWith("max")) {
            String[] f = quota.trim().split("\\s+");
            try {
                m.put("cgroup CPU quota", String.format("%.2f CPUs", Double.parseDouble(f[0]) / Double.parseDouble(f[1])));
            } catch (RuntimeException e) {
                m.put("cgroup CPU quota", quota.trim());
            }
        }
        String mem = "unknown";
        for (String line : lines("/proc/meminfo")) {
            if (line.startsWith("MemTotal:")) {
                String[] f = after(line).split("\\s+");
                try {
                    mem = String.format("%.1f GiB", Long.parseLong(f[0]) / (1024.0 * 1024.0));
                } catch (RuntimeException e) {
                    mem = after(line);
                }
            }
        }
        m.put("Memory", mem);
        m.put("JDK", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.vm.vendor") + ")");
        String os = "unknown";
        for (String line : lines("/etc/os-release")) {
            if (line.startsWith("PRETTY_NAME=")) os = line.substring(12).replace("\"", "");
        }
        m.put("OS", os + ", " + System.getProperty("os.arch"));
        String kernel = first("/proc/sys/kernel/osrelease");
        m.put("Kernel", kernel == null ? System.getProperty("os.version") : kernel.trim());
        return m;
    }

    /** The 1-, 5- and 15-minute load averages, or "unknown". */
    public static String loadAverage() {
        String l = first("/proc/loadavg");
        if (l == null) return "unknown";
        String[] f = l.trim().split("\\s+");
        return f.length >= 3 ? f[0] + " " + f[1] + " " + f[2] : l.trim();
    }

    private static String after(String line) {
        int c = line.indexOf(':');
        return c < 0 ? line.trim() : line.substring(c + 1).trim();
    }

    private static List<String> lines(String path) {
        try {
            return Files.readAllLines(Path.of(path));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    private static String first(String path) {
        List<String> l = lines(path);
        return l.isEmpty() ? null : l.get(0);
    }
}
