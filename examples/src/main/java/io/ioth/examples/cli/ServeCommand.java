package io.ioth.examples.cli;

import io.ioth.examples.NetAppliance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/**
 * {@code ioth serve --stack S [--http PORT] [--echo PORT]}: the Net Appliance. Prints one {@code ready …} line when
 * configured and listening, logs requests to stderr, and on SIGINT/SIGTERM closes its connections and releases its
 * DHCP lease.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run a Net Appliance on a stack: HTTP (GET /, /whoami, /bytes/N; POST /sink) and RFC 862 echo",
                "over TCP and UDP. Prints 'ready mac=… ipv4=… ipv6=… http=PORT' once listening; runs until SIGINT/SIGTERM."})
final class ServeCommand implements Callable<Integer> {
    @Mixin
    StackOption stack;

    @Option(names = "--http", paramLabel = "PORT", defaultValue = "80", description = "HTTP port, 0 for none (default ${DEFAULT-VALUE}).")
    int http;

    @Option(names = "--echo", paramLabel = "PORT", defaultValue = "7", description = "Echo port (TCP and UDP), 0 for none (default ${DEFAULT-VALUE}).")
    int echo;

    @Override
    public Integer call() throws Exception {
        if (http < 0 || http > 65535 || echo < 0 || echo > 65535 || http != 0 && http == echo) {
            throw new IllegalArgumentException("ports must be 0..65535 and different");
        }
        final Termination termination = new Termination();
        try (Node node = stack.open()) {
            try (NetAppliance app = NetAppliance.start(node.group(), http, echo,
                    () -> "ioth Net Appliance\n" + node.addressLine() + "\n" + node.group().configuration() + "\n",
                    line -> System.err.println(line))) {
                System.out.println("ready " + node.addressLine() + " http=" + http);
                System.out.flush();
                termination.await();
                System.err.println("stopping");
            }
        } finally {
            termination.cleanedUp();
        }
        return 0;
    }
}
