package io.ioth.tcpip;

import io.ioth.tcpip.iface.NetInterface;
import io.ioth.tcpip.iface.StackConfig;
import io.ioth.tcpip.socket.StackSocket;
import io.ioth.tcpip.socket.udp.DatagramInfo;
import io.ioth.tcpip.socket.udp.UdpSocket;
import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.testing.Ipv6Captures;
import io.ioth.tcpip.wire.GoldenFrames;
import io.ioth.tcpip.wire.MacAddr;
import io.netty.buffer.ByteBuf;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.Test;

import static io.ioth.tcpip.SteadyStateAllocationTest.BATCH;
import static io.ioth.tcpip.SteadyStateAllocationTest.MEASURED;
import static io.ioth.tcpip.SteadyStateAllocationTest.WARMUP;
import static io.ioth.tcpip.SteadyStateAllocationTest.allocated;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SteadyStateAllocationTest} for IPv6: heap bytes per ICMPv6 echo answered and per UDP-over-IPv6 datagram
 * received, on a FastThreadLocalThread, leak detector off while measuring.
 */
class SteadyStateAllocation6Test {

    private static double bytesPerPacket(byte[] frame, Runnable afterPoll, Stack stack,
                                         SteadyStateAllocationTest.ReplayLink link) {
        double[] result = new double[1];
        RuntimeException[] failure = new RuntimeException[1];
        Thread t = new io.netty.util.concurrent.FastThreadLocalThread(() -> {
            link.frame = frame;
            ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
            try {
                long now = 0;
                for (int i = 0; i < WARMUP / BATCH; i++) {
                    stack.poll(now += 1000);
                    afterPoll.run();
                }
                long before = allocated();
                for (int i = 0; i < MEASURED / BATCH; i++) {
                    stack.poll(now += 1000);
                    afterPoll.run();
                }
                result[0] = (allocated() - before) / (double) (MEASURED / BATCH * BATCH);
            } catch (RuntimeException e) {
                failure[0] = e;
            } finally {
                ResourceLeakDetector.setLevel(level);
            }
        });
        t.start();
        try {
            t.join(60_000);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        return result[0];
    }

    /** fd00::2/64 usable at once (no DAD), A (fd00::1) learned from its solicitation. */
    private static Stack stack(SteadyStateAllocationTest.ReplayLink link) {
        Stack s = Stack.create(StackConfig.builder().seed(1).arpAnnounce(0, 1).dad(0, 1).unsolicitedNa(0, 1)
                .mld(1, 1).ingressBatch(BATCH).build(), 0);
        NetInterface eth0 = s.addInterface("eth0", link, MacAddr.parse("02:00:00:00:00:0b"));
        s.addIpv6(eth0, "fd00::2/64", 0);
        link.frame = Ipv6Captures.nsForB();
        s.poll(0);
        return s;
    }

    @Test
    void icmpv6EchoReply_allocatesNothingPerPacket() {
        SteadyStateAllocationTest.ReplayLink link = new SteadyStateAllocationTest.ReplayLink();
        try (Stack s = stack(link)) {
            double b = bytesPerPacket(Ipv6Captures.echoRequest(), () -> { }, s, link);
            assertEquals(WARMUP / BATCH * BATCH + MEASURED / BATCH * BATCH,
                    s.stats().get(Counter.ICMP6_OUT_ECHO_REPS_IN_PLACE));
            assertTrue(b < 1.0, "bytes per echo: " + b);
            System.out.printf("ICMPv6 echo request -> reply: %.3f B/packet%n", b);
        }
    }

    @Test
    void udp6Receive_allocatesNothingPerDatagram() {
        SteadyStateAllocationTest.ReplayLink link = new SteadyStateAllocationTest.ReplayLink();
        try (Stack s = stack(link)) {
            UdpSocket sock = s.openUdp();
            sock.bind(0L, 0L, 5000);
            DatagramInfo info = new DatagramInfo();
            Runnable drain = () -> {
                StackSocket r;
                while ((r = s.nextReady()) != null) {
                    r.takeEvents();
                    ByteBuf d;
                    while ((d = sock.receive(info)) != null) {
                        d.release();
                    }
                }
            };
            double b = bytesPerPacket(GoldenFrames.all().get("UDP6"), drain, s, link);
            assertEquals(0, s.stats().totalDrops(), s.stats().toString());
            assertTrue(b < 1.0, "bytes per datagram: " + b);
            System.out.printf("UDP/IPv6 datagram -> socket -> application: %.3f B/packet%n", b);
        }
    }
}
