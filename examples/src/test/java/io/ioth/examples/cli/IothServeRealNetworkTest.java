package io.ioth.examples.cli;

import io.ioth.examples.http.ApplianceHttpHandler;
import io.ioth.vde.testing.NetNs;
import io.ioth.vde.testing.RealTools;
import io.ioth.vde.testing.VdeSwitchProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ioth serve} as a user runs it, on a real {@code vde_switch}, with Linux's {@code curl} in a network namespace
 * (a tap on the same switch) as the client, over IPv4 and IPv6: {@code /bytes/100000000} and {@code POST /sink}
 * byte-exact (sha256 on both sides).
 */
class IothServeRealNetworkTest {
    private static final long HUNDRED_MB = 100_000_000L;

    @TempDir
    Path tmp;

    @Test
    void curlFromLinuxOverIpv4AndIpv6() throws Exception {
        RealTools.require("vde_switch", "vde_plug", "ip", "curl", "sha256sum", "ping");
        try (VdeSwitchProcess sw = VdeSwitchProcess.start(); NetNs ns = NetNs.create()) {
            ns.tap("tap0", sw.vnl());
            ns.exec("ip", "addr", "add", "10.79.0.1/24", "dev", "tap0").check("IPv4 on tap0");
            ns.exec("ip", "-6", "addr", "add", "fd79::1/64", "dev", "tap0", "nodad").check("IPv6 on tap0");
            try (CliProcess serve = CliProcess.start("serve", "--stack",
                    "vnl=" + sw.vnl() + ",eth,ip=10.79.0.2/24,ip=fd79::2/64", "--http", "8080", "--echo", "7")) {
                final String ready = serve.line(60);
                assertTrue(ready.matches("ready mac=\\S+ ipv4=10\\.79\\.0\\.2 ipv6=fd79::2 http=8080"), ready);

                assertTrue(sh(ns, 30, "curl -sS --max-time 20 http://10.79.0.2:8080/whoami")
                        .matches("10\\.79\\.0\\.1:\\d+\\n"), "the kernel's IPv4 source, as the stack saw it");
                assertTrue(sh(ns, 30, "curl -sS -g --max-time 20 'http://[fd79::2]:8080/whoami'")
                        .matches("\\[fd79::1]:\\d+\\n"), "the kernel's IPv6 source, as the stack saw it");

                // 100 MB down, IPv4: the hash of exactly the pattern's bytes
                assertEquals(patternSha256(HUNDRED_MB) + "  -\n", sh(ns, 300,
                        "curl -sS --max-time 280 http://10.79.0.2:8080/bytes/" + HUNDRED_MB + " | sha256sum"));

                // 20 MB up, IPv6: the server answers "<bytes> <sha256>" of what it received
                final Path up = tmp.resolve("up.bin");
                final byte[] data = new byte[20_000_000];
                new Random(42).nextBytes(data);
                Files.write(up, data);
                final String sink = sh(ns, 300, "curl -sS -g --max-time 280 -H 'Content-Type: application/octet-stream'"
                        + " --data-binary @" + up + " 'http://[fd79::2]:8080/sink'");
                assertEquals(data.length + " " + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                        .digest(data)) + "\n", sink);
                assertTrue(serve.err().contains("POST /sink from [fd79::1]:"), serve.err());
            }
        }
    }

    /** {@code sh -c cmd} inside the namespace, bounded; its stdout (fails with stderr on a non-zero exit). */
    private static String sh(final NetNs ns, final long seconds, final String cmd)
            throws IOException, InterruptedException {
        final Process p = new ProcessBuilder("ip", "netns", "exec", ns.name(), "sh", "-c", cmd)
                .redirectError(ProcessBuilder.Redirect.PIPE).start();
        final byte[][] out = new byte[2][];
        final Thread t = new Thread(() -> {
            try {
                out[1] = p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                out[1] = e.toString().getBytes(StandardCharsets.UTF_8);
            }
        });
        t.start();
        out[0] = p.getInputStream().readAllBytes();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("still running after " + seconds + " s: " + cmd);
        }
        t.join(10_000);
        final String stdout = new String(out[0], StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new AssertionError(cmd + " -> exit " + p.exitValue() + ": " + stdout
                    + new String(out[1], StandardCharsets.UTF_8));
        }
        return stdout;
    }

    private static String patternSha256(final long n) throws Exception {
        final MessageDigest md = MessageDigest.getInstance("SHA-256");
        final byte[] block = new byte[251 * 1024]; // whole periods: every block starts at phase 0
        for (int i = 0; i < block.length; i++) {
            block[i] = ApplianceHttpHandler.patternByte(i);
        }
        long left = n;
        while (left > 0) {
            final int k = (int) Math.min(block.length, left);
            md.update(block, 0, k);
            left -= k;
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
