package io.ioth.examples.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code ioth} command as users run it, each command its own JVM: {@code ioth switch} offers the embedded switch
 * on a vde_switch-compatible socket, {@code ioth serve} and {@code ioth fetch}/{@code ping} are three more processes
 * with their own stacks on it. Needs nothing but a JDK (the switch is ours).
 */
class IothCommandTest {
    @TempDir
    Path tmp;

    @Test
    void switchServeFetchPingAcrossFourProcesses() throws Exception {
        final Path dir = tmp.resolve("sw");
        try (CliProcess sw = CliProcess.start("switch", dir.toString())) {
            assertEquals("ready vnl=vde://" + dir + " ports=32", sw.line(30));
            final String vnl = "vnl=vde://" + dir + ",eth,";
            try (CliProcess serve = CliProcess.start("serve", "--stack", vnl + "mac=02:00:00:00:01:01,ip=10.77.0.1/24,"
                    + "ip=fd77::1/64", "--http", "8080", "--echo", "7")) {
                final String ready = serve.line(30);
                assertTrue(ready.matches("ready mac=02:00:00:00:01:01 ipv4=10\\.77\\.0\\.1 ipv6=\\S*fd77::1\\S* http=8080"),
                        ready);

                try (CliProcess fetch = CliProcess.start("fetch", "--stack", vnl + "ip=10.77.0.2/24",
                        "http://10.77.0.1:8080/whoami")) {
                    assertTrue(fetch.line(30).matches("10\\.77\\.0\\.2:\\d+"), "the server saw our own address");
                    assertEquals(0, fetch.waitFor(30), fetch.err());
                }
                try (CliProcess fetch = CliProcess.start("fetch", "--stack", vnl + "ip=fd77::3/64",
                        "http://[fd77::1]:8080/whoami")) {
                    assertTrue(fetch.line(30).matches("\\[fd77::3]:\\d+"), "IPv6 source as the server saw it");
                    assertEquals(0, fetch.waitFor(30), fetch.err());
                }
                try (CliProcess fetch = CliProcess.start("fetch", "--stack", vnl + "ip=10.77.0.4/24",
                        "http://10.77.0.1:8080/missing")) {
                    assertEquals(22, fetch.waitFor(30), "HTTP errors exit 22 as curl --fail");
                    assertTrue(fetch.err().contains("HTTP 404"), fetch.err());
                }
                try (CliProcess ping = CliProcess.start("ping", "--stack", vnl + "ip=10.77.0.5/24", "-c", "3", "-i",
                        "0.2", "10.77.0.1")) {
                    assertEquals(0, ping.waitFor(30), ping.err());
                    final String out = ping.drainOut();
                    assertTrue(out.contains("3 packets transmitted, 3 received, 0% packet loss"), out);
                }
                serve.terminate();
                final int code = serve.waitFor(30); // 143 (SIGTERM) from the JVM once the hook let it go
                assertTrue(serve.err().contains("GET /whoami from 10.77.0.2:"), serve.err());
                assertTrue(serve.err().contains("stopping"), "cleaned up before exit " + code + ": " + serve.err()
                        + "\nstdout: " + serve.drainOut());
            }
        }
    }

    @Test
    void badInputIsOneLineAndNonZero() throws Exception {
        try (CliProcess p = CliProcess.start("serve", "--stack", "vnl=switch://x,eth,ip=10.0.0.300/24")) {
            assertEquals(1, p.waitFor(30));
            final String err = p.err().strip();
            assertFalse(err.contains("\n"), "one line: " + err);
            assertTrue(err.startsWith("ioth serve: ") && err.contains("10.0.0.300"), err);
        }
        try (CliProcess p = CliProcess.start("ping", "--bogus", "10.0.0.1")) {
            assertEquals(2, p.waitFor(30), "usage errors exit 2");
            assertEquals("ioth ping: Unknown option: '--bogus' (try 'ioth ping --help')", p.err().strip());
        }
        try (CliProcess p = CliProcess.start("fetch", "--stack", "vnl=vde:///nonexistent/switch,eth,ip=10.0.0.2/24",
                "http://10.0.0.1/")) {
            assertEquals(1, p.waitFor(60));
            assertTrue(p.err().startsWith("ioth fetch: "), p.err());
            assertFalse(p.err().contains("\tat "), "no stack trace without --verbose: " + p.err());
        }
    }
}
