package io.ioth.examples;

import io.ioth.tcpip.dhcp.Dhcp4ServerConfig;
import io.ioth.transport.IothConfiguration;
import io.ioth.transport.IothEventLoopGroup;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@code ioth demo}: the paper's scenarios in one JVM on the embedded switch (nothing to install). Four network
 * identities, each a user-space stack on its own event loop with its own MAC:
 * <ol>
 *   <li>a node with a static address that serves DHCP (as slirp does for a VM);</li>
 *   <li>a Net Appliance that takes its address by DHCP — awaiting the configuration, not sleeping — and serves
 *       HTTP;</li>
 *   <li>two clients that take addresses by DHCP and fetch {@code /whoami}: the appliance sees each one with its own
 *       address.</li>
 * </ol>
 * Exit status 0 when every client was seen with its own address.
 */
public final class Demo {
    private static final long TIMEOUT_SECONDS = 30;

    private Demo() {}

    public static void main(final String[] args) throws Exception {
        System.exit(run(System.out));
    }

    /** Runs the demo, printing to {@code out}; returns the exit status. */
    public static int run(final PrintStream out) throws Exception {
        final String lan = "switch://ioth-demo-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
        out.println("ioth demo: four network identities, one user-space TCP/IP stack each, on the embedded switch "
                + lan);
        final List<IothEventLoopGroup> groups = new ArrayList<>();
        try {
            // 1. a DHCP server, as slirp's built-in one
            final IothEventLoopGroup dhcp = open(groups, "vnl=" + lan + ",eth,ip=10.0.2.2/24");
            final IothConfiguration dc = await(dhcp);
            dhcp.startDhcpServer(Dhcp4ServerConfig.builder().serverAddress("10.0.2.2").pool("10.0.2.15", "10.0.2.99")
                    .prefixLength(24).router("10.0.2.2").dns("10.0.2.2").domain("ioth.demo").leaseSeconds(3600)
                    .build()).sync();
            out.printf("[dhcp-server] mac %s  %s  serving DHCP 10.0.2.15-10.0.2.99%n", dc.macString(),
                    dc.ipv4Addresses().get(0));

            // 2. the Net Appliance takes its address by DHCP, then serves HTTP
            final IothEventLoopGroup app = open(groups, "vnl=" + lan + ",eth,dhcp,fqdn=appliance.ioth.demo");
            final long t0 = System.nanoTime();
            final IothConfiguration ac = await(app);
            out.printf("[appliance]   mac %s  DHCP lease %s router %s, %d s (configured in %d ms)%n", ac.macString(),
                    ac.ipv4Addresses().get(0), ac.gateway4().getHostAddress(), ac.leaseSeconds(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            final InetAddress appliance = ac.ipv4Address();
            try (NetAppliance http = NetAppliance.start(app, 80, 7, () -> "ioth Net Appliance " + ac + "\n",
                    line -> out.println("[appliance]   " + line))) {
                out.printf("[appliance]   serving HTTP on %s:80 and echo on port 7%n", appliance.getHostAddress());

                // 3. two clients, each its own identity, fetch /whoami
                int ok = 0;
                for (String name : List.of("alice", "bob")) {
                    final IothEventLoopGroup client = open(groups, "vnl=" + lan + ",eth,dhcp,fqdn=" + name
                            + ".ioth.demo");
                    final IothConfiguration cc = await(client);
                    final String mine = cc.ipv4Address().getHostAddress();
                    final ByteArrayOutputStream body = new ByteArrayOutputStream();
                    final HttpFetch.Result r = HttpFetch.get(client, appliance,
                            URI.create("http://" + appliance.getHostAddress() + "/whoami"), body,
                            TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS));
                    final String seen = body.toString(StandardCharsets.UTF_8).strip();
                    out.printf("[%s]%s mac %s  DHCP lease %s; GET /whoami -> %d %s%n", name,
                            " ".repeat(12 - name.length() - 2), cc.macString(), cc.ipv4Addresses().get(0), r.status(),
                            seen);
                    if (r.status() == 200 && seen.startsWith(mine + ":")) {
                        ok++;
                    }
                }
                final boolean good = ok == 2;
                out.println(good ? "ok: the appliance saw each client with the address its own stack leased"
                        : "FAILED: a client was not seen with its own address");
                return good ? 0 : 1;
            }
        } finally {
            for (int i = groups.size() - 1; i >= 0; i--) { // clients first: their leases are released to the server
                groups.get(i).shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
            }
        }
    }

    private static IothEventLoopGroup open(final List<IothEventLoopGroup> groups, final String iothconf) {
        final IothEventLoopGroup g = new IothEventLoopGroup(iothconf);
        groups.add(g);
        return g;
    }

    private static IothConfiguration await(final IothEventLoopGroup g) throws Exception {
        if (!g.configured().await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("not configured within " + TIMEOUT_SECONDS + " s: " + g.configuration());
        }
        return g.configured().get();
    }
}
