package io.ioth.transport.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.SocketSslSessionReuseTest;

import io.netty.handler.ssl.SslContextBuilder;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.SocketAddress;
import java.util.List;

/** Netty's {@code SocketSslSessionReuseTest} between two IoTh stacks on an embedded switch (topology S). */
public class IothSocketSslSessionReuseTest extends SocketSslSessionReuseTest {
    @Override
    protected List<TestsuitePermutation.BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return IothSocketTestPermutation.INSTANCE.socket();
    }

    /**
     * The JDK-provider half of Netty's {@code jdkAndOpenSSL} source only: the OpenSSL half needs netty-tcnative,
     * which is not on this classpath (it fails with NoClassDefFoundError for NIO as well).
     */
    @ParameterizedTest(name = "{index}: serverEngine = {0}, clientEngine = {1}")
    @MethodSource("jdkOnly")
    @Timeout(30)
    @Override
    public void testSslSessionTrustManagerResumption(final SslContextBuilder serverCtx,
                                                     final SslContextBuilder clientCtx,
                                                     final TestInfo testInfo) throws Throwable {
        super.testSslSessionTrustManagerResumption(serverCtx, clientCtx, testInfo);
    }

    @Override
    protected SocketAddress newSocketAddress() {
        return IothSocketTestPermutation.serverAddress();
    }
}
