package io.ioth.vde;

import io.ioth.vde.internal.VxvdeMacTable;
import io.ioth.vde.internal.VxvdePlug;
import io.ioth.vde.testing.NetNs;
import io.ioth.vde.testing.RealTools;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.ioth.vde.PlugDriver.frame;
import static io.ioth.vde.PlugDriver.send;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * vxvde:// between Java plugs, all inside a private network namespace that has only lo
 * (route 239.0.0.0/8 dev lo src 127.0.0.1, vde-protocol.md §6.14).
 */
class VxvdePlugTest {
    private static final String MAC_A = "02000000000a", MAC_B = "02000000000b", BCAST = "ffffffffffff";
    private NetNs ns;
    private final List<AutoCloseable> closeMe = new ArrayList<>();
    private PlugDriver drv;

    @BeforeEach
    void setUp() {
        RealTools.require("ip");
        ns = NetNs.create();
        ns.exec("ip", "route", "add", "239.0.0.0/8", "dev", "lo", "src", "127.0.0.1").check("multicast route");
        drv = new PlugDriver();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeMe.size() - 1; i >= 0; i--) closeMe.get(i).close();
        if (drv != null) drv.close();
        if (ns != null) ns.close();
    }

    private VxvdePlug open(String url) throws Exception {
        return open(url, VdeOptions.defaults());
    }

    private VxvdePlug open(String url, VdeOptions o) throws Exception {
        VxvdePlug p = (VxvdePlug) ns.inside(() -> Vde.open(url, o));
        closeMe.add(p);
        drv.add(p);
        return p;
    }

    @Test
    void firstFrameMulticastReplyUnicastGoodbyeForgets() throws Exception {
        String url = "vxvde://239.1.2.3/port=14790/vni=42";
        VxvdePlug a = open(url), b = open(url), c = open(url); // c is a bystander in the group
        PlugDriver.Inbox ia = new PlugDriver.Inbox(), ib = new PlugDriver.Inbox(), ic = new PlugDriver.Inbox();

        // A -> broadcast: B and C get it byte-exact; A does not hear its own loop-back
        byte[] f1 = frame(BCAST, MAC_A, 46, 1);
        assertTrue(send(a, f1));
        assertArrayEquals(f1, drv.await(b, ib, 5000));
        assertArrayEquals(f1, drv.await(c, ic, 5000));
        // B learned MAC_A -> A's U socket (127.0.0.1 : ephemeral), not the group port
        int slot = b.macTable().lookup(key(MAC_A), Ticker.systemTicker().nanoTime());
        assertTrue(slot >= 0, "B learned A's MAC");
        assertEquals(a.unicastPort(), b.macTable().port(slot));
        assertEquals(0x7f000001L, b.macTable().lo(slot));

        // B -> A (unicast after learning): A gets it; C must not (a following broadcast marker from B
        // is the next thing C sees)
        byte[] f2 = frame(MAC_A, MAC_B, 46, 2);
        assertTrue(send(b, f2));
        assertArrayEquals(f2, drv.await(a, ia, 5000));
        byte[] marker = frame(BCAST, MAC_B, 46, 3);
        assertTrue(send(b, marker));
        assertArrayEquals(marker, drv.await(c, ic, 5000), "the reply did not go to the group");
        assertArrayEquals(marker, drv.await(a, ia, 5000));
        drv.drain(a, ia);
        assertEquals(0, a.stats().totalDrops(), a.stats().toString());
        assertEquals(2, a.stats().framesIn(), "A never saw its own multicast: " + a.stats());

        // A -> B now also unicast (A learned MAC_B)
        assertTrue(a.macTable().lookup(key(MAC_B), Ticker.systemTicker().nanoTime()) >= 0);
        byte[] f4 = frame(MAC_B, MAC_A, 100, 4);
        assertTrue(send(a, f4));
        assertArrayEquals(f4, drv.await(b, ib, 5000));

        // B closes: its goodbye makes A forget MAC_B, so A's next frame to MAC_B goes to the group
        b.close();
        assertTrue(drv.awaitCondition(a, ia, 5000,
                () -> a.macTable().lookup(key(MAC_B), Ticker.systemTicker().nanoTime()) < 0), "goodbye received");
        byte[] f5 = frame(MAC_B, MAC_A, 46, 5);
        assertTrue(send(a, f5));
        assertArrayEquals(f5, drv.await(c, ic, 5000), "unlearned MAC goes to the group");
        assertEquals(0, b.stats().totalDrops() + c.stats().totalDrops() + a.stats().totalDrops());
    }

    @Test
    void entryExpiresAfterExpiretimeOnTheTicker() throws Exception {
        MockTicker ticker = Ticker.newMockTicker();
        String url = "vxvde://239.1.2.4/port=14792/expiretime=10";
        VxvdePlug a = open(url), b = open(url, VdeOptions.defaults().withTicker(ticker));
        PlugDriver.Inbox ib = new PlugDriver.Inbox();
        assertTrue(send(a, frame(BCAST, MAC_A, 46, 1)));
        assertNotNull(drv.await(b, ib, 5000));
        assertTrue(b.macTable().lookup(key(MAC_A), ticker.nanoTime()) >= 0);
        ticker.advance(10, TimeUnit.SECONDS);
        assertTrue(b.macTable().lookup(key(MAC_A), ticker.nanoTime()) >= 0, "exactly expiretime old: still usable");
        ticker.advance(1, TimeUnit.MILLISECONDS);
        assertTrue(b.macTable().lookup(key(MAC_A), ticker.nanoTime()) < 0, "expired");
    }

    @Test
    void malformedDatagramsAreCountedNotDelivered() throws Exception {
        VxvdePlug a = open("vxvde://239.1.2.5/port=14793/vni=42");
        VxvdePlug other = open("vxvde://239.1.2.5/port=14793/vni=43");
        PlugDriver.Inbox ia = new PlugDriver.Inbox();
        DatagramSocket raw = ns.inside(() -> new DatagramSocket(new InetSocketAddress("127.0.0.1", 0)));
        closeMe.add(raw::close);
        InetSocketAddress aU = new InetSocketAddress("127.0.0.1", a.unicastPort());
        byte[] f = frame(MAC_A, MAC_B, 46, 7);

        // another VNI on the same group: WRONG_VNI (whole-header compare, §3)
        assertTrue(send(other, frame(BCAST, MAC_B, 46, 1)));
        assertTrue(drv.awaitCondition(a, ia, 5000, () -> a.stats().drops(DropReason.WRONG_VNI) == 1));

        raw.send(packet(cat(hex("0c000000 00002a00"), f), aU));            // flags differ
        raw.send(packet(cat(hex("08000000 00002a01"), f), aU));            // reserved byte 7
        raw.send(packet(cat(hex("08000000 00002b00"), f), aU));            // VNI 43
        raw.send(packet(hex("0800000000"), aU));                            // 5 bytes
        raw.send(packet(cat(hex("08000000 00002a00"), new byte[14]), aU)); // 14-byte frame: too short
        raw.send(packet(new byte[8 + 9235], aU));                           // frame over 9234 bytes: OVERSIZE
        byte[] ok = cat(hex("08000000 00002a00"), frame(MAC_A, MAC_B, 1, 9)); // 15-byte frame: accepted
        raw.send(packet(ok, aU));
        byte[] got = drv.await(a, ia, 5000);
        assertArrayEquals(frame(MAC_A, MAC_B, 1, 9), got);
        assertEquals(2, a.stats().drops(DropReason.BAD_HEADER), a.stats().toString());
        assertEquals(2, a.stats().drops(DropReason.WRONG_VNI), a.stats().toString());
        assertEquals(2, a.stats().drops(DropReason.RUNT), a.stats().toString());
        assertEquals(1, a.stats().drops(DropReason.OVERSIZE), a.stats().toString());
        assertEquals(1, a.stats().framesIn());
        assertEquals(15, a.stats().bytesIn());

        // learned from the raw socket's exact sockaddr; a header-only goodbye from it forgets it
        long now = Ticker.systemTicker().nanoTime();
        int slot = a.macTable().lookup(key(MAC_B), now);
        assertTrue(slot >= 0);
        assertEquals(raw.getLocalPort(), a.macTable().port(slot));
        raw.send(packet(hex("08000000 00002b00"), aU)); // goodbye with the wrong VNI: ignored (counted)
        raw.send(packet(hex("08000000 00002a00"), aU));
        assertTrue(drv.awaitCondition(a, ia, 5000,
                () -> a.macTable().lookup(key(MAC_B), Ticker.systemTicker().nanoTime()) < 0));
        assertEquals(3, a.stats().drops(DropReason.WRONG_VNI));

        // frames this wire never carries are refused on the way out, and counted
        assertEquals(false, send(a, new byte[13]));
        assertEquals(false, send(a, new byte[9235]));
        assertEquals(2, a.stats().drops(DropReason.OVERSIZE), a.stats().toString());
        assertEquals(3, a.stats().drops(DropReason.RUNT));
    }

    @Test
    void handlerClosingThePlugEndsTheRead() throws Exception {
        // an unpooled allocator counts exactly what is still allocated
        UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(true);
        String url = "vxvde://239.1.2.8/port=14796";
        VxvdePlug a = open(url, VdeOptions.defaults().withAllocator(alloc)), b = open(url);
        byte[] f1 = frame(BCAST, MAC_B, 46, 1), f2 = frame(BCAST, MAC_B, 46, 2);
        assertTrue(send(b, f1));
        assertTrue(send(b, f2));
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
            n = a.read(closing, 8); // before the fix: IllegalStateException("freed") from the msghdr block
        }
        assertEquals(1, n);
        assertEquals(1, got.size(), "nothing is delivered after the handler closed the plug");
        assertArrayEquals(f1, got.get(0));
        assertEquals(0, alloc.metric().usedDirectMemory(), "every buffer is released once closed");
    }

    @Test
    void heapFramesAreCopiedThroughScratch() throws Exception {
        String url = "vxvde://239.1.2.6/port=14794";
        VxvdePlug a = open(url), b = open(url);
        PlugDriver.Inbox ib = new PlugDriver.Inbox();
        byte[] f = frame(BCAST, MAC_A, 1500, 3);
        ByteBuf heap = Unpooled.buffer(f.length + 10).writeZero(10).writeBytes(f).skipBytes(10);
        assertTrue(a.write(heap));
        assertArrayEquals(f, drv.await(b, ib, 5000));
        byte[] jumbo = frame(BCAST, MAC_A, 9234 - 14, 4); // the largest frame: IP-fragmented on lo
        assertTrue(send(a, jumbo));
        assertArrayEquals(jumbo, drv.await(b, ib, 5000));
    }

    @Test
    void ipv6Group() throws Exception {
        // Linux does not loop IPv6 multicast back over lo (measured: Ip6OutNoRoutes, nothing received,
        // even with lo multicast on and a multicast route), and this kernel has no dummy driver. So the
        // namespace gets a veth pair whose BOTH ends stay inside it (no host interface is involved),
        // an address, and a route for the site-local group scope.
        ns.exec("ip", "link", "add", "vxa", "type", "veth", "peer", "name", "vxb").check("veth pair in the ns");
        ns.exec("ip", "link", "set", "vxa", "up").check("vxa up");
        ns.exec("ip", "link", "set", "vxb", "up").check("vxb up");
        ns.exec("ip", "-6", "addr", "add", "fd00:56de::1/64", "dev", "vxa", "nodad").check("v6 address");
        ns.exec("ip", "-6", "route", "add", "ff05::/16", "dev", "vxa", "table", "local").check("v6 multicast route");
        String url = "vxvde://ff05:56de::1/port=14795/vni=7";
        VxvdePlug a = open(url), b = open(url);
        PlugDriver.Inbox ia = new PlugDriver.Inbox(), ib = new PlugDriver.Inbox();
        byte[] f1 = frame(BCAST, MAC_A, 46, 1);
        assertTrue(send(a, f1));
        assertArrayEquals(f1, drv.await(b, ib, 5000));
        int slot = b.macTable().lookup(key(MAC_A), Ticker.systemTicker().nanoTime());
        assertTrue(slot >= 0);
        assertEquals(a.unicastPort(), b.macTable().port(slot));
        byte[] f2 = frame(MAC_A, MAC_B, 46, 2);
        assertTrue(send(b, f2));
        assertArrayEquals(f2, drv.await(a, ia, 5000));
        drv.drain(a, ia);
        assertEquals(1, a.stats().framesIn(), "no own loop-back: " + a.stats());
        b.close();
        assertTrue(drv.awaitCondition(a, ia, 5000,
                () -> a.macTable().lookup(key(MAC_B), Ticker.systemTicker().nanoTime()) < 0), "v6 goodbye");
    }

    @Test
    void openFailuresThrowClearly() {
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> ns.inside(() -> Vde.open("vxvde://239.1.2.7/if=nosuchif0")));
        assertTrue(e.getMessage().contains("nosuchif0"), e.getMessage());
    }

    static long key(String mac) {
        ByteBuf b = Unpooled.wrappedBuffer(hex(mac));
        try {
            return VxvdeMacTable.key(b, 0);
        } finally {
            b.release();
        }
    }

    static byte[] hex(String s) { return HexFormat.of().parseHex(s.replace(" ", "")); }

    static byte[] cat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static DatagramPacket packet(byte[] b, InetSocketAddress to) {
        return new DatagramPacket(b, b.length, to);
    }
}
