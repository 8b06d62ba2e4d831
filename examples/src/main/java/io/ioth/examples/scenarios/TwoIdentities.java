package io.ioth.examples.scenarios;

import io.ioth.examples.NetAppliance;
import io.netty.channel.EventLoopGroup;

import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/**
 * Scenario 1 — two identities in one JVM: two HTTP clients, each on its own stack on its own VDE network, fetch
 * {@code /whoami} from one server and see different source addresses. The networks are joined by a {@link Router}
 * (one engine stack with two interfaces, forwarding on).
 *
 * <pre>
 *   client 1 10.1.0.11 ──┐                           ┌── client 2 10.2.0.20 (gw 10.2.0.1)
 *   server   10.1.0.10 ──┤ net-a ── router ── net-b ─┘
 *            (gw 10.1.0.1)      10.1.0.1  10.2.0.1
 * </pre>
 *
 * {@code java -cp examples/target/ioth-examples.jar io.ioth.examples.scenarios.TwoIdentities}
 */
public final class TwoIdentities {
    private TwoIdentities() {
    }

    /** What the server answered each client. */
    public record Result(String client1, String client2, long forwarded) {
    }

    public static void main(final String[] args) throws Exception {
        run(System.out);
    }

    public static Result run(final PrintStream out) throws Exception {
        final String netA = Lab.uniqueSwitch("net-a");
        final String netB = Lab.uniqueSwitch("net-b");
        try (Lab lab = new Lab()) {
            final Router router = lab.add(Router.start("r1", new Router.Port(netA, "10.1.0.1/24"),
                    new Router.Port(netB, "10.2.0.1/24")));
            out.println(router);

            final EventLoopGroup server = lab.stack("vnl=" + netA + ",eth,ip=10.1.0.10/24,gw=10.1.0.1");
            lab.add(NetAppliance.start(server, 80, 0, () -> "two identities demo server", line -> { }));
            out.println("server    10.1.0.10 on " + netA + ", HTTP on port 80");

            // the one-line swap, twice: each group is a stack of its own, with its own address and network
            final EventLoopGroup client1 = lab.stack("vnl=" + netA + ",eth,ip=10.1.0.11/24");
            final EventLoopGroup client2 = lab.stack("vnl=" + netB + ",eth,ip=10.2.0.20/24,gw=10.2.0.1");

            final String seen1 = Lab.get(client1, "10.1.0.10", 80, "/whoami", 10, TimeUnit.SECONDS);
            out.println("client 1  10.1.0.11 on " + netA + ": GET /whoami -> " + seen1);
            final String seen2 = Lab.get(client2, "10.1.0.10", 80, "/whoami", 10, TimeUnit.SECONDS);
            out.println("client 2  10.2.0.20 on " + netB + ": GET /whoami -> " + seen2 + " (through the router)");
            out.println("the router forwarded " + router.forwarded() + " IPv4 datagrams");
            return new Result(seen1, seen2, router.forwarded());
        }
    }
}
