package io.ioth.examples.scenarios;

import io.ioth.tcpip.socket.tcp.TcpInfo;
import io.ioth.vde.sw.Impairment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scenario 5: the same upload from a production stack (CUBIC, RTO floor 200 ms) and an experimental one (NewReno,
 * 20 ms) over one impaired link; each stack's own tunables show in its TCP_INFO.
 */
class ProductionAndExperimentalTest {
    @Test
    @Timeout(60)
    void twoStacksTwoTunablesOneImpairedLink() throws Exception {
        final Printed p = new Printed();
        final long n = 2L << 20;
        final Impairment link = Impairment.builder().loss(0.01).delay(Duration.ofMillis(10)).seed(7).build();
        final List<ProductionAndExperimental.Run> runs = ProductionAndExperimental.run(p.out, n, link);
        final String text = p.text();

        final ProductionAndExperimental.Run prod = runs.get(0), exp = runs.get(1);
        for (ProductionAndExperimental.Run r : runs) {
            final TcpInfo i = r.info();
            assertTrue(r.intact(), r.flavour().name() + ": the server's byte count and SHA-256 match");
            assertEquals(r.flavour().congestion(), i.congestionControl, "TCP_CONGESTION took effect");
            assertTrue(i.bytesSent >= n, "the whole body was sent: " + i.bytesSent);
            assertTrue(i.srttMicros >= 9_000, r.flavour().name() + ": the link's 10 ms shows in srtt: " + i.srttMicros);
            assertTrue(i.totalRetrans > 0 && i.bytesRetrans > 0, r.flavour().name()
                    + ": 1% loss over ~1500 segments costs retransmissions: " + i);
            assertTrue(text.contains(r.flavour().name()) && text.contains("tcp_info: srtt"), text);
        }
        // the per-stack TcpConfig (IothIdentity.withTcpConfig): the RTO floor of each stack
        assertTrue(prod.info().rtoMicros >= 200_000, "production: rto >= 200 ms floor: " + prod.info().rtoMicros);
        assertTrue(exp.info().rtoMicros < 200_000, "experimental: its 20 ms floor lets rto follow the 10 ms RTT: "
                + exp.info().rtoMicros);
        assertTrue(text.contains("experimental/production throughput"), text);
    }
}
