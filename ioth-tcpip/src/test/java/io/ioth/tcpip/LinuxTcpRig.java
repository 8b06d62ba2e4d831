package io.ioth.tcpip;

import io.ioth.tcpip.iface.IpAddr;
import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.iface.NetInterface;
import io.ioth.tcpip.iface.StackConfig;
import io.ioth.tcpip.socket.StackSocket;
import io.ioth.tcpip.socket.tcp.TcpConfig;
import io.ioth.tcpip.socket.tcp.TcpListener;
import io.ioth.tcpip.socket.tcp.TcpSocket;
import io.ioth.tcpip.socket.tcp.TcpState;
import io.ioth.tcpip.testing.StackDriver;
import io.ioth.tcpip.testing.VdeLink;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.Ipv6Addr;
import io.ioth.tcpip.wire.MacAddr;
import io.ioth.vde.Vde;
import io.ioth.vde.VdePlug;
import io.ioth.vde.testing.Background;
import io.ioth.vde.testing.NetNs;
import io.ioth.vde.testing.VdeSwitchProcess;
import io.netty.buffer.ByteBuf;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real-peer TCP test bed: one real vde_switch; namespace {@code a} with tap0 = 10.79.0.1/24, fd79::1/64 (its
 * link to the switch optionally through {@code wirefilter} for loss/delay/duplication); optionally namespace
 * {@code b} with tap0 = 10.79.0.3/24, fd79::3/64 (the Linux-to-Linux baseline over the same switch); the stack on the
 * switch as 10.79.0.2/24, fd79::2/64, driven in real time by a {@link StackDriver}. The kernel-side peers are small
 * python3 programs ({@link #PY_RECV}, {@link #PY_SEND}) that time themselves.
 */
final class LinuxTcpRig implements AutoCloseable {
    static final String A4 = "10.79.0.1", STACK4 = "10.79.0.2", B4 = "10.79.0.3";
    static final String A6 = "fd79::1", STACK6 = "fd79::2", B6 = "fd79::3";
    static final long FD79 = 0xfd79_0000_0000_0000L;
    static final long STACK_MAC = MacAddr.parse("02:00:00:79:00:02");

    /**
     * argv: ADDR PORT [sha]. Listens, accepts one connection, reads to EOF; prints "LISTENING" once bound and
     * "RESULT bytes seconds(first byte to EOF) sha256-or-dash" at the end.
     */
    static final String PY_RECV = String.join("\n",
            "import socket, sys, time, hashlib",
            "a, p, h = sys.argv[1], int(sys.argv[2]), len(sys.argv) > 3",
            "l = socket.socket(socket.AF_INET6 if ':' in a else socket.AF_INET)",
            "l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
            "l.bind((a, p)); l.listen(1)",
            "print('LISTENING', flush=True)",
            "c, _ = l.accept()",
            "buf = bytearray(1 << 20); mv = memoryview(buf); n = 0; t0 = None",
            "d = hashlib.sha256() if h else None",
            "while True:",
            "    k = c.recv_into(buf)",
            "    if not k: break",
            "    if t0 is None: t0 = time.monotonic()",
            "    n += k",
            "    if d: d.update(mv[:k])",
            "t1 = time.monotonic()",
            "print('RESULT %d %.6f %s' % (n, t1 - (t0 or t1), d.hexdigest() if d else '-'), flush=True)",
            "c.close()");

    /**
     * argv: ADDR PORT BYTES SEED|- [CC]. Connects (with congestion control CC if given: TCP_CONGESTION; the
     * namespaces inherit the host's default, which may be bbr), sends BYTES (pseudo-random from SEED, a 1 MiB block
     * repeated; or zeros), shuts down output, waits for the peer's EOF; prints "RESULT bytes seconds sha256".
     */
    static final String PY_SEND = String.join("\n",
            "import socket, sys, time, hashlib, random",
            "a, p, total, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]",
            "blk = random.Random(int(seed)).randbytes(1 << 20) if seed != '-' else bytes(1 << 20)",
            "s = socket.socket(socket.AF_INET6 if ':' in a else socket.AF_INET)",
            "if len(sys.argv) > 5: s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, sys.argv[5].encode())",
            "s.connect((a, p))",
            "d = hashlib.sha256(); n = 0; t0 = time.monotonic()",
            "while n < total:",
            "    k = min(len(blk), total - n)",
            "    s.sendall(blk[:k] if k < len(blk) else blk); d.update(blk[:k]); n += k",
            "s.shutdown(socket.SHUT_WR)",
            "while s.recv(65536): pass",
            "print('RESULT %d %.6f %s' % (n, time.monotonic() - t0, d.hexdigest()), flush=True)",
            "s.close()");

    final VdeSwitchProcess sw;
    final NetNs a;
    final NetNs b;
    final Background wirefilter;
    /** The process joining namespace a's tap to the switch (vde_plug or wirefilter). */
    final Background aPlug;
    final Path dir;
    StackDriver driver;
    Stack stack;
    VdePlug plug;
    NetInterface eth0;
    private final List<AutoCloseable> extra = new ArrayList<>();

    /**
     * @param withB also create namespace b (the Linux-to-Linux baseline)
     * @param wirefilterArgs null: namespace a's tap joins the switch with vde_plug; else wirefilter with these
     *        options sits between the switch and the tap (both directions impaired)
     */
    LinuxTcpRig(boolean withB, String... wirefilterArgs) throws Exception {
        VdeSwitchProcess s = null;
        NetNs na = null, nb = null;
        Background wf = null;
        Background ap;
        try {
            s = VdeSwitchProcess.start();
            na = NetNs.create();
            if (wirefilterArgs == null) {
                ap = na.tap("tap0", s.vnl());
            } else {
                ap = wf = wirefilterTap(na, "tap0", s, wirefilterArgs);
            }
            address(na, "tap0", A4, A6);
            if (withB) {
                nb = NetNs.create();
                nb.tap("tap0", s.vnl());
                address(nb, "tap0", B4, B6);
            }
            dir = Files.createTempDirectory("ioth-tcprig");
        } catch (Throwable t) {
            if (nb != null) nb.close();
            if (na != null) na.close();
            if (s != null) s.close();
            throw t;
        }
        sw = s;
        a = na;
        b = nb;
        wirefilter = wf;
        aPlug = ap;
    }

    /** CPU time (user + system, clock ticks of 10 ms) of a process, from /proc/PID/stat; -1 if gone. */
    static long cpuTicks(long pid) {
        try {
            String st = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = st.substring(st.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (Exception e) {
            return -1;
        }
    }

    /** CPU ticks of the processes of a flow: switch, namespace a's plug, the JVM. */
    long[] cpuSnapshot() {
        return new long[] {cpuTicks(sw.pid()), cpuTicks(aPlug.pid()), cpuTicks(ProcessHandle.current().pid())};
    }

    static String cpuDiff(long[] a, long[] b, double seconds) {
        return String.format("cpu%%: switch %.0f, plug(a) %.0f, jvm %.0f", (b[0] - a[0]) / seconds,
                (b[1] - a[1]) / seconds, (b[2] - a[2]) / seconds);
    }

    private static void address(NetNs ns, String tap, String v4, String v6) {
        ns.exec("ip", "addr", "add", v4 + "/24", "dev", tap).check("addr add");
        // nodad: the kernel's address is usable at once
        ns.exec("ip", "-6", "addr", "add", v6 + "/64", "dev", tap, "nodad").check("addr add 6");
    }

    /**
     * A tap in {@code ns} joined to the switch through {@code wirefilter -v SWITCHDIR:tap://TAP ARGS} (run inside the
     * namespace so the tap is there; killed by pid when the namespace closes).
     */
    private static Background wirefilterTap(NetNs ns, String tap, VdeSwitchProcess sw, String... args) {
        ns.exec("ip", "tuntap", "add", "dev", tap, "mode", "tap").check("tuntap add");
        ns.exec("ip", "link", "set", tap, "up").check("link up");
        List<String> cmd = new ArrayList<>(List.of("wirefilter", "-v", sw.dir() + ":tap://" + tap));
        cmd.addAll(List.of(args));
        Background wf = ns.spawn(cmd.toArray(String[]::new));
        long end = System.nanoTime() + 5_000_000_000L;
        while (ns.exec("ip", "link", "show", tap).out().contains("NO-CARRIER")) {
            assertTrue(wf.isAlive() && System.nanoTime() < end, "wirefilter did not attach: " + wf.output());
        }
        return wf;
    }

    /** Starts the stack (TCP attached) with IPv4 and IPv6 addresses; waits for DAD. */
    void startStack(StackConfig config, TcpConfig tcp) throws Exception {
        plug = Vde.open(sw.vnl());
        stack = Stack.create(config, tcp, StackDriver.now());
        eth0 = stack.addInterface("eth0", new VdeLink(plug), STACK_MAC);
        driver = new StackDriver(stack, plug);
        driver.run(now -> {
            stack.addIpv4(eth0, Ipv4Addr.parse(STACK4), 24, now);
            stack.addIpv6(eth0, STACK6 + "/64", now);
        });
        assertTrue(driver.await(5000, now -> eth0.ipv6State(FD79, 2) == NetInterface.AddressState.PREFERRED),
                "DAD did not finish");
    }

    void startStack() throws Exception {
        TcpConfig.Builder tcp = TcpConfig.builder();
        if ("cubic".equals(System.getProperty("ioth.tcp.cc"))) {
            tcp.congestionControl(io.ioth.tcpip.socket.tcp.congestion.Cubic.FACTORY);
        }
        startStack(StackConfig.builder().name("iothtcp").build(), tcp.build());
    }

    /** Starts {@link #PY_RECV} in {@code ns} on addr:port and waits until it listens. */
    Background pyReceiver(NetNs ns, String addr, int port, boolean sha) {
        Background bg = sha ? ns.spawn("python3", "-c", PY_RECV, addr, Integer.toString(port), "sha")
                : ns.spawn("python3", "-c", PY_RECV, addr, Integer.toString(port));
        long end = System.nanoTime() + 10_000_000_000L;
        while (!bg.output().contains("LISTENING")) {
            assertTrue(bg.isAlive() && System.nanoTime() < end, "receiver did not listen: " + bg.output());
            Thread.onSpinWait();
        }
        return bg;
    }

    Background pySender(NetNs ns, String addr, int port, long bytes, String seed) {
        return ns.spawn("python3", "-c", PY_SEND, addr, Integer.toString(port), Long.toString(bytes), seed);
    }

    /** {@link #PY_SEND} with the kernel congestion control {@code cc} (e.g. "cubic", "bbr"). */
    Background pySender(NetNs ns, String addr, int port, long bytes, String seed, String cc) {
        return ns.spawn("python3", "-c", PY_SEND, addr, Integer.toString(port), Long.toString(bytes), seed, cc);
    }

    /** "RESULT bytes seconds sha" of a python peer once it exited (bounded wait). */
    static String[] result(Background bg, long timeoutMs) throws Exception {
        long end = System.nanoTime() + timeoutMs * 1_000_000L;
        while (bg.isAlive() && System.nanoTime() < end) {
            bg.process().waitFor(50, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        String out = bg.output();
        for (String line : out.split("\n")) {
            if (line.startsWith("RESULT ")) {
                return line.split(" ");
            }
        }
        throw new AssertionError("no result from " + bg + " (alive=" + bg.isAlive() + "): " + out);
    }

    /** Opens a listener on the stack whose first accepted connection goes to {@code sink}. */
    TcpListener listen(long anyLo, int port, Sink sink) {
        return driver.call(now -> {
            TcpListener l = stack.openTcpListener();
            assertEquals(NetError.OK, l.bind(0L, anyLo, port));
            assertEquals(NetError.OK, l.listen(64));
            l.attach((StackDriver.Handler) (sock, ev, t) -> {
                TcpSocket c;
                while ((c = l.accept()) != null) {
                    if (sink.s == null) {
                        sink.accepted(c, t);
                    } else {
                        c.abort(t);
                    }
                }
            });
            return l;
        });
    }

    /** Connects a stack socket to addr:port that sends {@code total} bytes of {@code block} (repeated), then FIN. */
    Source connect(String addr, int port, ByteBuf block, long total) {
        return connect(addr, port, block, total, null);
    }

    /** As {@link #connect(String, int, ByteBuf, long)} with the given congestion control (null: the default). */
    Source connect(String addr, int port, ByteBuf block, long total,
                   io.ioth.tcpip.socket.tcp.congestion.CongestionControl.Factory cc) {
        Source src = new Source(block, total);
        driver.run(now -> {
            TcpSocket s = stack.openTcp();
            if (cc != null) {
                s.setCongestionControl(cc);
            }
            src.s = s;
            s.attach(src);
            long hi, lo;
            if (addr.contains(":")) {
                long[] hl = new long[2];
                Ipv6Addr.parse(addr, hl);
                hi = hl[0];
                lo = hl[1];
            } else {
                hi = 0;
                lo = IpAddr.v4(Ipv4Addr.parse(addr));
            }
            int r = s.connect(hi, lo, port, now);
            assertEquals(NetError.OK, r, NetError.name(r));
        });
        return src;
    }

    /** Waits until the source's data and FIN are acknowledged (or it fails). */
    boolean awaitSent(Source src, long timeoutMs) {
        return driver.await(timeoutMs, now -> {
            TcpSocket s = src.s;
            if (src.error == 0 && s.error() != 0) {
                src.error = s.error();
            }
            if (src.shut && s.sendQueued() == 0 && src.t1 == 0 && (s.state() == TcpState.FIN_WAIT_2
                    || s.state() == TcpState.TIME_WAIT || s.state() == TcpState.CLOSED)) {
                src.t1 = System.nanoTime();
            }
            return src.t1 != 0 || src.error != 0;
        });
    }

    /** Kernel TCP counters of a namespace (nstat -az: absolute values). */
    static Map<String, Long> nstat(NetNs ns) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String line : ns.exec("nstat", "-az").out().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 2 && !f[0].startsWith("#")) {
                try {
                    m.put(f[0], Long.parseLong(f[1]));
                } catch (NumberFormatException e) {
                    // header
                }
            }
        }
        return m;
    }

    /** The non-zero differences of selected kernel counters. */
    static String nstatDiff(Map<String, Long> before, Map<String, Long> after) {
        StringBuilder sb = new StringBuilder();
        for (String k : new String[] {"TcpRetransSegs", "TcpExtTCPFastRetrans", "TcpExtTCPTimeouts",
                "TcpExtTCPSackRecovery", "TcpExtTCPLossProbes", "TcpExtTCPOFOQueue", "TcpExtTCPDSACKRecv",
                "TcpExtTCPDSACKOldSent", "TcpExtTCPSpuriousRTOs", "TcpExtTCPLostRetransmit", "TcpInSegs",
                "TcpOutSegs", "TcpExtTCPSACKReorder", "TcpExtTCPRcvCoalesce", "TcpExtTCPBacklogDrop",
                "TcpExtTCPRcvQDrop", "TcpExtTCPZeroWindowDrop", "TcpExtTCPFullUndo", "TcpExtTCPPartialUndo",
                "TcpExtTCPDSACKUndo", "TcpExtTCPLossUndo", "TcpExtTCPLossProbeRecovery",
                "TcpExtTCPTSReorder", "TcpExtTCPRenoReorder", "TcpExtTCPSackFailures", "TcpExtTCPLossFailures",
                "TcpExtTCPSackRecoveryFail", "TcpExtTCPSpuriousRtxHostQueues", "TcpExtTCPHystartTrainDetect",
                "TcpExtTCPHystartTrainCwnd", "TcpExtTCPHystartDelayDetect", "TcpExtTCPHystartDelayCwnd",
                "TcpExtTCPDSACKIgnoredDubious", "TcpExtTCPDSACKRecvSegs", "TcpExtTCPAckCompressed"}) {
            long d = after.getOrDefault(k, 0L) - before.getOrDefault(k, 0L);
            if (d != 0) {
                sb.append(k.replace("TcpExt", "")).append('=').append(d).append(' ');
            }
        }
        return sb.toString().trim();
    }

    @Override
    public void close() throws Exception {
        try {
            if (driver != null) {
                driver.close();
            }
        } finally {
            try {
                for (AutoCloseable c : extra) {
                    c.close();
                }
                if (b != null) {
                    b.close();
                }
                if (a != null) {
                    a.close();
                }
                if (sw != null) {
                    sw.close();
                }
            } finally {
                if (dir != null) {
                    try (var files = Files.list(dir)) {
                        for (Path p : (Iterable<Path>) files::iterator) {
                            Files.deleteIfExists(p);
                        }
                    }
                    Files.deleteIfExists(dir);
                }
            }
        }
    }

    /** The stack loop thread (for CPU time and sampling). */
    Thread loopThread() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("stack-" + stack.config().name())) {
                return t;
            }
        }
        throw new AssertionError("no loop thread");
    }

    static long cpuNanos(Thread t) {
        return java.lang.management.ManagementFactory.getThreadMXBean().getThreadCpuTime(t.getId());
    }

    /**
     * A poor man's profiler (measurement only): samples {@code t}'s stack every millisecond on a daemon thread
     * until closed, then {@link #toString()} gives the top frames (self) and top-3-frame call sites.
     */
    static final class Sampler implements AutoCloseable {
        final Thread target;
        final Thread sampler;
        final Map<String, Integer> self = new java.util.HashMap<>();
        final Map<String, Integer> sites = new java.util.HashMap<>();
        volatile boolean running = true;
        int samples;

        Sampler(Thread target) {
            this.target = target;
            sampler = new Thread(() -> {
                while (running) {
                    StackTraceElement[] st = target.getStackTrace();
                    if (st.length > 0) {
                        synchronized (this) {
                            samples++;
                            self.merge(st[0].getClassName() + "." + st[0].getMethodName(), 1, Integer::sum);
                            StringBuilder sb = new StringBuilder();
                            for (int i = 0; i < Math.min(6, st.length); i++) {
                                sb.append(st[i].getClassName().replaceAll(".*\\.", "")).append('.')
                                        .append(st[i].getMethodName()).append(':').append(st[i].getLineNumber())
                                        .append(" < ");
                            }
                            sites.merge(sb.toString(), 1, Integer::sum);
                        }
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                }
            }, "sampler");
            sampler.setDaemon(true);
            sampler.start();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            sampler.join();
        }

        @Override
        public synchronized String toString() {
            StringBuilder sb = new StringBuilder("samples=" + samples + "\n  self:\n");
            self.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue()).limit(25)
                    .forEach(e -> sb.append(String.format("   %5.1f%% %s%n", 100.0 * e.getValue() / samples, e.getKey())));
            sb.append("  sites:\n");
            sites.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue()).limit(25)
                    .forEach(e -> sb.append(String.format("   %5.1f%% %s%n", 100.0 * e.getValue() / samples, e.getKey())));
            return sb.toString();
        }
    }

    static double mbit(long bytes, double seconds) {
        return bytes * 8 / seconds / 1e6;
    }

    /** Reads a connection to its end on the loop thread, optionally hashing what it reads. */
    static final class Sink implements StackDriver.Handler {
        final MessageDigest md;
        volatile TcpSocket s;
        volatile long bytes;
        volatile boolean eof;
        volatile int error;
        volatile long t0;
        volatile long t1;
        final byte[] content = new byte[64];

        Sink(boolean hash) throws Exception {
            md = hash ? MessageDigest.getInstance("SHA-256") : null;
        }

        void accepted(TcpSocket c, long now) {
            t0 = System.nanoTime();
            s = c;
            c.attach(this);
            onEvents(c, 0, now);
        }

        @Override
        public void onEvents(StackSocket sock, int events, long now) {
            TcpSocket s = this.s;
            if (s == null) {
                return;
            }
            ByteBuf b;
            long n = bytes;
            while ((b = s.read(1 << 16)) != null) {
                try {
                    int len = b.readableBytes();
                    if (n < content.length) {
                        b.getBytes(b.readerIndex(), content, (int) n, (int) Math.min(len, content.length - n));
                    }
                    if (md != null) {
                        for (ByteBuffer bb : b.nioBuffers()) {
                            md.update(bb);
                        }
                    }
                    n += len;
                } finally {
                    b.release();
                }
            }
            bytes = n;
            if (s.error() != 0 && error == 0) {
                error = s.error();
            }
            if (!eof && s.isInputShutdown()) {
                t1 = System.nanoTime();
                s.close(now);
                eof = true;
            }
        }

        String hex() {
            return HexFormat.of().formatHex(md.digest());
        }
    }

    /** Writes {@code total} bytes ({@code block} repeated) as fast as the send buffer takes them, then FIN. */
    static final class Source implements StackDriver.Handler {
        final ByteBuf block;
        final long total;
        long queued;
        ByteBuf cur;
        volatile TcpSocket s;
        volatile long t0;
        volatile long t1;
        volatile boolean shut;
        volatile int error;

        Source(ByteBuf block, long total) {
            this.block = block;
            this.total = total;
        }

        @Override
        public void onEvents(StackSocket sock, int events, long now) {
            if ((events & TcpSocket.CONNECTED) != 0 && t0 == 0) {
                t0 = System.nanoTime();
            }
            if (!s.isConnected() || shut) {
                return;
            }
            while (queued < total) {
                if (cur == null || !cur.isReadable()) {
                    int len = (int) Math.min(block.readableBytes(), total - queued);
                    cur = block.slice(block.readerIndex(), len);
                }
                int before = cur.readableBytes();
                int n = s.send(cur);
                if (n < 0) {
                    error = n;
                    return;
                }
                queued += n;
                if (n < before) {
                    return; // the buffer is full: WRITABLE follows
                }
            }
            s.shutdownOutput(now);
            shut = true;
        }
    }
}
