package io.ioth.vde;

import io.ioth.vde.internal.UdpPlug;
import io.ioth.vde.testing.NetNs;
import io.ioth.vde.testing.RealTools;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import static io.ioth.vde.PlugDriver.frame;
import static io.ioth.vde.PlugDriver.send;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** udp:// (vde-protocol.md §4, §6.15), inside a private lo-only namespace. */
class UdpPlugTest {
    private static final String MAC_A = "02000000002a", MAC_B = "02000000002b";
    private NetNs ns;
    private PlugDriver drv;
    private final List<AutoCloseable> closeMe = new ArrayList<>();

    @BeforeEach
    void setUp() {
        RealTools.require("ip");
        ns = NetNs.create();
        drv = new PlugDriver();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeMe.size() - 1; i >= 0; i--) closeMe.get(i).close();
        if (drv != null) drv.close();
        if (ns != null) ns.close();
    }

    private UdpPlug open(String url) throws Exception {
        UdpPlug p = (UdpPlug) ns.inside(() -> Vde.open(url));
        closeMe.add(p);
        drv.add(p);
        return p;
    }

    @Test
    void javaToJavaBothWaysStrangersFiltered() throws Exception {
        UdpPlug a = open("udp://127.0.0.1:5001->127.0.0.1:5002");
        UdpPlug b = open("udp://5002->127.0.0.1:5001");
        PlugDriver.Inbox ia = new PlugDriver.Inbox(), ib = new PlugDriver.Inbox();
        byte[] f1 = frame(MAC_B, MAC_A, 46, 1), f2 = frame(MAC_A, MAC_B, 9234 - 14, 2);
        assertTrue(send(a, f1));
        assertArrayEquals(f1, drv.await(b, ib, 5000));
        assertTrue(send(b, f2));
        assertArrayEquals(f2, drv.await(a, ia, 5000));

        // a stranger's datagram is dropped by the kernel (connected socket): B's next frame comes first
        DatagramSocket stranger = ns.inside(() -> new DatagramSocket(new InetSocketAddress("127.0.0.1", 0)));
        closeMe.add(stranger::close);
        byte[] evil = frame(MAC_A, "020000000066", 46, 6);
        stranger.send(new DatagramPacket(evil, evil.length, new InetSocketAddress("127.0.0.1", 5001)));
        byte[] f3 = frame(MAC_A, MAC_B, 46, 3);
        assertTrue(send(b, f3));
        assertArrayEquals(f3, drv.await(a, ia, 5000));
        drv.drain(a, ia);
        assertTrue(ia.frames.isEmpty());
        assertEquals(2, a.stats().framesIn());
        assertEquals(0, a.stats().totalDrops() + b.stats().totalDrops());
        assertEquals(new InetSocketAddress("127.0.0.1", 5001), a.localAddress());

        // outgoing frames this wire cannot carry are counted
        assertFalse(send(a, new byte[10]));
        assertFalse(send(a, new byte[9235]));
        assertEquals(1, a.stats().drops(DropReason.RUNT));
        assertEquals(1, a.stats().drops(DropReason.OVERSIZE));
    }

    @Test
    void runtAndOversizeFromThePeerAreCounted() throws Exception {
        DatagramSocket peer = ns.inside(() -> new DatagramSocket(new InetSocketAddress("127.0.0.1", 5013)));
        closeMe.add(peer::close);
        UdpPlug a = open("udp://127.0.0.1:5012->127.0.0.1:5013");
        PlugDriver.Inbox ia = new PlugDriver.Inbox();
        InetSocketAddress to = new InetSocketAddress("127.0.0.1", 5012);
        peer.send(new DatagramPacket(new byte[13], 13, to));
        peer.send(new DatagramPacket(new byte[9235], 9235, to));
        byte[] ok = frame(MAC_A, MAC_B, 0, 0); // exactly 14 bytes: accepted
        peer.send(new DatagramPacket(ok, ok.length, to));
        assertArrayEquals(ok, drv.await(a, ia, 5000));
        assertEquals(1, a.stats().drops(DropReason.RUNT));
        assertEquals(1, a.stats().drops(DropReason.OVERSIZE));
        assertEquals(1, a.stats().framesIn());
    }

    @Test
    void handlerClosingThePlugEndsTheRead() throws Exception {
        // an unpooled allocator counts exactly what is still allocated
        UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(true);
        DatagramSocket peer = ns.inside(() -> new DatagramSocket(new InetSocketAddress("127.0.0.1", 5017)));
        closeMe.add(peer::close);
        UdpPlug a = (UdpPlug) ns.inside(() -> Vde.open("udp://127.0.0.1:5016->127.0.0.1:5017",
                VdeOptions.defaults().withAllocator(alloc)));
        closeMe.add(a);
        drv.add(a);
        byte[] f1 = frame(MAC_A, MAC_B, 46, 1), f2 = frame(MAC_A, MAC_B, 46, 2);
        InetSocketAddress to = new InetSocketAddress("127.0.0.1", 5016);
        peer.send(new DatagramPacket(f1, f1.length, to));
        peer.send(new DatagramPacket(f2, f2.length, to));
        List<byte[]> got = new ArrayList<>();
        FrameHandler closing = f -> {
            got.add(ByteBufUtil.getBytes(f));
            f.release();
            a.close();
        };
        long deadline = System.nanoTime() + 5_000_000_000L;
        int n = 0;
        while (got.isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "no frame arrived");
            drv.poller.await(50_000_000L);
            n = a.read(closing, 8);
        }
        assertEquals(1, n);
        assertEquals(1, got.size(), "nothing is delivered after the handler closed the plug");
        assertArrayEquals(f1, got.get(0));
        // before the fix the read went on: a new receive buffer was taken after close (and leaked), and
        // recv() ran on the closed descriptor number
        assertEquals(0, alloc.metric().usedDirectMemory(), "every buffer is released once closed");
    }

    @Test
    void sendToAClosedPortIsCountedNotThrown() throws Exception {
        UdpPlug a = open("udp://127.0.0.1:5014->127.0.0.1:5015"); // nobody at 5015
        PlugDriver.Inbox ia = new PlugDriver.Inbox();
        assertTrue(send(a, frame(MAC_B, MAC_A, 46, 1)));
        // the ICMP port unreachable comes back as ECONNREFUSED on a later call: never an exception
        boolean counted = false;
        for (int i = 0; i < 50 && !counted; i++) {
            send(a, frame(MAC_B, MAC_A, 46, 1));
            a.read(ia, 8);
            counted = a.stats().drops(DropReason.SEND_ERROR) > 0;
        }
        assertTrue(counted, a.stats().toString());
        assertTrue(a.isConnected());
    }

    @Test
    void ipv6JavaToJava() throws Exception {
        UdpPlug a = open("udp://[::1]:5021->[::1]:5022");
        UdpPlug b = open("udp://[::1]:5022->[::1]:5021");
        PlugDriver.Inbox ib = new PlugDriver.Inbox();
        byte[] f = frame(MAC_B, MAC_A, 46, 1);
        assertTrue(send(a, f));
        assertArrayEquals(f, drv.await(b, ib, 5000));
    }

    @Test
    void mixedFamiliesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ns.inside(() -> Vde.open("udp://[::1]:5031->127.0.0.1:5032")));
    }

    @Test
    void javaToRealVdePlug() throws Exception {
        RealTools.require("vde_plug", "ss");
        StdioVdePlug c = StdioVdePlug.start(ns, "udp://5011->127.0.0.1:5010");
        closeMe.add(c);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!ns.exec("ss", "-Huanp").out().contains("pid=" + c.pid() + ",")) {
            assertTrue(c.isAlive(), "vde_plug exited: " + c.stderr());
            assertTrue(System.nanoTime() < deadline, "vde_plug did not bind");
            drv.poller.await(20_000_000L);
        }
        UdpPlug j = open("udp://127.0.0.1:5010->127.0.0.1:5011");
        PlugDriver.Inbox ij = new PlugDriver.Inbox();
        byte[] f1 = frame(MAC_B, MAC_A, 300, 1);
        assertTrue(send(j, f1));
        assertArrayEquals(f1, c.poll(5000), "vde_plug got the raw frame byte-exact");
        byte[] f2 = frame(MAC_A, MAC_B, 1500, 2);
        c.send(f2);
        assertArrayEquals(f2, drv.await(j, ij, 5000), "Java got vde_plug's frame byte-exact");
        assertEquals(0, j.stats().totalDrops());
    }
}
