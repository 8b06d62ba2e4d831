package io.ioth.vde.testing;

import jnr.ffi.Runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A private network namespace for one test ({@code ip netns add ioth-XXXXXXXX}, lo up). Whatever a
 * test does in it (taps, addresses, multicast) never reaches the host's interfaces. {@link #close()}
 * kills the processes it started (by pid), deletes its taps and the namespace.
 *
 * <pre>{@code
 * try (VdeSwitchProcess sw = VdeSwitchProcess.start(); NetNs ns = NetNs.create()) {
 *     ns.tap("tap0", sw.vnl());
 *     ns.exec("ip", "addr", "add", "10.99.0.1/24", "dev", "tap0").check("addr");
 *     DatagramSocket s = ns.inside(() -> new DatagramSocket());  // lives in the namespace
 * }
 * }</pre>
 */
public final class NetNs implements AutoCloseable {
    private static final long EXEC_TIMEOUT_MS = 20_000, INSIDE_TIMEOUT_MS = 120_000;

    private final String name;
    private final List<Background> processes = new ArrayList<>();
    private final List<String> taps = new ArrayList<>();
    private boolean closed;

    private NetNs(String name) { this.name = name; }

    /** Creates a fresh namespace with lo up. */
    public static NetNs create() {
        NetNs ns = new NetNs("ioth-" + Procs.random());
        Procs.run(EXEC_TIMEOUT_MS, List.of("ip", "netns", "add", ns.name)).check("ip netns add " + ns.name);
        try {
            ns.exec("ip", "link", "set", "lo", "up").check("lo up in " + ns.name);
        } catch (RuntimeException | Error e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    public String name() { return name; }

    /** Runs {@code cmd} inside the namespace and waits (bounded) for it to finish. */
    public ExecResult exec(String... cmd) {
        return Procs.run(EXEC_TIMEOUT_MS, inNs(cmd));
    }

    /** Starts {@code cmd} inside the namespace in the background; it is killed by {@link #close()}. */
    public synchronized Background spawn(String... cmd) {
        if (closed) throw new IllegalStateException("closed");
        Path out = null;
        try {
            out = Files.createTempFile("ioth-bg", ".log");
            // `ip netns exec` execs the command itself, so the pid is the command's pid
            Process p = new ProcessBuilder(inNs(cmd)).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            Background bg = new Background(p, out, String.join(" ", cmd));
            processes.add(bg);
            return bg;
        } catch (IOException e) {
            Procs.deleteQuietly(out);
            throw new AssertionError("cannot start " + String.join(" ", cmd) + ": " + e, e);
        }
    }

    /**
     * Creates tap {@code ifname} in the namespace, brings it up and bridges it to {@code vnl} with
     * {@code vde_plug VNL tap://IFNAME} running inside the namespace. Returns once the tap has a
     * carrier (vde_plug holds it open).
     */
    public Background tap(String ifname, String vnl) {
        exec("ip", "tuntap", "add", "dev", ifname, "mode", "tap").check("tuntap add " + ifname);
        synchronized (this) {
            taps.add(ifname);
        }
        exec("ip", "link", "set", ifname, "up").check("link set " + ifname + " up");
        Background plug = spawn("vde_plug", vnl, "tap://" + ifname);
        boolean carrier = Procs.await(5000, () -> !plug.isAlive()
                || !exec("ip", "link", "show", ifname).out().contains("NO-CARRIER"));
        if (!plug.isAlive() || !carrier) {
            throw new AssertionError("vde_plug " + vnl + " tap://" + ifname + " did not attach: " + plug.output());
        }
        return plug;
    }

    /**
     * Runs {@code task} on a fresh thread that has joined this namespace with setns(2), so sockets it
     * opens live there (a socket keeps its namespace after the thread ends). Bounded to 2 minutes.
     * Caveat: {@code /proc/net} (= {@code /proc/self/net}) still shows the process's namespace, and
     * so does {@code NetworkInterface}'s IPv6 list; use {@code /proc/thread-self/net} or {@link #exec}.
     */
    public <T> T inside(Callable<T> task) throws Exception {
        FutureTask<T> f = new FutureTask<>(() -> {
            NsLibC c = NsLibC.INSTANCE;
            int fd = c.open("/var/run/netns/" + name, NsLibC.O_RDONLY | NsLibC.O_CLOEXEC);
            if (fd < 0) throw new IOException("open /var/run/netns/" + name + ": errno " + errno());
            try {
                if (c.setns(fd, NsLibC.CLONE_NEWNET) != 0) throw new IOException("setns " + name + ": errno " + errno());
            } finally {
                c.close(fd);
            }
            return task.call();
        });
        Thread t = new Thread(f, "netns-" + name);
        t.setDaemon(true);
        t.start();
        try {
            return f.get(INSIDE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) throw ex;
            if (cause instanceof Error err) throw err;
            throw e;
        } catch (TimeoutException e) {
            t.interrupt();
            throw new AssertionError("task inside " + name + " still running after " + INSIDE_TIMEOUT_MS + " ms");
        }
    }

    private static int errno() {
        return Runtime.getRuntime(NsLibC.INSTANCE).getLastError();
    }

    private List<String> inNs(String... cmd) {
        List<String> full = new ArrayList<>(Arrays.asList("ip", "netns", "exec", name));
        full.addAll(Arrays.asList(cmd));
        return full;
    }

    /** Kills its processes by pid (SIGTERM, then SIGKILL), deletes its taps and the namespace. Idempotent. */
    @Override
    public void close() {
        List<Background> procs;
        List<String> tapList;
        synchronized (this) {
            if (closed) return;
            closed = true;
            procs = new ArrayList<>(processes);
            tapList = new ArrayList<>(taps);
        }
        for (int i = procs.size() - 1; i >= 0; i--) {
            procs.get(i).close();
        }
        for (String tap : tapList) {
            Procs.run(EXEC_TIMEOUT_MS, inNs("ip", "tuntap", "del", "dev", tap, "mode", "tap"));
        }
        ExecResult r = Procs.run(EXEC_TIMEOUT_MS, List.of("ip", "netns", "del", name));
        if (!r.ok() && Files.exists(Path.of("/var/run/netns", name))) {
            throw new AssertionError("ip netns del " + name + " failed: " + r.err());
        }
    }

    @Override
    public String toString() { return "netns " + name; }
}
