package io.ioth.examples.cli;

import io.ioth.examples.HttpFetch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.concurrent.Callable;

/** {@code ioth fetch --stack S URL}: an HTTP GET from an identity, the body to stdout. */
@Command(name = "fetch", mixinStandardHelpOptions = true,
        description = {"HTTP GET from a stack (names resolved through the stack); the body goes to stdout.",
                "Exit status 0 on a 2xx answer, 22 on an HTTP error (as curl --fail), 1 on other failures."})
final class FetchCommand implements Callable<Integer> {
    @Mixin
    StackOption stack;

    @Parameters(index = "0", paramLabel = "URL", description = "http://HOST[:PORT]/PATH")
    URI url;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30", description = "Give up after this long (default ${DEFAULT-VALUE}).")
    double timeout;

    @Override
    public Integer call() throws Exception {
        try (Node node = stack.open()) {
            final OutputStream out = new BufferedOutputStream(System.out, 1 << 16);
            final HttpFetch.Result r = HttpFetch.get(node.group(), node.resolve(url.getHost()), url, out,
                    (long) (timeout * 1e9));
            out.flush();
            if (r.status() < 200 || r.status() > 299) {
                System.err.println("ioth fetch: HTTP " + r.status() + " from " + url);
                return 22;
            }
            return 0;
        }
    }
}
