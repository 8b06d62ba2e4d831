package io.ioth.examples.scenarios;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Scenario 1: two stacks on two networks, one server; the server sees each client's own address. */
class TwoIdentitiesTest {
    @Test
    @Timeout(30)
    void theServerSeesTwoDifferentSourceAddresses() throws Exception {
        final Printed p = new Printed();
        final TwoIdentities.Result r = TwoIdentities.run(p.out);
        final String text = p.text();

        assertTrue(r.client1().matches("10\\.1\\.0\\.11:\\d+"), "client 1 on net-a, direct: " + r.client1());
        assertTrue(r.client2().matches("10\\.2\\.0\\.20:\\d+"), "client 2 on net-b, routed, not NATed: " + r.client2());
        assertNotEquals(r.client1().split(":")[0], r.client2().split(":")[0]);
        // the handshake, the request and the answer of client 2 crossed the router both ways
        assertTrue(r.forwarded() >= 6, "forwarded " + r.forwarded());
        assertTrue(text.contains("GET /whoami -> " + r.client1()), text);
        assertTrue(text.contains("GET /whoami -> " + r.client2() + " (through the router)"), text);
        assertTrue(text.matches("(?s)router r1: eth0 10\\.1\\.0\\.1/24 on switch://net-a-\\w+, "
                + "eth1 10\\.2\\.0\\.1/24 on switch://net-b-\\w+, forwarding\n.*"), text);
    }
}
