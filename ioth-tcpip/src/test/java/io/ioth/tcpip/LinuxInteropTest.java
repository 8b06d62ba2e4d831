package io.ioth.tcpip;

import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.iface.NetInterface;
import io.ioth.tcpip.iface.StackConfig;
import io.ioth.tcpip.socket.icmp.PingReply;
import io.ioth.tcpip.socket.icmp.PingSocket;
import io.ioth.tcpip.socket.udp.DatagramInfo;
import io.ioth.tcpip.socket.udp.UdpSocket;
import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.testing.StackDriver;
import io.ioth.tcpip.testing.VdeLink;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.MacAddr;
import io.ioth.vde.Vde;
import io.ioth.vde.VdePlug;
import io.ioth.vde.testing.Background;
import io.ioth.vde.testing.ExecResult;
import io.ioth.vde.testing.NetNs;
import io.ioth.vde.testing.RealTools;
import io.ioth.vde.testing.VdeSwitchProcess;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stack against the Linux kernel: a real vde_switch, a tap in a private network namespace (10.77.0.1/24), the
 * stack on the switch (10.77.0.2/24), driven in real time by one loop thread ({@link StackDriver}).
 */
class LinuxInteropTest {
    static final String KERNEL = "10.77.0.1";
    static final String STACK = "10.77.0.2";
    static final long STACK_MAC = MacAddr.parse("02:00:00:77:00:02");

    VdeSwitchProcess sw;
    NetNs ns;
    StackDriver driver;
    Stack stack;
    NetInterface eth0;

    @BeforeEach
    void setUp() throws Exception {
        RealTools.require("vde_switch", "vde_plug", "ip", "ping", "ncat");
        sw = VdeSwitchProcess.start();
        ns = NetNs.create();
        ns.tap("tap0", sw.vnl());
        ns.exec("ip", "addr", "add", KERNEL + "/24", "dev", "tap0").check("addr add");
    }

    /** Starts the stack; {@code before} runs first in the namespace (e.g. to plant a stale neighbour entry). */
    void startStack() throws Exception {
        VdePlug plug = Vde.open(sw.vnl());
        stack = Stack.create(StackConfig.builder().name("ioth").build(), StackDriver.now());
        eth0 = stack.addInterface("eth0", new VdeLink(plug), STACK_MAC);
        driver = new StackDriver(stack, plug);
        driver.run(now -> stack.addIpv4(eth0, Ipv4Addr.parse(STACK), 24, now));
    }

    @AfterEach
    void tearDown() {
        try {
            if (driver != null) {
                driver.close();
            }
        } finally {
            if (ns != null) {
                ns.close();
            }
            if (sw != null) {
                sw.close();
            }
        }
    }

    @Test
    void kernelPingsTheStack() throws Exception {
        startStack();
        ExecResult r = ns.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", STACK);
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("3 received"), r.out());
        assertEquals(3L, (long) driver.<Long>call(now -> stack.stats().get(Counter.ICMP4_OUT_ECHO_REPS)));
    }

    @Test
    void theStackPingsTheKernel() throws Exception {
        startStack();
        PingSocket ping = driver.call(now -> stack.openPing());
        List<PingReply> replies = new ArrayList<>();
        for (int seq = 1; seq <= 3; seq++) {
            final int s = seq;
            assertEquals(NetError.OK, (int) driver.call(now -> ping.send(Ipv4Addr.parse(KERNEL), s, 56, now)));
            assertTrue(driver.await(3000, now -> {
                PingReply pr = new PingReply();
                if (ping.receive(pr)) {
                    replies.add(pr);
                }
                return replies.size() == s;
            }), "reply " + seq);
        }
        for (PingReply pr : replies) {
            assertEquals(PingReply.REPLY, pr.kind, pr.toString());
            assertEquals(56, pr.size);
            assertTrue(pr.rttNanos >= 0 && pr.rttNanos < 2_000_000_000L, pr.toString()); // 0: read in the same loop iteration
            assertTrue(!pr.corrupted && !pr.duplicate, pr.toString());
            assertEquals(64, pr.ttl);
        }
    }

    /** {@code ping -s 4000}: Linux fragments the request, the stack reassembles it and fragments its reply. */
    @Test
    void kernelPingsTheStack_with4000Bytes_fragmentedBothWays() throws Exception {
        startStack();
        ExecResult r = ns.exec("ping", "-c", "2", "-i", "0.2", "-W", "2", "-s", "4000", STACK);
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("2 received"), r.out());
        assertTrue(r.out().contains("4008 bytes from " + STACK), r.out());
        assertEquals(2L, (long) driver.<Long>call(now -> stack.stats().get(Counter.IP4_REASM_OKS)));
        assertEquals(6L, (long) driver.<Long>call(now -> stack.stats().get(Counter.IP4_FRAG_CREATES)));
    }

    @Test
    void theStackPingsTheKernel_with4000Bytes() throws Exception {
        startStack();
        PingSocket ping = driver.call(now -> stack.openPing());
        assertEquals(NetError.OK, (int) driver.call(now -> ping.send(Ipv4Addr.parse(KERNEL), 1, 4000, now)));
        PingReply pr = new PingReply();
        assertTrue(driver.await(3000, now -> ping.receive(pr)), "reply");
        assertEquals(PingReply.REPLY, pr.kind, pr.toString());
        assertEquals(4000, pr.size);
        assertTrue(!pr.corrupted, pr.toString());
        assertEquals(3L, (long) driver.<Long>call(now -> stack.stats().get(Counter.IP4_FRAG_CREATES)));
        assertEquals(1L, (long) driver.<Long>call(now -> stack.stats().get(Counter.IP4_REASM_OKS)));
    }

    /** RFC 5227 §2.3: a neighbour holding a stale entry (a migrated node) updates it from the announcement alone. */
    @Test
    void gratuitousArp_updatesTheKernelsStaleEntry_beforeAnyTrafficFromTheKernel() throws Exception {
        ns.exec("ip", "neigh", "replace", STACK, "lladdr", "02:00:00:77:00:99", "dev", "tap0", "nud", "stale")
                .check("plant stale entry");
        startStack();
        assertTrue(awaitNeighbour(MacAddr.format(STACK_MAC)), ns.exec("ip", "neigh").out());
        assertEquals(0L, (long) driver.<Long>call(now -> stack.stats().get(Counter.ARP_IN_REQUESTS)),
                "the kernel never asked");
    }

    /** With arp_accept=1 Linux also creates an entry from a gratuitous ARP (ip-sysctl.rst). */
    @Test
    void gratuitousArp_createsTheKernelsEntry_withArpAccept() throws Exception {
        ns.exec("sysctl", "-w", "net.ipv4.conf.tap0.arp_accept=1").check("arp_accept");
        startStack();
        assertTrue(awaitNeighbour(MacAddr.format(STACK_MAC)), ns.exec("ip", "neigh").out());
        assertEquals(0L, (long) driver.<Long>call(now -> stack.stats().get(Counter.ARP_IN_REQUESTS)),
                "the kernel never asked");
    }

    private boolean awaitNeighbour(String mac) {
        long end = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < end) {
            String out = ns.exec("ip", "neigh", "show", STACK, "dev", "tap0").out();
            if (out.contains(mac)) {
                return true;
            }
        }
        return false;
    }

    /** The stack runs a UDP echo server; {@code ncat -u} in the namespace sends to it and reads the echo. */
    @Test
    void udpEcho_kernelToStack() throws Exception {
        startStack();
        UdpSocket echo = driver.call(now -> {
            UdpSocket s = stack.openUdp();
            assertEquals(NetError.OK, s.bind(0, 7));
            DatagramInfo info = new DatagramInfo();
            s.attach((StackDriver.Handler) (sock, ev, t) -> {
                ByteBuf b;
                while ((b = s.receive(info)) != null) {
                    try {
                        s.sendTo(info.srcHi, info.srcLo, info.srcPort, b, t);
                    } finally {
                        b.release();
                    }
                }
            });
            return s;
        });
        ExecResult r = ns.exec("sh", "-c", "(printf 'hello stack'; sleep 2) | timeout 5 ncat -u " + STACK + " 7");
        assertEquals("hello stack", r.out(), r.err());
        assertTrue(driver.<Boolean>call(now -> echo.isBound()));
    }

    /** The stack sends to {@code ncat -u -l --exec /bin/cat} in the namespace and reads the echo. */
    @Test
    void udpEcho_stackToKernel() throws Exception {
        startStack();
        Background server = ns.spawn("ncat", "-u", "-l", KERNEL, "9000", "--exec", "/bin/cat");
        long end = System.nanoTime() + 5_000_000_000L;
        while (!ns.exec("ss", "-uln").out().contains(KERNEL + ":9000")) {
            assertTrue(System.nanoTime() < end && server.isAlive(), "ncat did not listen: " + server.output());
        }
        ConcurrentLinkedQueue<String> got = new ConcurrentLinkedQueue<>();
        UdpSocket s = driver.call(now -> {
            UdpSocket u = stack.openUdp();
            DatagramInfo info = new DatagramInfo();
            u.attach((StackDriver.Handler) (sock, ev, t) -> {
                ByteBuf b;
                while ((b = u.receive(info)) != null) {
                    got.add(info + " " + b.toString(StandardCharsets.US_ASCII));
                    b.release();
                }
            });
            ByteBuf data = Unpooled.copiedBuffer("from the stack\n", StandardCharsets.US_ASCII);
            int n = u.sendTo(Ipv4Addr.parse(KERNEL), 9000, data, now);
            assertEquals(15, n, NetError.name(n));
            return u;
        });
        assertTrue(driver.await(5000, now -> !got.isEmpty()), "no echo; ncat said: " + server.output());
        String line = got.poll();
        int port = driver.call(now -> s.localPort());
        assertEquals(KERNEL + ":9000 > " + STACK + ":" + port + " if 2 from the stack\n", line);
        assertTrue(port >= 49152 && port <= 65535, "ephemeral port " + port);
    }
}
