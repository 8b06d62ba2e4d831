package io.ioth.transport.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.SocketChannelNotYetConnectedTest;

import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.util.List;

/** Netty's {@code SocketChannelNotYetConnectedTest} on an IoTh stack. */
public class IothSocketChannelNotYetConnectedTest extends SocketChannelNotYetConnectedTest {
    @Override
    protected List<TestsuitePermutation.BootstrapFactory<Bootstrap>> newFactories() {
        return IothSocketTestPermutation.INSTANCE.clientSocket();
    }

    /** Not applicable: the test builds its own NIO server ({@code NioServerSocketChannel} on the host's kernel),
     * which a user-space stack cannot reach (netty-transport.md §3.3). */
    @Disabled("its server is a hard-coded NIO channel on the host kernel")
    @Test
    @Override
    public void readMustBePendingUntilChannelIsActive(final TestInfo info) {
    }
}
