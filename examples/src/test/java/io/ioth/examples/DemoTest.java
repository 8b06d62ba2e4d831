package io.ioth.examples;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ioth demo} in-process: DHCP server, Net Appliance by DHCP, two clients each seen with its own lease. */
class DemoTest {
    @Test
    void everyIdentityGetsItsLeaseAndIsSeenWithIt() throws Exception {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final int status;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            status = Demo.run(out);
        }
        final String text = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, text);
        assertTrue(text.contains("serving DHCP 10.0.2.15-10.0.2.99"), text);
        assertTrue(text.matches("(?s).*\\[appliance] +mac \\S+ +DHCP lease 10\\.0\\.2\\.(\\d+)/24 router 10\\.0\\.2\\.2.*"),
                text);
        // each client's /whoami answer carries the address its own DHCP lease gave it
        assertTrue(text.matches("(?s).*\\[alice] +mac \\S+ +DHCP lease (10\\.0\\.2\\.\\d+)/24; GET /whoami -> 200 \\1:\\d+.*"),
                text);
        assertTrue(text.matches("(?s).*\\[bob] +mac \\S+ +DHCP lease (10\\.0\\.2\\.\\d+)/24; GET /whoami -> 200 \\1:\\d+.*"),
                text);
        assertTrue(text.strip().endsWith("ok: the appliance saw each client with the address its own stack leased"));
    }
}
