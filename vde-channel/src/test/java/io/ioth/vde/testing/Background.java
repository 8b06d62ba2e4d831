package io.ioth.vde.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process a test started in the background (e.g. inside a {@link NetNs}). Its stdin stays open
 * as a pipe until {@link #close()}; stdout and stderr go to a temporary file.
 */
public final class Background implements AutoCloseable {
    private final Process process;
    private final Path output;
    private final String command;

    Background(Process process, Path output, String command) {
        this.process = process;
        this.output = output;
        this.command = command;
    }

    public long pid() { return process.pid(); }

    public boolean isAlive() { return process.isAlive(); }

    public Process process() { return process; }

    /** Everything it wrote to stdout and stderr so far. */
    public String output() {
        try {
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(output unavailable: " + e + ")";
        }
    }

    /** SIGTERM by pid, SIGKILL after a bounded wait; removes the output file. Idempotent. */
    @Override
    public void close() {
        try {
            Procs.terminate(process, 2000);
            try {
                process.getOutputStream().close();
            } catch (IOException e) {
                // already gone
            }
        } finally {
            Procs.deleteQuietly(output);
        }
    }

    @Override
    public String toString() { return "[" + pid() + "] " + command; }
}
