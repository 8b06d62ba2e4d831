package io.ioth.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code vde_switch} for the "over real VDE" benchmark variants: started as a daemon in a fresh directory,
 * stopped by the pid it wrote (only the process this started), the directory removed. Needs {@code vde_switch} on
 * PATH (the Report runs such variants only where {@link Suite#NEEDS} is met).
 */
final class VdeSwitchDaemon implements AutoCloseable {
    private final Path dir;
    private final long pid;

    VdeSwitchDaemon() {
        try {
            dir = Files.createTempDirectory("ioth-bench-sw-");
            final Path pidFile = dir.resolve("pid");
            final Path sock = dir.resolve("sw");
            final Process p = new ProcessBuilder("vde_switch", "-d", "-s", sock.toString(), "-p", pidFile.toString())
                    .redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("vde_switch did not start: " + new String(p.getInputStream()
                        .readAllBytes()));
            }
            // -d: the parent exits once the daemon runs; the control socket and the pid file appear in either order,
            // and the pid file may be read before its line is complete
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            long found = -1;
            while (found < 0) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("vde_switch wrote no control socket and pid file in " + sock);
                }
                if (Files.exists(sock.resolve("ctl")) && Files.exists(pidFile)) {
                    found = parsePid(Files.readString(pidFile));
                }
                if (found < 0) Thread.onSpinWait();
            }
            pid = found;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start vde_switch: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The pid of a complete pid file ("1234\n"), or -1. */
    private static long parsePid(String text) {
        if (!text.endsWith("\n")) return -1;
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** {@code vde:///…/sw}. */
    String vnl() {
        return "vde://" + dir.resolve("sw");
    }

    @Override
    public void close() {
        ProcessHandle.of(pid).ifPresent(h -> {
            h.destroy();
            h.onExit().orTimeout(5, TimeUnit.SECONDS).exceptionally(t -> {
                h.destroyForcibly();
                return h;
            }).join();
        });
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is not worth failing a benchmark over
        }
    }
}
