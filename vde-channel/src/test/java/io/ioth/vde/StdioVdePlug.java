package io.ioth.vde;

import io.ioth.vde.testing.NetNs;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code vde_plug URL} running inside a {@link NetNs}, driven through its stdin/stdout with
 * the stream framing of vde-protocol.md §2 (2-byte big-endian length + frame). Test-only: a reader
 * thread decodes stdout into a queue. {@link #close()} kills the process by its pid.
 */
final class StdioVdePlug implements AutoCloseable {
    private final Process process;
    private final OutputStream stdin;
    private final Thread reader;
    private final Path stderr;
    private final LinkedBlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();

    private StdioVdePlug(Process process, Path stderr) {
        this.process = process;
        this.stdin = process.getOutputStream();
        this.stderr = stderr;
        DataInputStream in = new DataInputStream(process.getInputStream());
        reader = new Thread(() -> {
            try {
                while (true) {
                    int len = in.readUnsignedShort(); // DataInputStream buffers split headers
                    byte[] f = new byte[len];
                    in.readFully(f);
                    if (len > 0) frames.add(f);
                }
            } catch (EOFException e) {
                // vde_plug exited
            } catch (IOException e) {
                // closed
            }
        }, "stdio-vde_plug-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code vde_plug url} inside {@code ns} (as {@code ip netns exec NS vde_plug URL}, which execs it). */
    static StdioVdePlug start(NetNs ns, String url) throws IOException {
        Path err = Files.createTempFile("ioth-vdeplug", ".err");
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns.name(), "vde_plug", url));
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        return new StdioVdePlug(p, err);
    }

    long pid() { return process.pid(); }

    /** Writes one record (header and frame in one write, as vde_plug's own writer does). */
    void send(byte[] frame) throws IOException {
        byte[] rec = new byte[2 + frame.length];
        rec[0] = (byte) (frame.length >>> 8);
        rec[1] = (byte) frame.length;
        System.arraycopy(frame, 0, rec, 2, frame.length);
        stdin.write(rec);
        stdin.flush();
    }

    /** The next frame vde_plug wrote, or null after {@code timeoutMs}. */
    byte[] poll(long timeoutMs) throws InterruptedException {
        return frames.poll(timeoutMs, TimeUnit.MILLISECONDS);
    }

    int pending() { return frames.size(); }

    /** Closes stdin: vde_plug exits on EOF (and vxvde sends its goodbye on the way out). */
    boolean closeStdinAndWait(long timeoutMs) throws InterruptedException {
        try {
            stdin.close();
        } catch (IOException e) {
            // already gone
        }
        return process.waitFor(timeoutMs, TimeUnit.MILLISECONDS);
    }

    boolean isAlive() { return process.isAlive(); }

    String stderr() {
        try {
            return Files.readString(stderr);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() throws InterruptedException {
        try {
            if (process.isAlive()) {
                process.destroy(); // SIGTERM to this pid
                if (!process.waitFor(2, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(2, TimeUnit.SECONDS);
                }
            }
            reader.join(2000);
        } finally {
            try {
                Files.deleteIfExists(stderr);
            } catch (IOException e) {
                // best effort
            }
        }
    }
}
