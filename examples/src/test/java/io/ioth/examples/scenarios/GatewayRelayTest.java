package io.ioth.examples.scenarios;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Scenario 4: a relay with its inbound side on stack A and its outbound side on stack B. */
class GatewayRelayTest {
    @Test
    @Timeout(30)
    void theServerSeesTheRelaysBSideAndBulkDataCrossesIntact() throws Exception {
        final Printed p = new Printed();
        final long n = 1L << 20; // small: the tests run with paranoid leak detection, which tracks every buffer
        final GatewayRelay.Result r = GatewayRelay.run(p.out, n);
        final String text = p.text();

        assertTrue(r.whoami().matches("10\\.4\\.2\\.1:\\d+"), "the relay's B-side address, not the client's: "
                + r.whoami());
        assertEquals(n, r.bulkBytes(), "every byte through both halves (reads paced by the other side's writes)");
        assertTrue(r.bulkIntact(), "in order, unaltered");
        assertTrue(text.contains("GET http://10.4.1.1:8080/whoami -> " + r.whoami()), text);
        assertTrue(text.contains(n + " bytes, byte-exact"), text);
    }
}
