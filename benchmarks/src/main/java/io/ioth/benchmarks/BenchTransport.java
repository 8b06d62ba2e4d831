package io.ioth.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandlerFactory;

import java.net.SocketAddress;

/**
 * A Netty transport under test, as the end-to-end benchmarks ({@link TcpBulkBenchmark},
 * {@link TcpEchoBenchmark}, {@link TcpConnectBenchmark}) need it: the same benchmark code runs on
 * every transport, selected by name through {@link #open(String)} from a JMH {@code @Param}.
 *
 * <p>Shape of every end-to-end benchmark: the <em>server</em> runs on an event loop group of its own
 * (one thread, its own stack for IoTh); the <em>client</em> runs on a {@link io.netty.channel.ManualIoEventLoop}
 * owned and driven by the JMH worker thread, so one operation (write, then run the loop until the
 * answer is in) has no thread hand-off on the client side, exactly as code running on an event loop
 * sees it. Both sides use the transport's defaults except where a benchmark sets a standard
 * {@code ChannelOption} (e.g. {@code TCP_NODELAY}) on both.
 *
 * <p>Thread contract: built and closed by the JMH worker thread (trial set-up / tear-down);
 * {@link #clientBootstrap} is used on the client loop's owner thread only.
 */
public interface BenchTransport extends AutoCloseable {

    /**
     * The transport a {@code @Param("transport")} value names: {@code nio} (the kernel over loopback), or
     * {@code ioth-<mtu>} (IoTh &harr; IoTh over the embedded switch, both stacks with that interface MTU, e.g.
     * {@code ioth-1500}, {@code ioth-9000}), or {@code ioth-vde} (IoTh &harr; IoTh across a real {@code vde_switch}), or
     * {@code ioth-linux}, {@code linux-ioth}, {@code linux-linux} (client-server, IoTh and the Linux kernel in a
     * namespace through a tap, across a real {@code vde_switch}: {@link LinuxBenchTransport}). Add new transports here.
     */
    static BenchTransport open(String name) {
        if (name.equals("nio")) {
            return new NioBenchTransport();
        }
        if (LinuxBenchTransport.names(name)) {
            return new LinuxBenchTransport(name);
        }
        if (name.equals(IothBenchTransport.VDE)) {
            return IothBenchTransport.overRealSwitch();
        }
        if (name.startsWith(IothBenchTransport.PREFIX)) {
            int mtu;
            try {
                mtu = Integer.parseInt(name.substring(IothBenchTransport.PREFIX.length()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("transport '" + name + "': the MTU after 'ioth-' is not a number");
            }
            return new IothBenchTransport(mtu);
        }
        throw new IllegalArgumentException("unknown transport '" + name + "' (known: nio, ioth-<mtu>, ioth-vde, ioth-linux, linux-ioth, linux-linux)");
    }

    /** The handler factory for the client's ManualIoEventLoop (for IoTh: the client stack's identity). */
    IoHandlerFactory clientIoHandlerFactory();

    /** A server bootstrap with its group(s) and channel class set (the transport owns and shuts down the group). */
    ServerBootstrap serverBootstrap();

    /** A client bootstrap on {@code loop} (built from {@link #clientIoHandlerFactory()}), channel class set. */
    Bootstrap clientBootstrap(IoEventLoop loop);

    /** Where the server binds, port 0; clients connect to the bound channel's {@code localAddress()}. */
    SocketAddress serverBindAddress();

    /** Shuts the server group(s) down and waits (bounded); releases whatever the transport built. */
    @Override
    void close();
}
