package io.ioth.examples.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code ioth demo}: see {@link io.ioth.examples.Demo}. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The one-command demo on the embedded default (nothing to install): a node serving DHCP,",
                "a Net Appliance that takes its address by DHCP, two client identities fetching /whoami."})
final class DemoCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        return io.ioth.examples.Demo.run(System.out);
    }
}
