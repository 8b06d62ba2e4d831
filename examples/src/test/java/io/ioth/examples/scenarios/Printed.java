package io.ioth.examples.scenarios;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** What a scenario printed: a PrintStream for {@code run(out, ...)}, its text afterwards (also echoed to stdout). */
final class Printed {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    String text() {
        final String s = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(s); // the run, in the test's report
        return s;
    }
}
