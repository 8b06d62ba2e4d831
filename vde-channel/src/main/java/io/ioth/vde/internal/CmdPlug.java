package io.ioth.vde.internal;

import io.ioth.vde.VdeOptions;
import io.ioth.vde.Vnl;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import jnr.posix.SpawnFileAction;

import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code cmd://command args}: a stream cable (vde-protocol.md §2) to a child process, like
 * {@code vde_plug URL = command args}. Typical commands: {@code vde_plug vde:///sw},
 * {@code ssh host vde_plug vde:///sw}.
 *
 * <p>The child is started with {@code posix_spawnp("/bin/sh", ["sh", "-c", "exec " + command])}; its
 * stdin and stdout are both dup'd from one end of a {@code socketpair(AF_UNIX, SOCK_STREAM)}, its
 * stderr is ours. Our end is non-blocking and close-on-exec (so no later child inherits it); the
 * child's end stays blocking, as ordinary programs expect.
 *
 * <p>The child exiting (or closing its stdout) is EOF on the socket: the plug disconnects and the
 * listener hears it from {@link #read}. {@link #close()} closes our end, sends SIGTERM to the child,
 * waits for it at most {@link #TERM_GRACE_MS} ms, then SIGKILLs and reaps it: no zombie, no fd.
 *
 * <p>Open fails with an {@link IOException} when the shell cannot be spawned or the command cannot
 * be executed: the shell then exits with 127 (not found) or 126 (not executable) before exec'ing
 * anything, which {@link #open} watches for (bounded by the connect timeout) by comparing
 * {@code /proc/PID/cmdline} with the shell's own. The child inherits no descriptor but 0, 1 and 2
 * (see {@code fileActions}); signal dispositions are reset by exec, but the spawning thread's
 * signal mask is inherited (a JVM thread blocks SIGQUIT; SIGTERM is not blocked).
 *
 * <p>Threading: the owner thread only; {@link #open} and {@link #close} may block briefly.
 */
public final class CmdPlug extends StreamPlug {
    private static final LibC C = LibC.INSTANCE;
    static final int TERM_GRACE_MS = 1000;
    private static final int SIGKILL = 9, SIGTERM = 15, WNOHANG = 1;

    private static volatile POSIX posix;

    private final long pid;
    private final int[] status = new int[1];
    private boolean reaped;
    private int exitStatus = -1;

    private CmdPlug(Vnl.Cmd vnl, VdeOptions options, int fd, long pid) {
        super(vnl, options, fd, fd, true);
        this.pid = pid;
    }

    /** Starts {@code vnl.command()} under {@code /bin/sh}. */
    public static CmdPlug open(Vnl.Cmd vnl, VdeOptions options) throws IOException {
        POSIX px = posix();
        int ours, theirs;
        try (NativeMemory pair = new NativeMemory(8)) {
            if (C.socketpair(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0, pair.address()) != 0) {
                throw new IOException("socketpair for " + vnl + ": " + LibC.describe(LibC.errno()));
            }
            ours = pair.getInt(0);
            theirs = pair.getInt(4);
        }
        long pid;
        try {
            StreamPlug.nonBlocking(ours, "the cable socket");
            // dup2 clears close-on-exec on 0 and 1; the original 'theirs' closes at exec.
            pid = px.posix_spawnp("/bin/sh", fileActions(theirs), argv(vnl), environment());
        } catch (IOException | RuntimeException e) {
            C.close(ours);
            C.close(theirs);
            throw e;
        }
        C.close(theirs);
        if (pid <= 0) {
            C.close(ours);
            throw new IOException("cannot spawn /bin/sh for " + vnl + ": " + LibC.describe(px.errno()));
        }
        CmdPlug plug = new CmdPlug(vnl, options, ours, pid);
        try {
            plug.awaitExec(options.connectTimeout().toNanos());
        } catch (IOException e) {
            plug.close();
            throw e;
        }
        return plug;
    }

    /**
     * stdin and stdout from the socket (dup2 clears close-on-exec on 0 and 1; 'theirs' itself closes at
     * exec), then a close for every other descriptor this process has open now: the JVM keeps its jars
     * and some sockets without close-on-exec, and a child holding another plug's socket (a vde_switch
     * control stream) would keep that wire alive after we close it. glibc ignores EBADF on close
     * actions, so a descriptor closed meanwhile is harmless; one opened meanwhile by another thread
     * without close-on-exec can still leak.
     */
    private static List<SpawnFileAction> fileActions(int theirs) throws IOException {
        List<SpawnFileAction> actions = new ArrayList<>();
        actions.add(SpawnFileAction.dup(theirs, 0));
        actions.add(SpawnFileAction.dup(theirs, 1));
        try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) fds::iterator) {
                int fd = Integer.parseInt(p.getFileName().toString());
                if (fd > 2) actions.add(SpawnFileAction.close(fd));
            }
        }
        return actions;
    }

    private static List<String> argv(Vnl.Cmd vnl) {
        return Arrays.asList("sh", "-c", "exec " + vnl.command());
    }

    private static List<String> environment() {
        List<String> env = new ArrayList<>();
        for (Map.Entry<String, String> e : System.getenv().entrySet()) env.add(e.getKey() + "=" + e.getValue());
        return env;
    }

    private static POSIX posix() {
        POSIX p = posix;
        if (p == null) {
            synchronized (CmdPlug.class) {
                if (posix == null) posix = POSIXFactory.getNativePOSIX();
                p = posix;
            }
        }
        return p;
    }

    /**
     * Waits until the shell has exec'd the command (its cmdline changed) or has exited. A shell that
     * exits with 126/127 could not run the command (POSIX XCU 2.8.2).
     */
    private void awaitExec(long timeoutNanos) throws IOException {
        byte[] shell = String.join("\0", argv((Vnl.Cmd) vnl)).concat("\0").getBytes(StandardCharsets.UTF_8);
        Path cmdline = Path.of("/proc/" + pid + "/cmdline");
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            if (tryReap()) {
                int code = exitStatus >> 8 & 0xff;
                if ((exitStatus & 0x7f) == 0 && (code == 126 || code == 127)) {
                    throw new IOException("cannot run " + vnl + ": the shell exited with " + code
                            + (code == 127 ? " (command not found)" : " (not executable)"));
                }
                return; // it ran and already ended: the plug reports the disconnect on read
            }
            byte[] now;
            try {
                now = Files.readAllBytes(cmdline);
            } catch (IOException e) {
                now = shell; // vanishing: the next tryReap() sees it
            }
            if (now.length > 0 && !Arrays.equals(now, shell)) return; // exec'd the command
            if (System.nanoTime() - deadline > 0) return; // still the shell: assume it is busy, not failed
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
        }
    }

    /** Reaps the child if it has exited; true once it is reaped. */
    private boolean tryReap() {
        if (reaped) return true;
        int r = posix.waitpid(pid, status, WNOHANG);
        if (r == pid || r < 0) { // r < 0: ECHILD, nothing left to reap
            reaped = true;
            exitStatus = r == pid ? status[0] : -1;
        }
        return reaped;
    }

    /** The child's pid. */
    public long pid() { return pid; }

    @Override
    protected Throwable endOfStreamCause() {
        // The kernel closes an exiting child's files just before it becomes reapable: allow that gap
        // (microseconds), bounded at 10 ms, once per plug, so the cause can carry the exit status.
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
        while (!tryReap() && System.nanoTime() - deadline < 0) Thread.onSpinWait();
        String how;
        if (!reaped) how = "closed its output";
        else if ((exitStatus & 0x7f) == 0) how = "exited with status " + (exitStatus >> 8 & 0xff);
        else how = "was killed by signal " + (exitStatus & 0x7f);
        return new EOFException(vnl + ": the command " + how);
    }

    @Override
    public void close() {
        if (!open) return;
        super.close(); // closes our end first: a well-behaved child sees EOF and exits
        if (tryReap()) return;
        posix.kill(pid, SIGTERM);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TERM_GRACE_MS);
        while (!tryReap()) {
            if (System.nanoTime() - deadline > 0) {
                posix.kill(pid, SIGKILL);
                posix.waitpid(pid, status, 0); // SIGKILL cannot be ignored: this returns
                reaped = true;
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}
