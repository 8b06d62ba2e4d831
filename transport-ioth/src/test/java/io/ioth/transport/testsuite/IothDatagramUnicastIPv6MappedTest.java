package io.ioth.transport.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.DatagramUnicastIPv6MappedTest;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.util.List;

/** Netty's {@code DatagramUnicastIPv6MappedTest} on one IoTh stack (loopback ::1). */
public class IothDatagramUnicastIPv6MappedTest extends DatagramUnicastIPv6MappedTest {
    @Override
    protected List<TestsuitePermutation.BootstrapComboFactory<Bootstrap, Bootstrap>> newFactories() {
        return IothSocketTestPermutation.INSTANCE.datagram(socketProtocolFamily());
    }

    /** Not applicable: the sender is a host-kernel {@code java.net.DatagramSocket} (see IothDatagramUnicastInetTest). */
    @Disabled("the sender is a host-kernel java.net.DatagramSocket; it cannot reach the stack")
    @Test
    @Override
    public void testReceiveEmptyDatagrams(final TestInfo testInfo) {
    }
}
