package io.ioth.transport;

import io.ioth.tcpip.Stack;
import io.ioth.tcpip.iface.IpAddr;
import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.iface.NetInterface;
import io.ioth.tcpip.socket.StackSocket;
import io.ioth.tcpip.socket.udp.DatagramInfo;
import io.ioth.tcpip.socket.udp.UdpSocket;
import io.ioth.transport.internal.NetErrors;
import io.netty.buffer.ByteBuf;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.UncheckedBooleanSupplier;
import io.netty.util.internal.StringUtil;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.channels.UnresolvedAddressException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A UDP {@link DatagramChannel} on the stack of its event loop: {@link DatagramPacket}s in and out, bind (port 0 =
 * ephemeral), connect / disconnect, broadcast ({@code SO_BROADCAST}), multicast join and leave (IGMPv2 for IPv4,
 * tested; IPv6 groups as far as the stack's MLD goes), the {@code RecvByteBufAllocator} read loop, autoRead and
 * writability, as Netty's NIO and epoll datagram channels.
 *
 * <pre>{@code
 * EventLoopGroup group = new IothEventLoopGroup("vnl=vde:///tmp/sw,ip=10.0.0.2/24");
 * Channel ch = new Bootstrap().group(group).channel(IothDatagramChannel.class)
 *         .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
 *             protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
 *                 ctx.writeAndFlush(new DatagramPacket(p.content().retain(), p.sender()));   // echo
 *             }
 *         }).bind(7).sync().channel();
 * }</pre>
 *
 * <h2>Semantics</h2>
 * <ul>
 *   <li><b>Reading</b>: each datagram is copied once from the received frame into a buffer of the channel's
 *       allocator sized by the {@code RecvByteBufAllocator} (NIO's default: fixed 2048 bytes); a larger datagram
 *       grows the buffer rather than being truncated. Up to {@code maxMessagesPerRead} datagrams per READ event
 *       (the stack knows exactly whether more are queued); the rest are served at the next loop iteration.</li>
 *   <li><b>Writing</b>: a {@code DatagramPacket} / {@code AddressedEnvelope} goes to its recipient, a bare
 *       {@code ByteBuf} to the connected peer ({@code NotYetConnectedException} otherwise). UDP never blocks: each
 *       datagram is handed to the stack at once (copied into a frame with room for the headers); a failure fails
 *       that message's promise and the following messages are still sent (NIO's {@code continueOnWriteError}).
 *       At most {@code maxMessagesPerWrite} datagrams per flush, then the channel yields to the loop.</li>
 *   <li><b>Errors</b>: a connected socket hears ICMP port unreachable: the next read reports
 *       {@link PortUnreachableException} through {@code exceptionCaught} (the channel stays open), or the next write
 *       fails with it, whichever comes first (Linux's pending socket error). Others: see {@link NetErrors}.</li>
 *   <li><b>Addresses</b> are {@link InetSocketAddress}es, IPv4 or IPv6. Binding {@code ::} (or an unbound send)
 *       serves both families; binding {@code 0.0.0.0} or an address of one family serves that family only (a send
 *       to the other fails with {@code SocketException: Address family not supported by protocol}, Linux's
 *       EAFNOSUPPORT). Host names in addresses are resolved by the bootstrap's resolver (the host's, until DNS on
 *       the stack arrives with issue 6).</li>
 * </ul>
 *
 * <p>Threading: as every Netty channel (its socket is touched on its event loop only).
 */
public final class IothDatagramChannel extends AbstractIothChannel implements DatagramChannel {
    private static final ChannelMetadata METADATA = new ChannelMetadata(true, 16);
    private static final String EXPECTED_TYPES = " (expected: " + StringUtil.simpleClassName(DatagramPacket.class)
            + ", " + StringUtil.simpleClassName(AddressedEnvelope.class) + '<'
            + StringUtil.simpleClassName(ByteBuf.class) + ", " + StringUtil.simpleClassName(InetSocketAddress.class)
            + ">, " + StringUtil.simpleClassName(ByteBuf.class) + ')';

    private final IothDatagramChannelConfig config;
    private final DatagramInfo info = new DatagramInfo();
    /** "More datagrams are queued": exact, so the read loop never guesses (EpollRecvByteAllocatorHandle's idea). */
    private final UncheckedBooleanSupplier moreQueued = () -> this.socket != null && this.socket.pendingDatagrams() > 0;
    private UdpSocket socket;
    private volatile boolean open = true;
    private volatile InetSocketAddress local;
    private volatile InetSocketAddress remote;
    // one-entry cache of the last sender's address: a conversation allocates no InetSocketAddress per datagram
    private long lastSrcHi;
    private long lastSrcLo;
    private int lastSrcPort = -1;
    private InetSocketAddress lastSender;

    public IothDatagramChannel() {
        super(null);
        config = new IothDatagramChannelConfig(this);
    }

    // ================================================================ Channel

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    public IothDatagramChannelConfig config() {
        return config;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /** Bound (or, with {@code DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION}, registered) and open. */
    @Override
    public boolean isActive() {
        return open && (local != null || config.isActiveOnRegistration() && isRegistered());
    }

    @Override
    public boolean isConnected() {
        return remote != null;
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

    // ================================================================ socket

    @Override
    protected StackSocket openSocket(final Stack stack, final long now) {
        final UdpSocket s = stack.openUdp();
        try {
            config.applyTo(s, stack);
        } catch (RuntimeException e) {
            s.close(now);
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
        final UdpSocket s = socket;
        if (s == null || !open) {
            return 0; // closed by us: nothing more to do until deregistration
        }
        int ops = 0;
        if (s.isReadable() || s.isClosed()) { // a closed socket reads as "the stack closed it"
            ops |= IothIoOps.READ_BIT;
        }
        if (s.isWritable()) {
            ops |= IothIoOps.WRITE_BIT;
        }
        return ops;
    }

    /** Caches the socket's addresses for other threads (localAddress() may be called anywhere). */
    private void updateAddresses() {
        final UdpSocket s = socket;
        local = s != null && s.isBound() ? s.localSocketAddress() : null;
        remote = s != null && s.isConnected() ? s.remoteSocketAddress() : null;
        invalidateLocalAddress();
        invalidateRemoteAddress();
    }

    void applyToSocket(final Consumer<UdpSocket> change) {
        applyToSocketWithStack((s, stack) -> change.accept(s));
    }

    /** Runs {@code change} on the loop if the socket exists (options set before registration wait for it). */
    void applyToSocketWithStack(final BiConsumer<UdpSocket, Stack> change) {
        if (!isRegistered()) {
            return; // applied by openSocket
        }
        final EventLoop loop = eventLoop();
        if (loop.inEventLoop()) {
            if (socket != null && open) {
                change.accept(socket, stack());
            }
        } else {
            loop.execute(() -> {
                if (socket != null && open && isRegistered()) {
                    change.accept(socket, stack());
                }
            });
        }
    }

    // ================================================================ bind, connect, close

    @Override
    protected void doBind(final SocketAddress localAddress) throws Exception {
        final InetSocketAddress a = (InetSocketAddress) localAddress;
        if (a.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        final int r = socket.bind(a);
        if (r != NetError.OK) {
            throw NetErrors.bind(r, a);
        }
        updateAddresses();
    }

    @Override
    protected boolean doConnect(final SocketAddress remoteAddress, final SocketAddress localAddress)
            throws Exception {
        if (localAddress != null) {
            doBind(localAddress);
        }
        final InetSocketAddress ra = (InetSocketAddress) remoteAddress;
        if (ra.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        final int r = socket.connect(ra, nanoTime());
        if (r != NetError.OK) {
            throw NetErrors.connect(r, ra);
        }
        updateAddresses();
        return true; // UDP: the peer is fixed at once
    }

    @Override
    protected void doDisconnect() throws Exception {
        socket.disconnect();
        updateAddresses();
    }

    @Override
    protected void doClose() throws Exception {
        open = false;
        super.doClose();
        final UdpSocket s = socket;
        if (s != null) {
            s.close(nanoTime()); // leaves its groups (IGMP leave), unbinds, releases queued datagrams
        }
    }

    // ================================================================ read

    @Override
    protected void readReady() {
        final UdpSocket s = socket;
        final IothDatagramChannelConfig config = this.config;
        final ChannelPipeline pipeline = pipeline();
        final RecvByteBufAllocator.Handle allocHandle = unsafe().recvBufAllocHandle();
        allocHandle.reset(config);
        Throwable exception = null;
        boolean closedByStack = false;
        try {
            do {
                final int err = s.takeError();
                if (err != 0) {
                    exception = NetErrors.datagram(err, remote);
                    break;
                }
                if (s.isClosed()) {
                    closedByStack = true;
                    break;
                }
                final ByteBuf payload = s.receive(info);
                if (payload == null) {
                    break;
                }
                final int len = payload.readableBytes();
                ByteBuf buf = null;
                try {
                    buf = allocHandle.allocate(config.getAllocator());
                    allocHandle.attemptedBytesRead(buf.writableBytes());
                    // a datagram is a message: deliver it whole even if the guess was short (NIO would truncate);
                    // ensureWritable(.., true): 0 fits, 2 grown to fit, 1 and 3 cannot fit (max capacity)
                    final int fit = buf.ensureWritable(len, true);
                    buf.writeBytes(payload, payload.readerIndex(),
                            fit == 0 || fit == 2 ? len : Math.min(len, buf.writableBytes()));
                } catch (Throwable t) {
                    if (buf != null) {
                        buf.release();
                    }
                    throw t;
                } finally {
                    payload.release();
                }
                allocHandle.lastBytesRead(buf.readableBytes());
                allocHandle.incMessagesRead(1);
                readPending = false;
                pipeline.fireChannelRead(new DatagramPacket(buf, localAddress(), sender(info)));
            } while (continueReading(allocHandle));
        } catch (Throwable t) {
            exception = t;
        }
        allocHandle.readComplete();
        pipeline.fireChannelReadComplete();
        if (exception != null) {
            pipeline.fireExceptionCaught(exception);
            // NIO's closeOnReadError: a port unreachable does not end a datagram channel; other I/O errors do not
            // either (a datagram channel is not a server channel), anything else does
            if (!(exception instanceof IOException)) {
                closedByStack = true;
            }
        }
        if (closedByStack && isOpen()) {
            unsafe().close(unsafe().voidPromise());
            return;
        }
        readLoopDone();
    }

    private boolean continueReading(final RecvByteBufAllocator.Handle allocHandle) {
        if (allocHandle instanceof RecvByteBufAllocator.ExtendedHandle e) {
            return e.continueReading(moreQueued);
        }
        return allocHandle.continueReading();
    }

    private InetSocketAddress sender(final DatagramInfo i) {
        if (i.srcPort != lastSrcPort || i.srcHi != lastSrcHi || i.srcLo != lastSrcLo) {
            lastSender = i.sender();
            lastSrcHi = i.srcHi;
            lastSrcLo = i.srcLo;
            lastSrcPort = i.srcPort;
        }
        return lastSender;
    }

    // ================================================================ write

    @Override
    protected Object filterOutboundMessage(final Object msg) {
        if (msg instanceof DatagramPacket || msg instanceof ByteBuf) {
            return msg;
        }
        if (msg instanceof AddressedEnvelope<?, ?> e && e.content() instanceof ByteBuf
                && (e.recipient() == null || e.recipient() instanceof InetSocketAddress)) {
            return msg;
        }
        throw new UnsupportedOperationException("unsupported message type: " + StringUtil.simpleClassName(msg)
                + EXPECTED_TYPES);
    }

    @Override
    protected void doWrite(final ChannelOutboundBuffer in) throws Exception {
        final UdpSocket s = socket;
        final long now = nanoTime();
        int budget = maxMessagesPerWrite();
        for (;;) {
            final Object msg = in.current();
            if (msg == null) {
                removeInterest(IothIoOps.WRITE_BIT);
                return;
            }
            if (budget-- == 0) {
                // yield to the loop's other work; UDP is always writable, so the WRITE event comes next iteration
                addInterest(IothIoOps.WRITE_BIT);
                return;
            }
            final ByteBuf data;
            final InetSocketAddress to;
            if (msg instanceof AddressedEnvelope<?, ?> e) {
                data = (ByteBuf) e.content();
                to = (InetSocketAddress) e.recipient();
            } else {
                data = (ByteBuf) msg;
                to = null;
            }
            try {
                final int r;
                if (to == null) {
                    r = s.send(data, now);
                } else if (to.isUnresolved()) {
                    throw new UnresolvedAddressException();
                } else {
                    r = s.sendTo(to, data, now);
                }
                if (r < 0) {
                    throw NetErrors.datagram(r, to != null ? to : remote);
                }
                in.remove();
            } catch (Exception e) {
                in.remove(e); // fail this datagram, send the next ones (NIO: continueOnWriteError)
            }
        }
    }

    // ================================================================ multicast

    @Override
    public ChannelFuture joinGroup(final InetAddress multicastAddress) {
        return joinGroup(multicastAddress, newPromise());
    }

    @Override
    public ChannelFuture joinGroup(final InetAddress multicastAddress, final ChannelPromise promise) {
        return membership(true, multicastAddress, null, null, promise);
    }

    @Override
    public ChannelFuture joinGroup(final InetSocketAddress multicastAddress, final NetworkInterface networkInterface) {
        return joinGroup(multicastAddress, networkInterface, newPromise());
    }

    @Override
    public ChannelFuture joinGroup(final InetSocketAddress multicastAddress, final NetworkInterface networkInterface,
                                   final ChannelPromise promise) {
        return membership(true, multicastAddress.getAddress(), networkInterface, null, promise);
    }

    @Override
    public ChannelFuture joinGroup(final InetAddress multicastAddress, final NetworkInterface networkInterface,
                                   final InetAddress source) {
        return joinGroup(multicastAddress, networkInterface, source, newPromise());
    }

    @Override
    public ChannelFuture joinGroup(final InetAddress multicastAddress, final NetworkInterface networkInterface,
                                   final InetAddress source, final ChannelPromise promise) {
        return membership(true, multicastAddress, networkInterface, source, promise);
    }

    @Override
    public ChannelFuture leaveGroup(final InetAddress multicastAddress) {
        return leaveGroup(multicastAddress, newPromise());
    }

    @Override
    public ChannelFuture leaveGroup(final InetAddress multicastAddress, final ChannelPromise promise) {
        return membership(false, multicastAddress, null, null, promise);
    }

    @Override
    public ChannelFuture leaveGroup(final InetSocketAddress multicastAddress, final NetworkInterface networkInterface) {
        return leaveGroup(multicastAddress, networkInterface, newPromise());
    }

    @Override
    public ChannelFuture leaveGroup(final InetSocketAddress multicastAddress, final NetworkInterface networkInterface,
                                    final ChannelPromise promise) {
        return membership(false, multicastAddress.getAddress(), networkInterface, null, promise);
    }

    @Override
    public ChannelFuture leaveGroup(final InetAddress multicastAddress, final NetworkInterface networkInterface,
                                    final InetAddress source) {
        return leaveGroup(multicastAddress, networkInterface, source, newPromise());
    }

    @Override
    public ChannelFuture leaveGroup(final InetAddress multicastAddress, final NetworkInterface networkInterface,
                                    final InetAddress source, final ChannelPromise promise) {
        return membership(false, multicastAddress, networkInterface, source, promise);
    }

    /** Source filters need IGMPv3 (RFC 3376); the stack speaks IGMPv2 (RFC 2236). */
    @Override
    public ChannelFuture block(final InetAddress multicastAddress, final NetworkInterface networkInterface,
                               final InetAddress sourceToBlock) {
        return block(multicastAddress, networkInterface, sourceToBlock, newPromise());
    }

    @Override
    public ChannelFuture block(final InetAddress multicastAddress, final NetworkInterface networkInterface,
                               final InetAddress sourceToBlock, final ChannelPromise promise) {
        promise.setFailure(new UnsupportedOperationException(
                "source filters need IGMPv3 (RFC 3376); the stack implements IGMPv2 (RFC 2236)"));
        return promise;
    }

    @Override
    public ChannelFuture block(final InetAddress multicastAddress, final InetAddress sourceToBlock) {
        return block(multicastAddress, sourceToBlock, newPromise());
    }

    @Override
    public ChannelFuture block(final InetAddress multicastAddress, final InetAddress sourceToBlock,
                               final ChannelPromise promise) {
        return block(multicastAddress, null, sourceToBlock, promise);
    }

    private ChannelFuture membership(final boolean join, final InetAddress group, final NetworkInterface ni,
                                     final InetAddress source, final ChannelPromise promise) {
        if (source != null) {
            promise.setFailure(new UnsupportedOperationException(
                    "source-specific multicast needs IGMPv3 (RFC 3376); the stack implements IGMPv2 (RFC 2236)"));
            return promise;
        }
        if (!isRegistered()) {
            promise.setFailure(new IllegalStateException("register the channel first (its socket lives on the "
                    + "event loop's stack)"));
            return promise;
        }
        final EventLoop loop = eventLoop();
        if (loop.inEventLoop()) {
            membership0(join, group, ni, promise);
        } else {
            loop.execute(() -> membership0(join, group, ni, promise));
        }
        return promise;
    }

    private void membership0(final boolean join, final InetAddress group, final NetworkInterface ni,
                             final ChannelPromise promise) {
        try {
            if (!open || socket == null) {
                throw new java.nio.channels.ClosedChannelException();
            }
            final NetInterface ifc = ni == null ? null : IothDatagramChannelConfig.iface(stack(), ni.getName());
            final long hi = IpAddr.hiOf(group);
            final long lo = IpAddr.loOf(group);
            final int r = join ? socket.joinGroup(hi, lo, ifc, nanoTime()) : socket.leaveGroup(hi, lo, ifc, nanoTime());
            if (r != NetError.OK) {
                throw new SocketException((join ? "join " : "leave ") + group.getHostAddress() + ": "
                        + NetError.message(r) + " (" + NetError.name(r) + ")");
            }
            promise.setSuccess();
        } catch (Throwable t) {
            promise.setFailure(t);
        }
    }

    // ================================================================ Unsafe

    @Override
    protected IothUnsafe newUnsafe() {
        return new DatagramUnsafe();
    }

    private final class DatagramUnsafe extends IothUnsafe {
    }
}
