package io.ioth.tcpip;

import io.ioth.tcpip.iface.NetInterface;
import io.ioth.tcpip.iface.StackConfig;
import io.ioth.tcpip.link.FrameLink;
import io.ioth.tcpip.socket.StackSocket;
import io.ioth.tcpip.socket.udp.DatagramInfo;
import io.ioth.tcpip.socket.udp.UdpSocket;
import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.wire.GoldenFrames;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.MacAddr;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "No allocation per packet in steady state" (issue 3, style.md §3 principle 8): the heap bytes the owner thread
 * allocates while the stack answers ICMP echo requests and receives UDP datagrams, measured with
 * {@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes} (style.md §4.8). The link hands out pooled
 * frames and releases what is sent, like a VDE plug; Netty's leak detector is switched off while measuring (its
 * trackers allocate by design).
 */
class SteadyStateAllocationTest {
    static final int WARMUP = 50_000;
    static final int MEASURED = 200_000;
    static final int BATCH = 16;

    /** Replays one frame forever; transmitted frames are released at once. */
    static final class ReplayLink implements FrameLink {
        final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        byte[] frame;
        long sent;

        @Override
        public int receive(FrameSink sink, int maxFrames) {
            for (int i = 0; i < maxFrames; i++) {
                ByteBuf b = alloc.directBuffer(frame.length);
                b.writeBytes(frame);
                sink.onFrame(b);
            }
            return maxFrames;
        }

        @Override
        public boolean transmit(ByteBuf f) {
            sent++;
            f.release();
            return true;
        }

        @Override
        public int maxFrameSize() {
            return 1514;
        }

        @Override
        public ByteBufAllocator allocator() {
            return alloc;
        }
    }

    static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /** Runs on a FastThreadLocalThread, as in a Netty event loop: Netty's recyclers and pool thread caches only
     * avoid allocation there. */
    private static double bytesPerPacket(byte[] frame, Runnable afterPoll, Stack stack, ReplayLink link) {
        double[] result = new double[1];
        RuntimeException[] failure = new RuntimeException[1];
        Thread t = new io.netty.util.concurrent.FastThreadLocalThread(() -> {
            try {
                result[0] = measure(frame, afterPoll, stack, link);
            } catch (RuntimeException e) {
                failure[0] = e;
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

    private static double measure(byte[] frame, Runnable afterPoll, Stack stack, ReplayLink link) {
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
            return (allocated() - before) / (double) (MEASURED / BATCH * BATCH);
        } finally {
            ResourceLeakDetector.setLevel(level);
        }
    }

    private static Stack stack(ReplayLink link) {
        // Batches of 16: Netty's Recycler allocates a queue chunk whenever more than io.netty.recycler.chunkSize
        // (32) pooled buffers are recycled in one burst (seen with JFR: Recycler$LocalPool.release ->
        // MpscChunkedArrayQueue.resize); that is Netty's, for any transport, and not what is measured here.
        Stack s = Stack.create(StackConfig.builder().seed(1).arpAnnounce(0, 1).ingressBatch(BATCH).build(), 0);
        NetInterface eth0 = s.addInterface("eth0", link, MacAddr.parse("02:00:00:00:00:0b"));
        s.addIpv4(eth0, Ipv4Addr.parse("10.0.0.2"), 24, 0);
        link.frame = GoldenFrames.arpRequest();
        s.poll(0); // learn 10.0.0.1
        return s;
    }

    @Test
    void icmpEchoReply_allocatesNothingPerPacket() {
        ReplayLink link = new ReplayLink();
        try (Stack s = stack(link)) {
            double b = bytesPerPacket(GoldenFrames.icmp4EchoRequest(), () -> { }, s, link);
            assertEquals(WARMUP / BATCH * BATCH + MEASURED / BATCH * BATCH,
                    s.stats().get(Counter.ICMP4_OUT_ECHO_REPS_IN_PLACE));
            assertTrue(b < 1.0, "bytes per echo: " + b);
            System.out.printf("ICMP echo request -> reply: %.3f B/packet%n", b);
        }
    }

    @Test
    void udpReceive_allocatesNothingPerDatagram() {
        ReplayLink link = new ReplayLink();
        try (Stack s = stack(link)) {
            UdpSocket sock = s.openUdp();
            sock.bind(0, 5000);
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
            double b = bytesPerPacket(GoldenFrames.all().get("UDP4"), drain, s, link);
            assertEquals(0, s.stats().totalDrops(), s.stats().toString());
            assertTrue(b < 1.0, "bytes per datagram: " + b);
            System.out.printf("UDP datagram -> socket -> application: %.3f B/packet%n", b);
        }
    }
}
