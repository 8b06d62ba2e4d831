package io.ioth.vde.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/** Small process and file helpers shared by the test-support classes. */
final class Procs {
    private Procs() {}

    /** Runs a command to completion (bounded), capturing stdout and stderr. */
    static ExecResult run(long timeoutMillis, List<String> cmd) {
        Path out = null, err = null;
        try {
            out = Files.createTempFile("ioth-exec", ".out");
            err = Files.createTempFile("ioth-exec", ".err");
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(2, TimeUnit.SECONDS);
                throw new AssertionError("timed out after " + timeoutMillis + " ms: " + String.join(" ", cmd));
            }
            return new ExecResult(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", cmd) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + String.join(" ", cmd), e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    /** Polls {@code cond} until it holds or the deadline passes (test-support waiting on external processes). */
    static boolean await(long timeoutMillis, BooleanSupplier cond) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            if (cond.getAsBoolean()) return true;
            if (System.nanoTime() - deadline > 0) return false;
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /** SIGTERM the pid, wait (bounded), then SIGKILL; never by name. Returns true once it is gone. */
    static boolean terminate(long pid, long graceMillis) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive()) return true;
        h.get().destroy(); // SIGTERM
        if (await(graceMillis, () -> !h.get().isAlive())) return true;
        h.get().destroyForcibly(); // SIGKILL
        return await(5000, () -> !h.get().isAlive());
    }

    /** SIGKILL the pid and wait (bounded) until it is gone. */
    static boolean kill(long pid) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive()) return true;
        h.get().destroyForcibly();
        return await(5000, () -> !h.get().isAlive());
    }

    /** Stops a child we spawned: SIGTERM, bounded wait, SIGKILL. */
    static void terminate(Process p, long graceMillis) {
        if (!p.isAlive()) return;
        p.destroy();
        try {
            if (!p.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    static String random() {
        return String.format("%08x", java.util.concurrent.ThreadLocalRandom.current().nextInt());
    }

    static void deleteQuietly(Path p) {
        if (p == null) return;
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // best effort
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(Procs::deleteQuietly);
        } catch (IOException e) {
            // best effort
        }
    }
}
