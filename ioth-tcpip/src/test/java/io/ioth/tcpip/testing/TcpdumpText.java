package io.ioth.tcpip.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads frames from a {@code tcpdump -v -xx} text capture on the test classpath: each packet starts with a line that
 * does not begin with whitespace; its bytes are the {@code 0xNNNN:} lines that follow. {@code #} lines are comments.
 */
public final class TcpdumpText {
    private TcpdumpText() {
    }

    public static List<byte[]> load(String resource) {
        try (InputStream in = TcpdumpText.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new AssertionError("no resource " + resource);
            }
            List<byte[]> frames = new ArrayList<>();
            StringBuilder hex = null;
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                String t = line.trim();
                if (!Character.isWhitespace(line.charAt(0))) {
                    if (hex != null && hex.length() > 0) {
                        frames.add(Hex.decode(hex.toString()));
                    }
                    hex = new StringBuilder();
                } else if (t.startsWith("0x") && hex != null) {
                    hex.append(t.substring(t.indexOf(':') + 1));
                }
            }
            if (hex != null && hex.length() > 0) {
                frames.add(Hex.decode(hex.toString()));
            }
            return frames;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
