package io.ioth.vde.testing;

import org.junit.jupiter.api.Test;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The test support itself: a real switch and console, a namespace with a tap, setns threads. */
class TestSupportTest {

    @Test
    void switchConsoleAndRestart() {
        RealTools.require("vde_switch");
        VdeSwitchProcess sw = VdeSwitchProcess.start("-n", "4");
        try (sw) {
            assertTrue(Files.exists(sw.dir().resolve("ctl")));
            assertTrue(sw.mgmt("port/showinfo").contains("Numports=4"), sw.mgmt("port/showinfo"));
            VdeSwitchProcess.Reply bad = sw.mgmtReply("no/such/command");
            assertEquals(1038, bad.status(), bad.toString());
            long pid = sw.pid();
            sw.kill();
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
            sw.restart();
            assertTrue(sw.isAlive());
            assertTrue(sw.mgmt("showinfo").contains("pid"));
        }
        assertFalse(Files.exists(sw.dir()), "switch dir removed");
        assertFalse(Files.exists(sw.mgmtPath()), "console socket removed");
    }

    @Test
    void namespaceTapAndInside() throws Exception {
        RealTools.require("vde_switch", "vde_plug", "ip");
        String name;
        try (VdeSwitchProcess sw = VdeSwitchProcess.start(); NetNs ns = NetNs.create()) {
            name = ns.name();
            Background plug = ns.tap("tap0", sw.vnl());
            assertTrue(plug.isAlive());
            assertTrue(sw.mgmt("port/print").contains("ACTIVE"), sw.mgmt("port/print"));
            ns.exec("ip", "addr", "add", "10.99.0.1/24", "dev", "tap0").check("addr add");
            // 10.99.0.1 exists only inside the namespace: binding to it proves the socket lives there
            String bound = ns.inside(() -> {
                try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("10.99.0.1", 0))) {
                    return s.getLocalAddress().getHostAddress();
                }
            });
            assertEquals("10.99.0.1", bound);
        }
        assertFalse(Files.exists(java.nio.file.Path.of("/var/run/netns", name)));
    }
}
