package io.ioth.examples.cli;

import picocli.CommandLine.Option;

/** {@code --stack "<iothconf string>"}: the identity a command runs on. */
final class StackOption {
    @Option(names = "--stack", paramLabel = "IOTHCONF", defaultValue = "",
            description = {"The network identity as an iothconf string, e.g.",
                    "  vnl=vde:///tmp/sw,eth,ip=10.0.0.2/24,gw=10.0.0.1",
                    "  vnl=vde:///tmp/sw,eth,dhcp,slaac",
                    "Default: the embedded switch switch://default with no address."})
    String iothconf;

    @Option(names = "--config-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long to wait for DHCP/SLAAC (default ${DEFAULT-VALUE}).")
    double configTimeout;

    Node open() throws Exception {
        return Node.open(iothconf, (long) (configTimeout * 1e9));
    }
}
