package io.ioth.examples;

import io.ioth.vde.Vde;
import io.ioth.vde.VdePlug;
import io.ioth.vde.VdePoller;
import io.ioth.vde.testing.RealTools;
import io.ioth.vde.testing.VdeSwitchProcess;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * VdeCable as the far end of a real cable:
 * {@code dpipe vde_plug vde:///SW1 = java VdeCable stdio:// "cmd://vde_plug vde:///SW2"} joins two real
 * switches; frames cross it both ways byte-exact, and killing SW1 makes the whole pipeline exit.
 */
class VdeCableTest {

    static long activePorts(VdeSwitchProcess sw) {
        return sw.mgmt("port/print").lines().filter(l -> l.contains(" ACTIVE")).count();
    }

    static void await(String what, java.util.function.BooleanSupplier done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) throw new AssertionError("timed out: " + what);
            Thread.onSpinWait();
        }
    }

    static byte[] frame(int len, int id) {
        byte[] f = new byte[len];
        for (int i = 0; i < len; i++) f[i] = (byte) (i * 7 + id);
        for (int i = 0; i < 6; i++) f[i] = (byte) 0xff; // broadcast: flooded, no learning needed
        f[6] = 0x02;
        f[11] = (byte) id;
        return f;
    }

    @Test
    void farEndOfADpipeCable() throws Exception {
        RealTools.require("dpipe", "vde_plug", "vde_switch");
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path log = Files.createTempFile("ioth-vdecable", ".log");
        Process dpipe = null;
        try (VdeSwitchProcess sw1 = VdeSwitchProcess.start(); VdeSwitchProcess sw2 = VdeSwitchProcess.start()) {
            dpipe = new ProcessBuilder("dpipe", "vde_plug", sw1.vnl(), "=",
                    java, "-cp", cp, VdeCable.class.getName(), "stdio://", "cmd://vde_plug " + sw2.vnl())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(log.toFile())
                    .start();
            await("the cable's two vde_plugs join", () -> activePorts(sw1) == 1 && activePorts(sw2) == 1);
            // vdeplug puts "vdeplug: user=U pid=P" in each endpoint's description (port/print shows it)
            long cablePlug = endpointPids(sw2).get(0);
            assertTrue(ProcessHandle.of(cablePlug).map(ProcessHandle::isAlive).orElse(false),
                    "pid " + cablePlug + " from sw2's port/print is VdeCable's running vde_plug");
            try (VdePoller poller = new VdePoller();
                 VdePlug a = Vde.open("cmd://vde_plug " + sw1.vnl());
                 VdePlug b = Vde.open("cmd://vde_plug " + sw2.vnl())) {
                await("our test ports join", () -> activePorts(sw1) == 2 && activePorts(sw2) == 2);
                poller.add(a);
                poller.add(b);
                int[] sizes = {14, 60, 1514};
                for (int i = 0; i < sizes.length; i++) {
                    a.write(PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(frame(sizes[i], 0x10 + i)));
                    b.write(PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(frame(sizes[i], 0x20 + i)));
                }
                List<byte[]> atA = new ArrayList<>(), atB = new ArrayList<>();
                await("frames cross the cable both ways", () -> {
                    poller.await(TimeUnit.MILLISECONDS.toNanos(50));
                    a.read(f -> atA.add(take(f)), 64);
                    b.read(f -> atB.add(take(f)), 64);
                    a.flush();
                    b.flush();
                    return atA.size() >= sizes.length && atB.size() >= sizes.length;
                });
                for (int i = 0; i < sizes.length; i++) {
                    assertArrayEquals(frame(sizes[i], 0x10 + i), atB.get(i), "sw1 -> sw2, " + sizes[i] + " bytes");
                    assertArrayEquals(frame(sizes[i], 0x20 + i), atA.get(i), "sw2 -> sw1, " + sizes[i] + " bytes");
                }
            }
            // sw1 dies: dpipe's vde_plug quits (§1.5), VdeCable sees EOF on stdin, closes its cmd:// side, exits
            sw1.kill();
            Process p = dpipe;
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the pipeline exits when one side goes");
            String err = Files.readString(log);
            // VdeCable's vde_plug exits (and with it its control stream) ...
            try {
                await("VdeCable's vde_plug (pid " + cablePlug + ") exits: " + err,
                        () -> ProcessHandle.of(cablePlug).map(h -> !h.isAlive()).orElse(true));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\nsw2 port/print:\n" + sw2.mgmt("port/print"), e);
            }
            // ... and sw2 frees the cable's port (vde-protocol.md §1.5). vde_switch 2.3.2 can keep a port
            // whose control stream is gone when joins and console connects interleave; VdeSwitchProcess
            // keeps one console connection for the switch's life, which avoids it here (see its mgmtReply).
            await("VdeCable's vde_plug left sw2: " + err, () -> activePorts(sw2) == 0);
            assertTrue(err.contains("stdio:// disconnected"), err);
            assertEquals(0, p.exitValue(), err);
        } finally {
            if (dpipe != null && dpipe.isAlive()) {
                dpipe.descendants().forEach(ProcessHandle::destroyForcibly);
                dpipe.destroyForcibly();
            }
            Files.deleteIfExists(log);
        }
    }

    static List<Long> endpointPids(VdeSwitchProcess sw) {
        List<Long> pids = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("vdeplug: user=\\S+ pid=(\\d+)")
                .matcher(sw.mgmt("port/print"));
        while (m.find()) pids.add(Long.parseLong(m.group(1)));
        return pids;
    }

    private static byte[] take(ByteBuf f) {
        try {
            return ByteBufUtil.getBytes(f);
        } finally {
            f.release();
        }
    }
}
