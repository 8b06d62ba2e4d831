package io.ioth.tcpip;

import io.ioth.tcpip.iface.IpAddr;
import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.socket.StackSocket;
import io.ioth.tcpip.socket.tcp.TcpCounter;
import io.ioth.tcpip.socket.tcp.TcpListener;
import io.ioth.tcpip.socket.tcp.TcpSocket;
import io.ioth.tcpip.testing.StackDriver;
import io.ioth.vde.testing.Background;
import io.ioth.vde.testing.RealTools;
import io.netty.buffer.ByteBuf;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many connections from the Linux kernel to an echo server on the stack, over a real vde_switch: 1,000 at once (all
 * open before any is closed) and 10,000 one after the other (connect, 100 bytes each way, close). The kernel side
 * is python3; it checks every echo and prints a summary. The stack side ends each connection when the client's FIN
 * arrives (a passive close: the client holds TIME-WAIT, as with a Linux server).
 */
class LinuxTcpManyConnectionsTest {
    /** argv: ADDR PORT N CONCURRENT(0/1). Each connection sends 100 bytes, reads the echo, checks it. */
    static final String PY_CLIENTS = String.join("\n",
            "import socket, sys, time, resource",
            "a, p, n, conc = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == '1'",
            "resource.setrlimit(resource.RLIMIT_NOFILE, (n + 256, n + 256))",
            "fam = socket.AF_INET6 if ':' in a else socket.AF_INET",
            "def echo(s, i):",
            "    msg = (b'%08d' % i) * 12 + b'\\r\\n\\r\\n'",
            "    s.sendall(msg)",
            "    got = b''",
            "    while len(got) < len(msg):",
            "        b = s.recv(4096)",
            "        if not b: raise Exception('EOF after %d bytes on %d' % (len(got), i))",
            "        got += b",
            "    if got != msg: raise Exception('bad echo on %d' % i)",
            "t0 = time.monotonic()",
            "if conc:",
            "    socks = []",
            "    for i in range(n):",
            "        s = socket.socket(fam); s.settimeout(30); s.connect((a, p)); socks.append(s)",
            "    for i, s in enumerate(socks): echo(s, i)",
            "    for s in socks: s.close()",
            "else:",
            "    for i in range(n):",
            "        s = socket.socket(fam); s.settimeout(30); s.connect((a, p)); echo(s, i); s.close()",
            "print('RESULT %d %.3f ok' % (n, time.monotonic() - t0), flush=True)");

    ResourceLeakDetector.Level level;
    LinuxTcpRig rig;
    final Echo echo = new Echo();

    @BeforeEach
    void setUp() throws Exception {
        RealTools.require("vde_switch", "vde_plug", "ip", "python3");
        level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE); // 10,000 connections: see ImpairedTest
        rig = new LinuxTcpRig(false);
        rig.startStack();
        rig.driver.run(now -> {
            TcpListener l = rig.stack.openTcpListener();
            assertEquals(NetError.OK, l.bind(0L, IpAddr.V4_ANY_LO, 8000));
            assertEquals(NetError.OK, l.listen(2048));
            l.attach((StackDriver.Handler) (sock, ev, t) -> {
                TcpSocket c;
                while ((c = l.accept()) != null) {
                    echo.accepted++;
                    c.attach(echo);
                    echo.onEvents(c, 0, t);
                }
            });
        });
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (rig != null) {
                rig.close();
            }
        } finally {
            ResourceLeakDetector.setLevel(level);
        }
    }

    @Test
    void thousandConcurrentConnections() throws Exception {
        run(1000, true, 60_000);
    }

    @Test
    void tenThousandSequentialConnections() throws Exception {
        run(10_000, false, 120_000);
    }

    private void run(int n, boolean concurrent, long timeoutMs) throws Exception {
        Background py = rig.a.spawn("python3", "-c", PY_CLIENTS, LinuxTcpRig.STACK4, "8000", Integer.toString(n),
                concurrent ? "1" : "0");
        String[] res = LinuxTcpRig.result(py, timeoutMs);
        assertEquals(Integer.toString(n), res[1], py.output());
        // every connection was accepted, echoed and closed by the client; the stack's side closes in turn
        assertTrue(rig.driver.await(10_000, now -> echo.closed == n), () -> "closed " + echo.closed + " of " + n);
        long established = rig.driver.call(now -> rig.stack.tcpStats().get(TcpCounter.PASSIVE_OPENS));
        assertEquals(n, established);
        assertEquals(n, echo.accepted);
        assertEquals(0, echo.errors);
        System.out.printf("[tcpmany] %d %s connections in %s s; stack: %s%n", n,
                concurrent ? "concurrent" : "sequential", res[2], rig.stack.tcpStats());
    }

    /** Echoes what it reads; closes at the peer's FIN (loop thread). */
    static final class Echo implements StackDriver.Handler {
        volatile int accepted;
        volatile int closed;
        volatile int errors;

        @Override
        public void onEvents(StackSocket sock, int events, long now) {
            TcpSocket s = (TcpSocket) sock;
            if (s.error() != 0) {
                errors++;
            }
            ByteBuf b;
            while (s.sendSpace() > 0 && (b = s.read(s.sendSpace())) != null) {
                try {
                    s.send(b);
                } finally {
                    b.release();
                }
            }
            if (s.isInputShutdown() && s.readableBytes() == 0 && s.attachment() == this) {
                s.close(now);
                s.attach(null);
                closed++;
            }
        }
    }
}
