package io.ioth.transport.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.SocketSslEchoTest;

import java.net.SocketAddress;
import java.util.List;

/** Netty's {@code SocketSslEchoTest} between two IoTh stacks on an embedded switch (topology S). */
public class IothSocketSslEchoTest extends SocketSslEchoTest {
    @Override
    protected List<TestsuitePermutation.BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return IothSocketTestPermutation.INSTANCE.socket();
    }

    @Override
    protected SocketAddress newSocketAddress() {
        return IothSocketTestPermutation.serverAddress();
    }
}
