package io.ioth.tcpip;

import io.ioth.tcpip.iface.IpAddr;
import io.ioth.vde.testing.Background;
import io.ioth.vde.testing.RealTools;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bulk TCP between the stack and the Linux kernel over a real vde_switch, byte-exact (SHA-256 on both ends), clean
 * and through VDE's {@code wirefilter} (between the switch and the kernel's tap, both directions impaired): 1 % loss,
 * 20 ms delay, duplication with reordering. IPv4 and IPv6. The kernel side is python3 (it hashes what it sends or
 * receives); every transfer must finish within its deadline, so a recovery that falls back to RTOs fails it.
 *
 * <p>CI sizes: 100 MB each way clean (IPv4 and IPv6), 8 MB each way impaired. {@code -Dioth.soak=true} multiplies the
 * impaired sizes by 10 and the clean ones by 5. Leak detection is sampled (SIMPLE) during these tests: paranoid
 * tracking records a stack trace per buffer access and would cut the rate tenfold (leaks are covered by the unit
 * tests; SIMPLE still reports any it samples).
 */
class LinuxTcpImpairedTest {
    static final long MB = 1_000_000L;
    static final boolean SOAK = Boolean.getBoolean("ioth.soak");
    static final long CLEAN = (SOAK ? 500 : 100) * MB;
    static final long IMPAIRED = (SOAK ? 80 : 8) * MB;

    ResourceLeakDetector.Level level;
    LinuxTcpRig rig;
    ByteBuf block;
    String blockSha;

    @BeforeEach
    void setUp() throws Exception {
        RealTools.require("vde_switch", "vde_plug", "wirefilter", "ip", "python3", "nstat");
        level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
        byte[] b = new byte[1 << 20];
        new SplittableRandom(4).nextBytes(b);
        block = Unpooled.directBuffer(b.length).writeBytes(b);
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (rig != null) {
                rig.close();
            }
        } finally {
            block.release();
            ResourceLeakDetector.setLevel(level);
        }
    }

    // ------------------------------------------------------------------ clean

    @Test
    void clean_100MB_eachWay_ipv4() throws Exception {
        rig = start();
        kernelToStack(LinuxTcpRig.STACK4, IpAddr.V4_ANY_LO, 7001, CLEAN, 60_000, "clean v4");
        stackToKernel(LinuxTcpRig.A4, 7002, CLEAN, 60_000, "clean v4");
    }

    @Test
    void clean_100MB_eachWay_ipv6() throws Exception {
        rig = start();
        kernelToStack(LinuxTcpRig.STACK6, IpAddr.ANY_LO, 7001, CLEAN, 60_000, "clean v6");
        stackToKernel(LinuxTcpRig.A6, 7002, CLEAN, 60_000, "clean v6");
    }

    // ------------------------------------------------------------------ impaired (wirefilter)

    /** 1 % loss each way: fast recovery (SACK), not RTOs, on both senders. */
    @Test
    void onePercentLoss_eachWay_ipv4() throws Exception {
        rig = start("-l", "1");
        kernelToStack(LinuxTcpRig.STACK4, IpAddr.V4_ANY_LO, 7001, IMPAIRED, 60_000, "loss 1% v4");
        stackToKernel(LinuxTcpRig.A4, 7002, IMPAIRED, 60_000, "loss 1% v4");
    }

    /** 20 ms each way (40 ms RTT) and 1 % loss, IPv6: window scaling and recovery at a longer RTT. */
    @Test
    void delay20ms_andOnePercentLoss_eachWay_ipv6() throws Exception {
        rig = start("-d", "20", "-l", "1");
        kernelToStack(LinuxTcpRig.STACK6, IpAddr.ANY_LO, 7001, IMPAIRED, 60_000, "delay 20ms loss 1% v6");
        stackToKernel(LinuxTcpRig.A6, 7002, IMPAIRED, 60_000, "delay 20ms loss 1% v6");
    }

    /** 2 % duplicated frames and a 5 ms ± 4 ms delay without FIFO order (reordering), IPv4. */
    @Test
    void duplicationAndReordering_eachWay_ipv4() throws Exception {
        rig = start("-D", "2", "-d", "5+4", "-N");
        kernelToStack(LinuxTcpRig.STACK4, IpAddr.V4_ANY_LO, 7001, IMPAIRED, 60_000, "dup 2% reorder v4");
        stackToKernel(LinuxTcpRig.A4, 7002, IMPAIRED, 60_000, "dup 2% reorder v4");
    }

    // ------------------------------------------------------------------ helpers

    private static LinuxTcpRig start(String... wirefilter) throws Exception {
        LinuxTcpRig r = new LinuxTcpRig(false, wirefilter.length == 0 ? null : wirefilter);
        try {
            r.startStack();
        } catch (Throwable t) {
            r.close();
            throw t;
        }
        return r;
    }

    /** python3 in namespace a sends {@code bytes} (seeded pseudo-random) to a listener on the stack. */
    private void kernelToStack(String stackAddr, long anyLo, int port, long bytes, long timeoutMs, String what)
            throws Exception {
        Map<String, Long> k0 = LinuxTcpRig.nstat(rig.a);
        LinuxTcpRig.Sink sink = new LinuxTcpRig.Sink(true);
        rig.listen(anyLo, port, sink);
        Background tx = rig.pySender(rig.a, stackAddr, port, bytes, "79");
        boolean done = rig.driver.await(timeoutMs, now -> sink.eof || sink.error != 0);
        assertTrue(done, what + " kernel -> stack: not done in " + timeoutMs + " ms: read " + sink.bytes + "; "
                + state(sink.s) + "; sender: " + tx.output());
        assertEquals(0, sink.error, io.ioth.tcpip.iface.NetError.name(sink.error));
        String[] res = LinuxTcpRig.result(tx, 10_000);
        assertEquals(bytes, sink.bytes);
        assertEquals(res[3], sink.hex(), "SHA-256 of what the kernel sent");
        System.out.printf("[tcpimpaired] %s kernel -> stack: %d MB in %.2f s = %.1f Mbit/s; kernel: %s; stack: %s%n",
                what, bytes / MB, (sink.t1 - sink.t0) / 1e9, LinuxTcpRig.mbit(bytes, (sink.t1 - sink.t0) / 1e9),
                LinuxTcpRig.nstatDiff(k0, LinuxTcpRig.nstat(rig.a)), rig.stack.tcpStats());
    }

    /** The stack sends {@code bytes} (the random 1 MiB block repeated) to python3 in namespace a. */
    private void stackToKernel(String kernelAddr, int port, long bytes, long timeoutMs, String what)
            throws Exception {
        Map<String, Long> k0 = LinuxTcpRig.nstat(rig.a);
        Background rx = rig.pyReceiver(rig.a, kernelAddr, port, true);
        LinuxTcpRig.Source src = rig.connect(kernelAddr, port, block, bytes);
        boolean done = rig.awaitSent(src, timeoutMs);
        assertTrue(done, what + " stack -> kernel: not acknowledged in " + timeoutMs + " ms: " + state(src.s)
                + "; receiver: " + rx.output());
        assertEquals(0, src.error, io.ioth.tcpip.iface.NetError.name(src.error));
        String[] res = LinuxTcpRig.result(rx, 10_000);
        assertEquals(bytes, Long.parseLong(res[1]));
        assertEquals(expectedSha(bytes), res[3], "SHA-256 of what the kernel received");
        System.out.printf("[tcpimpaired] %s stack -> kernel: %d MB in %.2f s = %.1f Mbit/s; kernel: %s; stack: %s%n",
                what, bytes / MB, (src.t1 - src.t0) / 1e9, LinuxTcpRig.mbit(bytes, (src.t1 - src.t0) / 1e9),
                LinuxTcpRig.nstatDiff(k0, LinuxTcpRig.nstat(rig.a)), rig.stack.tcpStats());
        rig.driver.run(now -> src.s.close(now));
    }

    private String expectedSha(long bytes) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (long n = 0; n < bytes; ) {
            int k = (int) Math.min(block.readableBytes(), bytes - n);
            ByteBuffer bb = block.nioBuffer(block.readerIndex(), k);
            md.update(bb);
            n += k;
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private String state(io.ioth.tcpip.socket.tcp.TcpSocket s) {
        return s == null ? "no connection" : rig.driver.call(now -> s + " " + rig.stack.tcpStats());
    }
}
