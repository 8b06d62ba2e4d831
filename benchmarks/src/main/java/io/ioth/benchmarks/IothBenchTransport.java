package io.ioth.benchmarks;

import io.ioth.transport.IothEventLoopGroup;
import io.ioth.transport.IothIdentity;
import io.ioth.transport.IothIoHandler;
import io.ioth.transport.IothServerSocketChannel;
import io.ioth.transport.IothSocketChannel;
import io.ioth.vde.VdeOptions;
import io.ioth.vde.sw.EmbeddedSwitch;
import io.ioth.vde.testing.VdeSwitchProcess;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandlerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * IoTh &harr; IoTh: two user-space stacks, each on its own thread, plugged into one in-JVM embedded switch of
 * their own ({@code switch://ioth-bench-<pid>-<n>}, fresh per trial). The server runs on an
 * {@link IothEventLoopGroup} of one loop (identity {@code 10.77.0.1/24}); the client stack
 * ({@code 10.77.0.2/24}) is built by {@link #clientIoHandlerFactory()} for the benchmark thread's
 * {@link io.netty.channel.ManualIoEventLoop}. Frames cross the switch without a copy and without a system call
 * (hand-off through the receiving port's queue, a wake-up when that loop sleeps), so this measures the transport
 * and the engine, not a wire. Both interfaces get the MTU of the name ({@code ioth-1500}, {@code ioth-9000},
 * {@code ioth-65535}: {@link IothIdentity#withMtu}; the embedded switch carries any IP packet, so MTU 65535 is the
 * in-JVM counterpart of the kernel's loopback, whose MTU is 65536).
 *
 * <p>{@link #close()} shuts the server group down (its stack and switch port with it) and closes the switch; the
 * client stack goes with its loop ({@link ClientLoop#close()}, called by the benchmarks before this).
 */
final class IothBenchTransport implements BenchTransport {
    static final String PREFIX = "ioth-";
    private static final AtomicInteger TRIALS = new AtomicInteger();
    private static final byte[] SERVER_IP = {10, 77, 0, 1};
    /** Frames a switch port queues before it drops (see {@link #identity}). */
    static final int QUEUE_FRAMES = 4096;

    /** The transport over a real {@code vde_switch} (MTU 1500: vde_switch carries frames up to 1518 bytes). */
    static final String VDE = "ioth-vde";

    private final EmbeddedSwitch sw;
    private final VdeSwitchProcess daemon;
    private final IothEventLoopGroup serverGroup;
    private final IothIdentity clientIdentity;

    /**
     * IoTh &harr; IoTh across a real {@code vde_switch}: each frame crosses two AF_UNIX datagram hops and the switch
     * process, as between two programs on one host.
     */
    static IothBenchTransport overRealSwitch() {
        return new IothBenchTransport(VdeSwitchProcess.start()); // stopped by pid in close()
    }

    private IothBenchTransport(VdeSwitchProcess d) {
        sw = null;
        daemon = d;
        IothIdentity server = IothIdentity.parse("vnl=" + d.vnl() + ",eth,ip=10.77.0.1/24");
        clientIdentity = IothIdentity.parse("vnl=" + d.vnl() + ",eth,ip=10.77.0.2/24");
        try {
            serverGroup = new IothEventLoopGroup(server);
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
    }

    IothBenchTransport(int mtu) {
        daemon = null;
        String name = "ioth-bench-" + ProcessHandle.current().pid() + "-" + TRIALS.incrementAndGet();
        // held from here, so close() retires exactly this switch (a named switch otherwise lives until its last port)
        sw = EmbeddedSwitch.named(name, false);
        IothIdentity server = identity(name, "10.77.0.1", mtu);
        clientIdentity = identity(name, "10.77.0.2", mtu);
        try {
            serverGroup = new IothEventLoopGroup(server); // brings the stack up: on the wire when this returns
        } catch (RuntimeException e) {
            sw.close();
            throw e;
        }
    }

    /**
     * One side's identity. The embedded switch tail-drops a frame when the receiving port's input queue is full
     * ({@link VdeOptions#queueLimit()}, 1024 frames by default), and nothing in the JVM slows the sender down
     * before that: CUBIC grows the window until the queue overflows. What is in flight is bounded by the send buffer
     * ({@code TcpConfig} auto-tunes it up to 4 MiB: about 2,900 segments at MTU 1500), so a 4096-frame queue never
     * drops here, as kernel loopback does not: the benchmark measures the transport, not loss recovery on an
     * in-JVM queue (ImpairedLink is the tool for that).
     */
    private static IothIdentity identity(String switchName, String ip, int mtu) {
        return IothIdentity.parse("vnl=switch://" + switchName + ",eth,ip=" + ip + "/24").withMtu(mtu)
                .withVdeOptions(VdeOptions.defaults().withQueueLimit(QUEUE_FRAMES).withDescription("bench " + ip));
    }

    @Override
    public IoHandlerFactory clientIoHandlerFactory() {
        return IothIoHandler.newFactory(clientIdentity);
    }

    @Override
    public ServerBootstrap serverBootstrap() {
        // one group for parent and children: an accepted child lives on its listener's stack
        return new ServerBootstrap().group(serverGroup).channel(IothServerSocketChannel.class);
    }

    @Override
    public Bootstrap clientBootstrap(IoEventLoop loop) {
        return new Bootstrap().group(loop).channel(IothSocketChannel.class);
    }

    @Override
    public SocketAddress serverBindAddress() {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(SERVER_IP), 0); // no resolver involved
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // four bytes are always an address
        }
    }

    /** The switch's counters and, for an IoTh channel, its TCP_INFO: what tear-down prints to explain a figure. */
    String describe(io.netty.channel.Channel client) {
        String info = client instanceof IothSocketChannel c && c.isActive() ? String.valueOf(c.tcpInfo()) : "-";
        return (sw != null ? sw.stats() : daemon.vnl()) + "; client " + info;
    }

    @Override
    public void close() {
        try {
            serverGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        } finally {
            if (sw != null) {
                sw.close();
            } else {
                daemon.close();
            }
        }
    }
}
