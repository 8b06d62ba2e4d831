package io.ioth.transport.testsuite;

import io.ioth.transport.IothDatagramChannel;
import io.ioth.transport.IothEventLoopGroup;
import io.ioth.transport.IothServerSocketChannel;
import io.ioth.transport.IothSocketChannel;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapFactory;
import io.netty.testsuite.transport.socket.SocketTestPermutation;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.UUID;

/**
 * Netty's testsuite permutation for the IoTh transport (netty-transport.md §3.2, the epoll recipe).
 *
 * <p>Topology "L" (§3.3): both ends of every datagram test are channels of one stack, talking through its loopback
 * interface ({@code 127.0.0.1}, which the tests bind via {@code NetUtil.LOCALHOST4}). The stack also has an
 * Ethernet interface on a private embedded switch, so nothing leaves the JVM.
 *
 * <p>TCP (the {@code Socket*} tests) runs in topology "S" (§3.3): the server is on stack A ({@link #SERVER_GROUP},
 * 10.251.1.1), the clients on stack B ({@link #CLIENT_GROUP}, 10.251.1.2), both on one private embedded switch, each
 * stack on its own loop thread; the server-and-client tests bind {@link #SERVER_ADDRESS} instead of
 * {@code NetUtil.LOCALHOST} ({@link #serverAddress()}). One loop for both ends would deadlock the tests whose
 * handlers block on the other end (SocketHalfClosedTest's AutoCloseFalseLeader awaits a latch in channelActive).
 * Client-only tests use stack B's loopback ({@code NetUtil.LOCALHOST}: {@code ::1} on this host). Stack B has a
 * default gateway that does not exist, so a connect to the testsuite's {@code BAD_HOST} (198.51.100.254) waits on
 * ARP and times out instead of failing fast with "no route". {@link #loopbackSocket()} is topology "L" for the
 * tests that bind {@code NetUtil.LOCALHOST} themselves.
 */
public final class IothSocketTestPermutation extends SocketTestPermutation {
    static final IothSocketTestPermutation INSTANCE = new IothSocketTestPermutation();

    /** One loop = one stack (IothEventLoopGroup's default). */
    static final EventLoopGroup GROUP = new IothEventLoopGroup(
            "vnl=switch://testsuite-" + UUID.randomUUID().toString().substring(0, 8) + ",eth,ip=10.251.0.1/24");

    /** Stack A: every TCP server of the testsuite. */
    static final EventLoopGroup SERVER_GROUP;
    /** Stack B: every TCP client (and the L-topology servers of {@link #loopbackSocket()}). */
    static final EventLoopGroup CLIENT_GROUP;
    static final InetSocketAddress SERVER_ADDRESS = new InetSocketAddress("10.251.1.1", 0);

    static {
        final String sw = "vnl=switch://testsuite-tcp-" + UUID.randomUUID().toString().substring(0, 8) + ",eth";
        SERVER_GROUP = new IothEventLoopGroup(sw + ",ip=10.251.1.1/24");
        CLIENT_GROUP = new IothEventLoopGroup(sw + ",ip=10.251.1.2/24,gw=10.251.1.254");
    }

    /** What the S-topology tests bind their server to (instead of {@code NetUtil.LOCALHOST}). */
    static SocketAddress serverAddress() {
        return SERVER_ADDRESS;
    }

    @Override
    public List<BootstrapFactory<ServerBootstrap>> serverSocket() {
        return List.of(() -> new ServerBootstrap().group(SERVER_GROUP).channel(IothServerSocketChannel.class));
    }

    @Override
    public List<BootstrapFactory<Bootstrap>> clientSocket() {
        return List.of(() -> new Bootstrap().group(CLIENT_GROUP).channel(IothSocketChannel.class));
    }

    /** Topology L: server and client on stack B, over its loopback. */
    public List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> loopbackSocket() {
        return combo(List.of(() -> new ServerBootstrap().group(CLIENT_GROUP).channel(IothServerSocketChannel.class)),
                clientSocket());
    }

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
