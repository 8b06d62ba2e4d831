package io.ioth.transport;

import io.ioth.tcpip.Stack;
import io.ioth.tcpip.iface.IpAddr;
import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.socket.StackSocket;
import io.ioth.tcpip.socket.tcp.TcpInfo;
import io.ioth.tcpip.socket.tcp.TcpSocket;
import io.ioth.transport.internal.NetErrors;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.FileRegion;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.UncheckedBooleanSupplier;
import io.netty.util.internal.StringUtil;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.UnresolvedAddressException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A TCP {@link SocketChannel} on the stack of its event loop: a connection made by {@code connect} (a
 * {@code Bootstrap}) or accepted by an {@link IothServerSocketChannel}, with the semantics of Netty's NIO and epoll
 * socket channels.
 *
 * <pre>{@code
 * EventLoopGroup group = new IothEventLoopGroup("vnl=vde:///tmp/sw,eth,ip=10.0.0.2/24,gw=10.0.0.1");
 * Channel ch = new Bootstrap().group(group).channel(IothSocketChannel.class)
 *         .handler(new MyHandler()).connect("10.0.0.1", 80).sync().channel();
 * }</pre>
 *
 * <h2>Semantics</h2>
 * <ul>
 *   <li><b>Connect</b>: the SYN leaves in the loop's next egress phase; the CONNECT readiness completes the promise.
 *       {@code CONNECT_TIMEOUT_MILLIS} fails it with {@code ConnectTimeoutException} (and closes); cancelling the
 *       promise closes the channel. A refused connection (RST) fails with {@code ConnectException}, an unreachable
 *       host or network (ICMP, or no route) with {@code NoRouteToHostException}, an address in use with
 *       {@code BindException} ({@link NetErrors}).</li>
 *   <li><b>Reading</b> is zero-copy: each {@code channelRead} gets a buffer the stack queued (a retained slice of a
 *       received frame, or a coalesced copy of small segments) of at most the {@code RecvByteBufAllocator}'s guess;
 *       the handle's {@code continueReading} asks the socket whether more is queued (exact, no guessing). With
 *       autoRead off and no {@code read()} pending the channel drops READ interest: nothing is taken from the socket,
 *       its queue fills and the TCP receive window closes (back-pressure reaches the peer).</li>
 *   <li><b>Writing</b> hands each flushed buffer to the stack (zero-copy: a retained slice, small writes coalesced)
 *       as far as the socket's send space ({@code SO_SNDBUF}) goes; the rest waits in Netty's outbound buffer, whose
 *       size drives the writability water marks, and the socket's WRITE readiness (the peer acknowledged data)
 *       resumes the flush. Consecutive buffers are gathered into full segments by the stack's segmentation. A write
 *       promise completes when the stack has taken the bytes (as NIO's completes when the kernel has).</li>
 *   <li><b>End of stream</b>: the peer's FIN, once the data before it was read, closes the channel, or with
 *       {@code ALLOW_HALF_CLOSURE} fires {@link ChannelInputShutdownEvent} and, on the next read,
 *       {@link ChannelInputShutdownReadComplete} (once), exactly as NIO. {@link #shutdownOutput()} sends a FIN after
 *       the queued data; {@link #shutdownInput()} discards what arrives from then on.</li>
 *   <li><b>Errors</b>: an RST fires {@code exceptionCaught(IOException("Connection reset by peer"))} and closes the
 *       channel; a connection that timed out (retransmissions or keep-alive probes exhausted) the same with
 *       "Connection timed out".</li>
 *   <li><b>Close</b> is graceful: the stack sends what is queued, then a FIN, and owns FIN-WAIT and TIME-WAIT (the
 *       channel is closed at once, as with the kernel). Unread received data, or {@code SO_LINGER=0}, make it an
 *       abort (RST), as Linux.</li>
 *   <li><b>Addresses</b> are {@link InetSocketAddress}es, IPv4 or IPv6 (IPv4-mapped shown as IPv4).</li>
 * </ul>
 *
 * <h2>Threading</h2>
 * As every Netty channel: everything that touches the socket runs on the channel's loop, which is the loop whose
 * stack holds the socket. An accepted child is born on its listener's loop (its socket is in that stack) and can
 * only be registered there: {@link #isCompatible} refuses every other loop, and {@link IothEventLoopGroup#register}
 * routes it home, so a {@code ServerBootstrap} must use one {@code IothEventLoopGroup} for parent and children (or
 * a child group that contains the parent's loop).
 */
public final class IothSocketChannel extends AbstractIothChannel implements SocketChannel {
    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);
    private static final String EXPECTED_TYPES = " (expected: " + StringUtil.simpleClassName(ByteBuf.class) + ')';
    /** TcpConfig's default buffer sizes, reported until the channel has a socket. */
    private static final int DEFAULT_BUFFER = 256 * 1024;

    private final IothSocketChannelConfig config;
    /** "More bytes are queued": exact, so the read loop never guesses (EpollRecvByteAllocatorHandle's idea). */
    private final UncheckedBooleanSupplier moreQueued = () -> this.socket != null && this.socket.readableBytes() > 0;
    private TcpSocket socket;
    private volatile boolean open = true;
    /** Connected (an accepted connection, or a completed connect) and not closed. */
    private volatile boolean active;
    /** The end of the input was consumed (half-closure) or {@link #shutdownInput()} was called. */
    private volatile boolean inputShutdown;
    /** {@link #shutdownInput()} was called: received data is discarded. */
    private boolean inputShutdownByUser;
    /** {@link ChannelInputShutdownReadComplete} was fired (NIO's inputClosedSeenErrorOnRead). */
    private boolean inputClosedSeenErrorOnRead;
    private volatile boolean outputShutdown;
    private boolean connecting;
    private volatile InetSocketAddress local;
    private volatile InetSocketAddress remote;

    /** A channel for {@code Bootstrap.connect}; its socket is opened on the loop it is registered with. */
    public IothSocketChannel() {
        super(null);
        config = new IothSocketChannelConfig(this);
    }

    /** An accepted connection: its socket lives on {@code home}'s stack. Called on {@code home}. */
    IothSocketChannel(final IothServerSocketChannel parent, final EventLoop home, final TcpSocket accepted) {
        super(parent, home);
        config = new IothSocketChannelConfig(this);
        socket = accepted;
        config.initFrom(accepted);
        active = true;
        updateAddresses();
    }

    // ================================================================ Channel

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    public IothSocketChannelConfig config() {
        return config;
    }

    @Override
    public ServerSocketChannel parent() {
        return (ServerSocketChannel) super.parent();
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isActive() {
        return open && active;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) super.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) super.remoteAddress();
    }

    @Override
    protected SocketAddress localAddress0() {
        return local;
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return remote;
    }

    /**
     * A snapshot of the connection's TCP state and counters (Linux TCP_INFO), or null before the channel has a
     * socket. Allocates (an API edge); from another thread it waits for the channel's loop.
     */
    public TcpInfo tcpInfo() {
        if (!isRegistered()) {
            return null;
        }
        final EventLoop loop = eventLoop();
        if (loop.inEventLoop()) {
            return tcpInfo0();
        }
        try {
            return loop.submit(this::tcpInfo0).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new ChannelException("TCP_INFO of " + this, e);
        }
    }

    private TcpInfo tcpInfo0() {
        final TcpSocket s = socket;
        return s == null ? null : s.info(new TcpInfo(), nanoTime());
    }

    // ================================================================ socket

    @Override
    protected StackSocket openSocket(final Stack stack, final long now) {
        final TcpSocket s = stack.openTcp();
        try {
            config.applyTo(s);
        } catch (RuntimeException e) {
            s.abort(now);
            throw e;
        }
        socket = s;
        return s;
    }

    @Override
    protected StackSocket socket() {
        return socket;
    }

    @Override
    protected int readyOps() {
        final TcpSocket s = socket;
        if (s == null || !open) {
            return 0; // closed by us: the stack owns the connection now
        }
        if (connecting) {
            return s.isConnecting() ? 0 : IothIoOps.CONNECT_BIT;
        }
        if (!active) {
            return 0; // not connected yet: a fresh socket is CLOSED, which must not read as end of stream
        }
        int ops = 0;
        if (s.error() != 0) {
            ops |= IothIoOps.READ_BIT | IothIoOps.WRITE_BIT; // the read loop reports it; a blocked flush fails
        } else {
            if (readable(s)) {
                ops |= IothIoOps.READ_BIT;
            }
            if (s.sendSpace() > 0 || s.isOutputShutdown()) {
                ops |= IothIoOps.WRITE_BIT;
            }
        }
        return ops;
    }

    /**
     * READ readiness. Data counts only while a read is wanted (autoRead, or a {@code read()} pending): otherwise it
     * stays in the socket and the window closes. The end of the stream counts always, as epoll's EPOLLRDHUP: the
     * peer's FIN is reported ({@code ChannelInputShutdownEvent}, then {@code ChannelInputShutdownReadComplete} once)
     * even with autoRead off, once the data before it was read.
     */
    private boolean readable(final TcpSocket s) {
        if (inputShutdown) {
            // data after shutdownInput() is drained; after a half-closure the next read reports
            // ChannelInputShutdownReadComplete once (NIO's shouldBreakReadReady)
            return s.readableBytes() > 0 && inputShutdownByUser
                    || !inputClosedSeenErrorOnRead && config.isAllowHalfClosure();
        }
        final int queued = s.readableBytes();
        return queued > 0 ? readPending || config.isAutoRead() : s.isInputShutdown();
    }

    @Override
    protected boolean keepsReadInterest() {
        return true;
    }

    @Override
    protected void doBeginRead() throws Exception {
        if ((interest() & IothIoOps.READ_BIT) != 0) {
            readPending = true;
            serveSoon(); // READ interest stays on: re-check, data may be waiting for this read()
        } else {
            super.doBeginRead();
        }
    }

    /** Caches the socket's addresses for other threads. Loop thread. */
    private void updateAddresses() {
        final TcpSocket s = socket;
        if (s != null && s.localPort() != 0) {
            local = new InetSocketAddress(IpAddr.toInetAddress(s.localHi(), s.localLo()), s.localPort());
        }
        if (s != null && s.remotePort() != 0 && (s.isConnected() || s.isConnecting())) {
            remote = new InetSocketAddress(IpAddr.toInetAddress(s.remoteHi(), s.remoteLo()), s.remotePort());
        }
        invalidateLocalAddress();
        invalidateRemoteAddress();
    }

    /** Runs {@code change} on the socket, on its loop; before the socket exists the config applies it later. */
    void applyToSocket(final Consumer<TcpSocket> change) {
        EventLoop h = homeLoop();
        if (h == null) {
            if (!isRegistered()) {
                return; // applied by openSocket
            }
            h = eventLoop();
        }
        if (h.inEventLoop()) {
            if (socket != null && open) {
                change.accept(socket);
            }
        } else {
            h.execute(() -> {
                if (socket != null && open) {
                    change.accept(socket);
                }
            });
        }
    }

    int defaultSendBufferSize() {
        return DEFAULT_BUFFER;
    }

    int defaultReceiveBufferSize() {
        return DEFAULT_BUFFER;
    }

    String defaultCongestionControl() {
        return "newreno";
    }

    // ================================================================ bind, connect, close

    @Override
    protected void doBind(final SocketAddress localAddress) throws Exception {
        final InetSocketAddress a = (InetSocketAddress) localAddress;
        if (a.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        final int r = socket.bind(IpAddr.hiOf(a.getAddress()), IpAddr.loOf(a.getAddress()), a.getPort());
        if (r != NetError.OK) {
            throw NetErrors.bind(r, a);
        }
        updateAddresses();
    }

    @Override
    protected boolean doConnect(final SocketAddress remoteAddress, final SocketAddress localAddress)
            throws Exception {
        if (active) {
            throw new java.nio.channels.AlreadyConnectedException();
        }
        if (localAddress != null) {
            doBind(localAddress);
        }
        final InetSocketAddress ra = (InetSocketAddress) remoteAddress;
        if (ra.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        final int r = socket.connect(IpAddr.hiOf(ra.getAddress()), IpAddr.loOf(ra.getAddress()), ra.getPort(),
                nanoTime());
        if (r != NetError.OK) {
            throw NetErrors.connect(r, ra);
        }
        connecting = true;
        remote = ra;
        updateAddresses();
        addInterest(IothIoOps.CONNECT_BIT);
        return false; // the handshake completes in a later loop iteration (CONNECT readiness)
    }

    @Override
    protected void doFinishConnect() throws Exception {
        connecting = false;
        final TcpSocket s = socket;
        if (s.isConnected()) {
            active = true;
            updateAddresses();
            return;
        }
        final int err = s.takeError();
        throw NetErrors.connect(err != 0 ? err : NetError.ECONNREFUSED, remote);
    }

    @Override
    protected void doDisconnect() throws Exception {
        doClose();
    }

    @Override
    protected void doClose() throws Exception {
        final boolean wasOpen = open;
        open = false;
        active = false;
        connecting = false;
        super.doClose();
        final TcpSocket s = socket;
        if (s == null || !wasOpen) {
            return;
        }
        final EventLoop h = homeLoop();
        if (h == null || h.inEventLoop()) {
            closeSocket(s);
        } else {
            h.execute(() -> closeSocket(s)); // e.g. an accepted child force-closed by a foreign loop
        }
    }

    private void closeSocket(final TcpSocket s) {
        if (config.getSoLinger() == 0) {
            s.abort(nanoTime()); // SO_LINGER=0: RST only (Linux tcp_close, sk_lingertime == 0)
        } else {
            s.close(nanoTime()); // FIN after the queued data; the stack owns FIN-WAIT and TIME-WAIT
        }
    }

    // ================================================================ half-closure (DuplexChannel)

    @Override
    public boolean isInputShutdown() {
        return inputShutdown || !isActive();
    }

    @Override
    public boolean isOutputShutdown() {
        return outputShutdown || !isActive();
    }

    @Override
    public boolean isShutdown() {
        return isInputShutdown() && isOutputShutdown();
    }

    @Override
    public ChannelFuture shutdownOutput() {
        return shutdownOutput(newPromise());
    }

    @Override
    public ChannelFuture shutdownOutput(final ChannelPromise promise) {
        final EventLoop loop = eventLoop();
        if (loop.inEventLoop()) {
            ((AbstractUnsafe) unsafe()).shutdownOutput(promise);
        } else {
            loop.execute(() -> ((AbstractUnsafe) unsafe()).shutdownOutput(promise));
        }
        return promise;
    }

    @Override
    protected void doShutdownOutput() throws Exception {
        if (!active) {
            throw new NotYetConnectedException();
        }
        final int r = socket.shutdownOutput(nanoTime()); // FIN after the queued data (RFC 9293 §3.10.4)
        outputShutdown = true;
        if (r != NetError.OK && r != NetError.ENOTCONN) {
            throw NetErrors.stream(r, remote);
        }
    }

    @Override
    public ChannelFuture shutdownInput() {
        return shutdownInput(newPromise());
    }

    @Override
    public ChannelFuture shutdownInput(final ChannelPromise promise) {
        final EventLoop loop = eventLoop();
        if (loop.inEventLoop()) {
            shutdownInput0(promise);
        } else {
            loop.execute(() -> shutdownInput0(promise));
        }
        return promise;
    }

    private void shutdownInput0(final ChannelPromise promise) {
        if (!active) {
            promise.setFailure(open ? new NotYetConnectedException() : new java.nio.channels.ClosedChannelException());
            return;
        }
        if (!inputShutdown) {
            // shutdown(SHUT_RD): the stack has no such state; the channel discards what arrives from now on and
            // keeps reading so that the receive window stays open
            inputShutdown = true;
            inputShutdownByUser = true;
            drain(socket);
            addInterest(IothIoOps.READ_BIT);
        }
        promise.setSuccess();
    }

    @Override
    public ChannelFuture shutdown() {
        return shutdown(newPromise());
    }

    @Override
    public ChannelFuture shutdown(final ChannelPromise promise) {
        final ChannelFuture out = shutdownOutput();
        if (out.isDone()) {
            shutdownOutputDone(out, promise);
        } else {
            out.addListener((ChannelFutureListener) f -> shutdownOutputDone(f, promise));
        }
        return promise;
    }

    private void shutdownOutputDone(final ChannelFuture out, final ChannelPromise promise) {
        final ChannelFuture in = shutdownInput();
        if (in.isDone()) {
            shutdownDone(out, in, promise);
        } else {
            in.addListener((ChannelFutureListener) f -> shutdownDone(out, f, promise));
        }
    }

    private static void shutdownDone(final ChannelFuture out, final ChannelFuture in, final ChannelPromise promise) {
        final Throwable outCause = out.cause();
        final Throwable inCause = in.cause();
        if (outCause != null) {
            if (inCause != null) {
                outCause.addSuppressed(inCause);
            }
            promise.setFailure(outCause);
        } else if (inCause != null) {
            promise.setFailure(inCause);
        } else {
            promise.setSuccess();
        }
    }

    // ================================================================ read

    private static void drain(final TcpSocket s) {
        ByteBuf b;
        while ((b = s.read(Integer.MAX_VALUE)) != null) {
            b.release();
        }
    }

    @Override
    protected void readReady() {
        final TcpSocket s = socket;
        if (s == null || !open) {
            return;
        }
        final IothSocketChannelConfig config = this.config;
        if (inputShutdown && s.error() == 0 && (inputClosedSeenErrorOnRead || !config.isAllowHalfClosure())) {
            // NIO's shouldBreakReadReady: nothing more to report
            if (inputShutdownByUser) {
                drain(s);
            } else {
                readPending = false;
                removeInterest(IothIoOps.READ_BIT);
            }
            return;
        }
        final ChannelPipeline pipeline = pipeline();
        final RecvByteBufAllocator.Handle allocHandle = unsafe().recvBufAllocHandle();
        allocHandle.reset(config);
        boolean eof = false;
        int err = 0;
        Throwable failure = null;
        try {
            do {
                if (inputShutdownByUser) {
                    drain(s); // after shutdownInput(): reads see the end of stream, as Linux after SHUT_RD
                }
                if (s.readableBytes() == 0) {
                    if (s.error() != 0) {
                        err = s.takeError();
                    } else if (inputShutdown || s.isInputShutdown()) {
                        eof = true;
                    }
                    break;
                }
                final int guess = allocHandle.guess();
                allocHandle.attemptedBytesRead(guess);
                final ByteBuf b = s.read(guess); // zero-copy: the stack's buffer is now ours
                allocHandle.lastBytesRead(b.readableBytes());
                allocHandle.incMessagesRead(1);
                readPending = false;
                pipeline.fireChannelRead(b);
            } while (open && continueReading(allocHandle));
            if (!eof && err == 0 && open && !inputShutdown && s.readableBytes() == 0) {
                // the end right behind the data: report it in this round, as NIO's next read() in the loop would
                if (s.error() != 0) {
                    err = s.takeError();
                } else if (s.isInputShutdown()) {
                    eof = true;
                }
            }
        } catch (Throwable t) {
            failure = t;
        }
        allocHandle.readComplete();
        pipeline.fireChannelReadComplete();
        if (failure == null && err != 0) {
            failure = NetErrors.stream(err, remote);
        }
        if (failure != null) {
            pipeline.fireExceptionCaught(failure);
            // an RST or a timeout ended the connection in both directions: close (NIO's closeOnRead would only
            // shut the input down with ALLOW_HALF_CLOSURE, but nothing can be sent on a reset connection either)
            if (isOpen()) {
                unsafe().close(unsafe().voidPromise());
            }
            return;
        }
        if (eof) {
            readPending = false;
            closeOnRead(pipeline);
        }
        if (isOpen()) {
            readLoopDone();
        }
    }

    /** NIO's closeOnRead: the first end of stream closes or half-closes; the next one is reported once. */
    private void closeOnRead(final ChannelPipeline pipeline) {
        if (!inputShutdown) {
            if (config.isAllowHalfClosure()) {
                inputShutdown = true;
                pipeline.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            } else {
                unsafe().close(unsafe().voidPromise());
            }
        } else if (!inputClosedSeenErrorOnRead) {
            inputClosedSeenErrorOnRead = true;
            pipeline.fireUserEventTriggered(ChannelInputShutdownReadComplete.INSTANCE);
        }
    }

    private boolean continueReading(final RecvByteBufAllocator.Handle allocHandle) {
        if (allocHandle instanceof RecvByteBufAllocator.ExtendedHandle e) {
            return e.continueReading(moreQueued);
        }
        return allocHandle.continueReading();
    }

    // ================================================================ write

    @Override
    protected Object filterOutboundMessage(final Object msg) {
        if (msg instanceof ByteBuf) {
            return msg; // heap or direct: the stack copies into its frames either way
        }
        if (msg instanceof FileRegion) {
            throw new UnsupportedOperationException("FileRegion is not supported by the IoTh transport (there is no "
                    + "kernel socket to sendfile(2) into): write its content as ByteBufs");
        }
        throw new UnsupportedOperationException("unsupported message type: " + StringUtil.simpleClassName(msg)
                + EXPECTED_TYPES);
    }

    @Override
    protected void doWrite(final ChannelOutboundBuffer in) throws Exception {
        final TcpSocket s = socket;
        for (;;) {
            final Object msg = in.current();
            if (msg == null) {
                removeInterest(IothIoOps.WRITE_BIT);
                pushOut();
                return;
            }
            final ByteBuf buf = (ByteBuf) msg;
            final int readable = buf.readableBytes();
            if (readable == 0) {
                in.remove();
                continue;
            }
            final int readerIndex = buf.readerIndex();
            final int n = s.send(buf); // takes a retained slice (or copies a small write), advances the index
            if (n < 0) {
                throw NetErrors.stream(n, remote);
            }
            if (n > 0) {
                buf.readerIndex(readerIndex); // removeBytes advances it and reports progress
                in.removeBytes(n);
            }
            if (n < readable) {
                addInterest(IothIoOps.WRITE_BIT); // the send buffer is full: the peer's ACKs make room
                pushOut();
                return;
            }
        }
    }

    /**
     * A flush leaves now, as a kernel's send(2) would: the segments the window allows are emitted and the link
     * flushed at once, not at the loop's next egress phase (the sender's own loop may be busy for a while, e.g. a
     * handler writing in a loop). Loop thread, never inside the stack's ingress.
     */
    private void pushOut() {
        stack().pollEgress(nanoTime());
    }

    // ================================================================ Unsafe

    @Override
    protected IothUnsafe newUnsafe() {
        return new SocketUnsafe();
    }

    private final class SocketUnsafe extends IothUnsafe {
    }
}
