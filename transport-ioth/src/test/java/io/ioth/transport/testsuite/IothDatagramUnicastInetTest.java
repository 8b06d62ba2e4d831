package io.ioth.transport.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.DatagramUnicastInetTest;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.util.List;

/** Netty's {@code DatagramUnicastInetTest} on one IoTh stack (loopback). */
public class IothDatagramUnicastInetTest extends DatagramUnicastInetTest {
    @Override
    protected List<TestsuitePermutation.BootstrapComboFactory<Bootstrap, Bootstrap>> newFactories() {
        return IothSocketTestPermutation.INSTANCE.datagram(socketProtocolFamily());
    }

    /** Not applicable: the sender is a host-kernel {@code java.net.DatagramSocket}, which cannot reach a user-space
     * stack's loopback (netty-transport.md §3.3). Empty datagrams are covered by IothDatagramChannelTest. */
    @Disabled("the sender is a host-kernel java.net.DatagramSocket; it cannot reach the stack")
    @Test
    @Override
    public void testReceiveEmptyDatagrams(final TestInfo testInfo) {
    }
}
