package io.ioth.tcpip;

import io.ioth.tcpip.iface.IpAddr;
import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.iface.NetInterface;
import io.ioth.tcpip.iface.StackConfig;
import io.ioth.tcpip.socket.icmp.PingReply;
import io.ioth.tcpip.socket.icmp.PingSocket;
import io.ioth.tcpip.socket.udp.DatagramInfo;
import io.ioth.tcpip.socket.udp.UdpSocket;
import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.stats.DropReason;
import io.ioth.tcpip.testing.StackDriver;
import io.ioth.tcpip.testing.VdeLink;
import io.ioth.tcpip.wire.Ipv6Addr;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The IPv6 half of the stack against the Linux kernel: a real vde_switch, a tap in a private network namespace
 * (fd77::1/64, plus its own link-local address), the stack on the switch (fd77::2/64 and fe80::ff:fe77:2, the
 * modified EUI-64 of its MAC), driven in real time by one loop thread ({@link StackDriver}).
 */
class LinuxInterop6Test {
    static final String KERNEL = "fd77::1";
    static final String STACK = "fd77::2";
    static final long STACK_MAC = MacAddr.parse("02:00:00:77:00:02");
    static final long FD77 = 0xfd77_0000_0000_0000L;
    static final String STACK_LL = Ipv6Addr.format(Ipv6Addr.linkLocalHi(), Ipv6Addr.eui64Lo(STACK_MAC));

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
        // nodad: the kernel's address is usable at once (the stack's DAD is what the tests look at)
        ns.exec("ip", "-6", "addr", "add", KERNEL + "/64", "dev", "tap0", "nodad").check("addr add");
    }

    /** Starts the stack with fd77::2/64 and waits until DAD (1 s) made both of its addresses usable. */
    void startStack() {
        VdePlug plug;
        try {
            plug = Vde.open(sw.vnl());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        stack = Stack.create(StackConfig.builder().name("ioth6").build(), StackDriver.now());
        eth0 = stack.addInterface("eth0", new VdeLink(plug), STACK_MAC);
        driver = new StackDriver(stack, plug);
        driver.run(now -> stack.addIpv6(eth0, STACK + "/64", now));
        assertTrue(driver.await(5000, now -> eth0.ipv6State(FD77, 2) == NetInterface.AddressState.PREFERRED
                && eth0.ipv6State(Ipv6Addr.linkLocalHi(), Ipv6Addr.eui64Lo(STACK_MAC))
                == NetInterface.AddressState.PREFERRED), "DAD did not finish");
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

    private long counter(Counter c) {
        return driver.<Long>call(now -> stack.stats().get(c));
    }

    @Test
    void kernelPings6TheStacksGlobalAddress() {
        startStack();
        ExecResult r = ns.exec("ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", STACK);
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("3 received"), r.out());
        assertEquals(3L, counter(Counter.ICMP6_OUT_ECHO_REPS));
        // the only drops: the kernel's MLD reports and router solicitations, to groups the stack does not join
        assertEquals(0L, driver.<Long>call(now -> stack.stats().totalDrops()
                - stack.stats().drops(DropReason.ETH_MULTICAST_NOT_JOINED)), () -> stack.stats().toString());
    }

    @Test
    void kernelPings6TheStacksLinkLocalAddress() {
        startStack();
        ExecResult r = ns.exec("ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", STACK_LL + "%tap0");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("3 received"), r.out());
        assertTrue(r.out().contains("from " + STACK_LL), r.out());
    }

    /** {@code ping -6 -s 4000}: Linux fragments the request, the stack reassembles it and fragments its reply. */
    @Test
    void kernelPings6TheStack_with4000Bytes_fragmentedBothWays() {
        startStack();
        ExecResult r = ns.exec("ping", "-6", "-c", "2", "-i", "0.2", "-W", "2", "-s", "4000", STACK);
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("2 received"), r.out());
        assertTrue(r.out().contains("4008 bytes from " + STACK), r.out());
        assertEquals(2L, counter(Counter.IP6_REASM_OKS));
        assertEquals(6L, counter(Counter.IP6_FRAG_CREATES), "4048 bytes: 1448 + 1448 + 1152 per reply");
    }

    @Test
    void theStackPings6TheKernel_globalAndLinkLocal() {
        startStack();
        String kernelLl = ns.exec("ip", "-6", "-o", "addr", "show", "dev", "tap0", "scope", "link").out();
        int at = kernelLl.indexOf("inet6 ") + 6;
        kernelLl = kernelLl.substring(at, kernelLl.indexOf('/', at));
        long[] ll = new long[2];
        Ipv6Addr.parse(kernelLl, ll);
        PingSocket ping = driver.call(now -> stack.openPing());
        List<PingReply> replies = new ArrayList<>();
        long[][] targets = {{FD77, 1}, {FD77, 1}, {ll[0], ll[1]}};
        for (int i = 0; i < targets.length; i++) {
            final int seq = i + 1;
            final long[] t = targets[i];
            assertEquals(NetError.OK, (int) driver.call(now -> ping.send(t[0], t[1], seq, 56, now)));
            assertTrue(driver.await(3000, now -> {
                PingReply pr = new PingReply();
                if (ping.receive(pr)) {
                    replies.add(pr);
                }
                return replies.size() == seq;
            }), "reply " + seq);
        }
        for (PingReply pr : replies) {
            assertEquals(PingReply.REPLY, pr.kind, pr.toString());
            assertEquals(129, pr.icmpType);
            assertEquals(56, pr.size);
            assertTrue(!pr.corrupted && !pr.duplicate, pr.toString());
            assertEquals(64, pr.ttl, "Linux's hop limit");
        }
        assertEquals(kernelLl, IpAddr.format(replies.get(2).fromHi, replies.get(2).fromLo));
    }

    @Test
    void theStackPings6TheKernel_with4000Bytes() {
        startStack();
        PingSocket ping = driver.call(now -> stack.openPing());
        assertEquals(NetError.OK, (int) driver.call(now -> ping.send(FD77, 1, 1, 4000, now)));
        PingReply pr = new PingReply();
        assertTrue(driver.await(3000, now -> ping.receive(pr)), "reply");
        assertEquals(PingReply.REPLY, pr.kind, pr.toString());
        assertEquals(4000, pr.size);
        assertFalse(pr.corrupted, pr.toString());
        assertEquals(3L, counter(Counter.IP6_FRAG_CREATES));
        assertEquals(1L, counter(Counter.IP6_REASM_OKS));
    }

    /** The stack runs a UDP echo server on [::]:7; {@code ncat -6 -u} in the namespace sends and reads the echo. */
    @Test
    void udp6Echo_kernelToStack() {
        startStack();
        driver.call(now -> {
            UdpSocket s = stack.openUdp();
            assertEquals(NetError.OK, s.bind(0L, 0L, 7));
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
        ExecResult r = ns.exec("sh", "-c", "(printf 'hello stack'; sleep 2) | timeout 5 ncat -6 -u " + STACK + " 7");
        assertEquals("hello stack", r.out(), r.err());
        assertEquals(1L, counter(Counter.UDP_IN_DATAGRAMS));
    }

    /** The stack sends to {@code ncat -6 -u -l --exec /bin/cat} in the namespace and reads the echo. */
    @Test
    void udp6Echo_stackToKernel() {
        startStack();
        Background server = ns.spawn("ncat", "-6", "-u", "-l", KERNEL, "9000", "--exec", "/bin/cat");
        long end = System.nanoTime() + 5_000_000_000L;
        while (!ns.exec("ss", "-uln").out().contains("[" + KERNEL + "]:9000")) {
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
            int n = u.sendTo(FD77, 1, 9000, Unpooled.copiedBuffer("from the stack\n", StandardCharsets.US_ASCII),
                    now);
            assertEquals(15, n, NetError.name(n));
            return u;
        });
        assertTrue(driver.await(5000, now -> !got.isEmpty()), "no echo; ncat said: " + server.output());
        int port = driver.call(now -> s.localPort());
        assertTrue(got.poll().endsWith(" from the stack\n"));
        assertTrue(port >= 49152 && port <= 65535, "ephemeral port " + port);
    }

    /**
     * RFC 4861 §7.2.5/§7.2.6: a kernel holding a stale entry for fd77::2 (a migrated node) takes the stack's MAC from
     * its unsolicited advertisement (Override set) alone, before any traffic from the kernel.
     */
    @Test
    void unsolicitedNa_updatesTheKernelsStaleEntry_beforeAnyTrafficFromTheKernel() {
        ns.exec("ip", "-6", "neigh", "replace", STACK, "lladdr", "02:00:00:77:00:99", "dev", "tap0", "nud", "stale")
                .check("plant a stale entry");
        startStack();
        assertTrue(awaitNeighbour(MacAddr.format(STACK_MAC)), ns.exec("ip", "-6", "neigh").out());
        assertEquals(0L, counter(Counter.NDP_IN_SOLICITS), "the kernel never asked");
    }

    /**
     * Without an entry, Linux ignores an unsolicited advertisement by default (accept_untracked_na=0, RFC 4861
     * §7.2.5 "There is no need to create an entry if none exists"). accept_untracked_na=1 (Linux >= 5.18, RFC 9131)
     * creates a STALE entry only on an interface that forwards ({@code ndisc_recv_na}: "absent, accept 1, fwding 1:
     * Add a new STALE entry"): with forwarding on, the stack's advertisement alone creates it.
     */
    @Test
    void unsolicitedNa_createsTheKernelsEntry_withAcceptUntrackedNa_onARouter() {
        ExecResult sysctl = ns.exec("sysctl", "-w", "net.ipv6.conf.tap0.accept_untracked_na=1");
        org.junit.jupiter.api.Assumptions.assumeTrue(sysctl.exit() == 0, "kernel without accept_untracked_na");
        ns.exec("sysctl", "-w", "net.ipv6.conf.tap0.forwarding=1").check("forwarding");
        startStack();
        assertTrue(awaitNeighbour(MacAddr.format(STACK_MAC)), ns.exec("ip", "-6", "neigh").out());
        assertTrue(ns.exec("ip", "-6", "neigh", "show", STACK, "dev", "tap0").out().contains("STALE"));
        assertEquals(0L, counter(Counter.NDP_IN_SOLICITS), "the kernel never asked");
    }

    /** accept_untracked_na=1 on a host (no forwarding) still creates nothing: what Linux 6.18 does. */
    @Test
    void unsolicitedNa_withAcceptUntrackedNa_onAHost_createsNothing() {
        ExecResult sysctl = ns.exec("sysctl", "-w", "net.ipv6.conf.tap0.accept_untracked_na=1");
        org.junit.jupiter.api.Assumptions.assumeTrue(sysctl.exit() == 0, "kernel without accept_untracked_na");
        startStack();
        assertTrue(driver.await(3000, now -> stack.stats().get(Counter.NDP_OUT_UNSOLICITED_ADVERTS) == 2),
                "both addresses announced");
        assertEquals("", ns.exec("ip", "-6", "neigh", "show", STACK, "dev", "tap0").out().trim());
    }

    @Test
    void unsolicitedNa_withoutAnEntry_isIgnoredByDefault() {
        startStack();
        assertTrue(driver.await(3000, now -> stack.stats().get(Counter.NDP_OUT_UNSOLICITED_ADVERTS) == 2),
                "both addresses announced");
        assertEquals("", ns.exec("ip", "-6", "neigh", "show", STACK, "dev", "tap0").out().trim(),
                "Linux keeps no entry from an untracked NA by default");
    }

    private boolean awaitNeighbour(String mac) {
        long end = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < end) {
            String out = ns.exec("ip", "-6", "neigh", "show", STACK, "dev", "tap0").out();
            if (out.contains(mac)) {
                return true;
            }
        }
        return false;
    }
}
