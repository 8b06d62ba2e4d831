package io.ioth.transport.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.SocketHalfClosedTest;

import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.net.SocketAddress;
import java.util.List;

/** Netty's {@code SocketHalfClosedTest} between two IoTh stacks on an embedded switch (topology S). */
public class IothSocketHalfClosedTest extends SocketHalfClosedTest {
    @Override
    protected List<TestsuitePermutation.BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return IothSocketTestPermutation.INSTANCE.socket();
    }

    /**
     * Not applicable: the leader's {@code channelActive} blocks its event loop until the follower has closed, then
     * expects its second write to fail. The stack runs on that loop: while it is blocked its first write never
     * leaves (so the follower never answers and never closes) and the peer's RST could not be processed anyway, so
     * the second write would be accepted. A kernel keeps running TCP while the application thread blocks; a
     * user-space stack on the event loop cannot (the Netty rule "never block the event loop" becomes a hard one).
     */
    @Disabled("blocks the event loop that runs the stack (the leader awaits a latch in channelActive)")
    @Test
    @Override
    public void testAutoCloseFalseDoesShutdownOutput(final TestInfo testInfo) {
    }

    @Override
    protected SocketAddress newSocketAddress() {
        return IothSocketTestPermutation.serverAddress();
    }
}
