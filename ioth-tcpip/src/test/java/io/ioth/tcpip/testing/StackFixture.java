package io.ioth.tcpip.testing;

import io.ioth.tcpip.Stack;
import io.ioth.tcpip.iface.NetInterface;
import io.ioth.tcpip.iface.StackConfig;
import io.ioth.tcpip.socket.StackSocket;
import io.ioth.tcpip.stats.DropReason;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.MacAddr;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One stack on a {@link TraceLink}, in simulated time, set up like host B of the golden captures
 * ({@code io.ioth.tcpip.wire.Captures}): eth0 02:00:00:00:00:0b, 10.0.0.2/24; the peer A is 02:00:00:00:00:0a,
 * 10.0.0.1.
 */
public final class StackFixture implements AutoCloseable {
    public static final long MAC_A = MacAddr.parse("02:00:00:00:00:0a");
    public static final long MAC_B = MacAddr.parse("02:00:00:00:00:0b");
    public static final int IP_A = Ipv4Addr.parse("10.0.0.1");
    public static final int IP_B = Ipv4Addr.parse("10.0.0.2");
    public static final long SEC = 1_000_000_000L;
    public static final long MS = 1_000_000L;

    public final TraceLink link;
    public final Stack stack;
    public final NetInterface eth0;
    public long now;

    /** Seeded, and one ARP announcement only (so the second one, 2 s later, does not show in every trace). */
    public StackFixture() {
        this(StackConfig.builder().name("B").seed(1).arpAnnounce(1, 2 * SEC));
    }

    public StackFixture(StackConfig.Builder config) {
        this(config, true);
    }

    /** @param addAddress add 10.0.0.2/24 and swallow the first gratuitous ARP */
    public StackFixture(StackConfig.Builder config, boolean addAddress) {
        link = new TraceLink();
        stack = Stack.create(config.build(), now);
        eth0 = stack.addInterface("eth0", link, MAC_B);
        if (addAddress) {
            stack.addIpv4(eth0, IP_B, 24, now);
            link.takeAll();
        }
    }

    /** One poll at {@code t}. */
    public void at(long t) {
        now = t;
        stack.poll(t);
    }

    /** Polls at {@code t} until the stack has nothing due now (loopback traffic, due timers). */
    public void settle(long t) {
        now = t;
        for (int i = 0; i < 100; i++) {
            stack.poll(t);
            if (stack.nextDeadline() > t) {
                return;
            }
        }
        throw new AssertionError("stack does not settle at " + t);
    }

    /** Injects a frame and settles. */
    public void receive(byte[] frame) {
        link.inject(frame);
        settle(now);
    }

    /** The sockets with events, drained. */
    public List<StackSocket> ready() {
        List<StackSocket> l = new ArrayList<>();
        StackSocket s;
        while ((s = stack.nextReady()) != null) {
            l.add(s);
        }
        return l;
    }

    public long drops(DropReason r) {
        return stack.stats().drops(r);
    }

    /** Asserts exactly one drop happened since {@code before} (a {@code totalDrops()} value), for {@code r}. */
    public void assertOnlyDrop(long before, DropReason r) {
        assertEquals(1, stack.stats().totalDrops() - before, "drops: " + stack.stats());
        assertEquals(1, drops(r), "expected " + r + ": " + stack.stats());
    }

    @Override
    public void close() {
        stack.close();
    }
}
