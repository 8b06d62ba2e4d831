package io.ioth.benchmarks;

import io.ioth.transport.IothEventLoopGroup;
import io.ioth.transport.IothIdentity;
import io.ioth.transport.IothIoHandler;
import io.ioth.transport.IothServerSocketChannel;
import io.ioth.transport.IothSocketChannel;
import io.ioth.vde.testing.NetNs;
import io.ioth.vde.testing.VdeSwitchProcess;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * IoTh and the Linux kernel across one real {@code vde_switch}, as the project's targets are stated: a kernel end is
 * Netty's NIO transport whose sockets live in a network namespace of their own, reaching the switch through a tap
 * ({@code vde_plug vde://SWITCH tap://tap0} inside the namespace); an IoTh end is a stack plugged into the same switch
 * ({@code vde://}). The names read client-to-server, and the bulk benchmark's data flows that way:
 * <ul>
 *   <li>{@code ioth-linux}: an IoTh client sends to a Linux server (Linux downloading from the stack);</li>
 *   <li>{@code linux-ioth}: a Linux client sends to an IoTh server (Linux uploading to the stack);</li>
 *   <li>{@code linux-linux}: both ends are kernels in two namespaces, the baseline over the same switch;</li>
 *   <li>{@code ioth-linux-loss1}, {@code linux-linux-loss1}: the same with VDE's {@code wirefilter -l 1} between the
 *       switch and the server's tap instead of {@code vde_plug}: 1 % of the frames lost each way (the project's target
 *       "at 1 % loss at least Linux's own figure").</li>
 * </ul>
 *
 * <p>How a kernel end is made: a Netty channel's socket is opened in its constructor, on the thread that calls
 * {@code bind}/{@code connect}; here the channel factory constructs it on a thread that has {@code setns(2)}'d into the
 * namespace ({@link NetNs#inside}), so the socket (and every socket a listener accepts) lives there, while the channel
 * is registered and runs on an ordinary NIO event loop of this JVM. The IoTh and NIO code on top is the benchmarks'
 * own, unchanged.
 *
 * <p>The kernels keep their default congestion control, which a namespace inherits from the host (BBR on our CI
 * machines, CUBIC on most others; tear-down prints it). It cannot be pinned here: a namespace may only select an
 * algorithm the host lists in {@code tcp_allowed_congestion_control}, and NIO has no per-socket {@code TCP_CONGESTION}.
 * The stack sends with CUBIC, its default. MTU 1500 everywhere (vde_switch
 * carries frames up to 1518 bytes); the taps have no offloads (vde_plug opens them without a virtio-net header), so
 * the kernel sends MSS-sized segments as the stack does.
 *
 * <p>Needs root, {@code vde_switch}, {@code vde_plug} and {@code ip} ({@link Suite#NEEDS}); every process it starts is
 * stopped by pid and the namespaces are deleted by {@link #close()}.
 */
final class LinuxBenchTransport implements BenchTransport {
    static final String IOTH_TO_LINUX = "ioth-linux";
    static final String LINUX_TO_IOTH = "linux-ioth";
    static final String LINUX_TO_LINUX = "linux-linux";
    /** The suffix of a variant with 1 % loss each way between the switch and the server's tap. */
    static final String LOSS1 = "-loss1";
    /** Addresses on the benchmark's own switch: IoTh end .1, client namespace .2, server namespace .3. */
    private static final String IOTH_IP = "10.78.0.1", CLIENT_NS_IP = "10.78.0.2", SERVER_NS_IP = "10.78.0.3";

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final VdeSwitchProcess sw;
    private final NetNs clientNs, serverNs;
    private final EventLoopGroup serverGroup;
    private final IothIdentity clientIdentity;
    private final String serverIp;

    LinuxBenchTransport(String name) {
        boolean lossy = name.endsWith(LOSS1);
        String base = lossy ? name.substring(0, name.length() - LOSS1.length()) : name;
        boolean clientLinux = base.startsWith("linux-");
        boolean serverLinux = base.endsWith("-linux");
        try {
            sw = own(VdeSwitchProcess.start());
            clientNs = clientLinux ? kernel(CLIENT_NS_IP, null) : null;
            serverNs = serverLinux ? kernel(SERVER_NS_IP, lossy ? new String[] {"-l", "1"} : null) : null;
            if (serverLinux) {
                serverIp = SERVER_NS_IP;
                serverGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            } else {
                serverIp = IOTH_IP;
                serverGroup = new IothEventLoopGroup(ioth(IOTH_IP)); // on the wire when this returns
            }
            clientIdentity = clientLinux ? null : ioth(IOTH_IP);
        } catch (RuntimeException | Error e) {
            closeResources();
            throw e;
        }
    }

    /**
     * A namespace with a tap on the switch, addressed {@code ip/24}: joined by {@code vde_plug}, or with
     * {@code wirefilterArgs} by {@code wirefilter -v SWITCHDIR:tap://tap0 ARGS} (run inside the namespace, stopped by
     * pid with it).
     */
    private NetNs kernel(String ip, String[] wirefilterArgs) {
        NetNs ns = own(NetNs.create());
        if (wirefilterArgs == null) {
            ns.tap("tap0", sw.vnl());
        } else {
            ns.exec("ip", "tuntap", "add", "dev", "tap0", "mode", "tap").check("tuntap add");
            ns.exec("ip", "link", "set", "tap0", "up").check("link up");
            List<String> cmd = new ArrayList<>(List.of("wirefilter", "-v", sw.dir() + ":tap://tap0"));
            cmd.addAll(List.of(wirefilterArgs));
            var wf = ns.spawn(cmd.toArray(String[]::new));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (ns.exec("ip", "link", "show", "tap0").out().contains("NO-CARRIER")) {
                if (!wf.isAlive() || System.nanoTime() > end) {
                    throw new IllegalStateException("wirefilter did not attach: " + wf.output());
                }
            }
        }
        ns.exec("ip", "addr", "add", ip + "/24", "dev", "tap0").check("addr add " + ip);
        return ns;
    }

    private IothIdentity ioth(String ip) {
        return IothIdentity.parse("vnl=" + sw.vnl() + ",eth,ip=" + ip + "/24");
    }

    private <T extends AutoCloseable> T own(T r) {
        resources.add(r);
        return r;
    }

    /** A channel made by {@code ctor} on a thread inside {@code ns}: its socket lives in the namespace. */
    private static <C extends Channel> C inside(NetNs ns, Callable<C> ctor) {
        try {
            return ns.inside(ctor);
        } catch (Exception e) {
            throw new IllegalStateException("cannot open a socket in " + ns + ": " + e, e);
        }
    }

    @Override
    public IoHandlerFactory clientIoHandlerFactory() {
        return clientNs != null ? NioIoHandler.newFactory() : IothIoHandler.newFactory(clientIdentity);
    }

    @Override
    public ServerBootstrap serverBootstrap() {
        ServerBootstrap b = new ServerBootstrap().group(serverGroup);
        return serverNs != null ? b.channelFactory(() -> inside(serverNs, NioServerSocketChannel::new))
                : b.channel(IothServerSocketChannel.class);
    }

    @Override
    public Bootstrap clientBootstrap(IoEventLoop loop) {
        Bootstrap b = new Bootstrap().group(loop);
        return clientNs != null ? b.channelFactory(() -> inside(clientNs, NioSocketChannel::new))
                : b.channel(IothSocketChannel.class);
    }

    @Override
    public SocketAddress serverBindAddress() {
        return new InetSocketAddress(serverIp, 0); // a literal: no resolver involved
    }

    /** For tear-down's line: the kernel ends' TCP counters of interest (retransmissions), the IoTh client's TCP_INFO. */
    String describe(Channel client) {
        StringBuilder b = new StringBuilder();
        for (NetNs ns : new NetNs[] {clientNs, serverNs}) {
            if (ns == null) continue;
            String cc = ns.exec("sysctl", "-n", "net.ipv4.tcp_congestion_control").out().strip();
            String out = ns.exec("nstat", "-az", "TcpRetransSegs", "TcpInSegs", "TcpOutSegs", "TcpExtTCPOFOQueue").out();
            b.append(ns == clientNs ? "client kernel (" : "server kernel (").append(cc).append("): ")
                    .append(out.replaceAll("#kernel", "").replaceAll(" 0\\.0", "").replaceAll("\\s+", " ").trim())
                    .append(", tap0 ").append(tapCounters(ns)).append("; ");
        }
        if (client instanceof IothSocketChannel c && c.isActive()) b.append("client ").append(c.tcpInfo());
        return b.toString();
    }

    /** {@code ip -s link show tap0}'s RX and TX packets and drops: where a frame was lost, if at the tap. */
    private static String tapCounters(NetNs ns) {
        String[] lines = ns.exec("ip", "-s", "link", "show", "tap0").out().split("\n");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i + 1 < lines.length; i++) {
            String head = lines[i].trim();
            if (head.startsWith("RX:") || head.startsWith("TX:")) {
                String[] v = lines[i + 1].trim().split("\\s+"); // bytes packets errors dropped ...
                if (v.length >= 4) b.append(head, 0, 2).append(' ').append(v[1]).append(" pkts ").append(v[3]).append(" dropped ");
            }
        }
        return b.toString().trim();
    }

    @Override
    public void close() {
        try {
            if (serverGroup != null) {
                serverGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
            }
        } finally {
            closeResources();
        }
    }

    /** Namespaces (their vde_plug processes by pid, taps, the namespace), then the switch; last made, first closed. */
    private void closeResources() {
        RuntimeException first = null;
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                if (first == null) first = new IllegalStateException("closing " + resources.get(i), e);
            }
        }
        resources.clear();
        if (first != null) throw first;
    }

    static boolean names(String transport) {
        String t = transport.toLowerCase(Locale.ROOT);
        if (t.endsWith(LOSS1)) t = t.substring(0, t.length() - LOSS1.length());
        return t.equals(IOTH_TO_LINUX) || t.equals(LINUX_TO_IOTH) || t.equals(LINUX_TO_LINUX);
    }
}
