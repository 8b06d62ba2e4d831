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
    /** The one console connection (see {@link #mgmtReply}); null until the switch is up or after a failure. */
    private SocketChannel console;

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
        // the console connection for the switch's whole life, opened before any port can join (see mgmtReply)
        try {
            console = openConsole(System.nanoTime() + MGMT_TIMEOUT_MS * 1_000_000L);
        } catch (IOException e) {
            throw new AssertionError("vde_switch console " + mgmtPath + ": " + e, e);
        }
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

    /**
     * Runs one management command and returns its status too (no exception for 1NNN errors).
     *
     * <p>All commands share one console connection, opened as soon as the switch is up (before any port
     * can join) and closed by {@link #kill()}, {@link #restart()} and {@link #close()}; callers on several
     * threads are serialised. If the connection is lost (the switch died, a timeout, {@code logout}) the
     * next call opens a new one.
     *
     * <p>Why one connection: vde_switch 2.3.2 finds a control stream's port through an fd-to-poll-slot map.
     * Adding a port's data socket (a priority fd) moves the first non-priority entry of the poll table to
     * the end without updating that map (upstream vde_switch.c add_fd()); if the moved entry is a control
     * stream whose join is still pending, its port is stored in another fd's slot, and the stream's EOF
     * later frees nothing: the port stays ACTIVE for ever. Every console connect/disconnect reshuffles the
     * table, so a connection per command, polling {@code port/print} while two vde_plugs joined, left a
     * port behind in 8 of 40 runs; with one connection held from the start, 0 of 320 (no-Java
     * reproduction). This does not fix the switch: a control stream whose request is handled after 3 or more
     * streams that connected later have joined still leaks (4 vde_plugs joining at once: 1 of 150 runs),
     * so tests that assert freed ports should let at most two ports join at the same time.
     */
    public synchronized Reply mgmtReply(String command) {
        if (command.indexOf('\n') >= 0 || command.length() > 120) {
            throw new IllegalArgumentException("one command line of at most 120 bytes: " + command);
        }
        if (closed) throw new IllegalStateException("closed: " + this);
        long deadline = System.nanoTime() + MGMT_TIMEOUT_MS * 1_000_000L;
        boolean ok = false;
        try {
            if (console == null) console = openConsole(deadline);
            try (Selector sel = Selector.open()) {
                console.register(sel, SelectionKey.OP_READ);
                StringBuilder in = new StringBuilder();
                drain(console, in); // nothing is pending between replies; drop whatever is, so it can't pose as one
                in.setLength(0);
                // one command per write, and wait for the prompt before the next (§1.7: each read() is one line)
                ByteBuffer out = ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII));
                while (out.hasRemaining()) {
                    if (console.write(out) == 0) throw new IOException("console socket full");
                }
                readUntilPrompt(console, sel, in, deadline, command);
                Reply r = parse(command, in.substring(0, in.length() - PROMPT.length()));
                ok = true;
                return r;
            }
        } catch (IOException e) {
            throw new AssertionError("vde_switch console " + mgmtPath + " '" + command + "': " + e, e);
        } finally {
            if (!ok) closeConsole(); // state unknown (EOF, timeout, garbled reply): the next call starts afresh
        }
    }

    /** Connects to the console and consumes its banner and first prompt (vde-protocol.md §1.7). */
    private SocketChannel openConsole(long deadline) throws IOException {
        SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(mgmtPath));
        try (Selector sel = Selector.open()) {
            ch.configureBlocking(false);
            ch.register(sel, SelectionKey.OP_READ);
            readUntilPrompt(ch, sel, new StringBuilder(), deadline, "(banner)");
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private synchronized void closeConsole() {
        if (console == null) return;
        try {
            console.close();
        } catch (IOException e) {
            // best effort: the fd is released either way
        }
        console = null;
    }

    /** Reads whatever is already buffered without waiting; EOF is an error. */
    private static void drain(SocketChannel ch, StringBuilder in) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        int n;
        while ((n = ch.read(buf.clear())) > 0) in.append(new String(buf.array(), 0, n, StandardCharsets.ISO_8859_1));
        if (n < 0) throw new IOException("console closed by the switch");
    }

    private static void readUntilPrompt(SocketChannel ch, Selector sel, StringBuilder in, long deadline,
                                        String what) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        while (!endsWith(in, PROMPT)) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) throw new IOException("no prompt after '" + what + "'; got: " + in);
            sel.select(left);
            sel.selectedKeys().clear();
            int n = ch.read(buf.clear());
            if (n < 0) throw new IOException("console closed after '" + what + "'; got: " + in);
            in.append(new String(buf.array(), 0, n, StandardCharsets.ISO_8859_1));
        }
    }

    private static boolean endsWith(StringBuilder sb, String suffix) {
        int off = sb.length() - suffix.length();
        return off >= 0 && sb.indexOf(suffix, off) == off;
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

    /** SIGKILL the switch by pid (its files stay, as after a crash); drops the console connection. */
    public synchronized void kill() {
        closeConsole();
        if (pid > 0 && !Procs.kill(pid)) throw new AssertionError("vde_switch " + pid + " survived SIGKILL");
        pid = -1;
    }

    /**
     * Stops the switch if it runs, then starts a fresh one on the same directory and arguments, with a new
     * console connection.
     */
    public synchronized void restart() {
        if (closed) throw new IllegalStateException("closed");
        closeConsole();
        stopProcess();
        Procs.deleteQuietly(mgmtPath); // stale console socket of the dead switch
        Procs.deleteQuietly(pidFile);
        launch();
    }

    private void stopProcess() {
        if (pid > 0 && !Procs.terminate(pid, 2000)) throw new AssertionError("vde_switch " + pid + " did not stop");
        pid = -1;
    }

    /**
     * Closes the console connection, SIGTERM (then SIGKILL) by pid and removes the directory, pid file and
     * console socket. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        closeConsole();
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
