package io.ioth.tcpip.socket.tcp;

import org.junit.jupiter.api.AfterEach;

/** Closes every harness a test created, so connections left open release their buffers before the leak check. */
abstract class TcpTestBase {
    @AfterEach
    void closeHarnesses() {
        TcpHarness.closeAll();
    }
}
