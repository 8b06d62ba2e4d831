package io.ioth.tcpip;

import io.ioth.tcpip.iface.IpAddr;
import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.iface.NetInterface;
import io.ioth.tcpip.iface.StackConfig;
import io.ioth.tcpip.socket.StackSocket;
import io.ioth.tcpip.socket.tcp.TcpConfig;
import io.ioth.tcpip.socket.tcp.TcpCounter;
import io.ioth.tcpip.socket.tcp.TcpListener;
import io.ioth.tcpip.socket.tcp.TcpSocket;
import io.ioth.tcpip.socket.tcp.TcpState;
import io.ioth.tcpip.testing.PcapOnFailure;
import io.ioth.tcpip.testing.StackDriver;
import io.ioth.tcpip.testing.VdeLink;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.Ipv6Addr;
import io.ioth.tcpip.wire.MacAddr;
import io.ioth.vde.Vde;
import io.ioth.vde.VdePlug;
import io.ioth.vde.testing.Background;
import io.ioth.vde.testing.NetNs;
import io.ioth.vde.testing.RealTools;
import io.ioth.vde.testing.VdeSwitchProcess;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TCP through the {@link Stack} façade against the Linux kernel's TCP: a real vde_switch, a tap in a private network
 * namespace (10.79.0.1/24, fd79::1/64), the stack on the switch (10.79.0.2/24, fd79::2/64) driven in real time by
 * one loop thread ({@link StackDriver}); {@code ncat} is the kernel-side peer. 20 MB each way, compared by SHA-256,
 * and a half-close. Each transfer fails after 60 s. {@code -Dioth.tcp.pcap=true} records the stack's interface
 * (kept only if the test fails; it slows the transfer).
 */
class LinuxTcpInteropTest {
    static final String KERNEL4 = "10.79.0.1";
    static final String STACK4 = "10.79.0.2";
    static final String KERNEL6 = "fd79::1";
    static final String STACK6 = "fd79::2";
    static final long FD79 = 0xfd79_0000_0000_0000L;
    static final long STACK_MAC = MacAddr.parse("02:00:00:79:00:02");
    static final int SIZE = 20_000_000;
    static final long TRANSFER_MS = 60_000;

    @RegisterExtension
    final PcapOnFailure pcap = new PcapOnFailure();

    VdeSwitchProcess sw;
    NetNs ns;
    StackDriver driver;
    Stack stack;
    NetInterface eth0;
    Path dir;

    @BeforeEach
    void setUp() throws Exception {
        RealTools.require("vde_switch", "vde_plug", "ip", "ncat", "ss", "sha256sum", "head");
        sw = VdeSwitchProcess.start();
        ns = NetNs.create();
        ns.tap("tap0", sw.vnl());
        ns.exec("ip", "addr", "add", KERNEL4 + "/24", "dev", "tap0").check("addr add");
        // nodad: the kernel's address is usable at once
        ns.exec("ip", "-6", "addr", "add", KERNEL6 + "/64", "dev", "tap0", "nodad").check("addr add 6");
        dir = Files.createTempDirectory("ioth-tcpwire");
    }

    /** The stack with TCP attached from the start (Stack.create with a TcpConfig), IPv4 and IPv6 addresses. */
    void startStack() throws Exception {
        VdePlug plug = Vde.open(sw.vnl());
        stack = Stack.create(StackConfig.builder().name("iothtcp").build(), TcpConfig.defaults(), StackDriver.now());
        eth0 = stack.addInterface("eth0", new VdeLink(plug), STACK_MAC);
        if (Boolean.getBoolean("ioth.tcp.pcap")) {
            pcap.capture(eth0, System::nanoTime);
        }
        driver = new StackDriver(stack, plug);
        driver.run(now -> {
            stack.addIpv4(eth0, Ipv4Addr.parse(STACK4), 24, now);
            stack.addIpv6(eth0, STACK6 + "/64", now);
        });
        assertTrue(driver.await(5000, now -> eth0.ipv6State(FD79, 2) == NetInterface.AddressState.PREFERRED),
                "DAD did not finish");
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (driver != null) {
                driver.close();
            }
        } finally {
            try {
                if (ns != null) {
                    ns.close();
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

    // ================================================================== tests

    /** (a) ncat in the namespace sends 20 MB to a listener on the stack over IPv4; the stack reads it byte-exact. */
    @Test
    void kernelSends20MB_toTheStack_ipv4() throws Exception {
        startStack();
        kernelSendsToTheStack(KERNEL4, STACK4, IpAddr.V4_ANY_LO, 5001, "IPv4");
    }

    /** (c) The same over IPv6. */
    @Test
    void kernelSends20MB_toTheStack_ipv6() throws Exception {
        startStack();
        kernelSendsToTheStack(KERNEL6, STACK6, IpAddr.ANY_LO, 5001, "IPv6");
    }

    private void kernelSendsToTheStack(String kernel, String stackAddr, long anyLo, int port, String what)
            throws Exception {
        Path file = dir.resolve("from-kernel.bin");
        ns.exec("sh", "-c", "head -c " + SIZE + " /dev/urandom > " + file).check("head");
        String expected = ns.exec("sha256sum", file.toString()).check("sha256sum").out().split(" ")[0];

        LinuxTcpRig.Sink sink = new LinuxTcpRig.Sink(true);
        driver.run(now -> {
            TcpListener l = stack.openTcpListener();
            assertEquals(NetError.OK, l.bind(0L, anyLo, port));
            assertEquals(NetError.OK, l.listen(16));
            l.attach((StackDriver.Handler) (sock, ev, t) -> {
                TcpSocket c;
                while ((c = l.accept()) != null) {
                    sink.accepted(c, t);
                }
            });
        });
        Background ncat = ns.spawn("sh", "-c", "exec ncat " + (kernel.contains(":") ? "-6 " : "")
                + "--send-only " + stackAddr + " " + port + " < " + file);
        boolean done = driver.await(TRANSFER_MS, now -> sink.eof || sink.error != 0);
        assertTrue(done, what + ": not done in " + TRANSFER_MS + " ms: read " + sink.bytes + " bytes; "
                + stateOf(sink) + "; ncat: " + ncat.output());
        assertEquals(0, sink.error, NetError.name(sink.error));
        assertEquals(SIZE, sink.bytes);
        assertEquals(expected, sink.hex());
        report(what + " kernel -> stack", SIZE, sink.t1 - sink.t0);
        assertTrue(ncat.process().waitFor(10, TimeUnit.SECONDS), "ncat did not exit: " + ncat.output());
        assertEquals(0, ncat.process().exitValue(), ncat.output());
    }

    /** (b) The stack sends 20 MB to {@code ncat -l} in the namespace, which writes them to a file. */
    @Test
    void stackSends20MB_toTheKernel_ipv4() throws Exception {
        startStack();
        Path file = dir.resolve("from-stack.bin");
        Background ncat = ns.spawn("sh", "-c", "exec ncat -l --recv-only " + KERNEL4 + " 5002 > " + file);
        awaitListening(KERNEL4 + ":5002", ncat);

        byte[] bytes = new byte[SIZE];
        new SplittableRandom(79).nextBytes(bytes);
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        ByteBuf data = Unpooled.directBuffer(SIZE).writeBytes(bytes);
        try {
            Source src = new Source(data);
            driver.run(now -> {
                TcpSocket s = stack.openTcp();
                src.s = s;
                s.attach(src);
                int r = s.connect(0L, IpAddr.v4(Ipv4Addr.parse(KERNEL4)), 5002, now);
                assertEquals(NetError.OK, r, NetError.name(r));
            });
            // all data and the FIN acknowledged: the kernel has everything
            boolean acked = driver.await(TRANSFER_MS, now -> {
                if (src.error == 0 && src.s.error() != 0) {
                    src.error = src.s.error();
                }
                if (src.shut && src.s.sendQueued() == 0 && src.t1 == 0 && (src.s.state() == TcpState.FIN_WAIT_2
                        || src.s.state() == TcpState.TIME_WAIT || src.s.state() == TcpState.CLOSED)) {
                    src.t1 = System.nanoTime();
                }
                return src.t1 != 0 || src.error != 0;
            });
            assertTrue(acked, "not acknowledged in " + TRANSFER_MS + " ms: " + driver.call(now -> src.s.toString())
                    + "; ncat: " + ncat.output());
            assertEquals(0, src.error, NetError.name(src.error));
            assertTrue(ncat.process().waitFor(10, TimeUnit.SECONDS), "ncat did not exit: " + ncat.output());
            String got = ns.exec("sha256sum", file.toString()).check("sha256sum").out().split(" ")[0];
            assertEquals(SIZE, Files.size(file));
            assertEquals(expected, got);
            report("IPv4 stack -> kernel", SIZE, src.t1 - src.t0);
            driver.run(now -> src.s.close(now));
        } finally {
            data.release();
        }
    }

    /**
     * (d) Half-close (RFC 9293 §3.10.4: CLOSE in ESTABLISHED, then the receive side stays open): the stack sends
     * 100 000 bytes to a kernel socket in the namespace and shuts its output; the peer replies with the count only
     * once recv() returned end of stream, so the reply proves the kernel saw the FIN and could still send; the stack
     * reads it, then EOF.
     */
    @Test
    void halfClose_theKernelSeesEof_andStillReplies() throws Exception {
        startStack();
        RealTools.require("python3");
        // a plain kernel socket: ncat --sh-exec closes the whole connection at the input's EOF (ncat 7.93)
        Background ncat = ns.spawn("python3", "-c", String.join("\n",
                "import socket",
                "l = socket.socket()",
                "l.bind(('" + KERNEL4 + "', 5003))",
                "l.listen(1)",
                "c, _ = l.accept()",
                "n = 0",
                "while True:",
                "    b = c.recv(65536)",
                "    if not b: break",
                "    n += len(b)",
                "c.sendall(b'%d\\n' % n)",
                "c.close()"));
        awaitListening(KERNEL4 + ":5003", ncat);
        LinuxTcpRig.Sink sink = new LinuxTcpRig.Sink(true);
        ByteBuf data = Unpooled.directBuffer(100_000).writeZero(100_000);
        try {
            driver.run(now -> {
                TcpSocket s = stack.openTcp();
                sink.s = s; // not sink.accepted(): a socket not yet connected reads as end of stream
                s.attach(sink);
                assertEquals(NetError.OK, s.connect(0L, IpAddr.v4(Ipv4Addr.parse(KERNEL4)), 5003, now));
            });
            assertTrue(driver.await(5000, now -> sink.s.isConnected()), "not connected");
            driver.run(now -> {
                int n = sink.s.send(data);
                assertEquals(100_000, n, NetError.name(n));
                assertEquals(NetError.OK, sink.s.shutdownOutput(now));
                // (4) output queued between polls: the engine asks to be polled at once, not at the next timer
                assertTrue(stack.nextDeadline() <= now, "nextDeadline " + (stack.nextDeadline() - now));
                assertEquals(NetError.EPIPE, sink.s.send(Unpooled.wrappedBuffer(new byte[1])));
            });
            assertTrue(driver.await(10_000, now -> sink.eof || sink.error != 0),
                    "no reply/EOF: " + stateOf(sink) + "; ncat: " + ncat.output());
            assertEquals(0, sink.error, NetError.name(sink.error));
            assertEquals("100000", new String(sink.content, 0, (int) sink.bytes, StandardCharsets.US_ASCII).trim());
            assertTrue(driver.await(5000, now -> sink.s.state() == TcpState.TIME_WAIT
                    || sink.s.state() == TcpState.CLOSED), stateOf(sink));
            // (3) the stack's TCP counters
            long opens = driver.call(now -> stack.tcpStats().get(TcpCounter.ACTIVE_OPENS));
            assertEquals(1L, opens, stack.tcpStats().toString());
        } finally {
            data.release();
        }
    }

    // ================================================================== helpers

    private String stateOf(LinuxTcpRig.Sink sink) {
        return sink.s == null ? "no connection" : driver.call(now -> sink.s + " " + stack.tcpStats());
    }

    private void awaitListening(String addrPort, Background server) {
        long end = System.nanoTime() + 5_000_000_000L;
        while (!ns.exec("ss", "-tln").out().contains(addrPort)) {
            assertTrue(System.nanoTime() < end && server.isAlive(), "ncat did not listen: " + server.output());
        }
    }

    private void report(String what, long bytes, long nanos) {
        System.out.printf("[tcpwire] %s: %d bytes in %.3f s = %.1f Mbit/s; tcp: %s%n", what, bytes, nanos / 1e9,
                bytes * 8 / (nanos / 1e9) / 1e6, stack.tcpStats());
    }

    /** Writes {@code data} as fast as the send buffer takes it, then shuts the output (loop thread). */
    static final class Source implements StackDriver.Handler {
        final ByteBuf data;
        volatile TcpSocket s;
        volatile long t0;
        volatile long t1;
        volatile boolean shut;
        volatile int error;

        Source(ByteBuf data) {
            this.data = data;
        }

        @Override
        public void onEvents(StackSocket sock, int events, long now) {
            if ((events & TcpSocket.CONNECTED) != 0 && t0 == 0) {
                t0 = System.nanoTime();
            }
            if (!s.isConnected() || shut) {
                return;
            }
            while (data.isReadable()) {
                int n = s.send(data);
                if (n < 0) {
                    error = n;
                    return;
                }
                if (n == 0) {
                    return; // WRITABLE follows
                }
            }
            s.shutdownOutput(now);
            shut = true;
        }
    }
}
