package io.ioth.tcpip.testing;

import io.ioth.tcpip.iface.NetInterface;
import io.ioth.tcpip.link.PcapngWriter;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Records interfaces into pcapng files for the duration of a test and keeps them only if the test fails, printing
 * where they are ({@code wireshark FILE} / {@code tshark -r FILE}).
 *
 * <pre>{@code
 * @RegisterExtension final PcapOnFailure pcap = new PcapOnFailure();
 * ...
 * pcap.capture(eth0, ticker::nanoTime);   // the stack must be closed by the end of the test
 * }</pre>
 */
public final class PcapOnFailure implements BeforeTestExecutionCallback, AfterTestExecutionCallback {
    private final List<Path> files = new ArrayList<>();
    private String testName = "test";

    /** Wraps the interface's link in a PcapLink writing to a temporary file, timestamped by {@code clock}. */
    public Path capture(NetInterface ifc, LongSupplier clock) {
        try {
            Path dir = Path.of(System.getProperty("java.io.tmpdir"), "ioth-pcap");
            Files.createDirectories(dir);
            Path file = dir.resolve(testName + "." + ifc.name() + "." + ProcessHandle.current().pid() + ".pcapng");
            ifc.capture(PcapngWriter.open(file, PcapngWriter.DEFAULT_SNAPLEN, PcapngWriter.DEFAULT_BUFFER_SIZE,
                    ifc.name()), clock);
            files.add(file);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void beforeTestExecution(ExtensionContext context) {
        testName = context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod().getName();
    }

    @Override
    public void afterTestExecution(ExtensionContext context) throws IOException {
        boolean failed = context.getExecutionException().isPresent();
        for (Path f : files) {
            if (failed) {
                System.err.println("[pcap] kept the traffic of " + testName + ": " + f);
            } else {
                Files.deleteIfExists(f);
            }
        }
        files.clear();
    }
}
