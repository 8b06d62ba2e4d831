package io.ioth.transport;

import io.ioth.tcpip.conf.IothConf;
import io.ioth.tcpip.dhcp.Dhcp4ClientConfig;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.MacAddr;
import io.ioth.vde.testing.Background;
import io.ioth.vde.testing.NetNs;
import io.ioth.vde.testing.RealTools;
import io.ioth.vde.testing.VdeSwitchProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 6 against real peers: an identity plugged into a real {@code vde_switch} configures itself from dnsmasq
 * (DHCPv4; IPv6 router advertisements with SLAAC and RDNSS) running in a private network namespace behind a tap, then
 * resolves names dnsmasq serves through its own stack, and releases its lease on shutdown.
 */
class IothAutoconfRealNetworkTest {
    private VdeSwitchProcess sw;
    private NetNs ns;
    private Path dir;
    private IothEventLoopGroup group;

    @BeforeEach
    void setUp() throws Exception {
        RealTools.require("vde_switch", "vde_plug", "ip", "dnsmasq");
        sw = VdeSwitchProcess.start();
        ns = NetNs.create();
        ns.tap("tap0", sw.vnl());
        dir = Files.createTempDirectory("ioth-autoconf", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            Nets.shutdown(group);
        } finally {
            if (ns != null) {
                ns.close();
            }
            if (sw != null) {
                sw.close();
            }
            if (dir != null) {
                try (var s = Files.list(dir)) {
                    for (Path p : s.toList()) {
                        Files.deleteIfExists(p);
                    }
                }
                Files.deleteIfExists(dir);
            }
        }
    }

    private Background dnsmasq(final String... extra) {
        final String[] base = {"dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv",
            "--no-hosts", "--interface=tap0", "--bind-interfaces", "--user=root", "--log-dhcp", "--log-queries",
            "--log-facility=-", "--domain=lab.test", "--dhcp-leasefile=" + dir.resolve("dnsmasq.leases"),
            "--pid-file=" + dir.resolve("dnsmasq.pid")};
        final String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return ns.spawn(all);
    }

    private String leaseLine(final long mac) throws Exception {
        final Path leases = dir.resolve("dnsmasq.leases");
        if (!Files.exists(leases)) {
            return null;
        }
        for (String line : Files.readAllLines(leases)) {
            if (line.contains(MacAddr.format(mac))) {
                return line;
            }
        }
        return null;
    }

    @Test
    void dhcpFromDnsmasq_configured_resolvesThroughTheStack_releasesOnShutdown() throws Exception {
        ns.exec("ip", "addr", "add", "10.81.0.1/24", "dev", "tap0").check("address on tap0");
        final Background dnsmasq = dnsmasq("--dhcp-authoritative",
                "--dhcp-range=10.81.0.100,10.81.0.150,255.255.255.0,2m", "--dhcp-option=option:router,10.81.0.1",
                "--address=/appliance.lab.test/10.81.0.80");
        Nets.awaitTrue(() -> dnsmasq.output().contains("DHCP, sockets bound"), dnsmasq::output);
        // the fast ARP check of the tests; everything else as a user writes it (dnsmasq pings an address for up to
        // 3 s before offering it: configured() takes that long)
        final long t0 = System.nanoTime();
        group = new IothEventLoopGroup(IothIdentity.parse("vnl=" + sw.vnl() + ",eth,dhcp,fqdn=iothnode.lab.test")
                .withDhcp4Config(Dhcp4ClientConfig.builder().arpProbe(1, 0, 50_000_000L, 50_000_000L).build()));
        final IothConfiguration c;
        try {
            c = group.configured().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("not configured: " + group.configuration() + "\n" + dnsmasq.output(), e);
        }
        System.out.printf("dhcp: configured in %d ms: %s%n", (System.nanoTime() - t0) / 1_000_000, c);
        final String addr = c.ipv4Address().getHostAddress();
        assertTrue(Ipv4Addr.inPrefix(Ipv4Addr.parse(addr), Ipv4Addr.parse("10.81.0.0"), 24), c::toString);
        assertEquals(InetAddress.getByName("10.81.0.1"), c.gateway4());
        // dnsmasq hands out itself as the name server and --domain as option 15
        assertEquals(java.util.List.of(InetAddress.getByName("10.81.0.1")), c.dnsServers());
        assertEquals(java.util.List.of("lab.test"), c.searchDomains());
        assertEquals(120, c.leaseSeconds());
        assertEquals(IothConf.hashMac("iothnode.lab.test"), c.mac());

        // names through the stack: dnsmasq's --address, with the lease's search domain, and our own DHCP name
        final long t1 = System.nanoTime();
        assertEquals(InetAddress.getByName("10.81.0.80"), group.resolve("appliance").get(15, TimeUnit.SECONDS),
                dnsmasq::output);
        System.out.printf("dhcp: first resolution in %d ms%n", (System.nanoTime() - t1) / 1_000_000);
        assertEquals(c.ipv4Address(), group.resolve("iothnode.lab.test").get(15, TimeUnit.SECONDS),
                () -> "dnsmasq registers the DHCP client's name (option 81)\n" + dnsmasq.output());
        assertTrue(dnsmasq.output().contains("query[A] appliance.lab.test from " + addr), dnsmasq::output);

        // shutdown: the DHCPRELEASE leaves before the plug closes; dnsmasq drops the lease
        assertNotNull(leaseLine(c.mac()), "dnsmasq holds the lease");
        Nets.shutdown(group);
        group = null;
        Nets.awaitTrue(() -> dnsmasq.output().contains("DHCPRELEASE"), () -> "DHCPRELEASE\n" + dnsmasq.output());
        Nets.awaitTrue(() -> {
            try {
                return leaseLine(c.mac()) == null;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, "lease dropped");
    }

    @Test
    void rdSlaacFromDnsmasqRouterAdvertisements_rdnss_resolvesAaaa() throws Exception {
        ns.exec("ip", "-6", "addr", "add", "fd00:81::1/64", "dev", "tap0", "nodad").check("IPv6 on tap0");
        // the kernel's link-local address must be past DAD: RAs from a global source are discarded (RFC 4861
        // §6.1.2), and dnsmasq answers from fd00:81::1 while fe80:: is tentative
        Nets.awaitTrue(() -> {
            final String a = ns.exec("ip", "-6", "addr", "show", "dev", "tap0", "scope", "link").out();
            return a.contains("fe80::") && !a.contains("tentative");
        }, "tap0's link-local address usable");
        final Background dnsmasq = dnsmasq("--enable-ra", "--dhcp-range=::,constructor:tap0,ra-only,64,10m",
                "--address=/appliance.lab.test/fd00:81::80");
        Nets.awaitTrue(() -> dnsmasq.output().contains("IPv6 router advertisement enabled"), dnsmasq::output);
        final long t0 = System.nanoTime();
        group = new IothEventLoopGroup("vnl=" + sw.vnl() + ",eth,rd,slaac,mac=02:00:00:81:00:02");
        final IothConfiguration c;
        try {
            c = group.configured().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("not configured: " + group.configuration() + "\n" + dnsmasq.output(), e);
        }
        System.out.printf("slaac: configured in %d ms: %s%n", (System.nanoTime() - t0) / 1_000_000, c);
        // SLAAC: the RA's /64 + the modified EUI-64 of the MAC (RFC 4862 §5.5.3, RFC 4291 App. A)
        assertEquals(InetAddress.getByName("fd00:81::ff:fe81:2"), c.ipv6Address(), c::toString);
        assertEquals(64, c.ipv6Addresses().get(0).prefixLength());
        assertFalse(c.gateways().isEmpty(), () -> "a default router from the RA: " + c);
        assertTrue(c.gateways().get(0) instanceof Inet6Address && c.gateways().get(0).isLinkLocalAddress(),
                c::toString);
        // RDNSS (RFC 8106): dnsmasq advertises itself
        assertFalse(c.dnsServers().isEmpty(), () -> "RDNSS: " + c + "\n" + dnsmasq.output());
        // IPv6 only: AAAA, over IPv6, to the advertised server
        assertEquals(InetAddress.getByName("fd00:81::80"),
                group.resolve("appliance.lab.test").get(15, TimeUnit.SECONDS), dnsmasq::output);
        assertTrue(dnsmasq.output().contains("query[AAAA] appliance.lab.test"), dnsmasq::output);
        // the kernel reaches the SLAAC address
        ns.exec("ping", "-6", "-c", "1", "-W", "5", "fd00:81::ff:fe81:2").check("ping the SLAAC address");
    }
}
