package io.ioth.tcpip.testing;

import io.ioth.tcpip.Stack;
import io.ioth.tcpip.iface.NetInterface;
import io.ioth.tcpip.iface.StackConfig;
import io.ioth.tcpip.socket.StackSocket;
import io.ioth.vde.Vde;
import io.ioth.vde.VdeOptions;
import io.ioth.vde.sw.EmbeddedPlug;
import io.ioth.vde.sw.Impairment;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Stacks on one embedded switch ({@code switch://<unique>}) in simulated time: a mock ticker is the only clock, for
 * the switch's impaired links and for every stack's {@code now}. {@link #runUntil} polls all stacks until nothing is
 * due, then jumps the ticker to the next deadline (a stack timer or a delayed frame), so a minute of protocol time
 * takes milliseconds and every run with the same seeds is identical.
 */
public final class SimNet implements AutoCloseable {
    public final MockTicker ticker = Ticker.newMockTicker();
    private final String switchName = "sim-" + UUID.randomUUID();
    private final List<Stack> stacks = new ArrayList<>();
    private final List<VdeLink> links = new ArrayList<>();

    /** A stack with one interface eth0 on the switch. */
    public Stack addStack(String name, long mac, String cidr, long seed) {
        try {
            EmbeddedPlug plug = (EmbeddedPlug) Vde.open("switch://" + switchName,
                    VdeOptions.defaults().withTicker(ticker).withQueueLimit(4096));
            VdeLink link = new VdeLink(plug);
            Stack s = Stack.create(StackConfig.builder().name(name).seed(seed).build(), now());
            NetInterface eth0 = s.addInterface("eth0", link, mac);
            s.addIpv4(eth0, cidr, now());
            stacks.add(s);
            links.add(link);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Impairs the link switch -> the stack's port (what the stack receives); null removes it. */
    public void impair(Stack s, Impairment imp) {
        EmbeddedPlug p = (EmbeddedPlug) links.get(stacks.indexOf(s)).plug();
        p.impair(imp);
    }

    public long now() {
        return ticker.nanoTime();
    }

    /** Polls every stack until idle, delivering socket events to {@link StackDriver.Handler} attachments. */
    public void settle() {
        long now = now();
        for (int round = 0; round < 100_000; round++) {
            int work = 0;
            for (Stack s : stacks) {
                work += s.poll(now);
                StackSocket sock;
                while ((sock = s.nextReady()) != null) {
                    int ev = sock.takeEvents();
                    if (sock.attachment() instanceof StackDriver.Handler h) {
                        h.onEvents(sock, ev, now);
                        work++;
                    }
                }
            }
            if (work == 0 && nextDeadline() > now) {
                return;
            }
        }
        throw new AssertionError("the simulation does not settle at " + now);
    }

    private long nextDeadline() {
        long d = Long.MAX_VALUE;
        for (Stack s : stacks) {
            d = Math.min(d, s.nextDeadline());
        }
        for (VdeLink l : links) {
            d = Math.min(d, l.nextDeadlineNanos());
        }
        return d;
    }

    /** Runs the simulation up to absolute time {@code t}. */
    public void runUntil(long t) {
        settle();
        while (true) {
            long next = nextDeadline();
            if (next > t) {
                break;
            }
            if (next > now()) {
                ticker.advance(next - now(), TimeUnit.NANOSECONDS);
            }
            settle();
        }
        if (t > now()) {
            ticker.advance(t - now(), TimeUnit.NANOSECONDS);
        }
        settle();
    }

    @Override
    public void close() {
        for (Stack s : stacks) {
            s.close();
        }
    }
}
