package io.ioth.vde.testing;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A real {@code vde_switch} for a test: {@code vde_switch -d -p PIDFILE -s DIR -M MGMT -m 666 EXTRA...}
 * in a unique directory under /tmp. Stopped by pid only, and its files removed, by {@link #close()}.
 *
 * <pre>{@code
 * try (VdeSwitchProcess sw = VdeSwitchProcess.start("-n", "4")) {
 *     VdePlug p = Vde.open(sw.vnl());
 *     assertTrue(sw.mgmt("port/print").contains("ACTIVE"));
 * }
 * }</pre>
 */
public final class VdeSwitchProcess implements AutoCloseable {
    /** vde-protocol.md §1.7: the console prompt that ends every reply. */
    private static final String PROMPT = "\nvde$ ";
    private static final long START_TIMEOUT_MS = 5000, MGMT_TIMEOUT_MS = 5000;

    private final String base;
    private final Path dir, pidFile, mgmtPath;
    private final List<String> extraArgs;
    private long pid = -1;
    private boolean closed;

    private VdeSwitchProcess(String base, List<String> extraArgs) {
        this.base = base;
        this.dir = Path.of(base);
        this.pidFile = Path.of(base + ".pid");
        this.mgmtPath = Path.of(base + ".mgmt");
        this.extraArgs = extraArgs;
    }

    /** Starts a switch with these extra arguments (e.g. {@code "-n", "4"} or {@code "-x"}). */
    public static VdeSwitchProcess start(String... extraArgs) {
        VdeSwitchProcess sw = new VdeSwitchProcess("/tmp/ioth-sw-" + Procs.random(), List.of(extraArgs));
        try {
            sw.launch();
        } catch (RuntimeException | Error e) {
            sw.close();
            throw e;
        }
        return sw;
    }

    /** The switch directory (holding {@code ctl}). */
    public Path dir() { return dir; }

    /** {@code "vde://" + dir}. */
    public String vnl() { return "vde://" + dir; }

    public Path mgmtPath() { return mgmtPath; }

    /** The switch's pid (read from its pid file), or -1 if not running. */
    public long pid() { return pid; }

    public boolean isAlive() {
        return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private void launch() {
        List<String> cmd = new ArrayList<>(Arrays.asList("vde_switch", "-d", "-p", pidFile.toString(),
                "-s", dir.toString(), "-M", mgmtPath.toString(), "-m", "666"));
        cmd.addAll(extraArgs);
        // -d: the launcher forks the daemon and exits (vde-protocol.md §1.7 / §6.12)
        Procs.run(START_TIMEOUT_MS, cmd).check(String.join(" ", cmd));
        if (!Procs.await(START_TIMEOUT_MS, () -> Files.exists(dir.resolve("ctl")) && Files.exists(mgmtPath)
                && readPid() > 0)) {
            pid = readPid(); // so close() can still stop a half-started switch
            throw new AssertionError("vde_switch did not come up in " + START_TIMEOUT_MS + " ms: " + cmd);
        }
        pid = readPid();
    }

    private long readPid() {
        try {
            String s = Files.readString(pidFile).trim();
            return s.isEmpty() ? -1 : Long.parseLong(s);
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Runs one management command (vde-protocol.md §1.7) and returns its data lines (the text between
     * {@code 0000 DATA END WITH '.'} and {@code .}; empty for commands that print nothing).
     *
     * @throws AssertionError if the switch answers with a status other than {@code 1000 Success}
     */
    public String mgmt(String command) {
        Reply r = mgmtReply(command);
        if (r.status() != 1000) {
            throw new AssertionError("vde_switch '" + command + "' -> " + r.status() + " " + r.statusText());
        }
        return r.data();
    }

    /** A parsed console reply. */
    public record Reply(int status, String statusText, String data) {}

    /** Runs one management command and returns its status too (no exception for 1NNN errors). */
    public Reply mgmtReply(String command) {
        if (command.indexOf('\n') >= 0 || command.length() > 120) {
            throw new IllegalArgumentException("one command line of at most 120 bytes: " + command);
        }
        long deadline = System.nanoTime() + MGMT_TIMEOUT_MS * 1_000_000L;
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(mgmtPath));
             Selector sel = Selector.open()) {
            ch.configureBlocking(false);
            ch.register(sel, SelectionKey.OP_READ);
            StringBuilder in = new StringBuilder();
            readUntilPrompt(ch, sel, in, deadline, "banner"); // banner + prompt
            in.setLength(0);
            // one command per write (the switch treats each read() as one line)
            ByteBuffer out = ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII));
            while (out.hasRemaining()) {
                if (ch.write(out) == 0) throw new IOException("console socket full");
            }
            readUntilPrompt(ch, sel, in, deadline, command);
            return parse(command, in.substring(0, in.length() - PROMPT.length()));
        } catch (IOException e) {
            throw new AssertionError("vde_switch console " + mgmtPath + " '" + command + "': " + e, e);
        }
    }

    private static void readUntilPrompt(SocketChannel ch, Selector sel, StringBuilder in, long deadline,
                                        String what) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        while (in.indexOf(PROMPT) < 0 || !in.toString().endsWith(PROMPT)) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) throw new IOException("no prompt after '" + what + "'; got: " + in);
            sel.select(left);
            sel.selectedKeys().clear();
            buf.clear();
            int n = ch.read(buf);
            if (n < 0) throw new IOException("console closed after '" + what + "'; got: " + in);
            in.append(new String(buf.array(), 0, n, StandardCharsets.ISO_8859_1));
        }
    }

    static Reply parse(String command, String text) throws IOException {
        String data = "";
        String rest = text;
        String header = "0000 DATA END WITH '.'\n";
        int h = rest.indexOf(header);
        if (h >= 0) {
            int end = rest.indexOf("\n.\n", h + header.length() - 1);
            if (end < 0) throw new IOException("unterminated data for '" + command + "': " + text);
            data = rest.substring(h + header.length(), end + 1);
            rest = rest.substring(end + 3);
        }
        for (String line : rest.split("\n")) {
            if (line.length() >= 5 && line.charAt(0) == '1' && Character.isDigit(line.charAt(1))
                    && Character.isDigit(line.charAt(2)) && Character.isDigit(line.charAt(3))
                    && line.charAt(4) == ' ') {
                return new Reply(Integer.parseInt(line.substring(0, 4)), line.substring(5), data);
            }
        }
        throw new IOException("no status line for '" + command + "': " + text);
    }

    /** SIGKILL the switch by pid (its files stay, as after a crash). */
    public void kill() {
        if (pid > 0 && !Procs.kill(pid)) throw new AssertionError("vde_switch " + pid + " survived SIGKILL");
        pid = -1;
    }

    /** Stops the switch if it runs, then starts a fresh one on the same directory and arguments. */
    public void restart() {
        if (closed) throw new IllegalStateException("closed");
        stopProcess();
        Procs.deleteQuietly(mgmtPath); // stale console socket of the dead switch
        Procs.deleteQuietly(pidFile);
        launch();
    }

    private void stopProcess() {
        if (pid > 0 && !Procs.terminate(pid, 2000)) throw new AssertionError("vde_switch " + pid + " did not stop");
        pid = -1;
    }

    /** SIGTERM (then SIGKILL) by pid and removes the directory, pid file and console socket. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            stopProcess();
        } finally {
            Procs.deleteTree(dir);
            Procs.deleteQuietly(mgmtPath);
            Procs.deleteQuietly(pidFile);
        }
    }

    @Override
    public String toString() { return "vde_switch(" + base + ", pid " + pid + ")"; }
}
