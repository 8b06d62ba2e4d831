package io.ioth.transport;

import io.ioth.tcpip.Stack;
import io.ioth.tcpip.iface.IpAddr;
import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.socket.StackSocket;
import io.ioth.tcpip.socket.tcp.TcpListener;
import io.ioth.tcpip.socket.tcp.TcpSocket;
import io.ioth.transport.internal.NetErrors;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.util.UncheckedBooleanSupplier;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.UnresolvedAddressException;
import java.util.function.Consumer;

/**
 * A TCP {@link ServerSocketChannel} on the stack of its event loop: a {@link TcpListener} with a real backlog (SYN
 * queue with SYN cookies, accept queue), whose accepted connections become {@link IothSocketChannel}s.
 *
 * <pre>{@code
 * EventLoopGroup group = new IothEventLoopGroup("vnl=vde:///tmp/sw,eth,ip=10.0.0.2/24");
 * new ServerBootstrap().group(group).channel(IothServerSocketChannel.class)   // one group: parent = children
 *         .childHandler(new HttpServerInitializer()).bind(80).sync();
 * }</pre>
 *
 * <h2>Threading model</h2>
 * The accepted connection's socket is in the listener's stack, which only the listener's loop may touch; the child
 * channel is therefore created on that loop and can only be registered there. {@link IothEventLoopGroup} routes the
 * registration of such a child to its home loop whatever {@code next()} would pick; with a child group that does
 * not contain the listener's loop (another group, or a plain {@code MultiThreadIoEventLoopGroup} of several Ioth
 * loops) the child's {@code isCompatible} refuses the foreign loop, the registration fails and Netty's acceptor
 * closes the child (its socket is aborted on its own loop). Use {@code ServerBootstrap.group(iothGroup)} (parent =
 * children). One identity = one loop = one stack: more cores need more identities (more addresses), each with its
 * listener.
 *
 * <p>Accepting: one accept per message, up to {@code maxMessagesPerRead} per readiness event (Netty's
 * {@code ServerChannelRecvByteBufAllocator}); the listener says exactly whether more are queued.
 */
public final class IothServerSocketChannel extends AbstractIothChannel implements ServerSocketChannel {
    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);

    private final IothServerSocketChannelConfig config;
    private final UncheckedBooleanSupplier moreQueued =
            () -> this.listener != null && this.listener.acceptQueueLength() > 0;
    private TcpListener listener;
    private volatile boolean open = true;
    private volatile InetSocketAddress local;

    public IothServerSocketChannel() {
        super(null);
        config = new IothServerSocketChannelConfig(this);
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    public IothServerSocketChannelConfig config() {
        return config;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isActive() {
        return open && local != null;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) super.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return null;
    }

    @Override
    protected SocketAddress localAddress0() {
        return local;
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return null;
    }

    // ================================================================ socket

    @Override
    protected StackSocket openSocket(final Stack stack, final long now) {
        final TcpListener l = stack.openTcpListener();
        try {
            config.applyTo(l);
        } catch (RuntimeException e) {
            l.close(now);
            throw e;
        }
        listener = l;
        return l;
    }

    @Override
    protected StackSocket socket() {
        return listener;
    }

    @Override
    protected int readyOps() {
        final TcpListener l = listener;
        if (l == null || !open) {
            return 0;
        }
        return l.acceptQueueLength() > 0 ? IothIoOps.READ_BIT | IothIoOps.ACCEPT_BIT : 0;
    }

    void applyToListener(final Consumer<TcpListener> change) {
        EventLoop h = homeLoop();
        if (h == null) {
            if (!isRegistered()) {
                return; // applied by openSocket
            }
            h = eventLoop();
        }
        if (h.inEventLoop()) {
            if (listener != null && open) {
                change.accept(listener);
            }
        } else {
            h.execute(() -> {
                if (listener != null && open) {
                    change.accept(listener);
                }
            });
        }
    }

    // ================================================================ bind, close

    @Override
    protected void doBind(final SocketAddress localAddress) throws Exception {
        final InetSocketAddress a = (InetSocketAddress) localAddress;
        if (a.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        long hi = IpAddr.hiOf(a.getAddress());
        long lo = IpAddr.loOf(a.getAddress());
        if (a.getAddress().isAnyLocalAddress()) {
            // as the JDK's NIO on a dual-stack host: bind(port)'s 0.0.0.0 becomes ::, which takes IPv4 too
            hi = IpAddr.ANY_HI;
            lo = IpAddr.ANY_LO;
        }
        int r = listener.bind(hi, lo, a.getPort());
        if (r == NetError.OK) {
            r = listener.listen(Math.max(1, config.getBacklog()));
        }
        if (r != NetError.OK) {
            throw NetErrors.bind(r, a);
        }
        local = new InetSocketAddress(IpAddr.toInetAddress(listener.localHi(), listener.localLo()),
                listener.localPort());
    }

    @Override
    protected boolean doConnect(final SocketAddress remote, final SocketAddress localAddress) {
        throw new UnsupportedOperationException("a server channel does not connect");
    }

    @Override
    protected void doDisconnect() {
        throw new UnsupportedOperationException("a server channel does not disconnect");
    }

    @Override
    protected void doClose() throws Exception {
        final boolean wasOpen = open;
        open = false;
        super.doClose();
        final TcpListener l = listener;
        if (l == null || !wasOpen) {
            return;
        }
        final EventLoop h = homeLoop();
        if (h == null || h.inEventLoop()) {
            l.close(nanoTime()); // half-open connections dropped, queued ones reset (Linux inet_csk_listen_stop)
        } else {
            h.execute(() -> l.close(nanoTime()));
        }
    }

    // ================================================================ accept

    @Override
    protected void readReady() {
        final TcpListener l = listener;
        if (l == null || !open) {
            return;
        }
        final ChannelPipeline pipeline = pipeline();
        final RecvByteBufAllocator.Handle allocHandle = unsafe().recvBufAllocHandle();
        allocHandle.reset(config);
        final EventLoop home = eventLoop();
        Throwable failure = null;
        try {
            do {
                final TcpSocket s = l.accept();
                if (s == null) {
                    break;
                }
                final IothSocketChannel child;
                try {
                    child = new IothSocketChannel(this, home, s);
                } catch (Throwable t) {
                    s.abort(nanoTime());
                    throw t;
                }
                allocHandle.incMessagesRead(1);
                readPending = false;
                pipeline.fireChannelRead(child);
            } while (open && continueReading(allocHandle));
        } catch (Throwable t) {
            failure = t;
        }
        allocHandle.readComplete();
        pipeline.fireChannelReadComplete();
        if (failure != null) {
            pipeline.fireExceptionCaught(failure); // a server channel stays open (NIO: not an IOException here)
        }
        if (isOpen()) {
            readLoopDone();
        }
    }

    private boolean continueReading(final RecvByteBufAllocator.Handle allocHandle) {
        if (allocHandle instanceof RecvByteBufAllocator.ExtendedHandle e) {
            return e.continueReading(moreQueued);
        }
        return allocHandle.continueReading();
    }

    @Override
    protected void doWrite(final ChannelOutboundBuffer in) {
        throw new UnsupportedOperationException("a server channel does not write");
    }

    @Override
    protected Object filterOutboundMessage(final Object msg) {
        throw new UnsupportedOperationException("a server channel does not write");
    }

    // ================================================================ Unsafe

    @Override
    protected IothUnsafe newUnsafe() {
        return new ServerUnsafe();
    }

    private final class ServerUnsafe extends IothUnsafe {
    }
}
