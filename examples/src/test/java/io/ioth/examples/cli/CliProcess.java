package io.ioth.examples.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** One {@code ioth} command run as a child JVM (the way a user runs it), its stdout read line by line. */
final class CliProcess implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuffer err = new StringBuffer();
    private final List<Thread> pumps = new ArrayList<>();

    private CliProcess(final Process p) {
        this.process = p;
        pump(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)), lines, null);
        pump(new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8)), null, err);
    }

    static CliProcess start(final String... args) throws IOException {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Ioth.class.getName());
        cmd.addAll(List.of(args));
        return new CliProcess(new ProcessBuilder(cmd).start());
    }

    private void pump(final BufferedReader r, final BlockingQueue<String> to, final StringBuffer into) {
        final Thread t = new Thread(() -> {
            try (r) {
                for (String l; (l = r.readLine()) != null; ) {
                    if (to != null) {
                        to.add(l);
                    } else {
                        into.append(l).append('\n');
                    }
                }
            } catch (IOException ignored) {
                // the process went away
            }
        }, "cli-pump");
        t.setDaemon(true);
        t.start();
        pumps.add(t);
    }

    /** The next stdout line, waiting at most {@code seconds}; fails with stderr on timeout. */
    String line(final long seconds) throws InterruptedException {
        final String l = lines.poll(seconds, TimeUnit.SECONDS);
        if (l == null) {
            throw new AssertionError("no output within " + seconds + " s; alive=" + process.isAlive() + "; stderr:\n"
                    + err);
        }
        return l;
    }

    /** Waits for exit (bounded) and returns the exit code. */
    int waitFor(final long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("still running after " + seconds + " s; stderr:\n" + err);
        }
        for (Thread t : pumps) {
            t.join(TimeUnit.SECONDS.toMillis(10)); // the last lines it wrote
        }
        return process.exitValue();
    }

    /** All of stdout seen so far and still queued. */
    String drainOut() {
        final List<String> l = new ArrayList<>();
        lines.drainTo(l);
        return String.join("\n", l);
    }

    String err() {
        return err.toString();
    }

    /** SIGTERM, as a user's Ctrl-C or a service manager would. */
    void terminate() {
        process.toHandle().destroy(); // SIGTERM only: Process.destroy() would also close our ends of its pipes
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
