package io.ioth.tcpip.frag;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Test helper: reads a {@code tcpdump -v -xx} text capture (a resource next to this class) into frames. A line that
 * starts in column 0 with a digit begins a frame (the summary line); {@code 0x0000:} lines carry its bytes;
 * {@code #} lines are comments.
 */
final class LinuxTrace {
    private LinuxTrace() {
    }

    /** Linux fragmenting `ping -s 4000` at MTU 1500: 3 IPv4 frames then 3 IPv6 frames (see the file header). */
    static final List<byte[]> PING_S4000 = load("ping-s4000.txt");

    /** Frame {@code i} without its 14-byte Ethernet header. */
    static byte[] ip(int i) {
        byte[] f = PING_S4000.get(i);
        byte[] ip = new byte[f.length - 14];
        System.arraycopy(f, 14, ip, 0, ip.length);
        return ip;
    }

    static List<byte[]> load(String name) {
        List<byte[]> frames = new ArrayList<>();
        try (InputStream in = LinuxTrace.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            ByteArrayOutputStream cur = null;
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                if (Character.isDigit(line.charAt(0))) {
                    if (cur != null) {
                        frames.add(cur.toByteArray());
                    }
                    cur = new ByteArrayOutputStream();
                    continue;
                }
                String t = line.trim();
                if (!t.startsWith("0x")) {
                    continue; // tcpdump's second summary line
                }
                String hex = t.substring(t.indexOf(':') + 1).replaceAll("\\s+", "");
                for (int i = 0; i < hex.length(); i += 2) {
                    cur.write(Integer.parseInt(hex.substring(i, i + 2), 16));
                }
            }
            if (cur != null) {
                frames.add(cur.toByteArray());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return frames;
    }
}
