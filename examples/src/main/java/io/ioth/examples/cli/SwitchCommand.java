package io.ioth.examples.cli;

import io.ioth.vde.sw.ControlSocket;
import io.ioth.vde.sw.EmbeddedSwitch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code ioth switch DIR}: the embedded switch on a vde_switch-compatible control socket ({@code DIR/ctl}), so real
 * {@code vde_plug vde://DIR}, QEMU and other JVMs join the in-JVM LAN.
 */
@Command(name = "switch", mixinStandardHelpOptions = true,
        description = {"Run the embedded VDE switch on a vde_switch-compatible control socket DIR/ctl.",
                "Real vde_plug, QEMU and other JVMs join it as vde://DIR. Runs until SIGINT/SIGTERM."})
final class SwitchCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "The switch directory (created if missing).")
    Path dir;

    @Option(names = "--hub", description = "Repeat every frame to every port (a hub, like vde_switch -x).")
    boolean hub;

    @Option(names = {"-n", "--ports"}, defaultValue = "32", description = "Number of ports (default ${DEFAULT-VALUE}).")
    int ports;

    @Override
    public Integer call() throws Exception {
        final Termination termination = new Termination();
        try (EmbeddedSwitch sw = EmbeddedSwitch.builder().hub(hub).numPorts(ports).create();
             ControlSocket ctl = sw.listen(dir.toAbsolutePath())) {
            System.out.println("ready vnl=" + ctl.vnl() + " ports=" + ports + (hub ? " hub" : ""));
            System.out.flush();
            termination.await();
            System.err.println("switch " + ctl.vnl() + " stopping: " + sw.stats());
        } finally {
            termination.cleanedUp();
        }
        return 0;
    }
}
