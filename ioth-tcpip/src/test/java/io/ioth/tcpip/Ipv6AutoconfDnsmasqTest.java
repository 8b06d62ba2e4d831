package io.ioth.tcpip;

import io.ioth.tcpip.dhcp6.Dhcp6Client;
import io.ioth.tcpip.iface.Ipv6Autoconf;
import io.ioth.tcpip.iface.NetInterface;
import io.ioth.tcpip.iface.StackConfig;
import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.testing.StackDriver;
import io.ioth.tcpip.testing.VdeLink;
import io.ioth.tcpip.wire.MacAddr;
import io.ioth.vde.Vde;
import io.ioth.vde.VdePlug;
import io.ioth.vde.testing.Background;
import io.ioth.vde.testing.ExecResult;
import io.ioth.vde.testing.NetNs;
import io.ioth.vde.testing.RealTools;
import io.ioth.vde.testing.VdeSwitchProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * IPv6 autoconfiguration against a real router: dnsmasq (RAs, DHCPv6) in a private network namespace on a tap
 * attached to a real vde_switch, the stack on the switch, driven in real time ({@link StackDriver}). The stack
 * configures itself by SLAAC, by stateful DHCPv6 and by SLAAC + stateless DHCPv6, and the kernel then pings the
 * address it got.
 */
class Ipv6AutoconfDnsmasqTest {
    static final long STACK_MAC = MacAddr.parse("02:00:00:66:00:02");

    VdeSwitchProcess sw;
    NetNs ns;
    Path tmp;
    Background dnsmasq;
    StackDriver driver;
    Stack stack;
    NetInterface eth0;
    Ipv6Autoconf autoconf;
    final AtomicLong configuredAt = new AtomicLong(-1);

    @BeforeEach
    void setUp() throws Exception {
        RealTools.require("vde_switch", "vde_plug", "ip", "ping", "dnsmasq");
        sw = VdeSwitchProcess.start();
        ns = NetNs.create();
        ns.tap("tap0", sw.vnl());
        // dnsmasq needs an address in each prefix it serves on the interface
        ns.exec("ip", "-6", "addr", "add", "fd00:1::1/64", "dev", "tap0", "nodad").check("addr add");
        ns.exec("ip", "-6", "addr", "add", "fd00:2::1/64", "dev", "tap0", "nodad").check("addr add");
        // until the kernel's link-local address has passed DAD, dnsmasq answers solicitations from fd00:..::1, which
        // the stack rightly drops (RFC 4861 §6.1.2: NDP_RA_BAD_SOURCE) - wait for it, bounded (each exec ~ms)
        boolean ready = false;
        for (long end = System.nanoTime() + 5_000_000_000L; !ready && System.nanoTime() - end < 0; ) {
            ready = ns.exec("ip", "-6", "addr", "show", "dev", "tap0", "scope", "link", "tentative").out().isBlank()
                    && ns.exec("ip", "-6", "addr", "show", "dev", "tap0", "scope", "link").out().contains("fe80:");
        }
        assertTrue(ready, "the kernel's link-local address did not leave DAD");
        tmp = Files.createTempDirectory("ioth-dnsmasq");
    }

    @AfterEach
    void tearDown() throws IOException {
        if (driver != null && autoconf != null && dnsmasq != null) {
            // what was learned, and dnsmasq's view, in the surefire output (diagnostics)
            System.out.println(driver.call(now -> autoconf.toString()) + "\nstats " + stack.stats()
                    + "\n--- dnsmasq:\n" + dnsmasq.output());
        }
        try {
            if (driver != null) {
                driver.close();
            }
        } finally {
            try {
                if (dnsmasq != null) {
                    dnsmasq.close();
                }
                if (ns != null) {
                    ns.close();
                }
                if (sw != null) {
                    sw.close();
                }
            } finally {
                if (tmp != null) {
                    try (var s = Files.list(tmp)) {
                        for (Path p : s.toList()) {
                            Files.deleteIfExists(p);
                        }
                    }
                    Files.deleteIfExists(tmp);
                }
            }
        }
    }

    /** dnsmasq in the foreground (killed by pid), no config file, no DNS service (port 0), logging to stderr. */
    void startDnsmasq(String... extra) {
        List<String> cmd = new ArrayList<>(List.of("dnsmasq", "--keep-in-foreground", "--no-daemon",
                "--conf-file=/dev/null", "--interface=tap0", "--bind-interfaces", "--port=0",
                "--pid-file=" + tmp.resolve("pid"), "--dhcp-leasefile=" + tmp.resolve("leases"),
                "--log-facility=-", "--log-dhcp", "--enable-ra", "--ra-param=tap0,10,600",
                "--dhcp-option=option6:dns-server,[fd00:1::53]", "--dhcp-option=option6:domain-search,example.org"));
        cmd.addAll(Arrays.asList(extra));
        dnsmasq = ns.spawn(cmd.toArray(String[]::new));
    }

    void startStack(Ipv6Autoconf.Options options) {
        VdePlug plug;
        try {
            plug = Vde.open(sw.vnl());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        stack = Stack.create(StackConfig.builder().name("ioth6auto").build(), StackDriver.now());
        eth0 = stack.addInterface("eth0", new VdeLink(plug), STACK_MAC);
        driver = new StackDriver(stack, plug);
        autoconf = driver.call(now -> stack.startIpv6Autoconf(eth0, options,
                Dhcp6Client.Options.defaults(), (a, t) -> configuredAt.set(t), now));
        long t0 = System.nanoTime();
        boolean ok = driver.await(20_000, now -> configuredAt.get() >= 0);
        System.out.printf("configured in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        assertTrue(ok, () -> "not configured: " + driver.call(n -> autoconf.toString()) + "\n" + stack + "\nstats "
                + stack.stats() + "\ndnsmasq: " + dnsmasq.output());
    }

    List<String> addresses() {
        return driver.call(now -> {
            List<String> l = new ArrayList<>();
            for (InetAddress a : autoconf.addresses()) {
                l.add(a.getHostAddress());
            }
            return l;
        });
    }

    List<String> dns() {
        return driver.call(now -> autoconf.dnsServers().stream().map(InetAddress::getHostAddress).toList());
    }

    void kernelPings(String address) {
        ExecResult r = ns.exec("ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", address);
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("3 received"), r.out());
    }

    static String compact(String v6) {
        try {
            return InetAddress.getByName(v6).getHostAddress();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void slaac_fromDnsmasqRaOnly_thenTheKernelPingsTheSlaacAddress() {
        startDnsmasq("--dhcp-range=fd00:1::,ra-only");
        startStack(Ipv6Autoconf.Options.defaults());
        List<String> addrs = addresses();
        // fd00:1:: + the modified EUI-64 of 02:00:00:66:00:02
        assertEquals(List.of(compact("fd00:1::ff:fe66:2")), addrs);
        String router = driver.call(now -> autoconf.routers().get(0).getHostAddress());
        assertTrue(router.startsWith("fe80:"), router);
        assertTrue(driver.call(now -> stack.routes().toString()).contains("default via fe80:"));
        // ra-only: RDNSS from the dns-server option (RFC 8106), no DHCPv6
        assertEquals(List.of(compact("fd00:1::53")), dns());
        assertEquals(List.of("example.org"), driver.call(now -> autoconf.searchDomains()));
        assertFalse(driver.<Boolean>call(now -> autoconf.managedFlag() || autoconf.otherConfigFlag()));
        kernelPings("fd00:1::ff:fe66:2");
        assertTrue(driver.call(now -> stack.stats().get(Counter.ICMP6_OUT_ECHO_REPS)) >= 3);
    }

    @Test
    void statefulDhcp6_fromDnsmasq_thenTheKernelPingsTheLeasedAddress() {
        startDnsmasq("--dhcp-range=fd00:2::10,fd00:2::ff,64");
        startStack(Ipv6Autoconf.Options.defaults());
        assertTrue(driver.<Boolean>call(now -> autoconf.managedFlag()));
        List<String> addrs = addresses();
        assertEquals(1, addrs.size(), addrs.toString());
        String leased = addrs.get(0);
        assertTrue(leased.startsWith("fd00:2:0:0:0:0:0:"), leased);
        assertTrue(dns().contains(compact("fd00:1::53")), dns().toString());
        assertTrue(driver.call(now -> autoconf.searchDomains()).contains("example.org"));
        kernelPings(leased);
        // dnsmasq recorded the lease for our DUID-LL
        String leases = ns.exec("cat", tmp.resolve("leases").toString()).out();
        assertTrue(leases.contains("00:03:00:01:02:00:00:66:00:02"), leases);
        // Release on close (RFC 8415 §18.2.7): dnsmasq drops the lease
        driver.run(now -> autoconf.close(now));
        boolean released = false;
        for (long end = System.nanoTime() + 5_000_000_000L; !released && System.nanoTime() - end < 0; ) {
            String l = ns.exec("cat", tmp.resolve("leases").toString()).out(); // each exec takes a few ms
            released = !l.contains(compact(leased)) && !l.contains(leased);
        }
        assertTrue(released, () -> ns.exec("cat", tmp.resolve("leases").toString()).out() + "\n" + dnsmasq.output());
    }

    @Test
    void slaacPlusStatelessDhcp6_fromDnsmasqRaStateless_dnsFromRdnssAndDhcp6() {
        startDnsmasq("--dhcp-range=::,constructor:tap0,ra-stateless");
        startStack(Ipv6Autoconf.Options.defaults());
        assertTrue(driver.<Boolean>call(now -> autoconf.otherConfigFlag()));
        List<String> addrs = addresses();
        assertTrue(addrs.contains(compact("fd00:1::ff:fe66:2")), addrs.toString());
        assertTrue(dns().contains(compact("fd00:1::53")), dns().toString());
        assertTrue(driver.call(now -> autoconf.searchDomains()).contains("example.org"));
        assertTrue(driver.call(now -> stack.stats().get(Counter.DHCP6_IN_MESSAGES)) >= 1);
        kernelPings("fd00:1::ff:fe66:2");
    }
}
