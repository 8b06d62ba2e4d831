package io.ioth.tcpip.dhcp;

import io.ioth.tcpip.Stack;
import io.ioth.tcpip.iface.NetInterface;
import io.ioth.tcpip.iface.StackConfig;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DHCPv4 against real peers on a real vde_switch, the stack driven in real time by one loop thread
 * ({@link StackDriver}), the Linux side in a private network namespace on a tap (as {@code LinuxInteropTest}):
 * our client against dnsmasq and against slirpvde's DHCP server; our server against busybox udhcpc and dhcpcd.
 */
class Dhcp4LinuxInteropTest {
    static final long SEC = 1_000_000_000L;
    static final long STACK_MAC = MacAddr.parse("02:00:00:78:00:02");

    VdeSwitchProcess sw;
    NetNs ns;
    StackDriver driver;
    Stack stack;
    NetInterface eth0;
    Path dir;
    final List<String> events = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
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
            if (dir != null) {
                try (var s = Files.walk(dir)) { // deepest first (dhcpcd's db directory)
                    for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }

    void startSwitchAndNs(String kernelCidr) throws Exception {
        sw = VdeSwitchProcess.start();
        ns = NetNs.create();
        ns.tap("tap0", sw.vnl());
        if (kernelCidr != null) {
            ns.exec("ip", "addr", "add", kernelCidr, "dev", "tap0").check("addr add");
        }
        dir = Files.createTempDirectory("ioth-dhcp", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
    }

    void startStack() throws Exception {
        VdePlug plug = Vde.open(sw.vnl());
        stack = Stack.create(StackConfig.builder().name("ioth-dhcp").build(), StackDriver.now());
        eth0 = stack.addInterface("eth0", new VdeLink(plug), STACK_MAC);
        driver = new StackDriver(stack, plug);
    }

    Dhcp4Client.Listener recorder() {
        return new Dhcp4Client.Listener() {
            @Override
            public void onBound(Dhcp4Client c, Dhcp4Lease l) {
                events.add("bound " + l);
            }

            @Override
            public void onRenewed(Dhcp4Client c, Dhcp4Lease l) {
                events.add("renewed " + l);
            }

            @Override
            public void onLost(Dhcp4Client c, Dhcp4Lease l, Dhcp4Client.LossReason r) {
                events.add("lost " + l + " " + r);
            }
        };
    }

    /** The dnsmasq lease file line for our MAC ("expiry mac ip hostname clientid"), or null. */
    String leaseLine(Path leases) throws Exception {
        if (!Files.exists(leases)) {
            return null;
        }
        for (String line : Files.readAllLines(leases)) {
            if (line.contains(MacAddr.format(STACK_MAC))) {
                return line;
            }
        }
        return null;
    }

    /** Busy-waits (bounded, no sleep) for a lease-file condition. */
    String awaitLease(Path leases, java.util.function.Predicate<String> ok, long timeoutMs) throws Exception {
        long end = System.nanoTime() + timeoutMs * 1_000_000L;
        String l = null;
        while (System.nanoTime() < end) {
            l = leaseLine(leases);
            if (ok.test(l)) {
                return l;
            }
            // let the loop thread run; a bounded round trip to it paces this wait without sleeping
            driver.call(now -> null);
        }
        throw new AssertionError("lease file condition not met; last line: " + l);
    }

    @Test
    void ourClient_againstDnsmasq_lease_renewal_ping_release() throws Exception {
        RealTools.require("vde_switch", "vde_plug", "ip", "ping", "dnsmasq");
        startSwitchAndNs("10.78.0.1/24");
        Path leases = dir.resolve("dnsmasq.leases");
        Background dnsmasq = ns.spawn("dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--port=0",
                "--interface=tap0", "--bind-interfaces", "--user=root", "--log-dhcp", "--log-facility=-",
                "--dhcp-authoritative", "--dhcp-range=10.78.0.100,10.78.0.150,255.255.255.0,2m",
                "--dhcp-option=option:router,10.78.0.1", "--dhcp-option=option:dns-server,10.78.0.53",
                "--domain=lab.test", "--dhcp-leasefile=" + leases, "--pid-file=" + dir.resolve("dnsmasq.pid"));
        startStack();
        // renew 3 s after the lease starts (T1 would be 60 s): the test-only knob of Dhcp4ClientConfig
        Dhcp4Client client = driver.call(now -> stack.startDhcp4Client(eth0, Dhcp4ClientConfig.builder()
                .fqdn("iothclient.lab.test").t1Override(3 * SEC).build(), recorder(), now));
        assertTrue(driver.await(15_000, now -> client.isBound()),
                () -> "no lease: " + client + " " + events + "\n" + dnsmasq.output());
        Dhcp4Lease lease = driver.call(now -> client.lease());
        String a = Ipv4Addr.format(lease.address());
        assertTrue(a.startsWith("10.78.0.1"), lease.toString());
        assertEquals(24, lease.prefixLength());
        assertEquals(Ipv4Addr.parse("10.78.0.1"), lease.router());
        assertEquals(Ipv4Addr.parse("10.78.0.53"), lease.dnsServers()[0]);
        assertEquals("lab.test", lease.domain());
        assertEquals(120, lease.leaseSeconds());
        String line = awaitLease(leases, l -> l != null, 5_000);
        assertTrue(line.contains(" " + a + " "), line);
        assertTrue(line.contains("iothclient"), "option 81/12 name recorded by dnsmasq: " + line);
        long expiry = Long.parseLong(line.split(" ")[0]);

        // the renewal (unicast DHCPREQUEST, RENEWING) moves dnsmasq's expiry forward
        assertTrue(driver.await(10_000, now -> events.stream().anyMatch(e -> e.startsWith("renewed"))),
                () -> events + "\n" + dnsmasq.output());
        String renewed = awaitLease(leases, l -> l != null && Long.parseLong(l.split(" ")[0]) > expiry, 5_000);
        assertTrue(renewed.contains(" " + a + " "), renewed);

        // the kernel reaches the configured address
        ExecResult ping = ns.exec("ping", "-c", "2", "-i", "0.2", "-W", "2", a);
        assertEquals(0, ping.exit(), ping.out() + ping.err());

        // DHCPRELEASE: dnsmasq drops the lease
        driver.run(now -> client.close(now));
        awaitLease(leases, l -> l == null, 5_000);
        assertEquals(0, (int) driver.call(now -> eth0.ipv4Addresses().length));
        assertTrue(dnsmasq.output().contains("DHCPRELEASE"), dnsmasq.output());
    }

    @Test
    void ourServer_againstBusyboxUdhcpc_leaseAndPing() throws Exception {
        RealTools.require("vde_switch", "vde_plug", "ip", "ping", "busybox");
        startSwitchAndNs(null);
        startStack();
        Dhcp4Server server = driver.call(now -> {
            stack.addIpv4(eth0, "10.79.0.1/24", now);
            return stack.startDhcp4Server(eth0, Dhcp4ServerConfig.builder().pool("10.79.0.50", "10.79.0.60")
                    .leaseSeconds(300).router("10.79.0.1").dns("10.79.0.1").domain("ioth.test").build());
        });
        Path script = dir.resolve("udhcpc.sh");
        Files.writeString(script, "#!/bin/sh\n"
                + "echo \"$1 ip=$ip subnet=$subnet router=$router dns=$dns domain=$domain lease=$lease\"\n"
                + "case \"$1\" in bound|renew) ip addr add \"$ip/$subnet\" dev \"$interface\" ;; esac\n");
        script.toFile().setExecutable(true);
        ExecResult r = ns.exec("busybox", "udhcpc", "-i", "tap0", "-f", "-q", "-n", "-t", "5", "-T", "2",
                "-s", script.toString(), "-F", "bbclient");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("bound ip=10.79.0.50 subnet=255.255.255.0 router=10.79.0.1 dns=10.79.0.1 "
                + "domain=ioth.test lease=300"), r.out() + r.err());
        String addrs = ns.exec("ip", "-4", "addr", "show", "dev", "tap0").out();
        assertTrue(addrs.contains("10.79.0.50/24"), addrs);
        ExecResult ping = ns.exec("ping", "-c", "2", "-i", "0.2", "-W", "2", "10.79.0.1");
        assertEquals(0, ping.exit(), ping.out() + ping.err());
        List<Dhcp4Server.Lease> leases = driver.call(now -> server.leases(now));
        assertEquals(1, leases.size(), leases.toString());
        assertTrue(leases.get(0).bound());
        assertEquals(Ipv4Addr.parse("10.79.0.50"), leases.get(0).address());
        assertEquals("bbclient", leases.get(0).hostName());
    }

    /**
     * dhcpcd 9 against our server. dhcpcd has no option to move its state, so it runs contained: inside the
     * namespace's private mount namespace ({@code ip netns exec} unshares one, slave to the host's), a tmpfs over
     * {@code /run} (its pid files and control sockets), our temp dir bind-mounted over {@code /var/lib/dhcpcd}
     * (lease, DUID, privsep chroot) and a private file over {@code /etc/resolv.conf}; no hooks ({@code -c} a script
     * that only records the options it is given into the temp dir), {@code -f /dev/null}, IPv4 only, no IPv4LL,
     * no /dev modules. It configures the address on the tap in the namespace itself (netlink); we read it back with
     * {@code ip -4 addr} and ping our stack from it. The host's resolv.conf is checked unchanged.
     */
    @Test
    void ourServer_againstDhcpcd_leaseAndPing() throws Exception {
        RealTools.require("vde_switch", "vde_plug", "ip", "ping", "dhcpcd", "mount");
        byte[] hostResolv = Files.readAllBytes(Path.of("/etc/resolv.conf"));
        startSwitchAndNs(null);
        startStack();
        Dhcp4Server server = driver.call(now -> {
            stack.addIpv4(eth0, "10.80.0.1/24", now);
            return stack.startDhcp4Server(eth0, Dhcp4ServerConfig.builder().pool("10.80.0.50", "10.80.0.60")
                    .leaseSeconds(300).router("10.80.0.1").dns("10.80.0.1").domain("ioth.test")
                    .searchDomains("eng.ioth.test", "ioth.test").mtu(1400).build());
        });
        Path db = Files.createDirectory(dir.resolve("db"));
        Path resolv = dir.resolve("resolv.conf");
        Files.writeString(resolv, "# private to the dhcpcd test\n");
        Path env = dir.resolve("env.log");
        Path script = dir.resolve("dhcpcd.sh");
        Files.writeString(script, "#!/bin/sh\n"
                + "echo \"$reason ip=$new_ip_address mask=$new_subnet_cidr routers=$new_routers dns=$new_domain_name_servers"
                + " domain=$new_domain_name search=$new_domain_search mtu=$new_interface_mtu\" >> " + env + "\n");
        script.toFile().setExecutable(true);
        // set -e: if a private mount cannot be made, dhcpcd never starts
        String contained = "set -e; mount --make-rprivate /; mount -t tmpfs -o mode=0755 ioth-dhcpcd /run;"
                + " mount --bind " + db + " /var/lib/dhcpcd; mount --bind " + resolv + " /etc/resolv.conf;"
                + " exec dhcpcd -f /dev/null -c " + script + " -4 -L -B -d --nodev -t 30 -h dhcpcdclient tap0";
        Background dhcpcd = ns.spawn("sh", "-c", contained);
        try {
            boolean bound = awaitTrue(30_000, () -> ns.exec("ip", "-4", "addr", "show", "dev", "tap0").out()
                    .contains("inet 10.80.0.50/24"));
            assertTrue(bound, () -> "no address from dhcpcd: " + dhcpcd.output());
            ExecResult ping = ns.exec("ping", "-c", "2", "-i", "0.2", "-W", "2", "10.80.0.1");
            assertEquals(0, ping.exit(), ping.out() + ping.err());
            List<Dhcp4Server.Lease> leases = driver.call(now -> server.leases(now));
            assertEquals(1, leases.size(), leases.toString());
            assertTrue(leases.get(0).bound());
            assertEquals("dhcpcdclient", leases.get(0).hostName());
            String got = Files.exists(env) ? Files.readString(env) : "";
            assertTrue(got.contains("BOUND ip=10.80.0.50 mask=24 routers=10.80.0.1 dns=10.80.0.1 domain=ioth.test"
                    + " search=eng.ioth.test ioth.test mtu=1400"), got + "\n" + dhcpcd.output());
            String route = ns.exec("ip", "-4", "route", "show", "default").out();
            assertTrue(route.contains("default via 10.80.0.1 dev tap0"), route);
            System.out.println("dhcpcd: " + got + ns.exec("ip", "-4", "addr", "show", "dev", "tap0").out()
                    + ns.exec("ip", "link", "show", "tap0").out() + dhcpcd.output());
        } finally {
            dhcpcd.close(); // SIGTERM by pid: dhcpcd deconfigures and stops its privsep helpers
            killLeftovers("dhcpcd");
        }
        assertArrayEquals(hostResolv, Files.readAllBytes(Path.of("/etc/resolv.conf")), "host resolv.conf untouched");
    }

    /** Kills (by pid) processes named {@code comm} still inside our namespace, e.g. privsep helpers. */
    void killLeftovers(String comm) throws Exception {
        boolean gone = awaitTrue(5_000, () -> leftovers(comm).isEmpty());
        if (!gone) {
            for (String pid : leftovers(comm)) {
                new ProcessBuilder("kill", "-KILL", pid).start().waitFor();
            }
        }
    }

    List<String> leftovers(String comm) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        for (String pid : ns.exec("ip", "netns", "pids", ns.name()).out().split("\\s+")) {
            if (!pid.isBlank()) {
                Path c = Path.of("/proc", pid.trim(), "comm");
                if (Files.exists(c) && Files.readString(c).trim().equals(comm)) {
                    out.add(pid.trim());
                }
            }
        }
        return out;
    }

    /** Polls a condition (bounded); each round trip to the stack's loop paces the wait without sleeping. */
    boolean awaitTrue(long timeoutMs, java.util.concurrent.Callable<Boolean> ok) throws Exception {
        long end = System.nanoTime() + timeoutMs * 1_000_000L;
        while (System.nanoTime() < end) {
            if (ok.call()) {
                return true;
            }
            driver.call(now -> null);
        }
        return ok.call();
    }

    /** slirpvde (vde2) runs a slirp NAT with its own DHCP server: 10.0.2.15, router 10.0.2.2, DNS 10.0.2.3. */
    @Test
    void ourClient_againstSlirpvde() throws Exception {
        RealTools.require("vde_switch", "vde_plug", "ip", "slirpvde");
        startSwitchAndNs(null);
        // inside the namespace (only lo): the NAT can reach nothing outside, only its DHCP server answers
        Background slirp = ns.spawn("slirpvde", "-s", sw.dir().toString(), "-D");
        startStack();
        Dhcp4Client client = driver.call(now -> stack.startDhcp4Client(eth0, Dhcp4ClientConfig.defaults(),
                recorder(), now));
        assertTrue(driver.await(20_000, now -> client.isBound()),
                () -> "no lease: " + client + " " + events + "\n" + slirp.output());
        Dhcp4Lease lease = driver.call(now -> client.lease());
        assertEquals("10.0.2.15/24", lease.cidr(), lease.toString());
        assertEquals(Ipv4Addr.parse("10.0.2.2"), lease.router());
        assertEquals(Ipv4Addr.parse("10.0.2.3"), lease.dnsServers()[0]);
        assertTrue(driver.<String>call(now -> stack.routes().toString()).contains("default via 10.0.2.2"));
    }
}
