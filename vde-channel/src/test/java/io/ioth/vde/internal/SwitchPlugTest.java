package io.ioth.vde.internal;

import io.ioth.vde.DropReason;
import io.ioth.vde.PlugListener;
import io.ioth.vde.Vde;
import io.ioth.vde.VdeOptions;
import io.ioth.vde.VdePlug;
import io.ioth.vde.VdePoller;
import io.ioth.vde.Vnl;
import io.ioth.vde.testing.NetNs;
import io.ioth.vde.testing.RealTools;
import io.ioth.vde.testing.VdeSwitchProcess;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.Ticker;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** vde:// against the real vde_switch 2.3.2 (vde-protocol.md §1). */
class SwitchPlugTest {

    // ------------------------------------------------------------------ request bytes (no switch needed)

    @Test
    void requestMatchesTheBytesCapturedFromVdePlug() {
        // vde-protocol.md §1.2: 149 bytes captured from the real vde_plug
        byte[] got = SwitchHandshake.request("/tmp/sw/.07160-00000", 0, "vdeplug: user=root pid=7160");
        byte[] want = new byte[149];
        byte[] head = ByteBufUtil.decodeHexDump("cefaedfe" + "03000000" + "00000000" + "0100");
        System.arraycopy(head, 0, want, 0, 14);
        byte[] path = "/tmp/sw/.07160-00000".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(path, 0, want, 14, path.length); // NUL-padded up to offset 122
        byte[] descr = "vdeplug: user=root pid=7160".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(descr, 0, want, 122, descr.length); // no NUL terminator
        assertEquals(ByteBufUtil.hexDump(want), ByteBufUtil.hexDump(got));
    }

    @Test
    void longDescriptionsAreCutSoTheSwitchReadsOneRequest() {
        byte[] got = SwitchHandshake.request("/tmp/sw/.00001-00000", 0, "x".repeat(300));
        assertEquals(122 + 127, got.length); // §1.2: <= 256 bytes, description <= 127
    }

    @Test
    void vnlPortRulesGiveTheTypeField() {
        // §1.3/§4: any port -> 0; [N] -> N<<8 (bytes 00 05 00 00 for 5); [0] -> REQ_NEW_PORT0 (01 00 00 00)
        assertEquals("00000000", typeBytes("vde:///tmp/sw"));
        assertEquals("00050000", typeBytes("vde:///tmp/sw[5]"));
        assertEquals("00080000", typeBytes("vde:///tmp/sw[port=8]"));
        assertEquals("00070000", typeBytes("/tmp/sw[7]"));
        assertEquals("01000000", typeBytes("vde:///tmp/sw[0]"));
        assertEquals("002c0100", typeBytes("vde:///tmp/sw[300]"));
    }

    private static String typeBytes(String vnl) {
        Vnl.Switch s = (Vnl.Switch) Vnl.parse(vnl);
        byte[] r = SwitchHandshake.request("/x", SwitchHandshake.requestType(s.port()), "");
        return ByteBufUtil.hexDump(r, 8, 4);
    }

    // ------------------------------------------------------------------ against a real switch

    @Test
    void javaToJavaThroughARealSwitch() throws Exception {
        RealTools.require("vde_switch");
        try (VdeSwitchProcess sw = VdeSwitchProcess.start();
             VdePoller poller = new VdePoller();
             VdePlug a = Vde.open(sw.vnl(), VdeOptions.defaults().withDescription("alpha"));
             VdePlug b = Vde.open(sw.vnl(), VdeOptions.defaults().withDescription("beta"))) {
            poller.add(a);
            poller.add(b);
            assertTrue(a.isConnected());
            assertTrue(((SwitchPlug) a).portPath().startsWith(sw.dir() + "/001."), ((SwitchPlug) a).portPath());
            assertTrue(((SwitchPlug) b).portPath().startsWith(sw.dir() + "/002."), ((SwitchPlug) b).portPath());
            String ports = sw.mgmt("port/print");
            assertTrue(ports.matches("(?s).*Port 0001 .*ACTIVE.*prog\\s*: alpha\n.*Port 0002 .*ACTIVE.*prog\\s*: beta\n.*"),
                    ports);

            // a -> broadcast: b gets it byte for byte (the switch floods), a hears no echo (§1.6)
            byte[] hello = frame("ffffffffffff", "02000000000a", "88b5", "hello, switch");
            byte[] reply = frame("02000000000a", "02000000000b", "88b5", "hello, a");
            Collector inA = new Collector(), inB = new Collector();
            assertTrue(a.write(Unpooled.wrappedBuffer(hello)));
            pump(poller, () -> inB.size() >= 1, inA.on(a), inB.on(b));
            assertArrayEquals(hello, inB.get(0));
            assertTrue(b.write(Unpooled.directBuffer().writeBytes(reply)));
            pump(poller, () -> inA.size() >= 1, inA.on(a), inB.on(b));
            assertEquals(List.of(ByteBufUtil.hexDump(reply)), inA.hex()); // no echo of hello before it
            assertEquals(1, inB.size());
            assertEquals(1, a.stats().framesOut());
            assertEquals(1, a.stats().framesIn());

            // a full-size frame (1518) passes intact; larger ones are refused here, not truncated there
            byte[] big = frame("02000000000b", "02000000000a", "88b5", "z".repeat(1518 - 14));
            assertTrue(a.write(Unpooled.wrappedBuffer(big)));
            pump(poller, () -> inB.size() >= 2, inA.on(a), inB.on(b));
            assertArrayEquals(big, inB.get(1));
            assertFalse(a.write(Unpooled.wrappedBuffer(new byte[1519])));
            assertFalse(a.write(Unpooled.wrappedBuffer(new byte[13])));
            assertEquals(1, a.stats().drops(DropReason.OVERSIZE));
            assertEquals(1, a.stats().drops(DropReason.RUNT));
        }
    }

    @Test
    void javaToLinuxKernelAnswersArpThroughATap() throws Exception {
        RealTools.require("vde_switch", "vde_plug", "ip");
        try (VdeSwitchProcess sw = VdeSwitchProcess.start(); NetNs ns = NetNs.create()) {
            ns.tap("tap0", sw.vnl());
            ns.exec("ip", "addr", "add", "10.99.0.1/24", "dev", "tap0").check("addr add");
            String tapMac = mac(ns.exec("ip", "-o", "link", "show", "tap0").check("link show").out());
            try (VdePoller poller = new VdePoller(); VdePlug plug = Vde.open(sw.vnl())) {
                poller.add(plug);
                // ARP request (RFC 826): who has 10.99.0.1? tell 10.99.0.2 (02:00:00:00:00:0a)
                byte[] request = ByteBufUtil.decodeHexDump(
                        "ffffffffffff" + "02000000000a" + "0806"
                        + "0001" + "0800" + "06" + "04" + "0001"
                        + "02000000000a" + "0a630002"
                        + "000000000000" + "0a630001");
                Collector in = new Collector();
                String want = "02000000000a" + tapMac + "0806" // ether: dst = us, src = tap, ARP
                        + "0001" + "0800" + "06" + "04" + "0002"     // reply
                        + tapMac + "0a630001"                      // sender: tap0, 10.99.0.1
                        + "02000000000a" + "0a630002";             // target: us
                assertTrue(plug.write(Unpooled.wrappedBuffer(request)));
                try {
                    pump(poller, () -> in.hex().stream().anyMatch(h -> h.startsWith(want)), in.on(plug));
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "\nwanted " + want + "\ngot " + in.hex(), e);
                }
                // Linux pads to 60 bytes only on real NICs; through a tap the reply is the 42-byte ARP
                String got = in.hex().stream().filter(h -> h.startsWith(want)).findFirst().orElseThrow();
                assertEquals(want, got.substring(0, want.length()));
            }
        }
    }

    @Test
    void refusedPortTimesOutWithoutLeaking() throws Exception {
        RealTools.require("vde_switch");
        try (VdeSwitchProcess sw = VdeSwitchProcess.start("-n", "4")) {
            VdeOptions quick = VdeOptions.defaults().withConnectTimeout(Duration.ofMillis(400));
            Vde.open(sw.vnl(), quick).close(); // warm up (library loading opens files once)
            int fds = openFds();
            long t0 = System.nanoTime();
            // §1.2: port 9 >= numports 4: the switch keeps the stream open and says nothing
            IOException e = assertThrows(IOException.class, () -> Vde.open(sw.vnl() + "[9]", quick));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(e.getMessage().contains("did not answer within 400 ms: port refused?"), e.getMessage());
            assertTrue(e.getMessage().contains(sw.dir().toString()), e.getMessage());
            assertTrue(ms >= 390 && ms < 3000, "took " + ms + " ms");
            assertEquals(fds, openFds(), "fds after a refused open");
            assertEquals(List.of("ctl"), files(sw), "no client socket left in " + sw.dir());

            IOException none = assertThrows(IOException.class, () -> Vde.open("vde://" + sw.dir() + "-missing"));
            assertTrue(none.getMessage().contains(sw.dir() + "-missing/ctl"), none.getMessage());
            assertEquals(fds, openFds(), "fds after a missing switch");
        }
    }

    @Test
    void switchDeathIsReportedAndAutoReconnectRejoins() throws Exception {
        RealTools.require("vde_switch");
        Events ev = new Events(), evPlain = new Events();
        VdeOptions auto = VdeOptions.defaults().withAutoReconnect(true).withListener(ev)
                .withReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200));
        try (VdeSwitchProcess sw = VdeSwitchProcess.start();
             VdePoller poller = new VdePoller();
             VdePlug plug = Vde.open(sw.vnl(), auto);
             VdePlug plain = Vde.open(sw.vnl(), VdeOptions.defaults().withListener(evPlain))) {
            poller.add(plug);
            poller.add(plain);
            Collector in = new Collector();
            sw.kill(); // SIGKILL: the control streams see EOF (§1.5)
            pump(poller, () -> ev.down.size() == 1 && evPlain.down.size() == 1, in.on(plug), in.on(plain));
            assertFalse(plug.isConnected());
            assertFalse(plain.isConnected());
            assertTrue(ev.down.get(0).getMessage().contains("hung up"), ev.down.get(0).getMessage());
            assertFalse(plug.write(Unpooled.wrappedBuffer(frame("ffffffffffff", "02000000000a", "88b5", "lost"))));
            assertEquals(1, plug.stats().drops(DropReason.NOT_CONNECTED));
            assertTrue(plug.isOpen());

            sw.restart(); // same directory; the stale ctl is replaced
            pump(poller, () -> ev.up.get() == 1, in.on(plug), in.on(plain));
            assertTrue(plug.isConnected());
            assertFalse(plain.isConnected(), "without autoReconnect a plug stays down");
            assertEquals(0, evPlain.up.get());

            try (VdePlug peer = Vde.open(sw.vnl())) {
                poller.add(peer);
                Collector inPeer = new Collector();
                byte[] f1 = frame("ffffffffffff", "02000000000a", "88b5", "after restart");
                byte[] f2 = frame("02000000000a", "02000000000b", "88b5", "welcome back");
                assertTrue(plug.write(Unpooled.wrappedBuffer(f1)));
                pump(poller, () -> inPeer.size() == 1, in.on(plug), inPeer.on(peer));
                assertArrayEquals(f1, inPeer.get(0));
                assertTrue(peer.write(Unpooled.wrappedBuffer(f2)));
                pump(poller, () -> in.size() == 1, in.on(plug), inPeer.on(peer));
                assertArrayEquals(f2, in.get(0));
                poller.remove(peer);
            }
        }
    }

    @Test
    void stalledSwitchFillsTheBoundedBacklogWhichDrainsWhenWritable() throws Exception {
        RealTools.require("vde_switch", "kill");
        try (VdeSwitchProcess sw = VdeSwitchProcess.start();
             VdePoller poller = new VdePoller();
             VdePlug a = Vde.open(sw.vnl(), VdeOptions.defaults().withQueueLimit(5))) {
            poller.add(a);
            SwitchPlug sp = (SwitchPlug) a;
            int accepted = 0, tries = 0;
            signal("STOP", sw.pid());
            try {
                // The switch's port socket is connected back to ours, so Linux skips the receive-queue
                // limit (af_unix: unix_peer(other) == sk) and only our SO_SNDBUF runs out: then EAGAIN,
                // the bounded backlog, and QUEUE_FULL.
                while (a.stats().drops(DropReason.QUEUE_FULL) == 0 && tries++ < 20_000) {
                    ByteBuf f = Unpooled.directBuffer(1518).writeBytes(frame("02000000000b", "02000000000a", "88b5",
                            String.format("%05d", tries))).writeZero(1518 - 19);
                    if (a.write(f)) accepted++;
                }
                assertEquals(5, sp.backlog(), "backlog bounded by queueLimit");
                assertEquals(1, a.stats().drops(DropReason.QUEUE_FULL));
                assertEquals(accepted - 5, a.stats().framesOut());
            } finally {
                signal("CONT", sw.pid());
            }
            // POLLOUT once the switch drains its socket: the backlog goes out in order
            pump(poller, () -> sp.backlog() == 0, Collector.none(a));
            assertEquals(accepted, a.stats().framesOut());
            int sent = accepted;
            Pattern in = Pattern.compile("IN:\\s+pkts\\s+" + sent + "\\s");
            awaitTrue(() -> in.matcher(sw.mgmt("port/print 1")).find(),
                    "the switch counted " + sent + " frames in: " + sw.mgmt("port/print 1"));
        }
    }

    @Test
    void closeFreesThePortAndRemovesSocketFiles() throws Exception {
        RealTools.require("vde_switch");
        try (VdeSwitchProcess sw = VdeSwitchProcess.start()) {
            VdePlug plug = Vde.open(sw.vnl() + "[3]", VdeOptions.defaults().withDescription("closing"));
            String portPath = ((SwitchPlug) plug).portPath();
            assertTrue(portPath.startsWith(sw.dir() + "/003."), portPath);
            assertEquals(List.of(portPath.substring(portPath.lastIndexOf('/') + 1), "ctl"), files(sw),
                    "our own client socket is unlinked once connected (§1.2)");
            assertTrue(sw.mgmt("port/print 3").contains("ACTIVE"));
            plug.close();
            plug.close(); // idempotent
            assertFalse(plug.isOpen());
            assertFalse(plug.isConnected());
            assertFalse(plug.write(Unpooled.wrappedBuffer(new byte[60])));
            // §1.5: EOF on the control stream -> endpoint removed, port INACTIVE, its socket unlinked
            awaitTrue(() -> sw.mgmt("port/allprint 3").contains("INACTIVE"), "port 3 INACTIVE");
            awaitTrue(() -> files(sw).equals(List.of("ctl")), "only ctl left in " + sw.dir());
            assertFalse(sw.mgmt("port/print").contains("closing"));
        }
    }

    // ------------------------------------------------------------------ helpers

    static byte[] frame(String dst, String src, String type, String payload) {
        byte[] h = ByteBufUtil.decodeHexDump(dst + src + type);
        byte[] p = payload.getBytes(StandardCharsets.US_ASCII);
        byte[] f = Arrays.copyOf(h, h.length + p.length);
        System.arraycopy(p, 0, f, h.length, p.length);
        return f;
    }

    /** Copies received frames to arrays (releasing each) so no buffer outlives the test. */
    static final class Collector {
        private final List<byte[]> frames = new CopyOnWriteArrayList<>();

        int size() { return frames.size(); }

        byte[] get(int i) { return frames.get(i); }

        List<String> hex() {
            List<String> l = new ArrayList<>();
            for (byte[] f : frames) l.add(ByteBufUtil.hexDump(f));
            return l;
        }

        Reader on(VdePlug plug) {
            return new Reader(plug, this);
        }

        static Reader none(VdePlug plug) {
            return new Reader(plug, new Collector());
        }

        void add(ByteBuf f) {
            try {
                frames.add(ByteBufUtil.getBytes(f));
            } finally {
                f.release();
            }
        }
    }

    record Reader(VdePlug plug, Collector into) {}

    static final class Events implements PlugListener {
        final List<Throwable> down = new CopyOnWriteArrayList<>();
        final java.util.concurrent.atomic.AtomicInteger up = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public void onDisconnected(VdePlug plug, Throwable cause) { down.add(cause); }

        @Override
        public void onReconnected(VdePlug plug) { up.incrementAndGet(); }
    }

    /** Drives the plugs as an event loop would until {@code done} holds (at most 10 s). */
    static void pump(VdePoller poller, BooleanSupplier done, Reader... readers) {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Ticker ticker = Ticker.systemTicker();
        while (true) {
            for (Reader r : readers) {
                r.plug().read(r.into()::add, 64);
                r.plug().flush();
            }
            if (done.getAsBoolean()) return;
            long left = end - System.nanoTime();
            if (left <= 0) fail("condition not reached within 10 s; stats " + Arrays.toString(Arrays.stream(readers)
                    .map(r -> r.plug() + " " + r.plug().stats()).toArray()));
            long untilDeadline = Math.max(0, poller.nextDeadlineNanos() - ticker.nanoTime());
            poller.await(Math.min(Math.min(left, untilDeadline), Duration.ofMillis(100).toNanos()));
        }
    }

    static void awaitTrue(BooleanSupplier cond, String what) {
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() - end > 0) fail("not within 5 s: " + what);
            Thread.onSpinWait();
        }
    }

    static int openFds() {
        String[] l = new File("/proc/self/fd").list();
        return l == null ? -1 : l.length;
    }

    static List<String> files(VdeSwitchProcess sw) {
        String[] l = sw.dir().toFile().list();
        List<String> names = new ArrayList<>(l == null ? List.of() : Arrays.asList(l));
        names.sort(null);
        return names;
    }

    static String mac(String ipLinkLine) {
        Matcher m = Pattern.compile("link/ether ([0-9a-f:]{17})").matcher(ipLinkLine);
        if (!m.find()) fail("no MAC in: " + ipLinkLine);
        return m.group(1).replace(":", "");
    }

    static void signal(String sig, long pid) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
        assertEquals(0, p.waitFor(), "kill -" + sig + " " + pid);
    }
}
