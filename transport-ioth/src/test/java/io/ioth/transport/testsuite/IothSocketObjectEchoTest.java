package io.ioth.transport.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.SocketObjectEchoTest;

import java.net.SocketAddress;
import java.util.List;

/** Netty's {@code SocketObjectEchoTest} between two IoTh stacks on an embedded switch (topology S). */
public class IothSocketObjectEchoTest extends SocketObjectEchoTest {
    @Override
    protected List<TestsuitePermutation.BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return IothSocketTestPermutation.INSTANCE.socket();
    }

    @Override
    protected SocketAddress newSocketAddress() {
        return IothSocketTestPermutation.serverAddress();
    }
}
