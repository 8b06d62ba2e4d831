package io.ioth.transport.testsuite;

import io.ioth.transport.IothDatagramChannel;
import io.ioth.transport.IothEventLoopGroup;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapFactory;
import io.netty.testsuite.transport.socket.SocketTestPermutation;

import java.util.List;
import java.util.UUID;

/**
 * Netty's testsuite permutation for the IoTh transport (netty-transport.md §3.2, the epoll recipe).
 *
 * <p>Topology "L" (§3.3): both ends of every datagram test are channels of one stack, talking through its loopback
 * interface ({@code 127.0.0.1}, which the tests bind via {@code NetUtil.LOCALHOST4}). The stack also has an
 * Ethernet interface on a private embedded switch, so nothing leaves the JVM.
 */
public final class IothSocketTestPermutation extends SocketTestPermutation {
    static final IothSocketTestPermutation INSTANCE = new IothSocketTestPermutation();

    /** One loop = one stack (IothEventLoopGroup's default). */
    static final EventLoopGroup GROUP = new IothEventLoopGroup(
            "vnl=switch://testsuite-" + UUID.randomUUID().toString().substring(0, 8) + ",eth,ip=10.251.0.1/24");

    private static Bootstrap datagramBootstrap() {
        return new Bootstrap().group(GROUP).channel(IothDatagramChannel.class);
    }

    @Override
    public List<BootstrapComboFactory<Bootstrap, Bootstrap>> datagram(final SocketProtocolFamily family) {
        return List.of(new BootstrapComboFactory<>() {
            @Override
            public Bootstrap newServerInstance() {
                return datagramBootstrap();
            }

            @Override
            public Bootstrap newClientInstance() {
                return datagramBootstrap();
            }
        });
    }

    @Override
    public List<BootstrapFactory<Bootstrap>> datagramSocket() {
        return List.of(IothSocketTestPermutation::datagramBootstrap);
    }
}
