package io.ioth.transport.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.SocketConnectionAttemptTest;

import java.util.List;

/** Netty's {@code SocketConnectionAttemptTest} on an IoTh stack. */
public class IothSocketConnectionAttemptTest extends SocketConnectionAttemptTest {
    @Override
    protected List<TestsuitePermutation.BootstrapFactory<Bootstrap>> newFactories() {
        return IothSocketTestPermutation.INSTANCE.clientSocket();
    }
}
