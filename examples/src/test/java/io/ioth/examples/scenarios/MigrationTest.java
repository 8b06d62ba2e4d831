package io.ioth.examples.scenarios;

import io.ioth.vde.sw.EmbeddedSwitch;
import io.ioth.vde.testing.RealTools;
import io.ioth.vde.testing.VdeSwitchProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scenario 3: the daemon moves from switch A to switch B (same MAC, same IP); the client on A reconnects to the same
 * IP, both switches relearn the MAC at once (the daemon's gratuitous ARP), and the outage is measured. Once on two
 * embedded switches and an in-JVM cable, once on two real vde_switches and a real {@code dpipe} cable.
 */
class MigrationTest {
    /** The outage: stopping the old stack, starting the new one, one reconnection attempt (250 ms) at most. */
    private static final long MAX_OUTAGE_NANOS = TimeUnit.SECONDS.toNanos(3);

    @Test
    @Timeout(40)
    void embeddedSwitchesAndAnInJvmCable() throws Exception {
        final String a = Lab.uniqueSwitch("mig-a");
        final String b = Lab.uniqueSwitch("mig-b");
        try (Cable cable = Cable.connect(a, b)) {
            final EmbeddedSwitch swA = EmbeddedSwitch.named(a.substring("switch://".length()), false);
            final EmbeddedSwitch swB = EmbeddedSwitch.named(b.substring("switch://".length()), false);
            final Printed p = new Printed();
            final Migration.Result r = Migration.run(a, b, Migration.SETTLE,
                    mac -> Migration.where(swA.lookup(mac), cable.portA(), swB.lookup(mac), cable.portB()), p.out);
            check(r, a, b, p.text());
        }
    }

    @Test
    @Timeout(60)
    void realVdeSwitchesAndADpipeCable() throws Exception {
        RealTools.require("vde_switch", "vde_plug", "dpipe");
        Process dpipe = null;
        try (VdeSwitchProcess swA = VdeSwitchProcess.start(); VdeSwitchProcess swB = VdeSwitchProcess.start()) {
            dpipe = new ProcessBuilder("dpipe", "vde_plug", swA.vnl(), "=", "vde_plug", swB.vnl())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            await("the dpipe cable joins both switches", () -> activePort(swA) > 0 && activePort(swB) > 0);
            final int cableA = activePort(swA), cableB = activePort(swB);
            final Printed p = new Printed();
            // vde_switch ages entries in whole seconds: 6.5 s from the start is surely 3 s past the second GARP
            final Migration.Result r = Migration.run(swA.vnl(), swB.vnl(), Duration.ofMillis(6_500),
                    mac -> Migration.where(port(swA, mac), cableA, port(swB, mac), cableB), p.out);
            check(r, swA.vnl(), swB.vnl(), p.text());
        } finally {
            if (dpipe != null) {
                dpipe.descendants().forEach(ProcessHandle::destroyForcibly);
                dpipe.destroyForcibly();
                dpipe.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static void check(final Migration.Result r, final String vnlA, final String vnlB, final String text) {
        assertTrue(r.before().equals("daemon on " + vnlA), r.before());
        assertTrue(r.after().equals("daemon on " + vnlB), "the client reached the same IP, now behind B: " + r.after());
        assertTrue(r.learnedBefore().matches("A port \\d+ \\(direct\\), B port \\d+ \\(the cable\\)"),
                "before: A has the daemon on its own port, B behind the cable: " + r.learnedBefore());
        assertTrue(r.learnedAfter().matches("A port \\d+ \\(the cable\\), B port \\d+ \\(direct\\)"),
                "after: both switches relearned: " + r.learnedAfter());
        assertTrue(r.outageNanos() > 0 && r.outageNanos() < MAX_OUTAGE_NANOS, "outage " + Lab.ms(r.outageNanos()));
        assertTrue(r.outageNanos() >= r.stopNanos() + r.startNanos(), "the outage covers the stop and the start");
        assertTrue(text.contains("outage  " + Lab.ms(r.outageNanos())), text);
    }

    /** The port a real vde_switch has learned {@code mac} on ({@code hash/print}, vde-protocol.md §1.7), or -1. */
    static int port(final VdeSwitchProcess sw, final long mac) {
        final String m = String.format("%02x:%02x:%02x:%02x:%02x:%02x", mac >>> 40 & 0xff, mac >>> 32 & 0xff,
                mac >>> 24 & 0xff, mac >>> 16 & 0xff, mac >>> 8 & 0xff, mac & 0xff);
        final Matcher x = Pattern.compile("Addr: " + m + " VLAN \\d+ to port: (\\d+)").matcher(sw.mgmt("hash/print"));
        return x.find() ? Integer.parseInt(x.group(1)) : -1;
    }

    /** The first ACTIVE port of a real vde_switch ({@code port/print}), or -1. */
    static int activePort(final VdeSwitchProcess sw) {
        final Matcher x = Pattern.compile("Port (\\d+) \\S+ ACTIVE").matcher(sw.mgmt("port/print"));
        return x.find() ? Integer.parseInt(x.group(1)) : -1;
    }

    static void await(final String what, final BooleanSupplier done) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out: " + what);
            }
            Thread.onSpinWait();
        }
    }
}
