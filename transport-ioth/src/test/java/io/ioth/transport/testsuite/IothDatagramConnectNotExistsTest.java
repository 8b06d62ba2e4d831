package io.ioth.transport.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.DatagramConnectNotExistsTest;

import java.util.List;

/** Netty's {@code DatagramConnectNotExistsTest}: the stack's ICMP port unreachable, as PortUnreachableException. */
public class IothDatagramConnectNotExistsTest extends DatagramConnectNotExistsTest {
    @Override
    protected List<TestsuitePermutation.BootstrapFactory<Bootstrap>> newFactories() {
        return IothSocketTestPermutation.INSTANCE.datagramSocket();
    }
}
