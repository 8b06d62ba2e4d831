package io.ioth.transport.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.SocketGatheringWriteTest;

import java.util.List;

/** Netty's {@code SocketGatheringWriteTest} on one IoTh stack, over its loopback (topology L).
 *
 * <p>A volume test (hundreds of MiB in a bounded time): over the embedded switch's 1500-byte MTU the two stacks
 * move about 3 MB/s on this shared 2-core machine with paranoid leak detection (which records a stack trace at
 * every buffer access), too slow for the test's 30 s; the loopback's 64 KiB MTU needs 40 times fewer segments. */
public class IothSocketGatheringWriteTest extends SocketGatheringWriteTest {
    @Override
    protected List<TestsuitePermutation.BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return IothSocketTestPermutation.INSTANCE.loopbackSocket();
    }
}
