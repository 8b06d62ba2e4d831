package io.ioth.tcpip.dhcp6;

import static io.ioth.tcpip.dhcp6.Dhcp6ClientTraceTest.dns;
import static io.ioth.tcpip.dhcp6.Dhcp6ClientTraceTest.iaAddr;
import static io.ioth.tcpip.dhcp6.Dhcp6ClientTraceTest.iaNa;
import static io.ioth.tcpip.dhcp6.Dhcp6ClientTraceTest.one;
import static io.ioth.tcpip.dhcp6.Dhcp6ClientTraceTest.opt;
import static io.ioth.tcpip.dhcp6.Dhcp6ClientTraceTest.sent;
import static io.ioth.tcpip.dhcp6.Dhcp6ClientTraceTest.server;
import static io.ioth.tcpip.dhcp6.Dhcp6ClientTraceTest.xid;
import static io.ioth.tcpip.testing.StackFixture.MS;
import static io.ioth.tcpip.testing.StackFixture.SEC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ioth.tcpip.iface.Ipv6Autoconf;
import io.ioth.tcpip.iface.StackConfig;
import io.ioth.tcpip.iface.StackTimers;
import io.ioth.tcpip.testing.StackFixture;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A DHCPv6 client is created per autoconfiguration run, and each one that starts takes a client id on the stack's
 * timers ({@link StackTimers#MAX_CLIENTS} of them): closing it must give the id back, whichever way it closes.
 * Simulated time only.
 */
class Dhcp6ClientLifecycleTest {

    static StackFixture host() {
        return new StackFixture(StackConfig.builder().name("B").seed(1).mld(1, SEC), false);
    }

    static Ipv6Autoconf start(StackFixture f, Ipv6Autoconf.Dhcp6Mode mode, boolean routerDiscovery) {
        return f.stack.startIpv6Autoconf(f.eth0, Ipv6Autoconf.Options.defaults().withRouterDiscovery(routerDiscovery)
                .withDhcp6(mode), Dhcp6Client.Options.defaults().withInitialDelay(false), null, f.now);
    }

    static int timerClients(StackFixture f) {
        return f.stack.engine().timers().clients();
    }

    /** The timer clients with autoconfiguration itself set up (it registers one, once per stack) but no DHCPv6. */
    static int baseline(StackFixture f) {
        start(f, Ipv6Autoconf.Dhcp6Mode.OFF, false).close(f.now);
        return timerClients(f);
    }

    @Test
    void startCloseCycles_moreThanMaxClients_eachGivesItsTimerClientBack() {
        try (StackFixture f = host()) {
            int baseline = baseline(f);
            for (int i = 0; i < 3 * StackTimers.MAX_CLIENTS; i++) {
                Ipv6Autoconf.Dhcp6Mode mode = i % 2 == 0 ? Ipv6Autoconf.Dhcp6Mode.STATEFUL
                        : Ipv6Autoconf.Dhcp6Mode.STATELESS;
                Ipv6Autoconf a = start(f, mode, false);
                f.settle(f.now + 1100 * MS); // DAD of the link-local address (first run), then the first message
                List<byte[]> out = sent(f);
                assertTrue(!out.isEmpty(), "run " + i + ": the client sent its first message");
                assertEquals(baseline + 1, timerClients(f), "run " + i + ": the running client holds one id");
                a.close(f.now);       // no lease: closed at once
                assertEquals(baseline, timerClients(f), "run " + i + ": given back on close");
                f.settle(f.now + 10 * SEC);
                assertEquals(0, sent(f).size(), "run " + i + ": nothing left scheduled");
            }
        }
    }

    @Test
    void releaseOnClose_keepsItsIdUntilTheLastRelease_thenGivesItBack_RFC8415_18_2_7() {
        try (StackFixture f = host()) {
            int baseline = baseline(f);
            Ipv6Autoconf a = start(f, Ipv6Autoconf.Dhcp6Mode.STATEFUL, false);
            f.settle(1 * SEC);
            // Solicit / Advertise (preference 255: at once) / Request / Reply
            byte[] solicit = one(f);
            f.receive(server(Dhcp6Message.ADVERTISE, xid(solicit),
                    opt(Dhcp6Message.OPT_PREFERENCE, new byte[] {(byte) 255}), iaNa(100, 160, iaAddr(0x10, 200, 300))));
            byte[] request = one(f);
            f.receive(server(Dhcp6Message.REPLY, xid(request), iaNa(100, 160, iaAddr(0x10, 200, 300)), dns(0x53)));
            f.settle(f.now + 1 * SEC);
            f.link.takeAll();
            a.close(f.now);
            assertEquals(Dhcp6Message.RELEASE, one(f)[0]);
            assertEquals(baseline + 1, timerClients(f), "releasing: the retransmission timer still runs");
            // REL_MAX_RC = 4 transmissions (REL_TIMEOUT 1 s, doubling), no Reply: the client gives up from its
            // own timer and gives the id back there
            int releases = 1;
            long end = f.now + 60 * SEC;
            for (long t = f.now; t <= end; t += 100 * MS) {
                f.settle(t);
                releases += sent(f).size();
            }
            assertEquals(4, releases);
            assertEquals(baseline, timerClients(f));
        }
    }

    @Test
    void aClientThatNeverStarts_takesNoId() {
        try (StackFixture f = host()) {
            int baseline = baseline(f);
            for (int i = 0; i < 2 * StackTimers.MAX_CLIENTS; i++) {
                // DHCPv6 as the Router Advertisements say, and none arrives: the client is created, never started
                Ipv6Autoconf a = start(f, Ipv6Autoconf.Dhcp6Mode.AUTO, true);
                f.settle(f.now + 100 * MS);
                assertEquals(baseline, timerClients(f));
                a.close(f.now);
            }
        }
    }
}
