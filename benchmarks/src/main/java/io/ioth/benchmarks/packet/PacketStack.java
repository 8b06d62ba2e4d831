package io.ioth.benchmarks.packet;

import io.ioth.tcpip.Stack;
import io.ioth.tcpip.iface.NeighborCache;
import io.ioth.tcpip.iface.NetInterface;
import io.ioth.tcpip.iface.StackConfig;
import io.ioth.tcpip.stats.Counter;

/**
 * The stack the packet benchmarks drive, on the benchmark thread (its owner, as an event loop would
 * be): host B of {@link Frames} (eth0 02:00:00:00:00:0b, 10.0.0.2/24) on a {@link ReplayLink},
 * in simulated time that advances {@link #POLL_NANOS} per poll, with the peer A already resolved.
 *
 * <p>The peer's neighbour entry is made REACHABLE for the whole run (an upper-layer confirmation
 * with a BaseReachableTime of decades): with the default 30 s it would go STALE and then be probed
 * (RFC 4861 §7.3.3, as Linux does for ARP), and the replay never answers a probe. Neighbour upkeep
 * is a timer event every tens of seconds, not per-packet work; {@link #checkSteady()} proves none
 * happened while measuring (no ARP request sent, nothing dropped).
 */
final class PacketStack implements AutoCloseable {
    /** Simulated time per poll: timers are checked as in a real loop, without a clock read. */
    static final long POLL_NANOS = 1_000;

    final ReplayLink link = new ReplayLink(1514);
    final Stack stack;
    final NetInterface eth0;
    long now;
    private final long arpRequestsAtStart, dropsAtStart;

    /** @param ingressBatch frames the stack reads per poll ({@link StackConfig.Builder#ingressBatch}) */
    PacketStack(int ingressBatch) {
        stack = Stack.create(StackConfig.builder().name("bench").seed(1).arpAnnounce(0, 1_000_000_000L)
                .ingressBatch(ingressBatch).build(), now);
        eth0 = stack.addInterface("eth0", link, Frames.MAC_B);
        NeighborCache<?> nc = eth0.neighbors();
        nc.setBaseReachableTime(Long.MAX_VALUE / 4, now);
        stack.addIpv4(eth0, Frames.IP_B, 24, now);
        // A asks for B: B learns A's MAC from the request (RFC 826 merge), answers, and A is confirmed
        link.replay(Frames.arpRequest());
        stack.pollIngress(now);
        link.replay(null);
        stack.poll(now);
        long a = Frames.IP_A & 0xffff_ffffL; // the cache's IPv4 key (NeighborCache.resolve4)
        nc.confirmReachable(NeighborCache.FAMILY_IPV4, 0L, a, now);
        if (nc.state(NeighborCache.FAMILY_IPV4, 0L, a, now) != NeighborCache.State.REACHABLE
                || nc.lladdr(NeighborCache.FAMILY_IPV4, 0L, a) != Frames.MAC_A) {
            throw new IllegalStateException("10.0.0.1 not resolved: "
                    + nc.state(NeighborCache.FAMILY_IPV4, 0L, a, now));
        }
        arpRequestsAtStart = stack.stats().get(Counter.ARP_OUT_REQUESTS);
        dropsAtStart = stack.stats().totalDrops();
    }

    /** One round of the loop: ingress (a batch per link), timers, egress. */
    int poll() {
        return stack.poll(now += POLL_NANOS);
    }

    /** Throws if the stack dropped anything or had to resolve A again since set-up. */
    void checkSteady() {
        long arp = stack.stats().get(Counter.ARP_OUT_REQUESTS) - arpRequestsAtStart;
        if (arp != 0 || stack.stats().totalDrops() != dropsAtStart) {
            throw new IllegalStateException("not a steady state: " + arp + " ARP requests sent, "
                    + (stack.stats().totalDrops() - dropsAtStart) + " drops: " + stack.stats());
        }
    }

    @Override
    public void close() {
        stack.close();
    }
}
