package io.ioth.benchmarks.packet;

import io.ioth.tcpip.Stack;
import io.ioth.tcpip.iface.NeighborCache;
import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.iface.NetInterface;
import io.ioth.tcpip.iface.StackConfig;
import io.ioth.tcpip.socket.StackSocket;
import io.ioth.tcpip.socket.tcp.TcpConfig;
import io.ioth.tcpip.socket.tcp.TcpListener;
import io.ioth.tcpip.socket.tcp.TcpSocket;
import io.ioth.tcpip.socket.tcp.TcpState;
import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.wire.TcpPacket;
import io.netty.buffer.ByteBuf;

/**
 * The TCP packet benchmarks' set-up: host B of {@link Frames} (the stack measured, on the benchmark
 * thread, in simulated time advancing {@link #POLL_NANOS} per poll) on a {@link SegmentLink}, with
 * A resolved and kept REACHABLE (as {@link PacketStack}), a listener on port {@value #PORT}, and
 * the peer A played by hand: {@link #connect} runs a three-way handshake with crafted segments
 * (Linux's SYN options: MSS, SACK permitted, timestamps, window scale) and returns the accepted
 * connection with A's side of the sequence space, so a benchmark can keep feeding valid segments.
 */
final class TcpPeer implements AutoCloseable {
    static final long POLL_NANOS = 1_000;
    static final int PORT = 5001;

    /** One connection: B's socket and what A knows of the sequence spaces (RFC 9293 §3.3.1 names, A's view). */
    static final class Conn {
        final int port;
        final TcpSocket socket;
        /** A's SND.NXT: the sequence number of A's next byte. */
        int sndNxt;
        /** A's RCV.NXT: B's next sequence number (B's ISS + 1 after the handshake). */
        int rcvNxt;

        Conn(int port, TcpSocket socket, int sndNxt, int rcvNxt) {
            this.port = port;
            this.socket = socket;
            this.sndNxt = sndNxt;
            this.rcvNxt = rcvNxt;
        }
    }

    final SegmentLink link = new SegmentLink(1514);
    final Stack stack;
    final NetInterface eth0;
    final TcpListener listener;
    long now = 1_000_000_000L;
    private final long arpRequestsAtStart, dropsAtStart, tcpDropsAtStart;

    /**
     * @param ingressBatch frames the stack reads per poll
     * @param tcp          B's TCP configuration (a fixed secret keeps runs alike)
     * @param backlog      the listener's backlog (connections set up before the first accept)
     */
    TcpPeer(int ingressBatch, TcpConfig tcp, int backlog) {
        stack = Stack.create(StackConfig.builder().name("bench").seed(1).arpAnnounce(0, 1_000_000_000L)
                .ingressBatch(ingressBatch).build(), tcp, now);
        eth0 = stack.addInterface("eth0", link, Frames.MAC_B);
        NeighborCache<?> nc = eth0.neighbors();
        nc.setBaseReachableTime(Long.MAX_VALUE / 4, now);
        stack.addIpv4(eth0, Frames.IP_B, 24, now);
        link.inject(direct(Frames.arpRequest()));
        stack.poll(now);
        long a = Frames.IP_A & 0xffff_ffffL; // the cache's IPv4 key (NeighborCache.resolve4)
        nc.confirmReachable(NeighborCache.FAMILY_IPV4, 0L, a, now);
        if (nc.state(NeighborCache.FAMILY_IPV4, 0L, a, now) != NeighborCache.State.REACHABLE) {
            throw new IllegalStateException("10.0.0.1 not resolved");
        }
        listener = stack.openTcpListener();
        check(listener.bind(0, 0, PORT), "bind");
        check(listener.listen(backlog), "listen");
        drainReady();
        arpRequestsAtStart = stack.stats().get(Counter.ARP_OUT_REQUESTS);
        dropsAtStart = stack.stats().totalDrops();
        tcpDropsAtStart = stack.tcpStats().totalDrops();
    }

    /** A's timestamp clock (RFC 7323 §5.4: 1 ms per tick), from the simulated time. */
    int tsA() {
        return 7_000 + (int) (now / 1_000_000);
    }

    /**
     * A connects from {@code port}: SYN, B's SYN-ACK (checked), ACK advertising {@code window}
     * (scaled by {@link TcpFrames#WSCALE}), accept.
     */
    Conn connect(int port, int window) {
        int isn = 0x1000_0000 + port * 0x1_0000;
        link.captureNext();
        link.inject(TcpFrames.syn(port, PORT, isn, tsA()));
        poll();
        byte[] f = link.captured();
        if (f == null || link.lastFlags != (TcpPacket.SYN | TcpPacket.ACK_FLAG) || link.lastAck != isn + 1) {
            throw new IllegalStateException("no SYN-ACK from B for port " + port + ": flags 0x"
                    + Integer.toHexString(link.lastFlags) + " " + stack.tcpStats());
        }
        int iss = link.lastSeq;
        link.inject(TcpFrames.segment(port, PORT, isn + 1, iss + 1, TcpPacket.ACK_FLAG, window, tsA(),
                link.lastTsVal, 0));
        poll();
        TcpSocket s = listener.accept();
        if (s == null || s.state() != TcpState.ESTABLISHED || s.remotePort() != port) {
            throw new IllegalStateException("not accepted: " + s + " " + stack.tcpStats());
        }
        drainReady();
        return new Conn(port, s, isn + 1, iss + 1);
    }

    /**
     * The application's write: offers {@code chunk}'s bytes (a retained duplicate: the same memory each
     * time, no copy) to {@code s} while it has send space; the socket keeps retained slices. @return bytes taken
     */
    static int topUp(TcpSocket s, ByteBuf chunk) {
        int taken = 0;
        while (s.sendSpace() > 0) {
            ByteBuf d = chunk.retainedDuplicate();
            int n = s.send(d);
            d.release();
            if (n <= 0) break;
            taken += n;
        }
        return taken;
    }

    /** One round of the loop: ingress (a batch), timers, egress. */
    int poll() {
        return stack.poll(now += POLL_NANOS);
    }

    /** Takes the events of every ready socket, as an event loop does after a poll. */
    void drainReady() {
        StackSocket r;
        while ((r = stack.nextReady()) != null) r.takeEvents();
    }

    /** Throws if anything was dropped (stack or TCP) or A had to be resolved again since set-up. */
    void checkSteady() {
        long arp = stack.stats().get(Counter.ARP_OUT_REQUESTS) - arpRequestsAtStart;
        if (arp != 0 || stack.stats().totalDrops() != dropsAtStart || stack.tcpStats().totalDrops() != tcpDropsAtStart) {
            throw new IllegalStateException("not a steady state: " + arp + " ARP requests sent, "
                    + (stack.stats().totalDrops() - dropsAtStart) + " drops: " + stack.stats() + " TCP: "
                    + stack.tcpStats());
        }
    }

    private static ByteBuf direct(byte[] frame) {
        return io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(frame.length).writeBytes(frame);
    }

    static void check(int r, String what) {
        if (r != NetError.OK) throw new IllegalStateException(what + ": " + NetError.name(r));
    }

    @Override
    public void close() {
        stack.close();
    }
}
