package io.ioth.benchmarks.engine;

import io.ioth.tcpip.Stack;
import io.ioth.tcpip.iface.IpAddr;
import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.iface.NetInterface;
import io.ioth.tcpip.iface.StackConfig;
import io.ioth.tcpip.link.PipeLink;
import io.ioth.tcpip.socket.StackSocket;
import io.ioth.tcpip.socket.tcp.TcpConfig;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.MacAddr;

import java.util.function.BooleanSupplier;

/**
 * Two stacks on one in-memory Ethernet cable ({@link PipeLink}), driven by the calling thread in
 * simulated time: A (10.0.0.1, 02:00:00:00:00:0a) and B (10.0.0.2, 02:00:00:00:00:0b), TCP
 * attached with {@code tcp} on both. {@link #round()} is one turn of an event loop that owns both:
 * A's poll, B's poll, each stack's ready list drained, simulated time moved on.
 */
final class StackPair implements AutoCloseable {
    static final int IP_A = Ipv4Addr.parse("10.0.0.1"), IP_B = Ipv4Addr.parse("10.0.0.2");
    static final long LO_A = IpAddr.v4(IP_A), LO_B = IpAddr.v4(IP_B);
    /** Simulated time per {@link #round()}. */
    static final long ROUND_NANOS = 10_000;

    final PipeLink.Pair wire;
    final Stack a, b;
    final NetInterface ethA, ethB;
    long now = 1_000_000_000L;

    /**
     * @param mtu           the interfaces' MTU (the pipe carries frames of mtu + 14 bytes)
     * @param pipeFrames    frames each direction of the pipe holds (a full one drops: size it above what is in flight)
     */
    StackPair(int mtu, int pipeFrames, TcpConfig tcpA, TcpConfig tcpB, int ingressBatch) {
        wire = PipeLink.builder().capacity(pipeFrames).maxFrameSize(mtu + 14).pair();
        a = Stack.create(StackConfig.builder().name("a").seed(1).ingressBatch(ingressBatch).build(), tcpA, now);
        b = Stack.create(StackConfig.builder().name("b").seed(2).ingressBatch(ingressBatch).build(), tcpB, now);
        ethA = a.addInterface("eth0", wire.a(), MacAddr.parse("02:00:00:00:00:0a"));
        ethB = b.addInterface("eth0", wire.b(), MacAddr.parse("02:00:00:00:00:0b"));
        a.addIpv4(ethA, IP_A, 24, now);
        b.addIpv4(ethB, IP_B, 24, now);
    }

    /** One turn: A polls, B polls, both ready lists drained (the caller then does the applications' work). */
    void round() {
        now += ROUND_NANOS;
        a.poll(now);
        drain(a);
        b.poll(now);
        drain(b);
    }

    /** Rounds until {@code done}; when nothing is in the pipe, time jumps to the next deadline. */
    void runUntil(BooleanSupplier done, Runnable app, long maxSimNanos) {
        long end = now + maxSimNanos;
        while (!done.getAsBoolean()) {
            round();
            app.run();
            if (wire.a().pending() == 0 && wire.b().pending() == 0 && !a.tcp().hasPendingOutput()
                    && !b.tcp().hasPendingOutput()) {
                long next = Math.min(a.nextDeadline(), b.nextDeadline());
                if (next != Long.MAX_VALUE && next > now) now = next - ROUND_NANOS;
            }
            if (now > end) throw new IllegalStateException("not done in " + maxSimNanos / 1e9 + " s of simulated time");
        }
    }

    private static void drain(Stack s) {
        StackSocket r;
        while ((r = s.nextReady()) != null) r.takeEvents();
    }

    static void check(int r, String what) {
        if (r != NetError.OK) throw new IllegalStateException(what + ": " + NetError.name(r));
    }

    /** Frames the pipe dropped (both directions, every reason). */
    long pipeDrops() {
        long n = 0;
        for (PipeLink.Drop d : PipeLink.Drop.values()) n += wire.a().dropped(d) + wire.b().dropped(d);
        return n;
    }

    @Override
    public void close() {
        a.close();
        b.close();
        wire.close();
    }
}
