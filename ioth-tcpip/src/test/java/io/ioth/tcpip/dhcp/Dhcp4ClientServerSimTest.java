package io.ioth.tcpip.dhcp;

import io.ioth.tcpip.Stack;
import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.iface.NetInterface;
import io.ioth.tcpip.iface.StackConfig;
import io.ioth.tcpip.link.PipeLink;
import io.ioth.tcpip.socket.icmp.PingReply;
import io.ioth.tcpip.socket.icmp.PingSocket;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.testing.VdeLink;
import io.ioth.tcpip.wire.MacAddr;
import io.ioth.vde.Vde;
import io.ioth.vde.VdeOptions;
import io.ioth.vde.VdePlug;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our client against our server, on one thread in simulated time: point to point over a {@link PipeLink} (one
 * server interface per client), or several stacks on one embedded {@code switch://} LAN.
 */
class Dhcp4ClientServerSimTest {
    static final long SEC = 1_000_000_000L;
    static final long MS = 1_000_000L;

    final List<Stack> stacks = new ArrayList<>();
    final List<PipeLink.Pair> pipes = new ArrayList<>();
    long now;
    Stack server;
    final List<String> events = new ArrayList<>();

    @BeforeEach
    void setUp() {
        server = Stack.create(StackConfig.builder().name("srv").seed(7).build(), now);
        stacks.add(server);
    }

    @AfterEach
    void tearDown() {
        for (Stack s : stacks) {
            s.close();
        }
    }

    /** A server interface on a new pipe, 10.0.N.1/24, serving .100-.101; returns the client end of the pipe. */
    PipeLink wire(int n, Dhcp4ServerConfig.Builder cfg, Dhcp4Server[] out) {
        PipeLink.Pair p = PipeLink.builder().capacity(256).pair();
        pipes.add(p);
        NetInterface ifc = server.addInterface("s" + n, p.a(), MacAddr.parse("02:00:00:00:0" + n + ":01"));
        server.addIpv4(ifc, "10.0." + n + ".1/24", now);
        out[0] = new Dhcp4Server(server.udp(), ifc, cfg.build());
        return p.b();
    }

    Stack clientStack(String name, PipeLink link, long mac) {
        Stack s = Stack.create(StackConfig.builder().name(name).seed(name.hashCode()).build(), now);
        s.addInterface("eth0", link, mac);
        stacks.add(s);
        return s;
    }

    Dhcp4Client client(Stack s, Dhcp4ClientConfig cfg) {
        Dhcp4Client c = new Dhcp4Client(s.udp(), s.interfaceByName("eth0"), cfg, new Dhcp4Client.Listener() {
            @Override
            public void onBound(Dhcp4Client cl, Dhcp4Lease l) {
                events.add(s.config().name() + " bound " + l.cidr() + " @" + now / MS);
            }

            @Override
            public void onRenewed(Dhcp4Client cl, Dhcp4Lease l) {
                events.add(s.config().name() + " renewed " + l.cidr());
            }

            @Override
            public void onLost(Dhcp4Client cl, Dhcp4Lease l, Dhcp4Client.LossReason r) {
                events.add(s.config().name() + " lost " + l.cidr() + " " + r);
            }
        });
        c.start(now);
        return c;
    }

    void settle() {
        for (int i = 0; i < 10_000; i++) {
            int work = 0;
            for (Stack s : stacks) {
                work += s.poll(now);
                while (s.nextReady() != null) {
                    work++;
                }
            }
            if (work == 0 && nextDeadline() > now) {
                return;
            }
        }
        throw new AssertionError("does not settle");
    }

    long nextDeadline() {
        long d = Long.MAX_VALUE;
        for (Stack s : stacks) {
            d = Math.min(d, s.nextDeadline());
        }
        return d;
    }

    void runUntil(long t) {
        settle();
        while (nextDeadline() <= t) {
            now = Math.max(now, nextDeadline());
            settle();
        }
        now = t;
        settle();
    }

    @Test
    void clientGetsALease_fromOurServer_andPingsIt_thenRenewsAndReleases() {
        Dhcp4Server[] srv = new Dhcp4Server[1];
        PipeLink l = wire(1, Dhcp4ServerConfig.builder().pool("10.0.1.100", "10.0.1.101").leaseSeconds(120)
                .router("10.0.1.1").dns("10.0.1.53").domain("sim.lab").mtu(1400), srv);
        Stack c = clientStack("c1", l, MacAddr.parse("02:00:00:00:01:0c"));
        Dhcp4Client client = client(c, Dhcp4ClientConfig.builder().fqdn("c1.sim.lab").build());
        runUntil(2 * SEC);
        assertEquals(Dhcp4Client.State.BOUND, client.state(), client.toString());
        Dhcp4Lease lease = client.lease();
        assertEquals("lease 10.0.1.100/24 from 10.0.1.1 router 10.0.1.1 dns 10.0.1.53 domain sim.lab mtu 1400 120s",
                lease.toString());
        assertArrayEquals(new int[] {Ipv4Addr.parse("10.0.1.100")}, c.interfaceByName("eth0").ipv4Addresses());
        List<Dhcp4Server.Lease> leases = srv[0].leases(now);
        assertEquals(1, leases.size());
        assertTrue(leases.get(0).bound());
        assertEquals("c1.sim.lab", leases.get(0).hostName(), "RFC 4702 option 81 reached the server");
        assertEquals(1, srv[0].counter(Dhcp4Server.Counter.OFFERS_SENT));
        assertEquals(1, srv[0].counter(Dhcp4Server.Counter.ACKS_SENT));

        // the client can reach the server through the configured address
        PingSocket ping = c.openPing();
        assertEquals(NetError.OK, ping.send(Ipv4Addr.parse("10.0.1.1"), 1, 32, now));
        runUntil(now + 100 * MS);
        PingReply pr = new PingReply();
        assertTrue(ping.receive(pr), "echo reply");
        assertEquals(PingReply.REPLY, pr.kind);

        // T1 = 60 s: the renewal is answered, the lease moves on
        runUntil(61 * SEC);
        assertEquals(Dhcp4Client.State.BOUND, client.state());
        assertTrue(events.contains("c1 renewed 10.0.1.100/24"), events.toString());
        assertTrue(client.lease().expiresAtNanos() > 180 * SEC - MS, client.lease().toString());
        assertEquals(2, srv[0].counter(Dhcp4Server.Counter.ACKS_SENT));
        // a long run: renewals keep it alive
        runUntil(1000 * SEC);
        assertEquals(Dhcp4Client.State.BOUND, client.state());
        assertEquals(0, client.counter(Dhcp4Client.Counter.LEASES_EXPIRED));

        client.close(now);
        runUntil(now + 100 * MS);
        assertEquals(1, srv[0].counter(Dhcp4Server.Counter.RELEASES));
        assertEquals(0, srv[0].leases(now).size(), "released");
    }

    /** A stack on the embedded LAN switch (all stacks of {@link #lan} hear each other's broadcasts). */
    Stack lanStack(String name, long mac) {
        try {
            if (lan == null) {
                lan = "dhcp-sim-" + java.util.UUID.randomUUID();
            }
            VdePlug plug = Vde.open("switch://" + lan, VdeOptions.defaults().withQueueLimit(4096));
            Stack s = Stack.create(StackConfig.builder().name(name).seed(name.hashCode()).build(), now);
            s.addInterface("eth0", new VdeLink(plug), mac);
            stacks.add(s);
            return s;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    String lan;

    @Test
    void lan_threeClients_poolOfTwo_reservationHonoured_fourthGetsNothing() {
        Stack srvStack = lanStack("lan-srv", MacAddr.parse("02:00:00:00:05:01"));
        NetInterface sif = srvStack.interfaceByName("eth0");
        srvStack.addIpv4(sif, "10.0.5.1/24", now);
        Dhcp4Server srv = new Dhcp4Server(srvStack.udp(), sif, Dhcp4ServerConfig.builder()
                .pool("10.0.5.100", "10.0.5.101").reserve("02:00:00:00:05:0d", "10.0.5.42").build());
        Dhcp4Client a = client(lanStack("a", MacAddr.parse("02:00:00:00:05:0a")), Dhcp4ClientConfig.defaults());
        Dhcp4Client b = client(lanStack("b", MacAddr.parse("02:00:00:00:05:0b")), Dhcp4ClientConfig.defaults());
        Dhcp4Client d = client(lanStack("d", MacAddr.parse("02:00:00:00:05:0d")), Dhcp4ClientConfig.defaults());
        runUntil(3 * SEC);
        assertEquals(Dhcp4Client.State.BOUND, a.state());
        assertEquals(Dhcp4Client.State.BOUND, b.state());
        assertEquals("10.0.5.42/24", d.lease().cidr(), "static reservation by MAC");
        assertTrue(a.lease().address() != b.lease().address());
        assertEquals(3, srv.leases(now).size());
        Dhcp4Client e = client(lanStack("e", MacAddr.parse("02:00:00:00:05:0e")), Dhcp4ClientConfig.defaults());
        runUntil(now + 10 * SEC);
        assertEquals(Dhcp4Client.State.SELECTING, e.state());
        assertTrue(srv.counter(Dhcp4Server.Counter.NO_ADDRESS) >= 2, "pool exhausted, DISCOVERs unanswered");
        // a releases: e gets its address at the next retransmission
        int freed = a.lease().address();
        a.close(now);
        runUntil(now + 70 * SEC);
        assertEquals(Dhcp4Client.State.BOUND, e.state());
        assertEquals(freed, e.lease().address());
    }

    /** A host already using 10.0.5.100 answers the client's ARP probe: DHCPDECLINE, the server sets the address
     * aside and the client ends up with the next one (RFC 2131 §3.1 step 5, §4.3.3; RFC 5227 §2.1.1). */
    @Test
    void lan_squatterAnswersTheProbe_clientDeclines_serverSkipsTheAddress() {
        Stack srvStack = lanStack("lan-srv", MacAddr.parse("02:00:00:00:05:01"));
        NetInterface sif = srvStack.interfaceByName("eth0");
        srvStack.addIpv4(sif, "10.0.5.1/24", now);
        Dhcp4Server srv = new Dhcp4Server(srvStack.udp(), sif, Dhcp4ServerConfig.builder()
                .pool("10.0.5.100", "10.0.5.101").arpAware(false).build());
        Stack squatter = lanStack("squatter", MacAddr.parse("02:00:00:00:05:99"));
        squatter.addIpv4(squatter.interfaceByName("eth0"), "10.0.5.100/24", now);
        Dhcp4Client c = client(lanStack("c", MacAddr.parse("02:00:00:00:05:0c")),
                Dhcp4ClientConfig.builder().declineWait(SEC).build());
        runUntil(5 * SEC);
        assertEquals(1, c.counter(Dhcp4Client.Counter.ARP_CONFLICTS));
        assertEquals(1, c.counter(Dhcp4Client.Counter.DECLINES_SENT));
        assertEquals(1, srv.counter(Dhcp4Server.Counter.DECLINES));
        assertEquals(Dhcp4Client.State.BOUND, c.state());
        assertEquals("10.0.5.101/24", c.lease().cidr());
    }

    /** The server's ARP cache knows 10.0.5.100 at another MAC: it is not offered (ARP-aware). */
    @Test
    void lan_arpAwareServer_skipsAnAddressItSeesInUse() {
        Stack srvStack = lanStack("lan-srv", MacAddr.parse("02:00:00:00:05:01"));
        NetInterface sif = srvStack.interfaceByName("eth0");
        srvStack.addIpv4(sif, "10.0.5.1/24", now);
        Dhcp4Server srv = new Dhcp4Server(srvStack.udp(), sif, Dhcp4ServerConfig.builder()
                .pool("10.0.5.100", "10.0.5.101").build());
        Stack squatter = lanStack("squatter", MacAddr.parse("02:00:00:00:05:99"));
        squatter.addIpv4(squatter.interfaceByName("eth0"), "10.0.5.100/24", now);
        PingSocket p = squatter.openPing();
        assertEquals(NetError.OK, p.send(Ipv4Addr.parse("10.0.5.1"), 1, 8, now)); // the server learns its MAC
        runUntil(now + SEC);
        Dhcp4Client c = client(lanStack("c", MacAddr.parse("02:00:00:00:05:0c")), Dhcp4ClientConfig.defaults());
        runUntil(now + 3 * SEC);
        assertEquals("10.0.5.101/24", c.lease().cidr());
        assertEquals(0, c.counter(Dhcp4Client.Counter.ARP_CONFLICTS));
        assertEquals(1, srv.leases(now).size());
    }

    @Test
    void initReboot_againstOurServer_keepsTheAddress_wrongNetworkGetsNak() {
        Dhcp4Server[] srv = new Dhcp4Server[1];
        PipeLink l = wire(3, Dhcp4ServerConfig.builder().pool("10.0.3.100", "10.0.3.120"), srv);
        Stack c = clientStack("r", l, MacAddr.parse("02:00:00:00:03:0c"));
        Dhcp4Client client = client(c, Dhcp4ClientConfig.builder().requestedAddress("10.0.3.110").build());
        runUntil(2 * SEC);
        assertEquals("10.0.3.110/24", client.lease().cidr(), "INIT-REBOOT confirmed the known address");
        assertEquals(0, srv[0].counter(Dhcp4Server.Counter.DISCOVERS));
        client.close(now);
        runUntil(now + SEC);

        Dhcp4Client moved = client(c, Dhcp4ClientConfig.builder().requestedAddress("192.168.9.9").build());
        runUntil(now + 3 * SEC);
        assertEquals(1, srv[0].counter(Dhcp4Server.Counter.NAKS_SENT), "wrong network (RFC 2131 §4.3.2)");
        assertEquals(Dhcp4Client.State.BOUND, moved.state());
        assertTrue(moved.lease().cidr().startsWith("10.0.3."), moved.lease().toString());
    }
}
